"""Swedish lexical knowledge for the text repair: how common a word is, and which known words a
garbled token could stand for.

Three sources, one scale (Zipf: log10 of frequency per billion words):
  - wordfreq's large Swedish list;
  - the built-in gazetteer (ingest/data/gazetteer.txt): Stockholm's districts, nämnder,
    förvaltningar and FoU vocabulary, counted as common words (GAZETTEER_ZIPF);
  - a domain lexicon learned from the clean text already in the catalog (word -> count),
    passed in by the caller.
Compounds ("stadsdelsförvaltningarnas") are in none of these; `ingest.letters` analyses them
from their parts.
"""
from __future__ import annotations

import functools
import math
import re
from pathlib import Path

from wordfreq import get_frequency_dict

DATA = Path(__file__).parent / "data"
GAZETTEER_ZIPF = 4.0
GAZETTEER_BONUS = 1.0  # the archive's own vocabulary is likelier here than in general Swedish
SWEDISH_LETTERS = frozenset("åäöÅÄÖ")
_WORD = re.compile(r"[^\W\d_]+")


@functools.lru_cache(maxsize=1)
def _wordfreq_zipf() -> dict[str, float]:
    return {w: math.log10(f) + 9 for w, f in get_frequency_dict("sv", wordlist="large").items()
            if f > 0}


@functools.lru_cache(maxsize=1)
def proper_names() -> frozenset[str]:
    """Gazetteer words written with a capital ("Östermalm"), lower-cased."""
    names = set()
    for line in (DATA / "gazetteer.txt").read_text(encoding="utf-8").splitlines():
        for word in _WORD.findall(line.split("#", 1)[0]):
            if word[0].isupper():
                names.add(word.lower())
    return frozenset(names)


@functools.lru_cache(maxsize=1)
def gazetteer_words() -> frozenset[str]:
    words = set()
    for line in (DATA / "gazetteer.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        for entry in line.split():
            words.add(entry.lower())
            words.update(w.lower() for w in _WORD.findall(entry))
    return frozenset(words)


class Lexicon:
    def __init__(self, domain: dict[str, int] | None = None):
        zipf = dict(_wordfreq_zipf())
        for w in gazetteer_words():
            zipf[w] = max(zipf.get(w, 0.0) + GAZETTEER_BONUS, GAZETTEER_ZIPF)
        for w, count in (domain or {}).items():
            w = w.lower()
            zipf[w] = max(zipf.get(w, 0.0), min(5.0, 2.5 + math.log10(max(count, 1))))
        self._zipf = zipf

    def zipf(self, word: str) -> float:
        return self._zipf.get(word, 0.0)

    def items(self):
        """(word, zipf) for every word known."""
        return self._zipf.items()


@functools.lru_cache(maxsize=4)
def default_lexicon() -> Lexicon:
    return Lexicon()


def read_domain(path: Path) -> dict[str, int]:
    """A domain lexicon file: one "word<TAB>count" per line."""
    words = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        word, _, count = line.partition("\t")
        if word and count.isdigit():
            words[word] = int(count)
    return words
