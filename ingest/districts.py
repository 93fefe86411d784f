"""Gazetteer of Stockholm's stadsdelsförvaltningar: which district an owner string names.

The data (current districts, former districts merged into them, abbreviations, areas) lives in
ingest/data/districts.json. The mergers took effect on 1 July 2020 (Hägersten-Liljeholmen and
Älvsjö into Hägersten-Älvsjö) and 1 July 2023 (Rinkeby-Kista and Spånga-Tensta into Järva). Matching works on words folded to lower-case ASCII (å/ä→a, ö→o,
é→e), with hyphens, slashes and spaces alike and a genitive -s allowed on the last word:
  1. exact entries, longest first (names, former names, areas, exclusions); abbreviations
     ("EÅV") case-sensitively;
  2. rapidfuzz for OCR variants of district and former-district names, on words not already
     matched or matched only as areas ("Enskede-Arsta-Vant0r" would otherwise be two areas);
     a common Swedish word ("första", "fasta") is never read as a garbled name, and a name
     must beat every other district by FUZZY_MARGIN. Areas and abbreviations are never fuzzy.

`score` is the similarity (0-100) of the folded text to the folded entry: 100 for an exact
name and for an ASCII spelling ("Skarholmen"), the rapidfuzz ratio (at most 99) for an OCR
variant; the reason tells the three apart.
"""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

DATA_FILE = Path(__file__).parent / "data" / "districts.json"
# rapidfuzz ratio a garbled name needs: one wrong letter in "Södermalm" ("S0dermalm") scores
# 88.9. Names under 8 letters need more: one wrong letter in "Farsta" scores 83.3, as do real
# words ("frosta", "fastat"); one extra letter ("Farstta") scores 92.3.
FUZZY_THRESHOLD = 85.0
FUZZY_THRESHOLD_SHORT = 90.0
FUZZY_MARGIN = 8.0      # the best district must beat every other district by this much
FUZZY_MIN_LEN = 6       # shorter words ("Järva") are matched exactly only
COMMON_WORDS = 100_000  # how many of wordfreq's Swedish words count as "common"

_TOKEN = re.compile(r"\w+")
_GAP = re.compile(r"[\s\-/\u00ad\u2010-\u2015]*")  # what may separate the words of one name
_FOLD = str.maketrans("åäöéèüæøáà", "aaoeeuaoaa")
_OCR = (("rn", "m"), ("0", "o"), ("1", "l"))  # common OCR misreadings, undone before fuzzy matching


@dataclass(frozen=True)
class DistrictMatch:
    canonical: str            # current district, one of CANONICAL
    historical: str | None    # former district the text names (or implies), else canonical
    matched: str              # the text that matched
    score: float              # similarity to the entry's spelling, 0-100
    reason: str               # short English explanation


@dataclass(frozen=True)
class _Entry:
    kind: str                 # "name", "former", "area", "abbreviation", "exclusion"
    label: str                # spelling in the data file
    canonical: str = ""
    former: str | None = None  # former district the entry belongs to
    merged_year: int | None = None


def fold(text: str) -> str:
    """Lower-case ASCII-ish form used for matching: 'Östermalms' -> 'ostermalms'."""
    return unicodedata.normalize("NFC", text).lower().translate(_FOLD)


def _key(label: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in _TOKEN.findall(label))


def _load() -> tuple[tuple[str, ...], dict[tuple[str, ...], _Entry], dict[str, _Entry],
                    list[_Entry]]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    canonical, exact, abbreviations, names = [], {}, {}, []

    def add(entry: _Entry) -> None:
        key = _key(entry.label)
        if key in exact and exact[key] != entry:
            raise ValueError(f"districts.json: {entry.label!r} is listed twice")
        exact[key] = entry

    for d in data["districts"]:
        name = d["name"]
        canonical.append(name)
        groups = [(None, None, d)]
        groups += [(f["name"], int(f["merged"][:4]), f) for f in d.get("former", [])]
        for former, year, group in groups:
            if former:
                entry = _Entry("former", former, name, former, year)
                add(entry)
                names.append(entry)
            for abbr in group.get("abbreviations", []):
                abbreviations[abbr] = _Entry("abbreviation", abbr, name, former, year)
            for area in group.get("areas", []):
                if _key(area) != _key(former or ""):
                    add(_Entry("area", area, name, former, year))
        entry = _Entry("name", name, name)
        add(entry)
        names.append(entry)
    for label in data.get("exclusions", []):
        add(_Entry("exclusion", label))
    return tuple(canonical), exact, abbreviations, names


CANONICAL, _EXACT, _ABBREVIATIONS, _NAMES = _load()
_MAX_WORDS = max(len(k) for k in _EXACT)
_FORMER = {e.label: e for e in _NAMES if e.kind == "former"}
_FUZZY_TARGETS = [(e, "".join(_key(e.label)), len(_key(e.label)),
                   FUZZY_THRESHOLD_SHORT if len("".join(_key(e.label))) < 8 else FUZZY_THRESHOLD)
                  for e in _NAMES]


def display_name(canonical: str) -> str:
    """'Farsta' -> 'Farsta stadsdelsförvaltning' (also for a former district's name)."""
    if canonical not in CANONICAL and canonical not in _FORMER:
        raise ValueError(f"not a Stockholm district: {canonical!r}")
    return f"{canonical} stadsdelsförvaltning"


@functools.lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    from wordfreq import top_n_list
    return frozenset(fold(w) for w in top_n_list("sv", COMMON_WORDS))


def _variants(window: str, repaired: str, target: str) -> set[str]:
    """The window as read, with OCR misreadings undone, and both without a genitive -s."""
    forms = {window, repaired}
    if not target.endswith("s"):
        forms |= {f[:-1] for f in forms if f.endswith("s")}
    return forms


def _is_exact(matched: str, label: str) -> bool:
    """Same letters as the entry's spelling, up to case, separators and a genitive -s."""
    a, b = " ".join(_TOKEN.findall(matched.lower())), " ".join(_TOKEN.findall(label.lower()))
    return b in (a, a[:-1])


def _describe(entry: _Entry, matched: str, score: float, year: int | None) -> DistrictMatch:
    exact = _is_exact(matched, entry.label)
    variant = "" if exact else "ASCII variant of " if score == 100 else "ASCII/OCR variant of "
    scored = "" if score == 100 else f" (score {score:g})"
    historical = entry.canonical
    if entry.kind == "name":
        reason = f"{variant}{entry.label}{scored}" if variant else "exact name"
    elif entry.kind == "former":
        historical = entry.former
        merged = f"merged into {entry.canonical} in {entry.merged_year}"
        reason = (f"{variant}former district {entry.former}{scored}, {merged}" if variant
                  else f"former district {entry.former} {merged}")
    elif entry.kind == "abbreviation":
        historical = entry.former or entry.canonical
        reason = f"abbreviation {entry.label} for {entry.former or entry.canonical}"
    else:
        reason = f"area {entry.label} in {entry.canonical}"
        if entry.former and year is not None and year < entry.merged_year:
            historical = entry.former
            reason += f" ({entry.former} in {year})"
    return DistrictMatch(entry.canonical, historical, matched, score, reason)


def _fuzzy_name(window: str, k: int) -> tuple[float, _Entry] | None:
    """(score, entry) of the district or former-district name that the folded `k` words
    `window` garble, if it is close enough and clearly closer than any other district."""
    repaired = window
    for wrong, right in _OCR:
        repaired = repaired.replace(wrong, right)
    best: dict[str, tuple[float, _Entry, float]] = {}  # canonical -> (score, entry, needed)
    for entry, target, words, needed in _FUZZY_TARGETS:
        if words in (k, k + 1):  # the name's words, or one fewer (two run together)
            score = max(fuzz.ratio(w, target) for w in _variants(window, repaired, target))
            if score > best.get(entry.canonical, (0.0,))[0]:
                best[entry.canonical] = (score, entry, needed)
    ranked = sorted(best.values(), key=lambda b: -b[0])
    if not ranked:
        return None
    top, entry, needed = ranked[0]
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    if top < needed or top - runner_up < FUZZY_MARGIN:
        return None
    return round(min(top, 99.0), 1), entry


def _scan(text: str, strict: bool) -> list[tuple[int, int, _Entry, float]]:
    """(first token, end token, entry, score) for every mention; strict wants a capital letter."""
    tokens = list(_TOKEN.finditer(text))
    words = [fold(t.group()) for t in tokens]
    joined = [i + 1 < len(tokens) and _GAP.fullmatch(text, tokens[i].end(), tokens[i + 1].start())
              is not None for i in range(len(tokens))]  # token i and i+1 may belong to one name

    def span_ok(i: int, k: int) -> bool:
        if i + k > len(tokens) or not all(joined[i:i + k - 1]):
            return False
        return not strict or tokens[i].group()[0].isupper()

    hits: list[tuple[int, int, _Entry, float]] = []
    taken: dict[int, str] = {}  # token -> kind of the entry that matched it
    i = 0
    while i < len(tokens):  # pass 1: exact, longest first
        for k in range(min(_MAX_WORDS, len(tokens) - i), 0, -1):
            if not span_ok(i, k):
                continue
            key = tuple(words[i:i + k])
            entry = _EXACT.get(key)
            if entry is None and key[-1].endswith("s") and len(key[-1]) > 3:
                entry = _EXACT.get(key[:-1] + (key[-1][:-1],))
            if entry is None and k == 1:
                entry = _ABBREVIATIONS.get(tokens[i].group())
            if entry is not None:
                taken.update((j, entry.kind) for j in range(i, i + k))
                if entry.kind != "exclusion":
                    hits.append((i, i + k, entry, 100.0))
                i += k
                break
        else:
            i += 1

    # pass 2: fuzzy names on words that are free or only areas, touching at least one free word
    fuzzy = []
    for i in range(len(tokens)):
        for k in range(1, _MAX_WORDS + 1):
            if not span_ok(i, k):
                break
            span = range(i, i + k)
            if any(taken.get(j, "area") != "area" for j in span) or all(j in taken for j in span):
                continue
            window = "".join(words[i:i + k])
            if len(window) < FUZZY_MIN_LEN or (k == 1 and window in _common_words()):
                continue
            found = _fuzzy_name(window, k)
            if found:
                fuzzy.append((*found, k, i))
    for top, entry, k, i in sorted(fuzzy, key=lambda f: (-f[0], -f[2], f[3])):
        span = range(i, i + k)
        if any(taken.get(j, "area") != "area" for j in span):
            continue  # overlaps a better fuzzy match
        hits = [h for h in hits if h[1] <= i or h[0] >= i + k]
        hits.append((i, i + k, entry, top))
        for j in span:
            taken[j] = "fuzzy"
    hits.sort(key=lambda h: h[0])
    return [(tokens[s].start(), tokens[e - 1].end(), entry, score) for s, e, entry, score in hits]


def find_all(text: str, year: int | None = None) -> list[tuple[int, int, DistrictMatch]]:
    """Every district mention in a longer text as (start, end, match), in text order.

    Only capitalised words count here ("kista" is a coffin, "Kista" a place)."""
    return [(start, end, _describe(entry, text[start:end], score, year))
            for start, end, entry, score in _scan(text, strict=True)]


_PRIORITY = {"name": 0, "former": 0, "abbreviation": 1, "area": 2}


def resolve(text: str, year: int | None = None) -> DistrictMatch | None:
    """The district an owner string names ("Spånga-Tensta sdf" -> Järva), or None.

    With several mentions, a district name beats an abbreviation, which beats an area; then
    the higher score, then the earlier mention. `year` (the document's year) decides whether
    an area is reported with the former district it belonged to then."""
    hits = _scan(text, strict=False)
    if not hits:
        return None
    start, end, entry, score = min(hits, key=lambda h: (_PRIORITY[h[2].kind], -h[3], h[0]))
    return _describe(entry, text[start:end], score, year)
