"""Parsing of query-string parameters shared by the HTML pages and the API."""
from __future__ import annotations

import unicodedata

MAX_ID = 2**63 - 1  # SQLite INTEGER; larger ids cannot exist and must not reach the catalog


def parse_int(value: str | None) -> int | None:
    """A plain decimal integer, or None for anything else ('abc', '1.5', '', '１')."""
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > 12:
        return None
    sign = value[0] in "+-"
    digits = value[1:] if sign else value
    if not digits or not all("0" <= c <= "9" for c in digits):
        return None
    return int(value)


def clean_query(value: str | None) -> str:
    """The user's query: NFC, control characters out, surrounding whitespace trimmed."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value)
    value = "".join(" " if unicodedata.category(c) == "Cc" else c for c in value)
    return value.strip()
