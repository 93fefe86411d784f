"""Staff accounts in a real catalog, and the `kunskapsbank user` commands."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from kunskapsbank.catalog import Catalog
from kunskapsbank.cli import main
from kunskapsbank.users import (FAILURE_WINDOW_S, MAX_FAILURES, MAX_FAILURES_PER_ADDRESS,
                                UserError, Users)


@pytest.fixture
def users(config):
    catalog = Catalog(config.catalog_path)
    yield Users(catalog)
    catalog.close()


def test_password_is_stored_as_a_scrypt_hash_and_checked(users):
    users.add("anna.s", "ett långt lösenord", "fou")
    row = users.db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert row.startswith("scrypt:") and "ett långt lösenord" not in row
    assert users.authenticate("anna.s", "ett långt lösenord").role == "fou"
    assert users.authenticate("ANNA.S", "ett långt lösenord") is not None  # names ignore case
    assert users.authenticate("anna.s", "ett långt lösenorD") is None
    assert users.authenticate("okänd", "ett långt lösenord") is None


def test_bad_accounts_are_refused_with_swedish_messages(users):
    users.add("anna", "ett långt lösenord", "admin")
    with pytest.raises(UserError, match="user exists") as exc:
        users.add("Anna", "ett annat lösenord", "fou")
    assert "finns redan" in exc.value.message_sv
    with pytest.raises(UserError, match="shorter") as exc:
        users.add("bo", "kort", "fou")
    assert "minst 10 tecken" in exc.value.message_sv
    with pytest.raises(UserError, match="unknown role"):
        users.add("bo", "ett långt lösenord", "läsare")
    with pytest.raises(UserError, match="invalid username"):
        users.add("<script>", "ett långt lösenord", "fou")
    assert [u.username for u in users.list()] == ["anna"]


def test_roles_admin_implies_fou(users):
    fou = users.add("fou1", "ett långt lösenord", "fou")
    admin = users.add("admin1", "ett långt lösenord", "admin")
    assert fou.has_role("fou") and not fou.has_role("admin")
    assert admin.has_role("fou") and admin.has_role("admin")


def test_password_change_changes_the_session_token_and_remove(users):
    before = users.add("anna", "ett långt lösenord", "fou")
    assert users.set_password("anna", "ett nytt långt lösenord")
    after = users.get("anna")
    assert after.session_token != before.session_token
    assert users.authenticate("anna", "ett långt lösenord") is None
    assert users.authenticate("anna", "ett nytt långt lösenord") is not None
    assert users.remove("anna") and not users.remove("anna")
    assert users.get("anna") is None


def test_failures_lock_out_one_name_from_one_address_for_the_window(users):
    t0 = 1_000_000.0
    for i in range(MAX_FAILURES - 1):
        users.record_failure("anna", "10.0.0.1", now=t0 + i)
    assert not users.locked_out("anna", "10.0.0.1", now=t0 + 10)
    users.record_failure("anna", "10.0.0.1", now=t0 + 10)
    assert users.locked_out("anna", "10.0.0.1", now=t0 + 11)
    assert not users.locked_out("anna", "10.0.0.2", now=t0 + 11)  # another address
    assert not users.locked_out("bo", "10.0.0.1", now=t0 + 11)  # another name
    # the oldest failure leaves the window: one attempt is allowed again
    assert not users.locked_out("anna", "10.0.0.1", now=t0 + FAILURE_WINDOW_S + 0.5)
    users.clear_failures("anna", "10.0.0.1")
    assert users.failures("anna", "10.0.0.1", now=t0 + 11) == 0


def test_one_address_guessing_many_names_is_stopped(users):
    t0 = 1_000_000.0
    for i in range(MAX_FAILURES_PER_ADDRESS):
        users.record_failure(f"namn{i}", "10.0.0.9", now=t0 + i)
    assert users.locked_out("ny", "10.0.0.9", now=t0 + 100)
    assert not users.locked_out("ny", "10.0.0.10", now=t0 + 100)


def test_cli_user_add_list_passwd_remove(config):
    runner = CliRunner()
    home = ["--home", str(config.home)]
    result = runner.invoke(main, home + ["user", "add", "anna", "--role", "admin",
                                         "--password-stdin"], input="ett långt lösenord\n")
    assert result.exit_code == 0, result.output
    # prompted: hidden and asked twice; a mismatch is asked again
    result = runner.invoke(main, home + ["user", "add", "bo"],
                           input="bos långa lösenord\nfel\nbos långa lösenord\n"
                                 "bos långa lösenord\n")
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output and "bos långa lösenord" not in result.output
    result = runner.invoke(main, home + ["user", "add", "cilla", "--password-stdin"],
                           input="kort\n")
    assert result.exit_code == 1 and "shorter than 10" in result.output
    result = runner.invoke(main, home + ["user", "add", "anna", "--password-stdin"],
                           input="ett långt lösenord\n")
    assert result.exit_code == 1 and "user exists" in result.output

    result = runner.invoke(main, home + ["user", "list"])
    lines = result.output.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [["anna", "admin"], ["bo", "fou"]]

    result = runner.invoke(main, home + ["user", "passwd", "bo", "--password-stdin"],
                           input="bos nya lösenord!\n")
    assert result.exit_code == 0, result.output
    catalog = Catalog(config.catalog_path)
    try:
        assert Users(catalog).authenticate("bo", "bos nya lösenord!") is not None
    finally:
        catalog.close()
    assert runner.invoke(main, home + ["user", "remove", "bo"]).exit_code == 0
    result = runner.invoke(main, home + ["user", "remove", "bo"])
    assert result.exit_code == 1 and "No such user" in result.output
    result = runner.invoke(main, home + ["user", "passwd", "okand", "--password-stdin"],
                           input="ett långt lösenord\n")
    assert result.exit_code == 1


def test_cli_account_changes_are_in_the_audit_log(config):
    from kunskapsbank.audit import AuditLog
    runner = CliRunner()
    home = ["--home", str(config.home)]
    for args, stdin in ((["user", "add", "dora", "--password-stdin"], "doras långa lösenord\n"),
                        (["user", "role", "dora", "admin"], None),
                        (["user", "passwd", "dora", "--password-stdin"], "doras nya lösenord!\n"),
                        (["user", "remove", "dora"], None),
                        (["user", "remove", "dora"], None)):  # refused: logs nothing
        runner.invoke(main, home + args, input=stdin)
    catalog = Catalog(config.catalog_path)
    try:
        entries = AuditLog(catalog).recent(10)
    finally:
        catalog.close()
    assert [(e["action"], e["subject"], e["old_value"], e["new_value"]) for e in entries] == [
        ("user-remove", "dora", "admin", None), ("user-password", "dora", None, None),
        ("user-role", "dora", "fou", "admin"), ("user-add", "dora", None, "fou")]
    assert all(e["username"].endswith("(kommandoraden)") for e in entries)
    assert not any("lösenord" in str(v) for e in entries for v in e.values())
