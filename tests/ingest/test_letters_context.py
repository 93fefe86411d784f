"""Readings that are Swedish words either way, decided by the neighbouring words
(ingest/context.py with ingest/data/context.json, used by ingest/letters.py on garbled pages)."""
from __future__ import annotations

import json

import pytest

from ingest.context import DATA, ContextModel, default_context
from ingest.repair import repair_text

# A page this garbled is repaired in "garbled" mode, where context decisions are made.
GARBLED = ("Socialndmnden godkinner forslaget. Forvaltningen foreslar att ndmnden "
           "godkanner redovisningen och att drendet delges stadsdelsnamnderna.\n")


def fixed_line(line: str) -> str:
    return repair_text(GARBLED + line + "\n")[0].splitlines()[1]


@pytest.mark.parametrize("garbled,expected", [
    ("Vi tycker att det ar bra.", "Vi tycker att det är bra."),
    ("Medel for ar 2018 redovisas.", "Medel för år 2018 redovisas."),
    ("Medel kan sokas kommande dr.", "Medel kan sökas kommande år."),  # "dr": år or är
    ("Projektet har som syfte att starka samverkan.",
     "Projektet har som syfte att stärka samverkan."),
    ("Det ar viktigt att forsta hur stodet fungerar.",
     "Det är viktigt att förstå hur stödet fungerar."),
    ("Den forsta rapporten kom i maj.", "Den första rapporten kom i maj."),
    ("Ansékta medel redovisas nedan.", "Ansökta medel redovisas nedan."),
])
def test_context_decides_between_swedish_words(garbled, expected):
    assert fixed_line(garbled) == expected


@pytest.mark.parametrize("line", [
    "The project was funded for two years by the city and the university.",
    "Se bilaga 1 for detaljer.",
])
def test_english_and_numbers_left_alone(line):
    out = fixed_line(line)
    if line.startswith("The"):
        assert out == line
    else:
        assert out.startswith("Se bilaga 1 ")


def test_italic_tags_read_with_a_digit_are_restored_on_garbled_pages():
    assert fixed_line("<1>Projekt</1> och <i>Summa</1>") == "<i>Projekt</i> och <i>Summa</i>"


def test_clean_page_known_words_never_changed_by_context():
    clean = ("Socialnämnden godkänner förslaget och förvaltningen redovisar arbetet.\n"
             "Man kan se att starka skäl finns, och de ar som behövs redovisas.\n")
    out, repairs = repair_text(clean)
    assert out == clean
    assert repairs == []


def test_model_gives_no_opinion_without_a_known_neighbour():
    model = default_context()
    key, members = model.group(["är", "år"])
    assert set(members) == {"är", "år"}
    evidence = {"är": 7.3, "år": 6.6}
    assert model.scores(key, evidence, {"L1": "xyzzy", "R1": "qwerty"}) is None
    scores = model.scores(key, evidence, {"L1": "<num>", "R1": "</s>"})
    assert scores["år"] > scores["är"]  # "2018 år" / "... år." : a year, not a verb


def test_model_file_is_what_its_builder_documents(tmp_path):
    data = json.loads((DATA / "context.json").read_text(encoding="utf-8"))
    assert data["made_by"] == "tests/data/repair/make_context.py"
    assert data["corpus"]["tokens"] > 1_000_000
    for key, group in data["groups"].items():
        assert len(group["members"]) == len(group["counts"]) >= 2
        assert all(len(c) == len(group["members"]) for c in group["features"].values())
        assert all(f.split("=", 1)[0] in ("L1", "R1") for f in group["features"])
    # A model file of one's own loads the same way.
    small = {"alpha": 2.0, "groups": {"man": {"members": ["man", "män"], "counts": [90, 10],
                                              "features": {"L1=och": [1, 9]}}}}
    path = tmp_path / "context.json"
    path.write_text(json.dumps(small), encoding="utf-8")
    model = ContextModel(path)
    scores = model.scores("man", {"man": 0.0, "män": 0.0}, {"L1": "och", "R1": "x"})
    assert scores["män"] > scores["man"]
