"""Admin pages (role admin): `/admin` (overview), `/admin/anvandare` (staff accounts: add,
change role, set a password, remove after an "Är du säker?" step) and `/admin/index` (figures of
`kunskapsbank stats` and `check`, and the tasks "Bygg om sökindexet" and "Bearbeta inaktuella
dokument igen", queued for the job worker). The trash page is web/review.py's.

Accounts go through `kunskapsbank.users.Users`, as `kunskapsbank user …` does; every change is
written to the audit log with the acting admin's name. An admin can neither remove nor demote
themself, so the archive always keeps an admin. Tasks call the service's own `reindex()` and
`reprocess(only_stale=True)` in the worker (kunskapsbank/jobs.py); one task at a time.
"""
from __future__ import annotations

import logging

from flask import (Blueprint, abort, current_app, flash, get_flashed_messages, redirect,
                   render_template, request, url_for)
from flask_login import current_user, login_user

from ingest.pipeline import stale_stages
from kunskapsbank.check import run_check
from kunskapsbank.jobs import TASKS, JobQueue
from kunskapsbank.users import ROLE_NAMES_SV, ROLES, UserError

from . import get_kb
from .auth import StaffUser, role_required, users
from .jobs import TASK_SV, wake_worker
from .params import MAX_ID

log = logging.getLogger(__name__)

bp = Blueprint("admin", __name__, url_prefix="/admin")

USER_ACTIONS = ("user-add", "user-role", "user-password", "user-remove")
MISMATCH_SV = "Lösenorden stämmer inte överens. Skriv samma lösenord i båda fälten."
# check.py's problem kinds, as the page names them
PROBLEM_SV = {"missing original": "Originalfil saknas",
              "hash mismatch": "Originalfilen är ändrad",
              "orphan file": "Fil i arkivet utan dokument",
              "temporary file": "Kvarglömd tillfällig fil",
              "not indexed": "Dokument saknas i sökindexet",
              "index only": "Sökträff utan dokument i katalogen",
              "index version": "Sökindexet har en äldre version av dokumentet"}


@bp.app_template_filter("rollnamn")
def role_name(role: str | None) -> str:
    return ROLE_NAMES_SV.get(role or "", role or "–")


def _audit(action: str, username: str, **values) -> None:
    get_kb().audit.record(action, username=current_user.username, subject=username, **values)


# -- overview --------------------------------------------------------------------------------
@bp.get("")
@role_required("admin")
def index():
    return render_template("admin.html")


# -- accounts --------------------------------------------------------------------------------
def _users_page(status: int = 200, errors: dict | None = None, values: dict | None = None):
    return render_template(
        "admin_users.html", users=users().list(), roles=ROLES, errors=errors or {},
        values=values or {"role": "fou"}, messages=get_flashed_messages(),
        history=get_kb().audit.recent(50, actions=USER_ACTIONS)), status


def _passwords(form, errors: dict) -> str | None:
    """The password typed twice, or None with the Swedish reason in errors['password']."""
    password, again = form.get("password", ""), form.get("password2", "")
    if password != again:
        errors["password"] = MISMATCH_SV
        return None
    return password


@bp.get("/anvandare")
@role_required("admin")
def user_list():
    return _users_page()


@bp.post("/anvandare")
@role_required("admin")
def user_add():
    username = request.form.get("username", "").strip()[:200]
    role = request.form.get("role", "")
    errors: dict = {}
    password = _passwords(request.form, errors)
    if password is not None:
        try:
            created = users().add(username, password, role)
        except UserError as exc:
            reason = str(exc)
            field = ("password" if reason.startswith("password") else
                     "role" if reason.startswith("unknown role") else "username")
            errors[field] = exc.message_sv
            log.warning("%s could not add user %r: %s", current_user.username, username, exc)
        else:
            _audit("user-add", created.username, field="role", new=created.role)
            log.info("%s added user %s (%s)", current_user.username, created.username,
                     created.role)
            flash(f"Användaren {created.username} är tillagd som {role_name(created.role)}.")
            return redirect(url_for("admin.user_list", _anchor="meddelanden"), code=303)
    return _users_page(400, errors, {"username": username, "role": role})


def _user_or_404(user_id: int):
    user = users().get_by_id(user_id) if 0 < user_id <= MAX_ID else None
    if user is None:
        abort(404)
    return user


def _user_page(user, status: int = 200, errors: dict | None = None, confirm: bool = False):
    return render_template("admin_user.html", user=user, roles=ROLES, errors=errors or {},
                           is_self=user.id == current_user.id, confirm=confirm,
                           messages=get_flashed_messages()), status


@bp.get("/anvandare/<int:user_id>")
@role_required("admin")
def user_show(user_id: int):
    return _user_page(_user_or_404(user_id))


@bp.post("/anvandare/<int:user_id>/roll")
@role_required("admin")
def user_role(user_id: int):
    user = _user_or_404(user_id)
    role = request.form.get("role", "")
    if user.id == current_user.id and role != user.role:
        log.warning("%s refused: may not change their own role", current_user.username)
        return _user_page(user, 400, {"role": "Du kan inte ändra din egen roll. Be en annan "
                                              "administratör, så att arkivet alltid har en."})
    try:
        users().set_role(user.username, role)
    except UserError as exc:
        return _user_page(user, 400, {"role": exc.message_sv})
    if role != user.role:
        _audit("user-role", user.username, field="role", old=user.role, new=role)
        log.info("%s changed the role of %s: %s -> %s", current_user.username, user.username,
                 user.role, role)
        flash(f"{user.username} är nu {role_name(role)}.")
    else:
        flash(f"Inget ändrades: {user.username} var redan {role_name(role)}.")
    return redirect(url_for("admin.user_show", user_id=user.id, _anchor="meddelanden"), code=303)


@bp.post("/anvandare/<int:user_id>/losenord")
@role_required("admin")
def user_password(user_id: int):
    user = _user_or_404(user_id)
    errors: dict = {}
    password = _passwords(request.form, errors)
    if password is not None:
        try:
            users().set_password(user.username, password)
        except UserError as exc:
            errors["password"] = exc.message_sv
    if errors:
        return _user_page(user, 400, errors)
    _audit("user-password", user.username, field="password")  # never the password or hash
    log.info("%s set a new password for %s", current_user.username, user.username)
    if user.id == current_user.id:  # a new password ends old sessions: keep this one
        login_user(StaffUser(users().get_by_id(user.id)))
    flash(f"Nytt lösenord sparat för {user.username}. Användarens andra inloggningar har "
          "avslutats.")
    return redirect(url_for("admin.user_show", user_id=user.id, _anchor="meddelanden"), code=303)


@bp.post("/anvandare/<int:user_id>/ta-bort")
@role_required("admin")
def user_remove(user_id: int):
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        log.warning("%s refused: may not remove themself", current_user.username)
        return _user_page(user, 400, {"remove": "Du kan inte ta bort dig själv. Be en annan "
                                                "administratör, så att arkivet alltid har en."})
    if request.form.get("bekrafta") != "ja":
        return _user_page(user, confirm=True)
    users().remove(user.username)
    _audit("user-remove", user.username, field="role", old=user.role)
    log.info("%s removed user %s (%s)", current_user.username, user.username, user.role)
    flash(f"Användaren {user.username} är borttagen. Hens inloggningar har avslutats.")
    return redirect(url_for("admin.user_list", _anchor="meddelanden"), code=303)


# -- search index and reprocessing -----------------------------------------------------------
def _figures(kb) -> dict:
    """What `kunskapsbank stats` counts: documents, stale documents, index entries."""
    versions = kb.catalog.document_versions().values()
    return {"documents": len(versions), "stale": sum(1 for v in versions if stale_stages(v)),
            "indexed": kb.index.doc_count()}


def _index_page(status: int = 200, busy: dict | None = None):
    kb = get_kb()
    queue = JobQueue(kb.catalog)
    report = run_check(kb) if request.args.get("kontrollera") else None  # reads every original
    return render_template(
        "admin_index.html", figures=_figures(kb), report=report, problem_sv=PROBLEM_SV,
        tasks=queue.recent(10, kinds=TASKS), task_sv=TASK_SV, busy=busy,
        messages=get_flashed_messages()), status


@bp.get("/index")
@role_required("admin")
def index_page():
    return _index_page()


@bp.post("/index")
@role_required("admin")
def index_task():
    kind = {"bygg-om": "reindex", "bearbeta-inaktuella": "reprocess-stale"}.get(
        request.form.get("uppgift", ""))
    if kind is None:
        abort(400)
    kb = get_kb()
    queue = JobQueue(kb.catalog)
    job_id, created = queue.create_task(kind, created_by=current_user.username)
    if not created:
        log.info("%s asked for %s while job %d runs: refused", current_user.username, kind,
                 job_id)
        job = queue.get(job_id)
        return _index_page(409, busy={"id": job_id, "task": TASK_SV[queue.kind(job_id)],
                                      "by": job["created_by"]})
    kb.audit.record("task", username=current_user.username, subject=kind, new=f"job {job_id}")
    log.info("%s queued %s as job %d", current_user.username, kind, job_id)
    wake_worker(current_app)
    return redirect(url_for("jobs.show", job_id=job_id), code=303)
