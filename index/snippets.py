"""Snippets shown under a hit when the highlighter has nothing to mark."""
from __future__ import annotations

import html

SNIPPET_CHARS = 220


def plain_snippet(text: str) -> str:
    """The start of the text, escaped, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= SNIPPET_CHARS:
        return html.escape(text)
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return html.escape(text[: cut if cut > 0 else SNIPPET_CHARS]) + " …"
