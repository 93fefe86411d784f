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


# -- search filters and sort ---------------------------------------------------------------------
# (facet key in kb.search, query-string parameter, Swedish heading)
FACETS = (("år", "ar", "År"), ("typ", "typ", "Dokumenttyp"), ("stadsdel", "stadsdel", "Stadsdel"),
          ("kategori", "kategori", "Projektkategori"))
FILTER_PARAMS = tuple(param for _, param, _ in FACETS)
SORT_PARAM = "sortering"
SORTS = {"relevans": "relevance", "datum": "date"}  # parameter value -> kb.search sort
MAX_FILTER_LENGTH = 200
MIN_YEAR, MAX_YEAR = 1900, 2100
DOCUMENT_TYPES = {"tjänsteutlåtande", "pm", "protokollsutdrag", "bilaga", "slutrapport",
                  "beslut", "annat"}


class ParamError(ValueError):
    """An invalid filter or sort parameter; the message is Swedish."""


def _filter_value(param: str, raw: str | None):
    """The checked value of one filter parameter: None when not given (or empty); raises
    ParamError when given but invalid."""
    value = clean_query(raw)
    if not value:
        return None
    if param == "ar":
        year = parse_int(value)
        if year is None or not MIN_YEAR <= year <= MAX_YEAR:
            raise ParamError(f"Parametern ar måste vara ett årtal från {MIN_YEAR} till {MAX_YEAR}.")
        return year
    if len(value) > MAX_FILTER_LENGTH:
        raise ParamError(f"Parametern {param} får vara högst {MAX_FILTER_LENGTH} tecken lång.")
    if param == "typ":
        value = value.lower()
        if value not in DOCUMENT_TYPES:
            raise ParamError("Parametern typ måste vara en av: "
                             + ", ".join(sorted(DOCUMENT_TYPES)) + ".")
    return value


def search_options(args, strict: bool = False) -> tuple[dict, str]:
    """(filters for kb.search keyed "år", "typ", "stadsdel", "kategori"; sort parameter value
    "relevans" or "datum") from a query string. Invalid values are left out, or with
    `strict` (the API) raise ParamError."""
    filters: dict = {}
    for key, param, _ in FACETS:
        try:
            value = _filter_value(param, args.get(param))
        except ParamError:
            if strict:
                raise
            continue
        if value is not None:
            filters[key] = value
    sort = clean_query(args.get(SORT_PARAM)).lower()
    if sort not in SORTS:
        if strict and sort:
            raise ParamError("Parametern sortering måste vara relevans eller datum.")
        sort = "relevans"
    return filters, sort
