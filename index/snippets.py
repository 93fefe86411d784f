"""Snippets shown under a hit when the highlighter has nothing to mark."""
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


WINDOW = 300  # characters of context kept on each side of a match
MAX_WINDOWS = 3


def excerpt_around(text: str, stems: list[str], folded: str | None = None) -> str:
    """The parts of `text` around the first matches of `stems` (lowercase, å/ä/ö folded word
    beginnings), joined; the highlighter then analyses a few hundred words, not the whole
    document (re-analysing every hit's full text cost ~5x the query itself). `folded` is the
    text lowercased and folded character for character. Falls back to the text's start."""
    if not stems or folded is None or len(folded) != len(text):
        return text[:2 * WINDOW * MAX_WINDOWS]
    pattern = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, set(stems)), key=len,
                                                      reverse=True)) + r")\w*")
    spans: list[list[int]] = []
    for m in pattern.finditer(folded):
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
