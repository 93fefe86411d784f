"""OCR letter restoration: what it must restore, and what it must never touch."""
from __future__ import annotations

import pytest

from ingest.repair import repair_text

GARBLED_CONTEXT = ("Socialndmnden godkinner forslaget. Forvaltningen foreslar att ndmnden "
                   "godkanner redovisningen och att drendet delges stadsdelsnamnderna.\n")


def fixed(text: str) -> str:
    return repair_text(text)[0]


@pytest.mark.parametrize("garbled,expected", [
    ("Socialndmnden godkinner", "Socialnämnden godkänner"),
    ("&r", "är"),
    ("6kad", "ökad"),
    ("Oppenvird", "Öppenvård"),
    ("Arendet", "Ärendet"),  # case kept
    ("OSTERMALM", "ÖSTERMALM"),
    ("stadsdelsforvaltningarnas", "stadsdelsförvaltningarnas"),  # compound, in no word list
    ("vrakningsforebyggande", "vräkningsförebyggande"),
    ("mOjlighet", "möjlighet"),  # an OCR capital inside a word
    ("Enskede-Arsta-Vantor", "Enskede-Årsta-Vantör"),
])
def test_restores_words(garbled, expected):
    assert fixed(f"{GARBLED_CONTEXT}{garbled} finns här.\n").splitlines()[1] == \
        f"{expected} finns här."


def test_context_decides_ar():
    out = fixed(GARBLED_CONTEXT + "Under ar 2018 var det sa. Det ar bra att projektet ar klart.\n")
    assert "Under år 2018" in out and "Det är bra att projektet är klart" in out


def test_one_is_i_between_words_but_stays_a_number():
    out = fixed(GARBLED_CONTEXT + "Resultaten redovisas 1 bilagan. Se bilaga 1 och sida 1 (6).\n"
                "Beslut 1 januari om 1 000 kr.\n1. Socialnämnden beslutar\n")
    assert "redovisas i bilagan" in out and "Se bilaga 1 och sida 1 (6)" in out
    assert "Beslut 1 januari om 1 000 kr." in out and "1. Socialnämnden" in out


def test_english_sentence_left_alone():
    out = fixed(GARBLED_CONTEXT + "The study was funded for two years by the city and the "
                "university.\n")
    assert "funded for two years" in out


@pytest.mark.parametrize("protected", [
    "Dnr 3.2.2-109/2018", "2019-04-10", "3 198 400 kronor", "500 000 kr",
    "https://www.stockholm.se/forskning/arsrapport", "fornamn.efternamn@stockholm.se",
    "Lena Lundström Stoltz", "Hedenstedt", "LSS", "FoU", "SoL", "bilaga 1",
])
def test_never_touches_protected_text(protected):
    assert protected in fixed(GARBLED_CONTEXT + f"Se {protected} om detta.\n")


def test_clean_page_keeps_known_words_that_look_garbled():
    """On a clean page a known word is never rewritten: "for" may be English, "far" a father."""
    clean = ("Socialnämnden godkänner förslaget. Hans far arbetade för staden och "
             "for ofta till Göteborg.\n")
    assert fixed(clean) == clean


@pytest.mark.parametrize("text", [GARBLED_CONTEXT, "Ärendet avser år 2018.\n"])
def test_idempotent(text):
    once = fixed(text)
    assert fixed(once) == once


def test_repairs_are_recorded_with_rule_and_raw_offset():
    raw = GARBLED_CONTEXT
    _, repairs = repair_text(raw)
    first = repairs[0]
    assert (first.before, first.after, first.rule) == ("Socialndmnden", "Socialnämnden", "letters")
    assert raw[first.offset:first.offset + len(first.before)] == first.before
