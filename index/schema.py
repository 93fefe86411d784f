"""The Whoosh schema. Bump SCHEMA_VERSION whenever a field or its analysis changes."""
from __future__ import annotations

from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from .analysis import ANALYSIS_VERSION, keyword_analyzer, swedish_analyzer

SCHEMA_VERSION = f"schema-1.{ANALYSIS_VERSION}"


def build_schema() -> Schema:
    # The page text is indexed but not stored: the catalog holds it, and highlights are made
    # from the catalog's copy (index.search takes a text loader), so nothing is stored twice.
    return Schema(
        id=NUMERIC(int, bits=64, stored=True, unique=True, signed=False),
        filename=STORED(),
        title=TEXT(analyzer=swedish_analyzer(), stored=True, field_boost=3.0),
        content=TEXT(analyzer=swedish_analyzer(), stored=False, phrase=True),
        dnr=TEXT(analyzer=keyword_analyzer(), stored=True, field_boost=5.0),
        date=ID(stored=True),
        year=NUMERIC(int, stored=False),
        document_type=ID(stored=True),
        language=ID(stored=True),
    )
