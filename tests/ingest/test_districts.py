"""District gazetteer: owner strings and running text -> Stockholm's current stadsdelsförvaltningar."""
from __future__ import annotations

import pytest

from ingest.districts import CANONICAL, display_name, find_all, resolve


def test_canonical_districts():
    assert CANONICAL == ("Bromma", "Enskede-Årsta-Vantör", "Farsta", "Hägersten-Älvsjö",
                         "Hässelby-Vällingby", "Järva", "Kungsholmen", "Norrmalm", "Skarpnäck",
                         "Skärholmen", "Södermalm", "Östermalm")
    assert display_name("Farsta") == "Farsta stadsdelsförvaltning"
    with pytest.raises(ValueError):
        display_name("Socialförvaltningen")


@pytest.mark.parametrize("name", CANONICAL)
def test_every_name_resolves_to_itself(name):
    for text in (name, f"{name} stadsdelsförvaltning", f"{name}s stadsdelsnämnd", f"{name} SDF",
                 f"stadsdelsförvaltningen i {name}", name.upper()):
        match = resolve(text)
        assert match is not None and match.canonical == name, text
        assert match.historical == name and match.score == 100 and match.reason == "exact name"


@pytest.mark.parametrize("text, canonical, historical, merged", [
    ("Spånga-Tensta sdf", "Järva", "Spånga-Tensta", 2023),
    ("Rinkeby-Kista stadsdelsnämnd", "Järva", "Rinkeby-Kista", 2023),
    ("Hägersten-Liljeholmens stadsdelsförvaltning", "Hägersten-Älvsjö", "Hägersten-Liljeholmen", 2020),
    ("Älvsjö stadsdelsförvaltning", "Hägersten-Älvsjö", "Älvsjö", 2020),
])
def test_former_districts_map_to_the_merged_one(text, canonical, historical, merged):
    match = resolve(text)
    assert (match.canonical, match.historical) == (canonical, historical)
    assert match.reason == f"former district {historical} merged into {canonical} in {merged}"


@pytest.mark.parametrize("text, name", [
    ("Enskede - Årsta - Vantör", "Enskede-Årsta-Vantör"),
    ("Enskede–Årsta–Vantör", "Enskede-Årsta-Vantör"),
    ("Hässelby/Vällingby", "Hässelby-Vällingby"),
    ("Hägersten Älvsjö", "Hägersten-Älvsjö"),
])
def test_separators_between_words(text, name):
    match = resolve(text)
    assert (match.canonical, match.matched, match.reason) == (name, text, "exact name")


def test_genitive_and_matched_text():
    match = resolve("Enskede-Årsta-Vantörs stadsdelsförvaltning")
    assert match.canonical == "Enskede-Årsta-Vantör" and match.matched == "Enskede-Årsta-Vantörs"
    assert resolve("Hässelby-Vällingbys sdf").canonical == "Hässelby-Vällingby"
    assert resolve("Järvas stadsdelsförvaltning").canonical == "Järva"


@pytest.mark.parametrize("text, canonical, historical", [
    ("Enskede-Arsta-Vantor", "Enskede-Årsta-Vantör", "Enskede-Årsta-Vantör"),
    ("Hagersten-Liljeholmen", "Hägersten-Älvsjö", "Hägersten-Liljeholmen"),
    ("Skarholmen", "Skärholmen", "Skärholmen"),
    ("Ostermalms stadsdelsförvaltning", "Östermalm", "Östermalm"),
    ("Spanga-Tensta stadsdelsforvaltning", "Järva", "Spånga-Tensta"),
])
def test_ascii_variants(text, canonical, historical):
    match = resolve(text)
    assert (match.canonical, match.historical, match.score) == (canonical, historical, 100)
    assert match.reason.startswith("ASCII variant of")


@pytest.mark.parametrize("text, canonical", [
    ("Enskede-Arsta-Vant0r", "Enskede-Årsta-Vantör"),   # would otherwise be the areas Enskede, Årsta
    ("Hagersten-Liljeholrnen stadsdelsförvaltning", "Hägersten-Älvsjö"),
    ("Skdrholmens stadsdelsforvaltning", "Skärholmen"),
    ("Kungsholnmens", "Kungsholmen"),
    ("Normmalm", "Norrmalm"),
    ("Brornma sdf", "Bromma"),
    ("Farstta stadsdelsförvaltning", "Farsta"),
    ("S0dermalm", "Södermalm"),
    ("0stermalm", "Östermalm"),
])
def test_ocr_variants(text, canonical):
    match = resolve(text)
    assert match is not None and match.canonical == canonical, text
    assert 85 <= match.score < 100
    assert match.reason.startswith("ASCII/OCR variant of") and f"(score {match.score:g})" in match.reason


@pytest.mark.parametrize("text, expected", [
    ("Södermalm", "Södermalm"), ("Östermalm", "Östermalm"),
    ("Sodermalms", "Södermalm"), ("Ostermalms", "Östermalm"),
    ("Sddermalm", "Södermalm"), ("Dstermalm", "Östermalm"),
    ("Farsta", "Farsta"), ("Bromma", "Bromma"), ("Norrmalm", "Norrmalm"),
])
def test_similar_districts_stay_apart(text, expected):
    assert resolve(text).canonical == expected


@pytest.mark.parametrize("text", ["Farsla", "Frosta", "Fastat", "Västermalm", "Dalsjö", "Sätta"])
def test_short_names_and_real_words_are_not_garbled_districts(text):
    assert resolve(text) is None


@pytest.mark.parametrize("name", CANONICAL)
def test_one_garbled_letter_never_gives_another_district(name):
    for i in range(1, len(name) - 1):
        match = resolve(name[:i] + "x" + name[i + 1:])
        assert match is None or match.canonical == name


@pytest.mark.parametrize("text, canonical, historical", [
    ("EÅV", "Enskede-Årsta-Vantör", "Enskede-Årsta-Vantör"),
    ("EÅV:s socialtjänst", "Enskede-Årsta-Vantör", "Enskede-Årsta-Vantör"),
    ("HL", "Hägersten-Älvsjö", "Hägersten-Liljeholmen"),
    ("HÄ", "Hägersten-Älvsjö", "Hägersten-Älvsjö"),
])
def test_abbreviations(text, canonical, historical):
    match = resolve(text)
    assert (match.canonical, match.historical) == (canonical, historical)
    assert match.reason.startswith("abbreviation ")
    assert resolve(text.lower()) is None  # abbreviations are case-sensitive


@pytest.mark.parametrize("area, canonical", [
    ("Husby", "Järva"), ("Tensta", "Järva"), ("Rinkeby", "Järva"), ("Kista", "Järva"),
    ("Akalla", "Järva"), ("Hjulsta", "Järva"), ("Liljeholmen", "Hägersten-Älvsjö"),
    ("Aspudden", "Hägersten-Älvsjö"), ("Fruängen", "Hägersten-Älvsjö"),
    ("Västberga", "Hägersten-Älvsjö"), ("Herrängen", "Hägersten-Älvsjö"),
    ("Årsta", "Enskede-Årsta-Vantör"), ("Enskede", "Enskede-Årsta-Vantör"),
    ("Rågsved", "Enskede-Årsta-Vantör"),
    ("Bagarmossen", "Skarpnäck"), ("Enskededalen", "Skarpnäck"), ("Hökarängen", "Farsta"),
    ("Bredäng", "Skärholmen"), ("Vällingby", "Hässelby-Vällingby"), ("Blackeberg", "Bromma"),
    ("Gamla stan", "Södermalm"), ("Vasastan", "Norrmalm"), ("Gärdet", "Östermalm"),
    ("Lilla Essingen", "Kungsholmen"),
])
def test_areas(area, canonical):
    match = resolve(f"Öppenvården i {area}")
    assert match.canonical == canonical and match.reason == f"area {area} in {canonical}"


def test_area_with_year_gives_the_former_district():
    assert resolve("Husby").historical == "Järva"
    match = resolve("Husby", year=2015)
    assert match.historical == "Rinkeby-Kista" and "Rinkeby-Kista in 2015" in match.reason
    assert resolve("Tensta", year=2019).historical == "Spånga-Tensta"
    assert resolve("Tensta", year=2024).historical == "Järva"
    assert resolve("Fruängen", year=2018).historical == "Hägersten-Liljeholmen"


def test_district_name_beats_area():
    match = resolve("Husby, Järva stadsdelsförvaltning")
    assert match.matched == "Järva" and match.reason == "exact name"


@pytest.mark.parametrize("text", [
    "Socialförvaltningen", "Stockholms universitet", "Arbetsmarknadsförvaltningen",
    "stadsdelsförvaltningen", "SDF", "Äldreförvaltningen", "Ersta Sköndal Bräcke högskola",
    "Kista Science City", "Första linjen", "forsta stadsdelsförvaltning", "Öppenvården i Ersta",
    "", "   ",
])
def test_non_districts(text):
    assert resolve(text) is None


def test_find_all_in_a_sentence():
    text = "Projektet drivs av Spånga-Tensta stadsdelsförvaltning i samarbete med Stockholms universitet."
    [(start, end, match)] = find_all(text)
    assert text[start:end] == "Spånga-Tensta" == match.matched
    assert (match.canonical, match.historical) == ("Järva", "Spånga-Tensta")


def test_find_all_several_mentions():
    text = ("Farsta, Enskede-Arsta-Vant0r och HL samarbetar med Sodermalms stadsdelsförvaltning "
            "och Hägersten/Älvsjö; första året i Tensta. En kista är ingen stadsdel.")
    found = [(text[s:e], m.canonical) for s, e, m in find_all(text)]
    assert found == [
        ("Farsta", "Farsta"),
        ("Enskede-Arsta-Vant0r", "Enskede-Årsta-Vantör"),
        ("HL", "Hägersten-Älvsjö"),
        ("Sodermalms", "Södermalm"),
        ("Hägersten/Älvsjö", "Hägersten-Älvsjö"),
        ("Tensta", "Järva"),
    ]


def test_find_all_spans_a_line_break():
    text = "inom Enskede-Årsta-\nVantörs stadsdelsförvaltning"
    [(start, end, match)] = find_all(text)
    assert text[start:end] == "Enskede-Årsta-\nVantörs" and match.canonical == "Enskede-Årsta-Vantör"
