"""Plain text files: encoding detection (UTF-8 first, then charset-normalizer with a preference
for cp1252, the usual legacy encoding of Swedish files); pages split at form feeds."""
from __future__ import annotations

import logging
import re
from pathlib import Path

from charset_normalizer import from_bytes

from .errors import IngestError

log = logging.getLogger(__name__)

_SWEDISH = re.compile(r"[åäöÅÄÖéÉ]")
_ODD = re.compile(r"[^\w\s.,;:!?()\[\]{}'\"«»”“’‘/\\&%§@#*+=<>|~^$€£–—-]")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[str, str]] = []
    try:
        candidates.append((data.decode("cp1252"), "cp1252"))
    except UnicodeDecodeError:
        candidates.append((data.decode("latin-1"), "latin-1"))
    best = from_bytes(data).best()
    if best is not None and best.encoding not in ("cp1252", "latin_1", "iso8859_1"):
        candidates.append((str(best), best.encoding))

    def score(item: tuple[str, str]) -> tuple[int, int]:
        text = item[0]
        return (len(_SWEDISH.findall(text)) - 3 * len(_ODD.findall(text)), item[1] == "cp1252")

    text, encoding = max(candidates, key=score)
    return text, encoding


def extract_txt_pages(path: Path) -> tuple[list[str], str]:
    """Return (pages, encoding)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise IngestError("Filen kunde inte läsas.", f"cannot read file: {exc}") from exc
    if not data.strip():
        raise IngestError("Filen är tom.", "empty text file")
    text, encoding = decode_bytes(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages = text.split("\f") if "\f" in text else [text]
    if len(pages) > 1 and not pages[-1].strip():
        pages = pages[:-1]  # a trailing form feed ends the last page, it does not start one
    log.debug("%s decoded as %s, %d page(s)", path, encoding, len(pages))
    return pages, encoding
