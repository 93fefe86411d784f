"""Decide a file's media type from its content (magic bytes), never from its name."""
from __future__ import annotations

import zipfile
from pathlib import Path

from .errors import IngestError

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TXT = "text/plain"

IMAGE_TYPES = (PNG, JPEG, TIFF)

_HEAD = 8192


def detect_media_type(path: Path) -> str:
    """Return the media type of `path`, or raise IngestError (empty/unsupported)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(_HEAD)
    except OSError as exc:
        raise IngestError("Filen kunde inte läsas.", f"cannot read file: {exc}") from exc
    if size == 0 or not head.strip(b" \t\r\n\f\x00"):
        raise IngestError("Filen är tom.", "empty file")
    # PDF: the header may be preceded by junk (readers accept it within the first 1024 bytes).
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return TIFF
    if head.startswith(b"PK\x03\x04"):
        if _is_docx(path):
            return DOCX
        raise IngestError(
            "Filtypen stöds inte. Zip-filer och andra Office-format än Word (.docx) kan inte läsas in.",
            "zip container without word/document.xml",
        )
    if _looks_like_text(head):
        return TXT
    raise IngestError(
        "Filtypen stöds inte. Tillåtna format är PDF, PNG, JPEG, TIFF, Word (.docx) och text (.txt).",
        f"unknown binary content (first bytes {head[:8].hex()})",
    )


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return "word/document.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    # Control characters other than whitespace/form feed are rare in text files.
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if controls > max(2, len(head) // 100):
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a multi-byte sequence cut by the read
            return True
    # Not UTF-8: single-byte text (cp1252/latin-1) is plausible when most bytes are printable.
    printable = sum(1 for b in head if b >= 32 or b in (9, 10, 12, 13))
    return printable / len(head) > 0.95
