"""First text repair for Swedish documents.

The repair is a list of rules (RULES). Each rule looks at the pages and proposes edits
(start, end, replacement) on a page's current text; the engine applies them and records every
change as a `Repair(page, offset, before, after, rule)` whose offset points into the page's RAW
text (each page keeps a map from current characters to raw offsets). A later issue adds rules
by appending to RULES.

Rules, in order:
  nfc          Unicode NFC normalisation
  mojibake     ftfy: UTF-8 read as cp1252/latin-1 ("fÃ¶r" -> "för"), ligatures ("ﬁ" -> "fi");
               quotes, dashes and HTML entities are left alone; then the Swedish letters'
               mojibake sequences ftfy leaves in mixed lines ("Ã¥" -> "å")
  placeholder  Word field/placeholder junk ("Error! Use the Home tab to apply Rubrik 1 ...")
  page-number  page number lines ("Sida 2 (6)", "Sida 2 av 6")
  furniture    header/footer lines repeated at the top/bottom of at least half of the pages;
               the first occurrence in the document is kept (it carries the dnr, the type)
  hyphenation  words split across line ends are joined ("utvecklings-\\nprojekt");
               real hyphens are kept ("Signs-of-\\nSafety", "FoU-\\nmedel", "e-\\npost");
               suspended hyphens are left alone ("forsknings-\\noch lokala")
  letters      OCR letter restoration (ingest.letters): "Socialndmnden godkinner" ->
               "Socialnämnden godkänner", "1 bilagan" -> "i bilagan"; rule names
               "letters", "letters:compound", "letters:context", "letters:1-i"

The whole rule list is run until a pass changes nothing (at most MAX_PASSES), which makes the
repair idempotent: repair(repair(x)) == repair(x).
"""
from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Callable, Iterable

import ftfy
from wordfreq import zipf_frequency

from kunskapsbank.model import Repair

from .letters import LetterRestoration, default_restoration

MAX_PASSES = 3

# --------------------------------------------------------------------------------------------
# Engine


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    after: str
    rule: str | None = None  # overrides the rule's name (e.g. "letters:compound")


class PageText:
    """A page's current text plus, for every character, its offset in the raw text."""

    def __init__(self, number: int, raw: str):
        self.number = number
        self.raw = raw
        self.text = raw
        self.origin = list(range(len(raw) + 1))  # one extra entry: the end

    def apply(self, edits: Iterable[Edit], rule: str) -> list[Repair]:
        edits = sorted(edits, key=lambda e: (e.start, e.end))
        repairs: list[Repair] = []
        pieces: list[str] = []
        origin: list[int] = []
        pos = 0
        for e in edits:
            if e.start < pos or e.end < e.start or e.end > len(self.text):
                continue  # overlapping or invalid: skip (the next pass may redo it)
            before = self.text[e.start:e.end]
            if before == e.after:
                continue
            pieces.append(self.text[pos:e.start])
            origin.extend(self.origin[pos:e.start])
            pieces.append(e.after)
            origin.extend([self.origin[e.start]] * len(e.after))
            repairs.append(Repair(page=self.number, offset=self.origin[e.start], before=before,
                                  after=e.after, rule=e.rule or rule))
            pos = e.end
        if not repairs:
            return []
        pieces.append(self.text[pos:])
        origin.extend(self.origin[pos:])
        self.text = "".join(pieces)
        self.origin = origin
        return repairs


class Rule:
    """A repair rule: `edits(page, state)` proposes edits on one page's current text.
    `prepare(pages)` runs once per pass before the pages are visited and returns the state
    handed to `edits` (for cross-page rules). Rules keep no state of their own (thread-safe)."""

    name = "rule"

    def prepare(self, pages: list[PageText]) -> object:
        return None

    def edits(self, page: PageText, state: object) -> list[Edit]:
        raise NotImplementedError


def _line_spans(text: str) -> Iterable[tuple[int, int]]:
    """(start, end) of each line, end excluding the newline."""
    start = 0
    for m in re.finditer("\n", text):
        yield start, m.start()
        start = m.end()
    yield start, len(text)


def _diff_edits(old: str, new: str, base: int) -> list[Edit]:
    """Minimal edits turning old into new (character diff), offsets shifted by base."""
    out = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            out.append(Edit(base + i1, base + i2, new[j1:j2]))
    return out


class LineTransformRule(Rule):
    """A rule given by a function applied to each line."""

    def __init__(self, name: str, fn: Callable[[str], str],
                 applies: Callable[[str], bool] = lambda text: True):
        self.name = name
        self.fn = fn
        self.applies = applies  # a quick test on the whole page: False skips every line

    def edits(self, page, state):
        if not self.applies(page.text):
            return []
        out = []
        for start, end in _line_spans(page.text):
            line = page.text[start:end]
            fixed = self.fn(line)
            if fixed != line:
                out.extend(_diff_edits(line, fixed, start))
        return out


class RegexRemovalRule(Rule):
    """Remove every match of a pattern; a line left empty by the removal goes with it."""

    def __init__(self, name: str, pattern: re.Pattern):
        self.name = name
        self.pattern = pattern

    def edits(self, page, state):
        text = page.text
        out = []
        for m in self.pattern.finditer(text):
            start, end = m.start(), m.end()
            line_start = text.rfind("\n", 0, start) + 1
            nl = text.find("\n", end)
            line_end = len(text) if nl < 0 else nl
            if not text[line_start:start].strip() and not text[end:line_end].strip():
                start, end = line_start, (line_end + 1 if nl >= 0 else line_end)
            out.append(Edit(start, end, ""))
        return out


# --------------------------------------------------------------------------------------------
# Rules

_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # not HTML: "&amp;" in a document stays as printed
    uncurl_quotes=False,  # Swedish ”citat” and ’ are kept
    fix_character_width=False,
    fix_line_breaks=False,  # line structure is ours to keep
    normalization="NFC",
    explain=False,
)


# Characters without which ftfy has nothing to fix: the lead bytes of UTF-8 read as cp1252 or
# latin-1 ("Ã¥", "â€"), the C1/latin-1 symbol range and ligatures. Clean Swedish lines (å, ä,
# ö, é, dashes, quotes) skip ftfy, which is slow.
_MOJIBAKE_HINT = re.compile("[\u0080-\u00bf\u00c2\u00c3\u00e2\u0152\u0153\u0160\u0161"
                            "\u0178\u017d\u017e\u0192\u02c6\u02dc\u2030\u2039\u203a\u20ac"
                            "\u2122\ufb00-\ufb06]")


def _ftfy_line(line: str) -> str:
    if line.isascii() or not _MOJIBAKE_HINT.search(line):
        return line
    return ftfy.fix_text(line, config=_FTFY_CONFIG)


# UTF-8 Swedish letters read as cp1252/latin-1. ftfy fixes whole lines, but leaves pieces such
# as "Ã¥r" when the line also holds correct letters; these sequences never occur in Swedish.
_SV_MOJIBAKE = {"Ã¥": "å", "Ã¤": "ä", "Ã¶": "ö", "Ã…": "Å", "Ã„": "Ä", "Ã–": "Ö", "Ã©": "é",
                "Ã¼": "ü", "Ã\u0085": "Å", "Ã\u0084": "Ä", "Ã\u0096": "Ö"}
_SV_MOJIBAKE_RE = re.compile("|".join(map(re.escape, _SV_MOJIBAKE)))


def _sv_mojibake_line(line: str) -> str:
    if "Ã" not in line:
        return line
    return _SV_MOJIBAKE_RE.sub(lambda m: _SV_MOJIBAKE[m.group(0)], line)


_PLACEHOLDER = re.compile(
    r"Error!\s+Use\s+the\s+Home\s+tab\s+to\s+apply\s[\s\S]{1,80}?\s+to\s+appear\s+here\."
    r"|Error!\s+(?:Reference\s+source\s+not\s+found|Bookmark\s+not\s+defined"
    r"|No\s+text\s+of\s+specified\s+style\s+in\s+document|Unknown\s+document\s+property\s+name)\."
    r"|Fel!\s+Använd\s+fliken\s+Start[\s\S]{1,100}?\s+visas\s+här\."
    r"|Fel!\s+(?:Referenskällan?\s+hittades\s+inte|Bokmärket\s+är\s+inte\s+definierat"
    r"|Det\s+finns\s+ingen\s+text\s+med\s+angivet\s+format\s+i\s+dokumentet)\.",
)

_PAGE_NUMBER = re.compile(
    r"^[ \t]*Sida[ \t]+[0-9Il|&OoSs]{1,3}[ \t]*"
    r"(?:\([ \t]*[0-9Il|&OoSs]{1,3}[ \t]*\)|av[ \t]+[0-9]{1,3})?[ \t]*$",
    re.MULTILINE,
)


class FurnitureRule(Rule):
    """Lines repeated in the top/bottom ZONE lines of at least half the pages (and at least two
    pages) are page furniture: removed everywhere except their first occurrence."""

    name = "furniture"
    ZONE = 6

    @staticmethod
    def key(line: str) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.strip().lower()))

    def _zone_lines(self, text: str) -> list[tuple[int, int]]:
        spans = [(s, e) for s, e in _line_spans(text) if text[s:e].strip()]
        zone = min(self.ZONE, max(1, len(spans) // 4))  # short pages: a smaller zone
        if len(spans) <= 2 * zone:
            return spans
        return spans[:zone] + spans[-zone:]

    def prepare(self, pages):
        state = {"furniture": set(), "seen": set()}
        if len(pages) < 2:
            return state
        counts: Counter[str] = Counter()
        for page in pages:
            keys = {self.key(page.text[s:e]) for s, e in self._zone_lines(page.text)}
            counts.update(k for k in keys if len(k) >= 1)
        threshold = max(2, math.ceil(len(pages) / 2))
        state["furniture"] = {k for k, c in counts.items() if c >= threshold}
        return state

    def edits(self, page, state):
        furniture, seen = state["furniture"], state["seen"]
        if not furniture:
            return []
        out = []
        text = page.text
        for s, e in self._zone_lines(text):
            k = self.key(text[s:e])
            if k not in furniture:
                continue
            if k not in seen:
                seen.add(k)  # keep the first occurrence in the document
                continue
            end = e + 1 if e < len(text) and text[e] == "\n" else e
            out.append(Edit(s, end, ""))
        return out


# Line-end hyphenation. prefix: the word before the hyphen (may itself contain hyphens);
# then the hyphen (or soft hyphen), the line break (at most one blank line), the next fragment.
_HYPHEN = re.compile(
    r"(?<![\w-])(?P<prefix>\w+(?:-\w+)*)(?P<hyphen>[-\u00ad])(?P<ws>[ \t]*\n(?:[ \t]*\n)?[ \t]*)"
    r"(?P<frag>\w+)(?![\w-])(?P<punct>[^\s\w-]*)(?P<trail>[ \t]*)"
)
_SUSPENDED = {"och", "eller", "samt", "resp", "respektive", "som", "till", "and", "or", "&"}


def hyphen_decision(prefix: str, frag: str) -> str | None:
    """'join' (drop the hyphen), 'keep' (join, keeping the hyphen) or None (leave as is)."""
    if frag.lower() in _SUSPENDED:
        return None  # "forsknings- och lokala": a suspended hyphen
    if "-" in prefix:
        return "keep"  # "Signs-of-Safety", "Enskede-Årsta-Vantör"
    if frag[0].isupper():
        return "keep"  # "Hägersten-Liljeholmen"
    if any(c.isdigit() for c in prefix + frag):
        return "keep"  # "2012-2013", "LSS-2019"
    if len(prefix) == 1 or any(c.isupper() for c in prefix[1:]):
        return "keep"  # "e-post", "FoU-medel", "SIG-insatsen"
    joined = prefix + frag
    if (zipf_frequency(joined, "sv") == 0 and zipf_frequency(prefix, "sv") < 2
            and zipf_frequency(frag, "sv") < 2 and zipf_frequency(prefix, "en") >= 3.5
            and zipf_frequency(frag, "en") >= 3.5):
        return "keep"  # English compounds in Swedish text: "follow-up", "evidence-based"
    return "join"  # Swedish compounds are written closed: "utvecklings-projekt" -> one word


class HyphenationRule(Rule):
    name = "hyphenation"

    def edits(self, page, state):
        out = []
        text = page.text
        for m in _HYPHEN.finditer(text):
            decision = hyphen_decision(m["prefix"], m["frag"])
            if decision is None:
                continue
            line_end = text.find("\n", m.end())
            rest = text[m.end(): len(text) if line_end < 0 else line_end]
            hyphen = "-" if decision == "keep" else ""
            newlines = "\n" * m["ws"].count("\n") if rest.strip() else ""
            # Move the fragment (with punctuation glued to it) up to the first line; the rest
            # of its line stays where it was.
            out.append(Edit(m.start("hyphen"), m.end(),
                            hyphen + m["frag"] + m["punct"] + newlines))
        return out


# The letter restoration in use for the current repair_pages() call (a domain lexicon may differ
# per data directory); a ContextVar keeps concurrent calls apart.
_LETTERS: ContextVar[LetterRestoration | None] = ContextVar("letters", default=None)


class LetterRule(Rule):
    """OCR letter restoration (ingest.letters): å/ä/ö and "1" -> "i"."""

    name = "letters"

    def prepare(self, pages):
        return _LETTERS.get() or default_restoration()

    def edits(self, page, state):
        return [Edit(start, end, after, rule) for start, end, after, rule in state.edits(page.text)]


RULES: list[Rule] = [
    LineTransformRule("nfc", lambda s: unicodedata.normalize("NFC", s),
                      lambda text: not unicodedata.is_normalized("NFC", text)),
    LineTransformRule("mojibake", _ftfy_line,
                      lambda text: not text.isascii() and _MOJIBAKE_HINT.search(text) is not None),
    LineTransformRule("mojibake", _sv_mojibake_line, lambda text: "Ã" in text),
    RegexRemovalRule("placeholder", _PLACEHOLDER),
    RegexRemovalRule("page-number", _PAGE_NUMBER),
    FurnitureRule(),
    HyphenationRule(),
    LetterRule(),
]


# --------------------------------------------------------------------------------------------
# Public API


def repair_pages(raw_pages: list[str], letters: LetterRestoration | None = None
                 ) -> tuple[list[str], list[Repair]]:
    """Repair the pages of one document. Returns (repaired pages, repairs made).
    `letters`: the letter restoration to use (default: without a domain lexicon)."""
    token = _LETTERS.set(letters)
    try:
        return _repair_pages(raw_pages)
    finally:
        _LETTERS.reset(token)


def _repair_pages(raw_pages: list[str]) -> tuple[list[str], list[Repair]]:
    pages = [PageText(i + 1, raw) for i, raw in enumerate(raw_pages)]
    repairs: list[Repair] = []
    for _ in range(MAX_PASSES):
        changed = False
        for rule in RULES:
            state = rule.prepare(pages)
            for page in pages:
                made = page.apply(rule.edits(page, state), rule.name)
                if made:
                    changed = True
                    repairs.extend(made)
        if not changed:
            break
    return [p.text for p in pages], repairs


def warm() -> None:
    """Load what the repair loads on first use (word lists, the letter lookup index, the context
    model; wordfreq's lists that the hyphenation rule asks, Swedish and English)."""
    default_restoration().restorer.warm()
    zipf_frequency("och", "sv")
    zipf_frequency("follow", "en")


def repair_text(text: str) -> tuple[str, list[Repair]]:
    """Repair a text; form feeds separate pages (kept in the output)."""
    pages = text.split("\f")
    repaired, repairs = repair_pages(pages)
    return "\f".join(repaired), repairs
