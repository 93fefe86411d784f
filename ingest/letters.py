"""Letter restoration: give back the å, ä, ö (and i) that OCR took, and never harm good text.

For every word-like token the restorer asks: is this a Swedish word as it stands (a known word,
or a compound of known parts with a linking -s-)? If not, which known words or compounds could
the OCR have garbled into it, by the substitutions of the confusion model
(ingest/data/confusions.json, derived from data: P(read as X | printed letter Y))? Candidates are
scored by word frequency (ingest.lexicon) and by the confusion probabilities; a handful of short
words that are Swedish either way ("ar" år/är, "for" för/for) are decided by context.

Two modes, decided per page by how garbled it looks (the share of its words that are unknown but
have a restoration):
  - clean pages: only unknown tokens are restored (a known word is never touched);
  - garbled pages: also known words whose restored form is far more common ("for" -> "för",
    "bade" -> "både"), context rules, and "1" -> "i" between words ("1 bilagan").
Lines that read as English are left alone. Names of abbreviations, numbers, dnr, dates, amounts,
URLs and e-mail addresses are protected spans and never touched.
"""
from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path


from .context import ContextModel, default_context
from .lexicon import (SWEDISH_LETTERS, Lexicon, default_lexicon, gazetteer_words,
                      proper_names, read_domain)

DATA = Path(__file__).parent / "data"

GARBLED_PAGE = 0.012  # share of fixable words above which a page is treated as garbled
KNOWN_WORD_DELTA = 1.0  # garbled pages: a known word yields to a form this much more common
MIN_CANDIDATE_ZIPF = 1.0
MIN_PART_ZIPF = 2.6  # compound parts must be reasonably common words
MIN_LAST_PART_ZIPF = 2.0
MAX_MERGED = 4  # at most this many letters restored besides a merged pair
MAX_PARTS = 4
PART_PENALTY = 1.0  # per compound part beyond the first
STEM_ZIPF = 3.0  # a stem taking an inflection ending must be a common word
RESTORE_MARGIN = 0.5  # a restoration must beat the token read as it stands by this much
DIRECT_BONUS = 1.3  # one known word is better evidence than a reading as a compound
PART_CAP = 4.5  # a very common part ("genom", "för") does not make a compound likelier
SUBSTITUTION_PENALTY = 0.3  # per restored letter: an unchanged reading wins a close call
# Function words are no compound parts ("namnden" is not "namn" + "den").
NOT_PARTS = frozenset("den det dem des där när och att som för med men mot från till eller "
                      "inte ett en han hon man vad var hur nu här sin sitt sina hos utan vid "
                      "efter under över mellan ande ande are ens".split())
MERGED = "\1"  # stands for two OCR characters read for one Swedish letter
MERGED_P = 0.01
DROPPED = "\3"  # stands for a Swedish letter the OCR left out ("fr" for "för")
MERGE_PENALTY = -0.3
STEM_ENDINGS = ("r", "a", "e")
MIN_COMPOUND_SCORE = 2.0  # a restored compound reading weaker than this is not used
# The best score a token no list knows can get as it stands: one part with an inflection ending
# (at most PART_CAP less 0.5) or more parts (at most PART_CAP less PART_PENALTY).
AS_IS_MAX = PART_CAP - min(0.5, PART_PENALTY)
INFLECTIONS = ("arnas", "ernas", "ornas", "arna", "erna", "orna", "ens", "ets", "nas", "na",
               "en", "et", "er", "ar", "or", "s", "a", "e", "t", "de", "te", "ts", "des", "tes",
               # derivations: "kontrakt" + "ering", "samverk" + "an"
               "ering", "eringen", "ing", "ingen", "ning", "ningen", "het", "heten", "else",
               "ande", "ende", "an")
CONFUSION_WEIGHT = 0.35  # weight of log10 P(ocr|letter) against Zipf frequency
CHANNEL_WEIGHT = 1.0  # the same weight when context decides between Swedish words
MAX_READINGS = 3  # restorations of a token considered for a context decision
CONTEXT_MARGIN = 0.5  # context overrides the reading without context by at least this (log10)

# Spans never touched: URLs, e-mail addresses, dnr, dates, amounts and other digit groups.
_PROTECTED = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b\d+(?:[.:/-]\d+)+\b"
    r"|\b\d{1,3}(?:[  ]\d{3})+\b",
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TOKEN = re.compile(r"[\w&]+")
_HAS_LETTER = re.compile(r"[^\W\d_]")

# Swedish and English function words, to tell an English line from a Swedish one.
_SV_FUNCTION = frozenset("och att som det med av till den inte en ett är har om de på vi kan "
                         "ska för från eller samt även också under vid hos".split())
_EN_FUNCTION = frozenset("the and of to is that with by are be this was from an as which it "
                         "were has have been their its not or on at".split())

# "1" stays a digit after these words and before these ("bilaga 1", "1 januari", "1 kr").
_NUMBER_BEFORE = frozenset("bilaga bilagan sida punkt nr nummer kapitel steg fas version del "
                           "avsnitt paragraf rubrik grupp nivå år kl klockan tabell figur "
                           "alternativ beslutspunkt".split())
_NUMBER_AFTER = frozenset("januari februari mars april maj juni juli augusti september oktober "
                          "november december jan feb mar apr jun jul aug sep sept okt nov dec "
                          "kr kronor tkr mkr st procent timme timmar dag dagar vecka veckor "
                          "månad månader år gång gånger person personer barn av".split())

# Words that are Swedish both with and without their letters: decided by context.
_BAR_FOR_I = re.compile(r"(?:^|(?<=[.!?:]\s)|(?<=\n))[ \t]*([|\]])(?= [a-zåäö])", re.M)
_TAG_1 = re.compile(r"</?(1)>")
_SENTENCE_END = re.compile(r"[.!?:;]|\n[ \t]*\n")
_YEAR_BEFORE = frozenset("i per varje förra nästa detta samma hela ett två tre fyra fem sex sju "
                         "åtta nio tio några flera många första andra sista innevarande "
                         "kommande föregående".split())


@dataclass(frozen=True)
class Restoration:
    after: str  # lowercase restored form
    rule: str  # "letters", "letters:compound", "letters:context", "letters:1-i"


@dataclass(frozen=True)
class Ambiguity:
    """A token that reads as two or more Swedish words of one context group."""
    group: str
    evidence: tuple[tuple[str, float], ...]  # (word, log10 frequency + log10 P(reading|word))
    default: object  # the decision without context: a Restoration or _SKIP


MIN_COUNT = 3  # measured substitutions seen fewer times are noise ("ä" read as "S")


class ConfusionModel:
    """P(OCR read `ocr` | printed `letter`), lower-cased, single characters. Measured pairs
    seen at least MIN_COUNT times, and every substitution seen in the archive's own scans
    ("from_seeds")."""

    def __init__(self, path: Path = DATA / "confusions.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        table: dict[tuple[str, str], float] = {}
        measured = [p for p in data.get("pairs", []) if p.get("count", 0) >= MIN_COUNT]
        for pair in measured + data.get("from_seeds", []):
            letter, ocr = pair["correct"].lower(), pair["ocr"].lower()
            if len(ocr) != 1 or letter == ocr:
                continue
            table[(letter, ocr)] = max(table.get((letter, ocr), 0.0), float(pair["p"]))
        self.table = table
        self.sources = frozenset(o for (letter, o) in table if letter in SWEDISH_LETTERS)
        dropped = [p for p in measured if p["ocr"] == "" and p["correct"] in SWEDISH_LETTERS]
        self.p_dropped = max((float(p["p"]) for p in dropped), default=0.0)
        self.digit_i = frozenset(o for (letter, o) in table if letter == "i" and o.isdigit())

    def p(self, letter: str, ocr: str) -> float:
        return self.table.get((letter, ocr), 0.0)


@functools.lru_cache(maxsize=1)
def default_confusions() -> ConfusionModel:
    return ConfusionModel()


def _apply_case(original: str, restored: str) -> str:
    """The original's case: all capitals, a capital first letter, or lower case. (A capital
    inside a word is an OCR reading of a Swedish letter, "livsomrAdena": not kept.)"""
    if original.isupper() and len(original) > 1:
        return restored.upper()
    if original[0].isupper():
        return restored[0].upper() + restored[1:]
    return restored


class Restorer:
    """Restores tokens; memoised per lower-case token (text repeats its words)."""

    def __init__(self, lexicon: Lexicon | None = None, confusions: ConfusionModel | None = None):
        self.lex = lexicon or default_lexicon()
        self.conf = confusions or default_confusions()
        self._direct: dict[tuple[str, bool], list[tuple[float, str]]] = {}
        self._by_skeleton: dict[str, list[str]] | None = None
        wild = set(self.conf.sources) | set(SWEDISH_LETTERS) | {MERGED, DROPPED}
        self._wild = str.maketrans({c: "\2" for c in wild})
        self._unknown: dict[tuple[str, bool], Restoration | None] = {}

    # -- knowledge -------------------------------------------------------------------------
    def direct_candidates(self, low: str, merged: bool = False) -> list[tuple[float, str]]:
        """(score, word) for known words the token could be a garbling of, best first.
        `merged`: also try two OCR characters for one letter (whole tokens only: costly)."""
        cached = self._direct.get((low, merged))
        if cached is not None:
            return cached
        out: dict[str, float] = {}
        for variant in self._digit_variants(low):
            for score, word in self._masked_lookup(variant):
                if score > out.get(word, -99):
                    out[word] = score
            if variant != low and self.lex.zipf(variant) >= 2.0:
                out[variant] = max(out.get(variant, -99), self.lex.zipf(variant) - 0.5)
        if not out and merged:
            out = self._merged_candidates(low)
        result = sorted(((s, w) for w, s in out.items()), reverse=True)
        self._direct[(low, merged)] = result
        return result

    def warm(self) -> None:
        """Build the lookup index now rather than on the first unknown word."""
        self._masked_lookup("")

    def _may_restore(self, low: str) -> bool:
        """False when no known word shares the token's skeleton (a quick test that spares most
        compound-part substrings the full candidate search)."""
        if self._by_skeleton is None:
            self.warm()
        if self._skeleton(low) in self._by_skeleton:
            return True
        return not self.conf.digit_i.isdisjoint(low)  # "1" read for "i": the full search

    def _skeleton(self, word: str) -> str:
        """The word with every letter an OCR reading of å/ä/ö could stand in, and å/ä/ö
        themselves, as one wildcard: a garbled token and its word share their skeleton."""
        return word.translate(self._wild)

    def _masked_lookup(self, variant: str) -> list[tuple[float, str]]:
        """Known words equal to `variant` but for å/ä/ö at some of its confusable positions,
        with their scores (frequency, confusion probabilities, number of changes)."""
        if self._by_skeleton is None:
            index: dict[str, list[str]] = {}
            for w, z in self.lex.items():
                if z >= MIN_CANDIDATE_ZIPF and not SWEDISH_LETTERS.isdisjoint(w):
                    index.setdefault(self._skeleton(w), []).append(w)
            self._by_skeleton = index
        found = []
        p_of = self.conf.p
        for word in self._by_skeleton.get(self._skeleton(variant), ()):
            logp, k = 0.0, 0
            for c, w in zip(variant, word):
                if c == w:
                    continue
                if w not in SWEDISH_LETTERS:
                    break
                p = MERGED_P if c == MERGED else self.conf.p_dropped if c == DROPPED \
                    else p_of(w, c)
                if p <= 0:
                    break
                logp += math.log10(p)
                k += 1
            else:
                if k and ((MERGED not in variant and DROPPED not in variant)
                          or k <= MAX_MERGED):
                    found.append((self.lex.zipf(word) + CONFUSION_WEIGHT * logp
                                  - SUBSTITUTION_PENALTY * k, word))
        return found

    def _merged_candidates(self, low: str) -> dict[str, float]:
        """Two OCR characters for one Swedish letter ("Maitinstrument", "socialtjédnsten",
        "pad"): each adjacent pair of confusable characters tried as one masked letter; and
        a Swedish letter the OCR dropped ("frbattrad"): a masked letter inserted anywhere."""
        out: dict[str, float] = {}
        sources = self.conf.sources
        variants = [low[:i] + MERGED + low[i + 2:] for i in range(len(low) - 1)
                    if low[i] in sources and low[i + 1] in sources]
        if self.conf.p_dropped > 0 and len(low) >= 2:
            variants += [low[:i] + DROPPED + low[i:] for i in range(len(low) + 1)]
        for variant in variants:
            for score, word in self._masked_lookup(variant):
                out[word] = max(out.get(word, -99), score + MERGE_PENALTY)
        return out

    def _digit_variants(self, low: str) -> list[str]:
        """The token, and with "1" read as "i" where it stands among letters ("1mplementera")."""
        if self.conf.digit_i.isdisjoint(low) or not _HAS_LETTER.search(low):
            return [low]
        return [low, "".join("i" if c in self.conf.digit_i else c for c in low)]

    def is_known(self, low: str) -> bool:
        return self.lex.zipf(low) > 0

    def is_valid_as_is(self, low: str) -> bool:
        """A compound or inflected form of known words, read without any restoration."""
        return self._compound(low, restore=False) is not None

    @functools.lru_cache(maxsize=200_000)
    def _word_options(self, word: str, floor: float, restore: bool
                      ) -> tuple[tuple[float, str], ...]:
        """(score, text): the word itself if known, and its letter restorations."""
        options = {}
        z = self.lex.zipf(word)
        if z >= floor and word not in NOT_PARTS:
            # A part that is itself a common garbling ("for" of "för") counts for less.
            alternatives = self.direct_candidates(word)[:1]
            doubt = max((self.lex.zipf(w) - z for _, w in alternatives), default=0.0)
            options[word] = min(z, PART_CAP) - max(0.0, doubt)
        if restore and not self.conf.sources.isdisjoint(word) and self._may_restore(word):
            for score, cand in self.direct_candidates(word)[:3]:
                if self.lex.zipf(cand) >= floor and cand not in NOT_PARTS:
                    options.setdefault(cand, min(score, PART_CAP))
        return tuple(options.items())

    @functools.lru_cache(maxsize=200_000)
    def _part_options(self, part: str, last: bool, restore: bool) -> tuple[tuple[float, str], ...]:
        """(score, text) readings of one compound part: the part itself if known, its letter
        restorations (when `restore`); for a first part also a stem form ("föräldra" of
        "föräldrar"), for the last part a known stem plus an inflection ending
        ("förvaltning" + "arnas")."""
        floor = MIN_LAST_PART_ZIPF if last else MIN_PART_ZIPF
        options = {w: sc for w, sc in self._word_options(part, floor, restore)}
        if not last:
            for ending in STEM_ENDINGS:
                for text, score in self._word_options(part + ending, STEM_ZIPF, restore):
                    if text.endswith(ending):
                        options.setdefault(text[: -len(ending)], score - 0.3)
        else:
            for ending in INFLECTIONS:
                if not part.endswith(ending) or len(part) - len(ending) < 4:
                    continue
                for text, score in self._word_options(part[: -len(ending)], STEM_ZIPF, restore):
                    options.setdefault(text + ending, score - 0.5)
        return tuple(sorted(((sc, w) for w, sc in options.items()), reverse=True)[:3])

    def _compound(self, low: str, restore: bool) -> tuple[float, str] | None:
        """Best reading of the token as known parts: 1-4 parts (a single part only with an
        inflection ending), a linking -s- allowed between parts, the parts' letters restored
        when `restore`. Score: mean part score less a penalty per extra part.
        Returns (score, restored word) or None."""
        n = len(low)
        if n < 6 or not all(c.isalpha() or c in self.conf.sources for c in low):
            return None
        # best[end][count] = (sum of part scores, text) for low[:end] read as `count` parts
        best: list[dict[int, tuple[float, str]]] = [dict() for _ in range(n + 1)]
        best[0][0] = (0.0, "")
        for end in range(3, n + 1):
            last = end == n
            for start in range(max(0, end - 24), end - 2):
                if not best[start]:
                    continue
                part = low[start:end]
                readings = list(self._part_options(part, last, restore))
                if not last and part.endswith("s") and len(part) > 4:  # linking -s-
                    readings += [(sc, w + "s") for sc, w in
                                 self._part_options(part[:-1], False, restore)]
                # "process" + "stöd" is written "processtöd": of three equal consonants at a
                # boundary one is dropped, so the part may begin with the head's last letter.
                if start >= 2 and low[start - 1] == low[start - 2] \
                        and low[start - 1] not in "aeiouyåäö":
                    readings += [(sc, w[1:]) for sc, w in
                                 self._part_options(low[start - 1:end], last, restore)
                                 if w[:1] == low[start - 1]]
                for score, text in readings:
                    for count, (total, head) in best[start].items():
                        if count >= MAX_PARTS:
                            continue
                        key = count + 1
                        if key not in best[end] or total + score > best[end][key][0]:
                            best[end][key] = (total + score, head + text)
        # The parts' scores hold their own letters' confusion evidence, which the mean dilutes:
        # readings are compared with the rest of it given back, so that "ansékta" is "ansökta"
        # (é for ö is common) rather than "ans" + "äkta" (é for ä is rare).
        # (The choice only: the score returned is the plain one, which thresholds are set for.)
        readings = [(total / count - PART_PENALTY * (count - 1), text, count)
                    for count, (total, text) in best[n].items()]
        if not readings:
            return None
        score, text, _ = max(readings, key=lambda r: r[0] + (r[2] - 1) / r[2]
                             * self._letters_evidence(low, r[1]))
        return score, text

    def _letters_evidence(self, low: str, word: str) -> float:
        """Sum over restored letters of CONFUSION_WEIGHT * log10 P(reading | letter) (0 for
        readings of another length)."""
        if len(low) != len(word):
            return 0.0
        score = 0.0
        for c, w in zip(low, word):
            if c != w:
                p = self.conf.p(w, c)
                score += CONFUSION_WEIGHT * math.log10(p) if p > 0 else 0.0
        return score

    # -- decisions -------------------------------------------------------------------------
    def restore_unknown(self, low: str, compounds: bool = True) -> Restoration | None:
        """For a token no word list knows: its best restoration, if clearly better than reading
        it as it stands (a compound or inflected form of known words: "vräkningsförebyggande")."""
        key = (low, compounds)
        if key in self._unknown:
            return self._unknown[key]
        result = None
        direct = self.direct_candidates(low, merged=True)
        as_is_score = None  # the token read as it stands (worked out only when needed)
        if direct and direct[0][0] + DIRECT_BONUS > AS_IS_MAX + RESTORE_MARGIN:
            # No reading as it stands can score above AS_IS_MAX: no need to work it out.
            result = Restoration(direct[0][1], "letters")
        elif direct:
            as_is_score = self._as_is_score(low)
            if direct[0][0] + DIRECT_BONUS > as_is_score + RESTORE_MARGIN:
                result = Restoration(direct[0][1], "letters")
        if result is None and compounds \
                and not (self.conf.sources.isdisjoint(low) and self.conf.digit_i.isdisjoint(low)):
            for variant in self._digit_variants(low):
                compound = self._compound(variant, restore=True)
                if compound is None or compound[1] == low or compound[0] < MIN_COMPOUND_SCORE:
                    continue
                if as_is_score is None:
                    as_is_score = self._as_is_score(low)
                if compound[0] > as_is_score + RESTORE_MARGIN:
                    result = Restoration(compound[1], "letters:compound")
                    break
        self._unknown[key] = result
        return result

    def _as_is_score(self, low: str) -> float:
        as_is = self._compound(low, restore=False)
        return as_is[0] if as_is is not None else -99.0

    def restore_known(self, low: str) -> Restoration | None:
        """On a garbled page: a known word whose restored form is far more common."""
        z = self.lex.zipf(low)
        for score, word in self.direct_candidates(low)[:1]:
            if self.lex.zipf(word) >= z + KNOWN_WORD_DELTA and word != low:
                return Restoration(word, "letters")
        return None


def _is_abbreviation(token: str) -> bool:
    """"LSS", "FoU", "McKinsey"; but not "mOjlighet", whose capital is an OCR reading of ö."""
    if not _HAS_LETTER.search(token):
        return True
    if len(token) <= 4 and token.isupper():
        return True
    inner = [c for c in token[1:] if c.isupper()]
    if not inner or token.isupper():
        return False
    ocr_capitals = all(c.lower() in default_confusions().sources for c in inner)
    # "FoU" starts with a capital; "fGr" (för) and "mOjlighet" are OCR readings
    return not (ocr_capitals and (token[0].islower() or len(token) >= 4))


def _is_english(tokens: list[tuple[int, int, str]]) -> bool:
    lows = [t[2].lower() for t in tokens]
    en = sum(1 for w in lows if w in _EN_FUNCTION)
    if en < 2:
        return False
    return en > sum(1 for w in lows if w in _SV_FUNCTION)


_CONTEXT = object()  # a decision that depends on the neighbouring words
_SKIP = object()  # a token that is never a candidate (number, abbreviation, one letter)
_CACHE_LIMIT = 300_000


class LetterRestoration:
    """Proposes (start, end, replacement, rule) edits for one page's text.

    Decisions that depend only on the token and the page's mode are memoised per token text:
    archive text repeats its words, and this keeps the repair fast."""

    def __init__(self, restorer: Restorer | None = None, context: ContextModel | None = None):
        self.restorer = restorer or Restorer()
        self.context = context or default_context()
        self._decisions: dict[tuple[str, bool], object] = {}
        self._fixable: dict[str, bool | None] = {}

    @staticmethod
    def _tokens(text: str) -> list[list[tuple[int, int, str]]]:
        """(start, end, token) outside protected spans (URLs, e-mail, dnr, dates, amounts),
        grouped by line."""
        spans = [m.span() for m in _PROTECTED.finditer(text)]
        if "@" in text:
            spans = sorted(spans + [m.span() for m in _EMAIL.finditer(text)])
        lines: list[list[tuple[int, int, str]]] = [[]]
        k, n_spans, last_end = 0, len(spans), 0
        find = text.find
        for m in _TOKEN.finditer(text):
            start, end = m.span()
            if n_spans:
                while k < n_spans and spans[k][1] <= start:
                    k += 1
                if k < n_spans and spans[k][0] < end:
                    continue
            if find("\n", last_end, start) != -1:
                lines.append([])
            lines[-1].append((start, end, m.group()))
            last_end = end
        return lines

    def _is_fixable(self, tok: str) -> bool | None:
        """None: not a word to count; True: an unknown word with a restoration."""
        if len(tok) < 2 or _is_abbreviation(tok):
            fixable = None
        else:
            low = tok.lower()
            r = self.restorer
            fixable = not r.is_known(low) and r.restore_unknown(low) is not None
        if len(self._fixable) > _CACHE_LIMIT:
            self._fixable.clear()
        self._fixable[tok] = fixable
        return fixable

    def garble_level(self, lines: list[list[tuple[int, int, str]]]) -> float:
        words = fixable = 0
        known = self._fixable
        for tokens in lines:
            for _, _, tok in tokens:
                f = known.get(tok, _SKIP)
                if f is _SKIP:
                    f = self._is_fixable(tok)
                if f is not None:
                    words += 1
                    fixable += f
        return fixable / words if words else 0.0

    def edits(self, text: str) -> list[tuple[int, int, str, str]]:
        lines = self._tokens(text)
        garbled = self.garble_level(lines) >= GARBLED_PAGE
        out = []
        if garbled:  # "| bilaga 1" -> "I bilaga 1": the word "I" read as a bar or bracket
            out += [(m.start(1), m.end(1), "I", "letters:1-i") for m in _BAR_FOR_I.finditer(text)]
            if "<1>" in text or "</1>" in text:  # "<i>" read as "<1>": no tag begins with a digit
                out += [(m.start(1), m.end(1), "i", "letters:1-i")
                        for m in _TAG_1.finditer(text)]
        flat = [t for tokens in lines for t in tokens]
        words: list[str] = []  # each token as decided so far, lower case (the left context)
        decisions = self._decisions
        k = -1
        for tokens in lines:
            if not tokens:
                continue
            if _is_english(tokens):
                words += [t[2].lower() for t in tokens]
                k += len(tokens)
                continue
            for start, end, tok in tokens:
                k += 1
                decision = decisions.get((tok, garbled))
                if decision is None:
                    decision = self._decide_alone(tok, tok.lower(), garbled)
                    if len(decisions) > _CACHE_LIMIT:
                        decisions.clear()
                    decisions[(tok, garbled)] = decision
                if decision is _CONTEXT:
                    decision = self._decide_1(text, flat, k, words)
                elif isinstance(decision, Ambiguity):
                    decision = self._decide_ambiguous(decision, text, flat, k, words, garbled)
                if not isinstance(decision, Restoration):
                    words.append(tok.lower())
                    continue
                words.append(decision.after)
                after = _apply_case(tok, decision.after)
                if after[0] in "ÅÄÖ" and tok[0] in "AO" and tok[1:].islower() \
                        and _mid_sentence(text, start) \
                        and not _is_proper_name(decision.after):
                    after = after[0].lower() + after[1:]  # "ökat" read as "Okat"
                if after != tok:
                    out.append((start, end, after, decision.rule))
        return out

    def _decide_alone(self, tok: str, low: str, garbled: bool) -> object:
        """A Restoration, _SKIP (nothing to do), _CONTEXT ("1": ask _decide_1) or an
        Ambiguity (Swedish words either way: ask _decide_ambiguous)."""
        if low == "1":
            return _CONTEXT if garbled else _SKIP
        if len(low) < 2:
            return _SKIP
        if _is_abbreviation(tok):
            # "EAV" -> "EÅV": an abbreviation changes only into one the gazetteer lists
            if tok.isupper() and not self.restorer.is_known(low):
                for _, word in self.restorer.direct_candidates(low):
                    if word in gazetteer_words():
                        return Restoration(word, "letters")
            return _SKIP
        r = self.restorer
        known = r.is_known(low)
        if not known:
            # On a clean page only a whole known word may replace a token: a compound reading
            # would rewrite rare words and names ("kontraktering", "Hedenstedt").
            decision = r.restore_unknown(low, compounds=garbled) or _SKIP
        elif garbled:
            decision = r.restore_known(low) or _SKIP
        else:
            return _SKIP
        if garbled:
            return self._ambiguity(low, known, decision) or decision
        return decision

    def _ambiguity(self, low: str, known: bool, default: object) -> Ambiguity | None:
        """When the token's reading without context (`default`, else the token itself) and
        another of its readings are words of one context group ("man": man, män), their own
        evidence: log10 frequency plus log10 P(this reading | word)."""
        r = self.restorer
        first = default.after if isinstance(default, Restoration) else low
        key = self.context.group_of.get(first)
        if key is None:
            return None
        readings = {w for _, w in r.direct_candidates(low)[:MAX_READINGS]} | {low, first}
        evidence = {}
        for word in self.context.groups[key].members:
            if word in readings:
                logp = self._channel(low, word)
                if logp is not None:
                    evidence[word] = r.lex.zipf(word) + CHANNEL_WEIGHT * logp
        if len(evidence) < 2 or first not in evidence:
            return None
        return Ambiguity(key, tuple(evidence.items()), default)

    def _channel(self, low: str, word: str) -> float | None:
        """log10 P(OCR reads `low` | printed `word`), letter for letter; None if impossible."""
        if len(low) != len(word):
            return None
        logp = 0.0
        for c, w in zip(low, word):
            if c != w:
                p = self.restorer.conf.p(w, c)
                if p <= 0:
                    return None
                logp += math.log10(p)
        return logp

    @staticmethod
    def _neighbours(text: str, flat: list[tuple[int, int, str]], k: int, words: list[str],
                    resolve) -> dict[str, str]:
        """The words next to token k: L1 the word before (as decided), R1 the word after (as it
        would be decided alone); "<s>"/"</s>" across a sentence end, "<num>" for a number."""
        if k == 0 or _SENTENCE_END.search(text, flat[k - 1][1], flat[k][0]):
            left = "<s>"
        else:
            left = _context_word(words[k - 1])
        if k + 1 == len(flat) or _SENTENCE_END.search(text, flat[k][1], flat[k + 1][0]):
            right = "</s>"
        else:
            right = _context_word(resolve(flat[k + 1][2]))
        return {"L1": left, "R1": right}

    def _resolve(self, tok: str, garbled: bool) -> str:
        """A token as decided alone (for the right context), lower case."""
        decision = self._decisions.get((tok, garbled))
        if decision is None:
            decision = self._decide_alone(tok, tok.lower(), garbled)
            self._decisions[(tok, garbled)] = decision
        if isinstance(decision, Ambiguity):
            decision = decision.default
        return decision.after if isinstance(decision, Restoration) else tok.lower()

    def _decide_ambiguous(self, amb: Ambiguity, text: str, flat, k: int, words: list[str],
                          garbled: bool) -> object:
        neighbours = self._neighbours(text, flat, k, words,
                                      lambda tok: self._resolve(tok, garbled))
        evidence = dict(amb.evidence)
        low = flat[k][2].lower()
        if "år" in evidence and "är" in evidence:  # "ar 2018", "i ar", "per ar": år
            prev, nxt = neighbours.get("L1", ""), neighbours.get("R1", "")
            if nxt == "<num>" or prev == "<num>" or prev in _YEAR_BEFORE:
                return Restoration("år", "letters:context")
        scores = self.context.scores(amb.group, evidence, neighbours)
        if scores is None:
            if "år" in evidence and "är" in evidence:
                return Restoration("är", "letters:context")
            return amb.default
        first = amb.default.after if isinstance(amb.default, Restoration) else low
        best = max(scores, key=scores.get)
        if best == first or scores[best] < scores[first] + CONTEXT_MARGIN:
            return amb.default
        if best == low:
            return _SKIP
        return Restoration(best, "letters:context")

    @staticmethod
    def _decide_1(text: str, flat, k: int, words: list[str]) -> Restoration | None:
        """"1" is the word "i" between words ("1 bilagan"), not after "bilaga" or before
        "januari", "kr"."""
        _, end, _ = flat[k]
        prev = words[k - 1] if k > 0 else ""
        nxt = flat[k + 1][2] if k + 1 < len(flat) else ""
        gap = text[end:end + 1]
        if (gap == " " or (gap == "\n" and nxt[:1].islower())) and nxt and nxt[0].isalpha() \
                and nxt.lower() not in _NUMBER_AFTER \
                and prev not in _NUMBER_BEFORE and not prev.isdigit():
            return Restoration("i", "letters:1-i")
        return None


def _context_word(word: str) -> str:
    return "<num>" if word.isdigit() else word


def _is_proper_name(word: str) -> bool:
    """A name the gazetteer writes with a capital, also inflected ("Östermalms")."""
    names = proper_names()
    return word in names or (word.endswith("s") and word[:-1] in names)


def _mid_sentence(text: str, start: int) -> bool:
    """The token at `start` follows a word or comma on its line (no capital is due there)."""
    before = text[max(0, start - 40):start].rstrip(" \t")
    if not before or before.endswith("\n"):
        return False
    return before[-1].isalnum() or before[-1] in ",;"


@functools.lru_cache(maxsize=1)
def default_restoration() -> LetterRestoration:
    return LetterRestoration()


def restoration_for(domain_path: Path | None) -> LetterRestoration:
    """The restoration with the catalog's domain lexicon, if that file exists."""
    if domain_path is None or not Path(domain_path).is_file():
        return default_restoration()
    return _restoration_with_domain(str(domain_path), Path(domain_path).stat().st_mtime_ns)


@functools.lru_cache(maxsize=2)
def _restoration_with_domain(path: str, mtime_ns: int) -> LetterRestoration:
    return LetterRestoration(Restorer(Lexicon(read_domain(Path(path)))))


__all__ = ["LetterRestoration", "Restorer", "ConfusionModel", "default_restoration"]
