"""Swedish analysis, used for indexing and for queries alike.

NFC, ligature repair (ﬁ → fi), lowercasing, a Swedish stop list (only Swedish: Whoosh's
StopFilter(lang="sv") would add its English default list too), compound splitting with the
linking -s- ("missbruksvård" → missbruk + vård, as extra tokens at the word's own position) and
Swedish Snowball stemming, in one analyzer that caches each word's terms.

Å/ä/ö folding is not a second indexed field: a query term is widened at search time to the
index terms that read the same with å/ä/ö/é/ü folded to a/a/o/e/u (`fold`), so "forvaltning"
finds "förvaltning" (and text whose OCR lost the letters) while exact spellings rank higher.

Bump ANALYSIS_VERSION whenever any of this changes the tokens: the index is then rebuilt.
"""
from __future__ import annotations

import functools
import math
import re
import unicodedata

from whoosh.analysis import Analyzer, Filter, IDTokenizer, Token
from whoosh.lang import stemmer_for_language, stopwords_for_language

ANALYSIS_VERSION = "sv-4"

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


class SwedishAnalyzer(Analyzer):
    """The whole Swedish chain in one pass, with the result for each distinct word cached.

    Per word: NFC and ligature repair, lowercasing, the Swedish stop list, compound parts
    (indexing only: a query word is matched as written, and the index holds both the whole
    word and its parts) and Snowball stemming. The parts come as extra tokens at the whole
    word's position, so phrases still match. Stop words take no position.

    One analyzer instead of a Whoosh filter chain: the chain ran six generators per token and
    was half of the indexing time; a word's tokens now come from a dict after its first time.
    """

    is_morph = True

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self))

    @staticmethod
    def words(raw: str, mode: str = "") -> tuple[str, ...]:
        return word_terms(raw, mode)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        matches = _WORD.finditer(value) if tokenize else [_Whole(value)]
        for m in matches:
            words = word_terms(m.group(), mode)
            if not words:
                continue
            if keeporiginal:
                token.original = m.group()
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + m.start()
                token.endchar = start_char + m.end()
            for word in words:
                token.text = word
                token.stopped = False
                token.boost = 1.0
                yield token
            pos += 1


class _Whole:
    """A regex-match look-alike for the whole value (tokenize=False)."""

    def __init__(self, value: str):
        self.value = value

    def group(self) -> str:
        return self.value

    def start(self) -> int:
        return 0

    def end(self) -> int:
        return len(self.value)


WORD_CACHE_SIZE = 500_000  # distinct words kept (per mode) before the cache starts afresh
_INDEX_WORDS: dict[str, tuple[str, ...]] = {}
_QUERY_WORDS: dict[str, tuple[str, ...]] = {}
_WORD = re.compile(TOKEN_PATTERN)
_stem = stemmer_for_language("sv")


def word_terms(raw: str, mode: str = "") -> tuple[str, ...]:
    """The index terms one word of text gives: () for a stop word; else its stem, then
    (unless mode is "query") the stems of its compound parts."""
    cache = _QUERY_WORDS if mode == "query" else _INDEX_WORDS
    found = cache.get(raw)
    if found is None:
        found = cache[raw] = _analyse_word(raw, split=mode != "query")
        if len(cache) > WORD_CACHE_SIZE:
            cache.clear()
    return found


def match_spans(text: str, terms: set[str] | frozenset[str]) -> list[tuple[int, int]]:
    """(start, end) of each word of the text that gives one of the terms (its stem or, for
    a compound, a part's): what a highlight marks."""
    return [(m.start(), m.end()) for m in _WORD.finditer(text)
            if not terms.isdisjoint(word_terms(m.group()))]


def _analyse_word(raw: str, split: bool) -> tuple[str, ...]:
    text = raw
    if not text.isascii():
        text = repair_ligatures(unicodedata.normalize("NFC", text))
    text = text.lower()
    if text in SWEDISH_STOPWORDS:
        return ()
    parts = split_compound(text) if split else ()
    return (_stem(text),) + tuple(_stem(p) for p in parts)


def swedish_analyzer() -> SwedishAnalyzer:
    return SwedishAnalyzer()


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
