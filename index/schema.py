"""The Whoosh schema. Bump SCHEMA_VERSION whenever a field changes (ANALYSIS_VERSION is part of
it, so a change of analysis also rebuilds the index)."""
from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import ANALYSIS_VERSION, keyword_analyzer, swedish_analyzer

# 5: no *_folded fields (å/ä/ö folding is done on the query, index.query.fold_variants)
SCHEMA_VERSION = f"schema-5.{ANALYSIS_VERSION}"


def build_schema() -> Schema:
    # The page text is indexed but not stored: the catalog holds it, and highlights are made
    # from the catalog's copy (index.search takes a text loader), so nothing is stored twice.
    # Boosts are given by the query parser (index.query.FIELD_BOOSTS), not here.
    return Schema(
        id=NUMERIC(int, bits=64, stored=True, unique=True, signed=False),
        filename=STORED(),
        title=TEXT(analyzer=swedish_analyzer(), stored=True),
        content=TEXT(analyzer=swedish_analyzer(), stored=False, phrase=True),
        project=TEXT(analyzer=swedish_analyzer(), stored=False),
        dnr=TEXT(analyzer=keyword_analyzer(), stored=True),
        date=ID(stored=True, sortable=True),
        year=NUMERIC(int, stored=False, sortable=True),
        # the years the document reports on or decides for (år: matches these too)
        years=KEYWORD(stored=False, commas=True, lowercase=False),
        document_type=ID(stored=True, sortable=True),
        district=KEYWORD(stored=True, lowercase=False, commas=True, scorable=False),
        category=KEYWORD(stored=True, lowercase=False, commas=True, scorable=False),
        language=ID(stored=True),
        # the catalog's pipeline version of the document (kunskapsbank check compares them)
        pipeline_version=STORED(),
    )
