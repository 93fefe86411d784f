"""Query parsing: Whoosh syntax with Swedish field names and operators, and a plain-terms
fallback that never fails.

Field names a user may type: dnr:, år: (also år:2015..2019 and år:[2015 TO 2019]), typ:,
stadsdel:, projekt:, kategori:. Values of typ/stadsdel/kategori are mapped to the index's
canonical values by folding (case and å/ä/ö do not matter; a word prefix is enough when it is
unambiguous: "kategori:forskning", "stadsdel:skarholmen").
"""
from __future__ import annotations

import logging
import re
from typing import Callable, Iterable

from whoosh.qparser import MultifieldParser
from whoosh.query import And, Or, Phrase, Prefix, Query, Sequence, Term

from .analysis import fold, normalize_dnr

log = logging.getLogger(__name__)

# Plain terms search these fields, with these boosts. A term is also searched as the index
# terms that read the same with å/ä/ö folded (fold_variants), at FOLDED_BOOST: exact spellings
# rank above folded ones.
FIELD_BOOSTS = {"project": 3.6, "title": 3.1, "content": 1.6, "dnr": 3.0}
FOLDED_BOOST = 0.6
FOLDED_FIELDS = ("project", "title", "content")
SEARCH_FIELDS = list(FIELD_BOOSTS)
FALLBACK_NOTICE = ("Sökfrågan kunde inte tolkas som den var skriven. "
                   "Vi sökte i stället på orden i den.")

DOCUMENT_TYPES = ("tjänsteutlåtande", "protokollsutdrag", "pm", "bilaga", "slutrapport",
                  "beslut", "annat")
CATEGORIES = ("forskningsprojekt", "lokalt utvecklingsprojekt", "studieresa", "övrigt")
# Facet/filter name -> index field
FACET_FIELDS = {"år": "year", "typ": "document_type", "stadsdel": "district",
                "kategori": "category"}

Vocabulary = Callable[[str], Iterable[str]]  # index field -> the values the index holds
# (field, term, prefix) -> the index terms (other than term) that fold like term, or, with
# prefix=True, whose folded form starts like the folded term
Variants = Callable[[str, str, bool], list[str]]

_SWEDISH_OPERATORS = {"OCH": "AND", "ELLER": "OR", "INTE": "NOT"}
_OPERATOR_RE = re.compile(r"\b(OCH|ELLER|INTE)\b")
_WORD_RE = re.compile(r"[\w][\w./-]*")
_VALUE = r"(?P<value>\"[^\"]*\"|'[^']*'|\[[^\]]*\]|[^\s()\"']+)"
_FIELD_RE = re.compile(r"(?<![\w:])(?P<field>år|typ|stadsdel|kategori|projekt):" + _VALUE,
                       re.IGNORECASE)
_YEAR_RANGE = re.compile(r"^(\d{4})?\.\.(\d{4})?$")
_DNR_CODE = r"\d{1,2}(?:\s?[.,]\s?\d{1,3}){1,4}\s*[-\u2010-\u2015:]\s*\d{1,6}\s*/\s*(?:19|20)?\d\d"
_DNR_RE = re.compile(
    r"(?<![\w.])(?:(?:dnr|diarienummer)\s*[:.]?\s*)?(?P<dnr>" + _DNR_CODE + r")(?![\w/])"
    r"|(?<![\w.])(?:dnr|diarienummer)\s*[:.]?\s*(?P<dnr2>[a-zåäö]{1,6}\s?\d{4}/\d{1,6})(?![\w/])"
    r"|(?<![\w.])dnr:(?P<dnr3>\"[^\"]*\"|'[^']*'|[^\s()\"']+)",
    re.IGNORECASE)


def canonical_value(value: str, choices: Iterable[str]) -> list[str]:
    """The choices a typed value means: equal when folded, else those with a word starting with
    it (folded). [] when none does."""
    key = fold(value.strip().strip("\"'"))
    if not key:
        return []
    choices = list(dict.fromkeys(choices))
    exact = [c for c in choices if fold(c) == key]
    if exact:
        return exact
    return [c for c in choices
            if fold(c).startswith(key) or any(w.startswith(key)
                                              for w in re.split(r"[\s\-–/]+", fold(c)))]


def _quote(value: str) -> str:
    return "'" + value.replace("'", " ") + "'"


def _any_of(field: str, values: list[str], typed: str) -> str:
    if not values:
        values = [typed.strip("\"'").lower()]  # finds nothing, said plainly
    clauses = [f"{field}:{_quote(v)}" for v in values]
    return clauses[0] if len(clauses) == 1 else "(" + " OR ".join(clauses) + ")"


def rewrite(text: str, vocabulary: Vocabulary | None = None) -> str:
    """The user's query in Whoosh syntax over our field names and canonical values."""
    text = _OPERATOR_RE.sub(lambda m: _SWEDISH_OPERATORS[m.group(1)], text)

    def dnr(m: re.Match) -> str:
        value = m.group("dnr") or m.group("dnr2") or m.group("dnr3").strip("\"'")
        return "dnr:" + _quote(normalize_dnr(value))

    text = _DNR_RE.sub(dnr, text)

    def vocab(field: str, base: Iterable[str] = ()) -> list[str]:
        values = list(base)
        if vocabulary is not None:
            try:
                values += [v for v in vocabulary(field) if v]
            except Exception:  # an index problem must not break parsing
                log.exception("vocabulary of %s", field)
        return values

    def field(m: re.Match) -> str:
        name, value = m.group("field").lower(), m.group("value")
        if name == "år":
            # the document's own year (its date) or a year it reports on or decides for
            years = _YEAR_RANGE.match(value)
            if years:
                low, high = years.group(1), years.group(2)
                if not (low or high):
                    return "year:[TO]"
                dated = "year:[" + (low + " " if low else "") + "TO" + \
                    (" " + high if high else "") + "]"
                if low and high and 0 <= int(high) - int(low) <= 50:
                    return "(" + " OR ".join([dated] + [f"years:{y}" for y in
                                                       range(int(low), int(high) + 1)]) + ")"
                return dated
            if value.isdigit():
                return f"(year:{value} OR years:{value})"
            return "year:" + value
        if name == "typ":
            types = canonical_value(value, vocab("document_type", DOCUMENT_TYPES))
            if set(types) & {"pm", "bilaga"}:  # "PM/bilaga" is one kind of document
                types = list(dict.fromkeys(types + ["pm", "bilaga"]))
            return _any_of("document_type", types, value)
        if name == "stadsdel":
            return _any_of("district", canonical_value(value, vocab("district")), value)
        if name == "kategori":
            return _any_of("category", canonical_value(value, vocab("category", CATEGORIES)),
                           value)
        return f"project:{value}"

    return _FIELD_RE.sub(field, text)


def _parser(schema) -> MultifieldParser:
    parser = getattr(schema, "_kunskapsbank_parser", None)
    if parser is None:  # building one (its plugins) costs about as much as a parse
        parser = schema._kunskapsbank_parser = MultifieldParser(SEARCH_FIELDS, schema,
                                                                fieldboosts=FIELD_BOOSTS)
    return parser


def parse_query(text: str, schema, vocabulary: Vocabulary | None = None,
                variants: Variants | None = None) -> tuple[Query | None, str | None]:
    """Return (query, notice). The query is None when there is nothing to search for.
    `vocabulary(field)` gives the values the index holds (for stadsdel: and the like);
    `variants` the index terms a term's å/ä/ö-folded spelling stands for (fold_variants)."""
    text = (text or "").strip()
    if not text:
        return None, None
    try:
        rewritten = rewrite(text, vocabulary)
        if _looks_broken(rewritten):
            raise ValueError("unbalanced quotes or parentheses")
        query, notice = _parser(schema).parse(rewritten), None
    except Exception as exc:  # Whoosh raises many kinds; the user must never see them
        log.info("Query %r fell back to plain terms: %s", text, exc)
        query, notice = _plain_terms(text, schema), FALLBACK_NOTICE
    if query is not None and variants is not None:
        query = fold_variants(query, variants)
    return query, notice


def fold_variants(query: Query, variants: Variants) -> Query:
    """Each term of a text field also as the index terms that read the same with å/ä/ö
    folded ("forvaltning" -> förvaltning; "förvaltning" -> forvaltning as OCR lost the ö),
    those at FOLDED_BOOST; prefixes likewise; phrases word by word."""

    def widen(node: Query) -> Query:
        field = getattr(node, "fieldname", None)
        if field not in FOLDED_FIELDS:
            return node
        boost = node.boost * FOLDED_BOOST / FIELD_BOOSTS[field]
        if type(node) is Term and isinstance(node.text, str):
            others = variants(field, node.text, False)
            if others:
                return Or([node] + [Term(field, v, boost=boost) for v in others])
        elif type(node) is Prefix:
            others = variants(field, node.text, True)
            if others:
                return Or([node] + [Term(field, v, boost=boost) for v in others])
        elif type(node) is Phrase and node.slop == 1:
            words = [[w] + variants(field, w, False) for w in node.words]
            if any(len(ws) > 1 for ws in words):
                return Sequence([Or([Term(field, w) for w in ws]) if len(ws) > 1
                                 else Term(field, ws[0]) for ws in words], boost=node.boost)
        return node

    return query.accept(widen)


def _looks_broken(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("(") != text.count(")")


def _plain_terms(text: str, schema) -> Query | None:
    """Every word of the text, each searched in every field, all of them required."""
    words = [w for w in _WORD_RE.findall(text)
             if w.upper() not in ("AND", "OR", "NOT", "OCH", "ELLER", "INTE")]
    parts = []
    for word in words:
        alternatives = []
        for field in SEARCH_FIELDS:
            try:
                tokens = list(schema[field].process_text(word, mode="query"))
            except Exception:
                continue
            for token in tokens:
                alternatives.append(Term(field, token, boost=FIELD_BOOSTS[field]))
        if alternatives:
            parts.append(Or(alternatives))
    if not parts:
        return None
    return And(parts) if len(parts) > 1 else parts[0]
