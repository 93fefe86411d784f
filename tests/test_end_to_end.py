"""The whole path on sample_docs/: CLI ingest (real Tesseract OCR, SQLite, Whoosh), then search
from the CLI, the service and the web app. Ingest runs once for the module (~1 min of OCR)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kunskapsbank.cli import main
from kunskapsbank.config import Config
from kunskapsbank.service import Kunskapsbank
from web import close_app, create_app

SCANNED_ONLY = ("2019_tjansteutlatande_fou-medel_skannad.pdf",)  # seed 000 exists only as a scan


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, sample_docs):
    home = tmp_path_factory.mktemp("e2e") / "home"
    result = CliRunner().invoke(main, ["--home", str(home), "ingest", str(sample_docs),
                                       "--workers", "2"])
    return home, result


@pytest.fixture
def kb(ingested):
    kb = Kunskapsbank(Config.from_env(ingested[0]))
    yield kb
    kb.close()


def cli(home, *args):
    return CliRunner().invoke(main, ["--home", str(home), *args])


def test_every_sample_is_ingested(ingested, sample_docs, kb, assert_check_passes):
    _, result = ingested
    assert result.exit_code == 0, result.output
    n_files = len([p for p in sample_docs.iterdir()
                   if p.suffix.lower() in {".pdf", ".png", ".tif", ".docx", ".txt"}])
    assert f"{n_files} added, 0 already present, 0 failed" in result.output
    assert kb.catalog.count_documents() == n_files == kb.index.doc_count()
    assert_check_passes(kb)


def test_scanned_pages_were_ocred_and_text_layers_were_not(kb):
    db = kb.catalog.db
    rows = {r["filename"]: (r["page_count"], r["ocr_page_count"]) for r in db.execute(
        "SELECT filename, page_count, ocr_page_count FROM documents")}
    for name, (pages, ocr) in rows.items():
        if "_skannad.pdf" in name or name.endswith((".png", ".tif")):
            assert ocr == pages > 0, name
        if name.endswith("_textlager.pdf") or name.endswith(".docx"):
            assert ocr == 0, name
    confidences = [r[0] for r in db.execute("SELECT ocr_confidence FROM pages WHERE ocr=1")]
    assert confidences and min(confidences) > 60


def test_a_word_only_in_a_scan_is_found(kb):
    results = kb.search("Globenmodellen")
    assert results.total >= 1
    assert {h.filename for h in results.hits} == set(SCANNED_ONLY)
    assert "Globenmodellen</mark>" in results.hits[0].snippet


def test_kristeamet_finds_scanned_and_text_layer_documents(ingested):
    home, _ = ingested
    result = cli(home, "search", "Kristeamet", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    names = {h["filename"] for h in out["hits"]}
    assert "2018_tjansteutlatande_fou-medel_textlager.pdf" in names
    assert "2018_tjansteutlatande_fou-medel_skannad.pdf" in names
    assert "2019_tjansteutlatande_fou-medel_skannad.pdf" in names
    hit = out["hits"][0]
    assert set(hit) == {"id", "filename", "title", "dnr", "date", "document_type", "score",
                        "snippet"}
    assert out["total"] == len(out["hits"]) >= 4
    assert all("<mark" in h["snippet"] for h in out["hits"])


def test_scan_and_text_layer_of_one_document_agree_on_metadata(kb):
    by_name = {}
    for row in kb.catalog.db.execute("SELECT filename, dnr, date, document_type FROM documents"):
        by_name[row["filename"]] = tuple(row)[1:]
    stem = "2018_tjansteutlatande_fou-medel"
    assert by_name[f"{stem}_skannad.pdf"] == by_name[f"{stem}_textlager.pdf"]
    assert by_name[f"{stem}_textlager.pdf"][0] == "3.2.2-198/2018"
    ids = {r["filename"]: r["id"] for r in kb.catalog.db.execute(
        "SELECT id, filename FROM documents WHERE filename LIKE ?", (stem + "%",))}
    scan, text = ids[f"{stem}_skannad.pdf"], ids[f"{stem}_textlager.pdf"]
    assert kb.catalog.get_metadata(scan) == kb.catalog.get_metadata(text)
    assert [(m["name"], m["district"], m["year"]) for m in kb.catalog.get_mentions(scan)] == \
        [(m["name"], m["district"], m["year"]) for m in kb.catalog.get_mentions(text)]


def test_a_second_ingest_adds_nothing(ingested, sample_docs, kb, assert_check_passes):
    home, _ = ingested
    result = cli(home, "ingest", str(sample_docs), "--workers", "1")
    assert result.exit_code == 0
    assert "0 added" in result.output and "0 failed" in result.output
    assert_check_passes(kb)
    assert cli(home, "check").exit_code == 0


def test_the_web_app_shows_the_hits(ingested):
    app = create_app(Config.from_env(ingested[0]), {"TESTING": True})
    try:
        page = app.test_client().get("/?q=Kristeamet").get_data(as_text=True)
        assert "Kristeamet</mark>" in page and "träffar" in page
        api = app.test_client().get("/api/search?q=Globenmodellen").get_json()
        assert api["total"] >= 1
    finally:
        close_app(app)


def test_extract_json_has_the_stable_keys(sample_docs):
    result = CliRunner().invoke(main, ["extract", "--json", str(
        sample_docs / "2023_tjansteutlatande_lokala-utvecklingsmedel-2024_textlager.pdf")])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {"sha256", "filename", "pages", "language", "text", "raw_text", "ocr_pages",
            "metadata", "projects"} <= set(out)
    assert set(out["metadata"]) >= {"dnr", "document_type", "date", "title"}
    assert out["language"] == "sv" and out["ocr_pages"] == [] and out["pages"] == 5


@pytest.mark.parametrize("name,district", [("Kristeamet", "Farsta"), ("Bo kvar", "Skärholmen"),
                                           ("Brukarskola på boende- och behandlingsenheten", None)])
def test_recurring_projects_have_one_timeline(kb, name, district):
    """The projects that recur across years are one catalog project each, whatever the file
    (scan, text layer, image) or year they came from."""
    projects = [p for p in kb.catalog.list_projects() if p["name"].casefold() == name.casefold()]
    assert len(projects) == 1, [p["name"] for p in kb.catalog.list_projects()]
    project = projects[0]
    assert project["first_year"] == 2017 and project["last_year"] == 2018
    if district:
        assert project["district"] == district
    timeline = kb.catalog.project_timeline(project["id"])
    assert len({t["document_id"] for t in timeline}) >= 3
    assert all(t["match_reason"] for t in timeline)


def test_extract_json_carries_metadata_and_projects(sample_docs):
    result = CliRunner().invoke(main, ["extract", "--json", str(
        sample_docs / "2023_tjansteutlatande_lokala-utvecklingsmedel-2024.docx")])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {"nämnd", "förvaltning", "avdelning", "handläggare", "signatories", "years",
            "priority_areas", "amounts"} <= set(out["metadata"])
    assert out["metadata"]["nämnd"] == "Socialnämnden"
    assert 3198400 in out["metadata"]["amounts"]
    projects = {p["name"]: p for p in out["projects"]}
    assert set(out["projects"][0]) >= {"name", "owner", "district", "category", "year",
                                       "status", "amount_sek", "purpose", "partner", "excerpt"}
    farsta = projects["Digital Lots för samsjukliga"]
    assert (farsta["district"], farsta["year"], farsta["amount_sek"], farsta["status"]) == \
        ("Farsta", 2024, 500000, "beviljad")


# -- search relevance on the samples (bench/eval_search.py, queries in tests/data/search/) ------
# Targets: recall@10 >= 0.95, MRR >= 0.85. Floors just under today's 0.979 / 1.000, so a change
# that loses ground fails; raise them as the search improves.
RECALL_FLOOR = 0.96
MRR_FLOOR = 0.97


def test_search_relevance_on_the_samples(kb):
    spec = importlib.util.spec_from_file_location(
        "eval_search", Path(__file__).resolve().parents[1] / "bench" / "eval_search.py")
    eval_search = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(eval_search)
    r = eval_search.evaluate(kb)
    misses = "; ".join(f"{m['query']!r} ({m['recall']:.2f})" for m in r["misses"])
    assert not r["skipped"], f"relevant files missing from the catalog: {r['skipped']}"
    assert r["recall@10"] >= RECALL_FLOOR, f"recall@10 {r['recall@10']:.3f}; misses: {misses}"
    assert r["mrr"] >= MRR_FLOOR, f"MRR {r['mrr']:.3f}; misses: {misses}"
