"""How much a text looks like real Swedish: the share of its words that wordfreq knows.

Clean Swedish text scores ~0.93-0.95; text from old English-model OCR of Swedish scans ("for",
"ar", "Forvaltningen", "godkdnner") ~0.70-0.80. Used to decide whether a scanned page's existing
text layer is worth keeping or should be OCRed again.
"""
from __future__ import annotations

import re

from wordfreq import zipf_frequency

MIN_WORDS = 30
GOOD_TEXT = 0.85

_WORD = re.compile(r"[^\W\d_]{3,}")


def known_word_ratio(text: str, lang: str = "sv") -> tuple[float, int]:
    """(share of words of 3+ letters that wordfreq knows in `lang`, number of such words)."""
    words = _WORD.findall(text)
    if not words:
        return 0.0, 0
    known = sum(1 for w in words if zipf_frequency(w.lower(), lang) > 0)
    return known / len(words), len(words)


def looks_garbled(text: str) -> bool:
    ratio, n = known_word_ratio(text)
    return n >= MIN_WORDS and ratio < GOOD_TEXT


def text_quality(text: str, letters=None) -> float | None:
    """The stored per-page score: the share of words (3+ letters) that are Swedish words as
    they stand after repair, counting compounds and inflected forms of known words
    ("stadsdelsförvaltningarnas") as words. None for a page without words."""
    from .letters import default_restoration

    restorer = (letters or default_restoration()).restorer
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return None
    known = sum(1 for w in words if restorer.is_known(w) or restorer.is_valid_as_is(w))
    return round(known / len(words), 4)
