"""Swedish analysis, used for indexing and for queries alike.

NFC, lowercasing, a Swedish stop list (only Swedish: Whoosh's StopFilter(lang="sv") would add its
English default list too) and Swedish Snowball stemming.
"""
from __future__ import annotations

import unicodedata

from whoosh.analysis import (Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter)
from whoosh.lang import stopwords_for_language

ANALYSIS_VERSION = "sv-1"

# Runs of letters and digits: "FoU-medel" gives "fou" and "medel". Dnr are matched in their own field.
TOKEN_PATTERN = r"\w+"

SWEDISH_STOPWORDS = frozenset(stopwords_for_language("sv"))


class NfcFilter(Filter):
    """Normalise every token to NFC so decomposed å/ä/ö match composed ones."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = unicodedata.normalize("NFC", t.text)
            yield t


def swedish_analyzer():
    return (RegexTokenizer(TOKEN_PATTERN) | NfcFilter() | LowercaseFilter()
            | StopFilter(stoplist=SWEDISH_STOPWORDS, minsize=1)
            | StemFilter(lang="sv", cachesize=50000))


def keyword_analyzer():
    """For exact fields such as dnr: whole value, lowercased, spaces removed."""
    return RegexTokenizer(r"\S+") | LowercaseFilter()
