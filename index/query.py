"""Query parsing: Whoosh syntax, Swedish operators, and a plain-terms fallback that never fails."""
from __future__ import annotations

import logging
import re

from whoosh.qparser import MultifieldParser
from whoosh.query import And, Or, Query, Term

log = logging.getLogger(__name__)

SEARCH_FIELDS = ["title", "content", "dnr"]
FALLBACK_NOTICE = ("Sökfrågan kunde inte tolkas som den var skriven. "
                   "Vi sökte i stället på orden i den.")
_SWEDISH_OPERATORS = {"OCH": "AND", "ELLER": "OR", "INTE": "NOT"}
_OPERATOR_RE = re.compile(r"\b(OCH|ELLER|INTE)\b")
_WORD_RE = re.compile(r"[\w][\w./-]*")


def _parser(schema) -> MultifieldParser:
    return MultifieldParser(SEARCH_FIELDS, schema)


def parse_query(text: str, schema) -> tuple[Query | None, str | None]:
    """Return (query, notice). The query is None when there is nothing to search for."""
    text = (text or "").strip()
    if not text:
        return None, None
    text = _OPERATOR_RE.sub(lambda m: _SWEDISH_OPERATORS[m.group(1)], text)
    try:
        query = _parser(schema).parse(text)
        if _looks_broken(text):
            raise ValueError("unbalanced quotes or parentheses")
        return query, None
    except Exception as exc:  # Whoosh raises many kinds; the user must never see them
        log.info("Query %r fell back to plain terms: %s", text, exc)
        return _plain_terms(text, schema), FALLBACK_NOTICE


def _looks_broken(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("(") != text.count(")")


def _plain_terms(text: str, schema) -> Query | None:
    """Every word of the text, each searched in every field, all of them required."""
    words = [w for w in _WORD_RE.findall(text) if w.upper() not in ("AND", "OR", "NOT")]
    parts = []
    for word in words:
        alternatives = []
        for field in SEARCH_FIELDS:
            for token in schema[field].process_text(word, mode="query"):
                alternatives.append(Term(field, token))
        if alternatives:
            parts.append(Or(alternatives))
    if not parts:
        return None
    return And(parts) if len(parts) > 1 else parts[0]
