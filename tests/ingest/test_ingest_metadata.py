"""Metadata and language on the five seeds (answer key: tests/data/seed_metadata.json) and on
small hand-made cases."""
from __future__ import annotations

import json

import pytest
from rapidfuzz import fuzz

from ingest_helpers import SEEDS, seed_pages
from ingest.language import detect_language
from ingest.metadata import (extract_metadata, find_date, find_dnr, find_document_type,
                             find_title, normalise_dnr)
from ingest.repair import repair_pages

DATA = __import__("pathlib").Path(__file__).resolve().parent.parent / "data"
EXPECTED = {k: v for k, v in json.loads((DATA / "seed_metadata.json").read_text("utf-8")).items()
            if not k.startswith("_")}


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=lambda n: n[:3])
def test_seed_metadata(name):
    expected = EXPECTED[name]
    pages, _ = repair_pages(seed_pages(SEEDS / name))
    meta = extract_metadata(pages)
    got = {"dnr": meta.dnr, "document_type": meta.document_type, "date": meta.date,
           "language": detect_language("\n\n".join(pages))}
    assert got == {k: v for k, v in expected.items() if k != "title"}
    # OCR damage the repair cannot undo ("Lidgesbeskriviing") may remain in a title
    assert fuzz.ratio(meta.title, expected["title"]) >= 90, meta.title
    assert meta.year == int(expected["date"][:4])


@pytest.mark.parametrize("raw,expected", [
    ("3.2.2-109/2018", "3.2.2-109/2018"),
    ("3.2:275/2013 .", "3.2-275/2013"),
    ("3.2.2 - 109 / 2018", "3.2.2-109/2018"),
    ("1.6-545/2019", "1.6-545/2019"),
    ("SoN 2019/123", "SoN 2019/123"),
    ("saknas", None),
])
def test_normalise_dnr(raw, expected):
    assert normalise_dnr(raw) == expected


@pytest.mark.parametrize("text,expected", [
    ("Tjänsteutlåtande\nDnr 3.2.2-109/2018\n", "3.2.2-109/2018"),
    ("Dinr 3.2:275/2013 .\n", "3.2-275/2013"),
    ("Dnr: 3.1-12/2020\n", "3.1-12/2020"),
    ("Diarienummer 1.2.3-45/2021\n", "1.2.3-45/2021"),
    ("Tjänsteutlåtande\nDar 3.2.2-198/2018\n", "3.2.2-198/2018"),
    ("Ärendet (3.2.2-198/2018) gäller\n", "3.2.2-198/2018"),
    ("Det finns inget nummer här, bara 2013-2016 och 12/2018.\n", None),
])
def test_find_dnr(text, expected):
    assert find_dnr(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Beslutet togs 2019-04-10.", "2019-04-10"),
    ("Datum 2019-13-45 och sedan den 7 juni 2018.", "2018-06-07"),
    ("daterat 15-maj 2013", "2013-05-15"),
    ("den 31 februari 2020 och 1 mars 2020", "2020-03-01"),
    ("Beslut i Dnr 3.2.2-109/2018 under 2013-2016", None),
    ("Här står det i brödtexten den 2 april 2019.\nRubrik\n2019-05-01\n", "2019-05-01"),
])
def test_find_date(text, expected):
    assert find_date(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Tjansteutldtande\nSida 4 (9)\n", "tjänsteutlåtande"),
    ("Protokollsutdrag\n§ 12\n", "protokollsutdrag"),
    ("Rubrik\n\nVid protekollet\n\nLisbeth\n", "protokollsutdrag"),
    ("PM\nDnr 1-2/2018\n", "pm"),
    ("PM\nDnr 1-2/2018\n\nBilaga 1 - redovisning\n", "bilaga"),
    ("Slutrapport\nProjektet X\n", "slutrapport"),
    ("Beslut\nOm bistånd\n", "beslut"),
    ("Rubrik\n\nFörvaltningens förslag till beslut\n\n1. Godkänn.\n", "tjänsteutlåtande"),
    ("Något helt annat.\n", "annat"),
])
def test_document_type(text, expected):
    assert find_document_type(text) == expected


def test_title_joined_and_capped():
    page = ("Socialförvaltningen\nAvdelningen för stadsövergripande\nsociala frågor\n\n"
            "Telefon 08-508 25 000\n\nTjänsteutlåtande\nDnr 3.2.2-1/2020\n2020-01-02\n\n"
            "Inriktning av FoU-medel för lokala\nutvecklingsprojekt år 2020\n"
            "Förvaltningens förslag till beslut\n\n1. Godkänn.\n")
    assert find_title([page]) == "Inriktning av FoU-medel för lokala utvecklingsprojekt år 2020"
    long = "Ett mycket långt ärende om " + " ".join(["utvecklingsprojekt"] * 12)
    title = find_title([long + "\n\nBakgrund\n"])
    assert len(title) <= 201 and title.endswith("…")


def test_language():
    assert detect_language("Förvaltningen föreslår att socialnämnden godkänner förslaget "
                           "till inriktning av medel för lokala utvecklingsprojekt.") == "sv"
    assert detect_language("The committee approves the proposal for local development "
                           "projects and study visits in the coming year.") == "en"
    assert detect_language("Sida 2") is None
    assert detect_language("") is None
