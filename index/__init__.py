"""The search index: Whoosh with Swedish analysis, behind a small interface of our own."""
from .schema import SCHEMA_VERSION
from .store import SearchIndex

__all__ = ["SearchIndex", "SCHEMA_VERSION"]
