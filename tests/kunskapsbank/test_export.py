"""Export for the yearly redovisning (kunskapsbank.export and `kunskapsbank export`), on a real
catalog filled through the service."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from kunskapsbank.cli import main
from kunskapsbank.export import (ExportFilter, FilterError, excel_number, excel_text,
                                 mention_rows, to_csv, to_json)

from staff_docs import BO_KVAR, KRISSTOD, KRISTEAMET, report, write

TABLE = "Lokala utvecklingsmedel 2019\nSkärholmen\tBo kvar\t500 000\n\n"


@pytest.fixture
def kb(kb, tmp_path):
    """The shared kb (tests/conftest.py), with two yearly reports ingested."""
    for year, items, tail in ((2018, [BO_KVAR, KRISTEAMET], ""),
                              (2019, [BO_KVAR, KRISSTOD], TABLE)):
        outcome = kb.ingest_file(write(tmp_path / "in", f"r{year}.txt",
                                       report(year, items) + "\n" + tail))
        assert outcome.status == "added", outcome
    return kb


def parse_csv(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark: Excel reads it as UTF-8
    text = data[3:].decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def test_csv_for_swedish_excel(kb):
    rows = parse_csv(to_csv(mention_rows(kb.catalog)))
    assert list(rows[0])[:7] == ["Projekt-id", "Projekt", "Stadsdel", "Kategori", "År",
                                 "Status", "Belopp (kr)"]
    assert [(r["Projekt"], r["År"]) for r in rows] == [
        ("Bo kvar", "2018"), ("Bo kvar", "2019"), ("Krisstöd i Farsta", "2019"),
        ("Kristeamet", "2018")]
    bo_2019 = rows[1]
    assert bo_2019["Belopp (kr)"] == "500000" and bo_2019["Stadsdel"] == "Skärholmen"
    assert bo_2019["Status"] == "förstudie" and bo_2019["Dokumentdatum"] == "2019-04-10"
    assert rows[0]["Belopp (kr)"] == ""


def test_filters_by_year_district_category_and_status(kb):
    def names(**kw):
        return [(r["project"], r["year"]) for r in mention_rows(kb.catalog, ExportFilter(**kw))]
    assert names(year=2019) == [("Bo kvar", 2019), ("Krisstöd i Farsta", 2019)]
    assert names(district="farsta") == [("Krisstöd i Farsta", 2019), ("Kristeamet", 2018)]
    assert names(status="Förstudie", year=2018) == [("Bo kvar", 2018)]
    assert names(category="lokalt utvecklingsprojekt", district="Skärholmen") == [
        ("Bo kvar", 2018), ("Bo kvar", 2019)]
    assert names(category="forskningsprojekt") == []
    # corrections count: the export shows what staff made of the mention
    kris = next(m for m in kb.catalog.get_mentions(1) if m["name"] == "Kristeamet")
    kb.correct_mention(kris["id"], {"district": "Skärholmen", "status": "avslutad"},
                       username="fou1")
    assert names(district="Skärholmen", status="avslutad") == [("Kristeamet", 2018)]


def test_filter_values_from_text():
    assert ExportFilter.parse("2019", " Farsta ", "", None) == ExportFilter(2019, "Farsta")
    for bad in ("19", "tjugo", "3000"):
        with pytest.raises(FilterError) as exc:
            ExportFilter.parse(year=bad)
        assert exc.value.message_sv == "År ska anges med fyra siffror, till exempel 2019."


def test_json_groups_mentions_under_projects(kb):
    flt = ExportFilter(district="Skärholmen")
    out = to_json(mention_rows(kb.catalog, flt), flt)
    assert out["filter"] == {"år": None, "stadsdel": "Skärholmen", "kategori": None,
                             "status": None}
    assert (out["project_count"], out["mention_count"]) == (1, 2)
    [bo] = out["projects"]
    assert bo["name"] == "Bo kvar" and bo["district"] == "Skärholmen"
    assert [(m["year"], m["amount_sek"], m["document"]["dnr"]) for m in bo["mentions"]] == [
        (2018, None, "3.2.2-18/2018"), (2019, 500000, "3.2.2-19/2019")]


def test_cells_are_never_formulas_and_numbers_use_a_decimal_comma():
    assert excel_text("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert excel_text("-1+1") == "'-1+1" and excel_text("Bo kvar") == "Bo kvar"
    assert excel_number(1234.5) == "1234,5" and excel_number(500000) == "500000"
    assert excel_number(None) == ""


def test_cli_export_csv_and_json(kb, config, tmp_path):
    runner = CliRunner()
    out = tmp_path / "export.csv"
    result = runner.invoke(main, ["--home", str(config.home), "export", "--year", "2019",
                                  "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [r["Projekt"] for r in parse_csv(out.read_bytes())] == ["Bo kvar",
                                                                   "Krisstöd i Farsta"]
    result = runner.invoke(main, ["--home", str(config.home), "export", "--format", "json",
                                  "--district", "Farsta", "--status", "utvärdering"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout_bytes.decode("utf-8"))
    assert [p["name"] for p in data["projects"]] == ["Krisstöd i Farsta", "Kristeamet"]
    result = runner.invoke(main, ["--home", str(config.home), "export", "--year", "nitton"])
    assert result.exit_code != 0 and "fyra siffror" in result.output


def test_cli_trash_list_and_purge(kb, config):
    kb.delete_document(1, username="fou1")
    runner = CliRunner()
    listed = runner.invoke(main, ["--home", str(config.home), "trash", "list"])
    assert listed.exit_code == 0 and "r2018.txt" in listed.output and "(by fou1)" in listed.output
    kept = runner.invoke(main, ["--home", str(config.home), "trash", "purge", "--yes",
                                "--older-than", "7"])
    assert "0 original(s) purged" in kept.output
    assert runner.invoke(main, ["--home", str(config.home), "trash", "purge"],
                         input="n\n").exit_code != 0  # asked, and refused
    purged = runner.invoke(main, ["--home", str(config.home), "trash", "purge", "--yes"])
    assert purged.exit_code == 0 and "1 original(s) purged" in purged.output
    assert kb.trash.list() == []
