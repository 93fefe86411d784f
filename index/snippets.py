"""Snippets shown under a hit: passages around the matches with the matched words marked, or
the text's start when nothing matches."""
from __future__ import annotations

import html
import re

SNIPPET_CHARS = 220


def plain_snippet(text: str) -> str:
    """The start of the text, escaped, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= SNIPPET_CHARS:
        return html.escape(text)
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return html.escape(text[: cut if cut > 0 else SNIPPET_CHARS]) + " …"


WINDOW = 160  # characters of context kept on each side of a match
MAX_WINDOWS = 3
# a folded letter in a stem stands for these in the text (any case)
_UNFOLD = {"a": "[aåäáàæ]", "o": "[oöø]", "e": "[eéèêë]", "u": "[uü]"}


def excerpt_around(text: str, stems: list[str]) -> str:
    """The parts of `text` around the first matches of `stems` (lowercase, å/ä/ö folded word
    beginnings), joined; the highlighter then looks at a few hundred words, not the whole
    document. Falls back to the text's start."""
    if not stems:
        return text[:2 * WINDOW * MAX_WINDOWS]
    # the stems' letters widened to their unfolded forms, matched case-insensitively: no
    # folded copy of the whole text is made (that cost more than the match)
    alternatives = sorted({"".join(_UNFOLD.get(c, re.escape(c)) for c in stem)
                           for stem in stems}, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(alternatives) + r")\w*", re.IGNORECASE)
    spans: list[list[int]] = []
    for m in pattern.finditer(text):
        start, end = max(0, m.start() - WINDOW), min(len(text), m.end() + WINDOW)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = end
        elif len(spans) < MAX_WINDOWS:
            spans.append([start, end])
        else:
            break
    if not spans:
        return text[:2 * WINDOW * MAX_WINDOWS]
    return "\n…\n".join(text[s:e] for s, e in spans)


FRAGMENT_CHARS = 220  # a highlighted passage at most about this long
SURROUND = 70  # characters of context before the first and after the last match of a passage


def highlight(text: str, spans: list[tuple[int, int]], top: int = 2) -> str:
    """The `top` passages of `text` with the most distinct matched words, in text order,
    joined by " … "; the matches (sorted (start, end) spans) in <mark>, everything escaped.
    '' when there are no spans. (Whoosh's highlighter made a token object per word and scored
    fragments token by token: a quarter of a results page.)"""
    passages = []
    i = 0
    while i < len(spans):
        first = spans[i][0]
        j = i + 1
        while j < len(spans) and spans[j][1] - first <= FRAGMENT_CHARS - 2 * SURROUND:
            j += 1
        group = spans[i:j]
        distinct = len({text[s:e].lower() for s, e in group})
        passages.append((-distinct, -len(group), i, group))
        i = j
    chosen = sorted(sorted(passages)[:top], key=lambda p: p[2])
    return " … ".join(_marked(text, group) for *_, group in chosen)


def _marked(text: str, group: list[tuple[int, int]]) -> str:
    start = max(0, group[0][0] - SURROUND)
    if start > 0:  # begin and end on whole words
        space = text.find(" ", start, group[0][0])
        start = space + 1 if space >= 0 else start
    end = min(len(text), group[-1][1] + SURROUND)
    if end < len(text):
        space = text.rfind(" ", group[-1][1], end)
        end = space if space >= 0 else end
    out, at = [], start
    for s, e in group:
        out.append(html.escape(text[at:s]) + "<mark>" + html.escape(text[s:e]) + "</mark>")
        at = e
    out.append(html.escape(text[at:end]))
    return " ".join("".join(out).split())
