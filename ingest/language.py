"""Language detection (langdetect, seeded so the same text always gives the same answer)."""
from __future__ import annotations

import logging

from langdetect import DetectorFactory, LangDetectException, detect_langs

log = logging.getLogger(__name__)

DetectorFactory.seed = 0

SAMPLE_CHARS = 5000
MIN_LETTERS = 20


def detect_language(text: str) -> str | None:
    """ISO 639-1 code ("sv", "en", ...) of the text, or None when too short/undetectable."""
    sample = text[:SAMPLE_CHARS]
    if sum(c.isalpha() for c in sample) < MIN_LETTERS:
        return None
    DetectorFactory.seed = 0
    try:
        langs = detect_langs(sample)
    except LangDetectException as exc:
        log.debug("language detection failed: %s", exc)
        return None
    if not langs or langs[0].prob < 0.5:
        return None
    return langs[0].lang
