"""Projects in the catalog: mentions joined across documents, reasons stored, overrides kept."""
from __future__ import annotations

from kunskapsbank.catalog import Catalog
from kunskapsbank.model import Metadata, Page, ProcessedDocument, ProjectMention


def doc(sha, year, mentions, title="Redovisning"):
    return ProcessedDocument(
        sha256=sha * 64, filename=f"{sha}.txt", media_type="text/plain",
        pages=[Page(1, "text", "text", "txt")], language="sv",
        metadata=Metadata(dnr="3.2.2-1/2018", document_type="tjänsteutlåtande",
                          date=f"{year}-05-01", title=title),
        pipeline_version="test", projects=mentions)


def mention(name, year, district="Farsta", **kw):
    return ProjectMention(name=name, district=district, owner=f"{district} stadsdelsförvaltning",
                          category="lokalt utvecklingsprojekt", year=year, **kw)


def test_one_project_with_a_timeline_across_years_and_spellings(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite3")
    first = catalog.save(doc("a", 2018, [mention("Kristeamet", 2017),
                                         mention("Bo kvar", 2017, "Skärholmen")]),
                         archive_path="a", size=1)
    second = catalog.save(doc("b", 2019, [mention("Kristeamets utvärdering", 2018),
                                          mention("Bo bra", 2018, "Skärholmen")]),
                          archive_path="b", size=1)
    projects = {p["name"]: p for p in catalog.list_projects()}
    assert set(projects) == {"Kristeamet", "Bo kvar", "Bo bra"}
    kristeamet = projects["Kristeamet"]
    assert (kristeamet["mentions"], kristeamet["first_year"], kristeamet["last_year"]) == \
        (2, 2017, 2018)
    timeline = catalog.project_timeline(kristeamet["id"])
    assert [(t["document_id"], t["year"]) for t in timeline] == [(first, 2017), (second, 2018)]
    assert timeline[1]["match_reason"].startswith("same name")  # the key drops "utvärdering"
    assert catalog.get_mentions(second)[1]["match_reason"].startswith("new project")
    catalog.close()


def test_overrides_win_and_survive_reprocessing(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite3")
    processed = doc("a", 2018, [mention("Kristeamet", 2017)], title="Fel titel")
    doc_id = catalog.save(processed, archive_path="a", size=1)
    catalog.set_override("a" * 64, "title", "Rätt titel", author="fou1")
    catalog.set_override("a" * 64, "district", "Skärholmen", mention="Kristeamet")
    assert catalog.get_document(doc_id).title == "Rätt titel"
    assert catalog.get_metadata(doc_id)["title"] == "Rätt titel"
    assert catalog.get_mentions(doc_id)[0]["district"] == "Skärholmen"
    # reprocessing writes the extraction again; the corrections still win
    assert catalog.save(processed, archive_path="a", size=1) == doc_id
    assert catalog.get_document(doc_id).title == "Rätt titel"
    assert catalog.get_mentions(doc_id)[0]["district"] == "Skärholmen"
    assert catalog.get_mentions(doc_id)[0]["match_reason"].endswith("; corrected by staff")
    catalog.close()


def test_unknown_override_field_is_refused(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite3")
    try:
        catalog.set_override("a" * 64, "drop table", "x")
    except ValueError as exc:
        assert "no such field" in str(exc)
    else:
        raise AssertionError("an unknown field was accepted")
    catalog.close()
