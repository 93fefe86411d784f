"""Staff decisions through the service, on real catalog, index and archive: corrections win
over extraction and survive reprocessing of the archived originals; merges and splits are
durable; every change is in the audit log; delete and replace keep originals in the trash."""
from __future__ import annotations

import pytest


from staff_docs import BO_KVAR, KRISSTOD, KRISTEAMET, report, write


@pytest.fixture
def docs(kb, tmp_path):
    """Two yearly reports: Bo kvar in both, Kristeamet in 2018, Krisstöd i Farsta in 2019."""
    ids = {}
    for year, items in ((2018, [BO_KVAR, KRISTEAMET]), (2019, [BO_KVAR, KRISSTOD])):
        outcome = kb.ingest_file(write(tmp_path / "in", f"r{year}.txt", report(year, items)))
        assert outcome.status == "added", outcome
        ids[year] = outcome.document_id
    return ids


def projects(kb) -> dict[str, dict]:
    return {p["name"]: p for p in kb.catalog.list_projects()}


def mention(kb, doc_id, name) -> dict:
    found = [m for m in kb.catalog.get_mentions(doc_id) if m["name"] == name]
    assert len(found) == 1, kb.catalog.get_mentions(doc_id)
    return found[0]


def found_ids(kb, query, **filters) -> set[int]:
    return {h.id for h in kb.search(query, filters=filters or None, page_size=50).hits}


def reprocess(kb) -> None:
    summary = kb.reprocess()
    assert summary.count("updated") == kb.catalog.count_documents(), summary


def test_document_corrections_win_are_logged_and_survive_reprocessing(kb, docs):
    doc = docs[2018]
    assert doc not in found_ids(kb, "Hemtjänstlyftet")
    changed = kb.correct_document(doc, {"title": "Hemtjänstlyftet slutredovisning",
                                        "nämnd": "Äldrenämnden", "years": [2017, 2018],
                                        "dnr": kb.catalog.get_document(doc).dnr},
                                  username="fou1")
    assert {f for f, _, _ in changed} == {"title", "nämnd", "years"}  # dnr was unchanged
    assert found_ids(kb, "Hemtjänstlyftet") == {doc}  # re-indexed at once

    reprocess(kb)
    record = kb.catalog.get_document(doc)
    assert record.title == "Hemtjänstlyftet slutredovisning"
    meta = kb.catalog.get_metadata(doc)
    assert meta["nämnd"] == "Äldrenämnden" and meta["years"] == [2017, 2018]
    assert found_ids(kb, "Hemtjänstlyftet") == {doc}

    log = kb.audit.for_document(doc)
    assert [(e["username"], e["action"], e["field"]) for e in log] == [
        ("fou1", "correct", "years"), ("fou1", "correct", "nämnd"),
        ("fou1", "correct", "title")]
    title = log[-1]
    assert title["old_value"] == "Redovisning av utvecklingsmedel 2018"
    assert title["new_value"] == "Hemtjänstlyftet slutredovisning"
    assert log[0]["new_value"] == "2017, 2018" and title["at"]


def test_corrected_mention_keeps_its_project_and_survives_reprocessing(kb, docs):
    kristeamet = projects(kb)["Kristeamet"]
    m = mention(kb, docs[2018], "Kristeamet")
    assert found_ids(kb, "kristeamet", stadsdel="Rinkeby-Kista") == set()
    kb.correct_mention(m["id"], {"district": "Rinkeby-Kista", "year": 2017,
                                 "amount_sek": 250000, "status": "avslutad"}, username="fou1")
    assert found_ids(kb, "kristeamet", stadsdel="Rinkeby-Kista") == {docs[2018]}
    project = kb.catalog.get_project(kristeamet["id"])
    assert project["district"] == "Rinkeby-Kista"  # the project follows its only mention

    reprocess(kb)
    again = mention(kb, docs[2018], "Kristeamet")
    assert again["project_id"] == kristeamet["id"]  # same project, not a new one
    assert (again["district"], again["year"], again["amount_sek"], again["status"]) == \
        ("Rinkeby-Kista", 2017, 250000, "avslutad")
    assert again["match_reason"].endswith("corrected by staff")
    assert kb.catalog.get_project(kristeamet["id"])["district"] == "Rinkeby-Kista"
    assert found_ids(kb, "kristeamet", stadsdel="Rinkeby-Kista") == {docs[2018]}
    history = kb.audit.for_project(kristeamet["id"])
    assert {(e["field"], e["old_value"], e["new_value"]) for e in history} >= {
        ("district", "Farsta", "Rinkeby-Kista"), ("amount_sek", None, "250000")}


def test_renaming_a_lone_mention_renames_its_project(kb, docs):
    m = mention(kb, docs[2019], "Krisstöd i Farsta")
    kb.correct_mention(m["id"], {"name": "Krisstödet Farsta"}, username="fou1")
    assert "Krisstödet Farsta" in projects(kb)
    assert found_ids(kb, 'projekt:"Krisstödet Farsta"') == {docs[2019]}
    reprocess(kb)
    assert mention(kb, docs[2019], "Krisstödet Farsta")["project_id"] == m["project_id"]


def test_merged_projects_stay_merged_also_for_later_documents(kb, docs, tmp_path):
    before = projects(kb)
    source, target = before["Krisstöd i Farsta"]["id"], before["Kristeamet"]["id"]
    kb.merge_projects(source, target, username="fou2")
    assert kb.catalog.get_project(source) is None
    timeline = kb.catalog.project_timeline(target)
    assert [(t["document_id"], t["name"]) for t in timeline] == [
        (docs[2018], "Kristeamet"), (docs[2019], "Krisstöd i Farsta")]
    assert found_ids(kb, 'projekt:"Kristeamet"') == {docs[2018], docs[2019]}

    reprocess(kb)
    assert set(projects(kb)) == {"Bo kvar", "Kristeamet"}
    assert mention(kb, docs[2019], "Krisstöd i Farsta")["project_id"] == target
    later = kb.ingest_file(write(tmp_path / "in", "r2020.txt", report(2020, [KRISSTOD])))
    joined = mention(kb, later.document_id, "Krisstöd i Farsta")
    assert joined["project_id"] == target
    assert joined["match_reason"] == f"merged by staff into project {target}"
    for pid in (source, target):
        entry = kb.audit.for_project(pid)[0]
        assert (entry["username"], entry["action"]) == ("fou2", "merge")
        assert entry["new_value"] == f"Kristeamet (projekt {target})"


def test_split_project_is_durable(kb, docs):
    bo_kvar = projects(kb)["Bo kvar"]["id"]
    moved = mention(kb, docs[2019], "Bo kvar")
    new_id = kb.split_project(bo_kvar, [moved["id"]], "Bo kvar i Skärholmen 2019",
                              username="fou1")
    assert [t["document_id"] for t in kb.catalog.project_timeline(bo_kvar)] == [docs[2018]]
    assert [t["document_id"] for t in kb.catalog.project_timeline(new_id)] == [docs[2019]]
    assert found_ids(kb, 'projekt:"Bo kvar i Skärholmen 2019"') == {docs[2019]}
    reprocess(kb)
    assert mention(kb, docs[2019], "Bo kvar")["project_id"] == new_id
    assert mention(kb, docs[2018], "Bo kvar")["project_id"] == bo_kvar
    assert kb.audit.for_project(new_id)[0]["action"] == "split"
    with pytest.raises(ValueError):  # moving every mention would leave nothing behind
        kb.split_project(new_id, [moved["id"]], "Tomt", username="fou1")


def test_unlink_link_and_add_mentions_are_durable(kb, docs):
    bo_kvar = projects(kb)["Bo kvar"]["id"]
    kris = mention(kb, docs[2018], "Kristeamet")
    assert kb.link_mention(kris["id"], None, username="fou1")  # not a project after all
    assert "Kristeamet" not in projects(kb)
    added = kb.add_mention(docs[2018], "Familjecentralen Skärholmen", username="fou1")
    fam = kb.catalog.get_mention(added)
    assert fam["match_reason"].startswith("added by staff")
    assert kb.link_mention(added, bo_kvar, username="fou1")
    reprocess(kb)
    assert mention(kb, docs[2018], "Kristeamet")["project_id"] is None
    assert mention(kb, docs[2018], "Familjecentralen Skärholmen")["project_id"] == bo_kvar
    actions = [e["action"] for e in kb.audit.for_document(docs[2018])]
    assert actions == ["link", "add-mention", "link"]  # newest first


def test_delete_keeps_the_original_in_the_trash_and_other_projects_whole(kb, docs):
    kb.correct_document(docs[2018], {"title": "Rättad titel"}, username="fou1")
    sha = kb.catalog.get_document(docs[2018]).sha256
    relpath = kb.catalog.archive_path(docs[2018])
    kb.delete_document(docs[2018], username="fou1")
    assert kb.catalog.get_document(docs[2018]) is None
    assert docs[2018] not in kb.index.ids() and found_ids(kb, "utvecklingsmedel") == {docs[2019]}
    assert not kb.archive.path(relpath).exists()
    bo = projects(kb)["Bo kvar"]  # still there, now only in 2019
    assert [t["document_id"] for t in kb.catalog.project_timeline(bo["id"])] == [docs[2019]]
    assert "Kristeamet" not in projects(kb)
    [trashed] = kb.trash.list()
    assert trashed.sha256 == sha and trashed.info["filename"] == "r2018.txt"
    assert trashed.info["deleted_by"] == "fou1"
    assert kb.archive.path(trashed.relpath).is_file()
    assert kb.audit.for_document(docs[2018])[0]["action"] == "delete"

    assert kb.purge_trash(older_than_days=30) == []  # deleted just now: kept
    assert [t.sha256 for t in kb.purge_trash()] == [sha]
    assert kb.trash.list() == [] and not kb.archive.path(trashed.relpath).exists()
    assert kb.catalog.document_overrides(sha) == {}


def test_replace_keeps_the_id_and_the_corrections(kb, docs, tmp_path):
    doc = docs[2018]
    kb.correct_document(doc, {"title": "Rättad titel"}, username="fou1")
    kris = mention(kb, doc, "Kristeamet")
    kb.correct_mention(kris["id"], {"district": "Skärholmen"}, username="fou1")
    old = kb.catalog.get_document(doc)
    new_text = report(2018, [BO_KVAR, KRISTEAMET]) + "\nKompletterad med vårens uppföljning.\n"
    # step 1 (the request): archived and checked, nothing changed yet
    queued, stored = kb.admit_replacement(doc, write(tmp_path / "ny", "r2018_v2.txt", new_text))
    assert queued.status == "queued" and kb.catalog.get_document(doc).sha256 == old.sha256
    # step 2 (the job worker's)
    outcome = kb.replace_document(doc, stored.relpath, stored.sha256, filename="r2018_v2.txt",
                                  username="fou2")
    assert outcome.status == "replaced", outcome
    record = kb.catalog.get_document(doc)
    assert record.sha256 != old.sha256 and record.filename == "r2018_v2.txt"
    assert record.title == "Rättad titel" and record.added_at == old.added_at
    assert mention(kb, doc, "Kristeamet")["district"] == "Skärholmen"
    assert found_ids(kb, "vårens uppföljning") == {doc}
    assert [t.sha256 for t in kb.trash.list()] == [old.sha256]
    entry = kb.audit.for_document(doc)[0]
    assert (entry["action"], entry["old_value"], entry["new_value"], entry["username"]) == \
        ("replace", "r2018.txt", "r2018_v2.txt", "fou2")

    same, _ = kb.admit_replacement(doc, write(tmp_path / "igen", "samma.txt", new_text))
    assert same.status == "unchanged" and same.message_sv
    other = kb.archive.path(kb.catalog.archive_path(docs[2019]))
    duplicate, _ = kb.admit_replacement(doc, other, filename="r2019.txt")
    assert duplicate.status == "duplicate" and duplicate.document_id == docs[2019]
    # the same checks when the worker's turn comes (another upload may have come first)
    late = kb.replace_document(doc, kb.catalog.archive_path(docs[2019]),
                               kb.catalog.get_document(docs[2019]).sha256,
                               filename="r2019.txt", username="fou2")
    assert late.status == "duplicate" and "dokumentet är oförändrat" in late.message_sv
    assert kb.catalog.get_document(doc).sha256 == record.sha256  # unchanged by refusals


def test_every_decision_survives_reindex_reprocess_from_the_command_line(kb, docs, config):
    from click.testing import CliRunner

    from kunskapsbank.cli import main
    kb.correct_document(docs[2018], {"title": "Hemtjänstlyftet"}, username="fou1")
    kris = mention(kb, docs[2018], "Kristeamet")
    kb.correct_mention(kris["id"], {"district": "Rinkeby-Kista"}, username="fou1")
    before = projects(kb)
    kb.merge_projects(before["Krisstöd i Farsta"]["id"], before["Kristeamet"]["id"],
                      username="fou1")
    bo = mention(kb, docs[2019], "Bo kvar")
    split_id = kb.split_project(before["Bo kvar"]["id"], [bo["id"]], "Bo kvar II",
                                username="fou1")
    expected = {(m["document_id"], m["name"], m["district"], m["project_id"])
                for d in docs.values() for m in kb.catalog.get_mentions(d)}

    result = CliRunner().invoke(main, ["--home", str(config.home), "reindex", "--reprocess",
                                       "--workers", "2"])
    assert result.exit_code == 0 and "2 processed again" in result.output, result.output
    assert {(m["document_id"], m["name"], m["district"], m["project_id"])
            for d in docs.values() for m in kb.catalog.get_mentions(d)} == expected
    assert kb.catalog.get_document(docs[2018]).title == "Hemtjänstlyftet"
    assert set(projects(kb)) == {"Bo kvar", "Bo kvar II", "Kristeamet"}
    assert kb.catalog.project_timeline(split_id)[0]["document_id"] == docs[2019]
    assert found_ids(kb, "Hemtjänstlyftet") == {docs[2018]}
