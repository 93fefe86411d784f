"""Tolerant comparison of Swedish words that may carry OCR damage (shared by the metadata
extractors)."""
from __future__ import annotations

import difflib
import unicodedata


def fold(s: str) -> str:
    """Lowercase, diacritics removed, letters only: 'Tjänsteutlåtande ' -> 'tjansteutlatande'."""
    s = unicodedata.normalize("NFKD", s.lower())
    return "".join(c for c in s if c.isalpha() and not unicodedata.combining(c))


def similar(a: str, b: str, ratio: float = 0.85) -> bool:
    return abs(len(a) - len(b)) <= 2 and difflib.SequenceMatcher(None, a, b).ratio() >= ratio
