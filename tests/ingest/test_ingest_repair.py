"""Text repair: hyphenation, page furniture, Word junk, mojibake, idempotence, clean text."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from ingest_helpers import SEEDS, seed_pages
from ingest.repair import repair_pages, repair_text

SEED_FILES = sorted(SEEDS.glob("*.txt"))
CLEAN_SEEDS = [p for p in SEED_FILES if p.name[:3] in ("001", "004")]


@pytest.mark.parametrize("raw,expected", [
    ("lokala utvecklings-\nprojekt och studieresor\n", "lokala utvecklingsprojekt\noch studieresor\n"),
    ("lokala utvecklings-\nprojekt\nnästa rad\n", "lokala utvecklingsprojekt\nnästa rad\n"),
    ("kartläggning av Signs-of-\nSafety (en modell)\n", "kartläggning av Signs-of-Safety\n(en modell)\n"),
    ("av Signs-of-\n\nSafety innefattar\n", "av Signs-of-Safety\n\ninnefattar\n"),
    ("redovisning av forsknings- och lokala\n", "redovisning av forsknings- och lokala\n"),
    ("redovisning av forsknings-\noch lokala\n", "redovisning av forsknings-\noch lokala\n"),
    ("inriktning av FoU-\nmedel för lokala\n", "inriktning av FoU-medel\nför lokala\n"),
    ("skicka e-\npost till oss\n", "skicka e-post\ntill oss\n"),
    ("Hägersten-\nLiljeholmens stadsdel\n", "Hägersten-Liljeholmens\nstadsdel\n"),
    ("under 2012-\n2013 har\n", "under 2012-2013\nhar\n"),
    ("samverkan –\nytterstaden\n", "samverkan –\nytterstaden\n"),
    ("utvecklings-\n/förbättringsarbetet\n", "utvecklings-\n/förbättringsarbetet\n"),
    ("tillrätta-\nvisande\n", "tillrättavisande\n"),
    ("godkänner utvecklings-\nprojektet.\n", "godkänner utvecklingsprojektet.\n"),
    ("gäller utvecklings-\nprojektet, som är nytt\n", "gäller utvecklingsprojektet,\nsom är nytt\n"),
    ("(Signs-of-\nSafety).\n", "(Signs-of-Safety).\n"),
])
def test_hyphenation(raw, expected):
    text, repairs = repair_text(raw)
    assert text == expected
    assert all(r.rule == "hyphenation" for r in repairs)


def test_furniture_across_pages():
    header = "w Stockholms\n\nTjänsteutlåtande\nDnr 3.2.2-109/2018\nSida {n} (4)\n\n"
    pages = ["Inriktning av FoU-medel\n\nBrödtext på första sidan om projekten.\n"]
    body = ["Redovisning av forskningsprojekt", "Stödet ges utifrån behoven.",
            "Projektet har utvecklat ett processtöd", "för socialsekreterare i staden.",
            "Samverkan har ökat under året.", "Fyra enheter deltog.", "Resultaten är goda.",
            "Arbetet fortsätter 2019.", "Medlen återbetalas inte.", "Rapporten finns i banken."]
    for n, ordinal in ((2, "andra"), (3, "tredje"), (4, "fjärde")):
        lines = [f"{line} Den {ordinal} sidan." for line in body]
        pages.append(header.format(n=n) + f"Brödtext på sida {ordinal}.\n" + "\n".join(lines) + "\n")
    repaired, repairs = repair_pages(pages)
    assert repaired[0] == pages[0]
    # The first occurrence (page 2) keeps the header lines, but not the page number.
    assert "Tjänsteutlåtande\nDnr 3.2.2-109/2018" in repaired[1]
    assert "w Stockholms" in repaired[1]
    for page in repaired[2:]:
        assert "Dnr" not in page and "Tjänsteutlåtande" not in page and "Stockholms" not in page
        assert "Brödtext på sida" in page
    assert "Sida" not in "".join(repaired)
    assert {r.rule for r in repairs} == {"page-number", "furniture"}
    for r in repairs:
        assert pages[r.page - 1][r.offset:r.offset + len(r.before)] == r.before


def test_repeated_footer_and_page_numbers():
    pages = [f"Text på sidan {n} med innehåll.\n" + "".join(f"Rad {i} av sidan {n * 'x'}.\n" for i in range(8))
             + "\nSocialförvaltningen\n{n}\n".replace("{n}", str(n)) for n in range(1, 5)]
    repaired, _ = repair_pages(pages)
    assert repaired[0].endswith("Socialförvaltningen\n1\n")
    for page in repaired[1:]:
        assert "Socialförvaltningen" not in page and not page.rstrip().endswith(("2", "3", "4"))


@pytest.mark.parametrize("line", ["Sida 2 (6)", "Sida 2 av 6", "  Sida 12 (13) ", "Sida & (9)"])
def test_page_number_lines(line):
    text, _ = repair_text(f"Början\n{line}\nSlutet\n")
    assert text == "Början\nSlutet\n"


def test_body_mentions_of_sida_are_kept():
    raw = "Se sida 2 i bilagan.\nSida vid sida arbetar de.\n"
    assert repair_text(raw)[0] == raw


def test_word_placeholder_junk():
    raw = ("w Stockholms\n\nError! Use the Home tab to apply Rubrik 1 to\n"
           "the text that you want to appear here.\n\nTjänsteutlåtande\n"
           "Se Error! Reference source not found. för detaljer.\n")
    text, repairs = repair_text(raw)
    assert "Error!" not in text
    assert re.sub(r"\n+", "\n", text).startswith("w Stockholms\nTjänsteutlåtande\n")
    assert "Se  för detaljer." in text
    assert repairs[0].rule == "placeholder"


def test_mojibake_and_good_text_kept():
    text, repairs = repair_text("fÃ¶r Ã¥r 2019 i SkÃ¤rholmen\n")
    assert text == "för år 2019 i Skärholmen\n"
    assert repairs and all(r.rule == "mojibake" for r in repairs)
    good = "Projektet ”Stärkt tidigt stöd” – ytterstaden; ’citat’ och \"raka\" & R&amp;D ½\n"
    assert repair_text(good) == (good, [])


def test_ligature_and_nfc():
    decomposed = "fo\u0308r ﬁnansiering\n"  # "för" with a combining diaeresis; "fi" ligature
    text, repairs = repair_text(decomposed)
    assert text == "för finansiering\n"
    assert {r.rule for r in repairs} <= {"nfc", "mojibake"}


@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda p: p.name[:3])
def test_idempotent_on_seeds(seed):
    pages = seed_pages(seed)
    once, _ = repair_pages(pages)
    twice, repairs = repair_pages(once)
    assert twice == once and repairs == []
    text_once, _ = repair_text(seed.read_text(encoding="utf-8"))
    assert repair_text(text_once) == (text_once, [])


_SIDA = re.compile(r"^[ \t]*Sida[ \t]+\d+[ \t]*\(\d+\)[ \t]*$", re.M)


@pytest.mark.parametrize("seed", CLEAN_SEEDS, ids=lambda p: p.name[:3])
def test_clean_seeds_keep_their_words(seed):
    raw = seed.read_text(encoding="utf-8")
    text, repairs = repair_text(raw)
    assert {r.rule for r in repairs} <= {"hyphenation", "page-number"}
    expected_raw = _SIDA.sub("", raw)
    # Same letters in the same order (only whitespace, hyphens and page numbers may differ) ...
    letters = lambda t: "".join(re.findall(r"\w", t))
    assert letters(text) == letters(expected_raw)
    # ... and every new word is two words of the original joined at a line-end hyphen.
    old_words = re.findall(r"\w+", expected_raw)
    new = Counter(re.findall(r"\w+", text)) - Counter(old_words)
    joins = {a + b for a, b in zip(old_words, old_words[1:])}
    assert set(new) <= joins, set(new) - joins
    for r in repairs:
        if r.rule == "hyphenation":
            assert r.before.startswith("-\n") and r.after.replace("-", "").strip() in r.before


def test_repair_offsets_point_into_raw_page():
    raw = "Rubrik\nSida 1 (2)\nlokala utvecklings-\nprojekt och fÃ¶r Ã¥r\n"
    _, repairs = repair_text(raw)
    assert {r.rule for r in repairs} == {"mojibake", "page-number", "hyphenation"}
    for r in repairs:
        if r.rule != "mojibake":
            assert raw[r.offset:r.offset + len(r.before)] == r.before
