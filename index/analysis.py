"""Swedish analysis, used for indexing and for queries alike.

NFC, ligature repair (ﬁ → fi), lowercasing, a Swedish stop list (only Swedish: Whoosh's
StopFilter(lang="sv") would add its English default list too), compound splitting with the
linking -s- ("missbruksvård" → missbruk + vård, as extra tokens at the word's own position) and
Swedish Snowball stemming. The folded analyzer does the same and then folds å/ä/ö/é/ü to a/a/o/e/u,
so a query typed without the Swedish letters (or text whose OCR lost them) still matches.

Bump ANALYSIS_VERSION whenever any of this changes the tokens: the index is then rebuilt.
"""
from __future__ import annotations

import functools
import math
import re
import unicodedata

from whoosh.analysis import (Filter, IDTokenizer, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter)
from whoosh.lang import stopwords_for_language

ANALYSIS_VERSION = "sv-3"

# Runs of letters and digits: "FoU-medel" gives "fou" and "medel". Dnr are matched in their own field.
TOKEN_PATTERN = r"\w+"

SWEDISH_STOPWORDS = frozenset(stopwords_for_language("sv"))

LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
             "\ufb05": "st", "\ufb06": "st", "\u0132": "IJ", "\u0133": "ij"}
_LIGATURE_TABLE = str.maketrans(LIGATURES)
_FOLD_TABLE = str.maketrans("åäöéèêëüáàæøÅÄÖÉÈÊËÜÁÀÆØ", "aaoeeeeuaaaoAAOEEEEUAAAO")

# Compound splitting
COMPOUND_MIN_LEN = 9  # letters in a token before splitting is tried
PART_MIN_LEN = 3
MAX_PARTS = 3
PART_MIN_ZIPF = 3.0  # a part must be at least this common in Swedish (wordfreq)
COMMON_ZIPF = 3.0  # a whole word this common (or its base form) is left alone
_INFLECTIONS = ("arnas", "ernas", "arna", "erna", "orna", "ens", "ets", "ers", "ars", "en",
                "et", "na", "ar", "er", "or", "n", "s", "t")


def fold(text: str) -> str:
    """Lowercase and fold the Swedish letters: 'Skärholmen' -> 'skarholmen'."""
    return unicodedata.normalize("NFC", text).lower().translate(_FOLD_TABLE)


def repair_ligatures(text: str) -> str:
    return text.translate(_LIGATURE_TABLE)


@functools.lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    from wordfreq import get_frequency_dict
    return get_frequency_dict("sv")


def _zipf(word: str) -> float:
    freq = _frequencies().get(word, 0.0)
    return math.log10(freq) + 9 if freq > 0 else 0.0


def _is_common(word: str) -> bool:
    if _zipf(word) >= COMMON_ZIPF:
        return True
    for ending in _INFLECTIONS:
        if word.endswith(ending) and len(word) - len(ending) >= COMPOUND_MIN_LEN - 2 \
                and _zipf(word[: -len(ending)]) >= COMMON_ZIPF:
            return True
    return False


def _part_ok(part: str) -> bool:
    return len(part) >= PART_MIN_LEN and part not in SWEDISH_STOPWORDS \
        and _zipf(part) >= PART_MIN_ZIPF


@functools.lru_cache(maxsize=200_000)
def split_compound(word: str) -> tuple[str, ...]:
    """The known parts of a compound ('missbruksvård' -> ('missbruk', 'vård')), or () when the
    word is short, common itself, or no split into 2-3 known parts exists. Between parts a
    linking 's' may stand. Fewest parts win, then the split whose rarest part is commonest."""
    if len(word) < COMPOUND_MIN_LEN or not word.isalpha() or _is_common(word):
        return ()
    best: tuple[float, int, tuple[str, ...]] | None = None

    def search(start: int, parts: tuple[str, ...]) -> None:
        nonlocal best
        rest = word[start:]
        if parts and _part_ok(rest):
            found = parts + (rest,)
            key = (-len(found), min(_zipf(p) for p in found), found)
            if best is None or key[:2] > best[:2]:
                best = key
        if len(parts) + 1 >= MAX_PARTS:
            return
        for end in range(start + PART_MIN_LEN, len(word) - PART_MIN_LEN + 1):
            part = word[start:end]
            if not _part_ok(part):
                continue
            search(end, parts + (part,))
            # the linking -s-: "missbruk" + s + "vård"
            if word[end] == "s" and end + 1 <= len(word) - PART_MIN_LEN:
                search(end + 1, parts + (part,))

    search(0, ())
    return best[2] if best else ()


class NfcFilter(Filter):
    """Normalise every token to NFC so decomposed å/ä/ö match composed ones; repair ligatures."""

    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            if not text.isascii():
                text = repair_ligatures(unicodedata.normalize("NFC", text))
            t.text = text
            yield t


class CompoundFilter(Filter):
    """Emit the parts of a compound as extra tokens at the whole word's position (so phrases
    still match). Only when indexing: a query word is matched as written, and the index holds
    both the whole word and its parts."""

    def __call__(self, tokens):
        for t in tokens:
            whole = t.text
            yield t
            if t.mode == "query":
                continue
            parts = split_compound(whole)
            if parts:
                for part in parts:
                    t.text = part
                    yield t
                t.text = whole


class FoldFilter(Filter):
    def __call__(self, tokens):
        for t in tokens:
            if not t.text.isascii():
                t.text = t.text.translate(_FOLD_TABLE)
            yield t


def _base():
    return (RegexTokenizer(TOKEN_PATTERN) | NfcFilter() | LowercaseFilter()
            | StopFilter(stoplist=SWEDISH_STOPWORDS, minsize=1) | CompoundFilter())


def swedish_analyzer():
    return _base() | StemFilter(lang="sv", cachesize=50000)


def folded_analyzer():
    """As swedish_analyzer, with å/ä/ö/é/ü folded before stemming."""
    return _base() | FoldFilter() | StemFilter(lang="sv", cachesize=50000)


_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})
_DNR_PREFIX = re.compile(r"^(?:dnr|diarienummer)[.:]*", re.IGNORECASE)


def normalize_dnr(text: str) -> str:
    """'Dnr 3.2.2 – 109/2018' -> '3.2.2-109/2018' (lowercased, no spaces, one kind of dash)."""
    text = unicodedata.normalize("NFC", text).translate(_DASHES).lower()
    text = "".join(text.split())
    return _DNR_PREFIX.sub("", text)


class DnrFilter(Filter):
    """A dnr always holds digits: a plain word ("för") in a query is no dnr and must not turn
    into a required dnr term."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = normalize_dnr(t.text)
            if t.text and any(c.isdigit() for c in t.text):
                yield t


def keyword_analyzer():
    """For exact fields such as dnr: whole value, lowercased, spaces removed, dashes unified."""
    return IDTokenizer() | DnrFilter()
