"""Checks on a file a user hands in (web upload and replace): the name it came with, and whether
its content is what its name claims. The content decides the type; a file whose name claims
another kind (a ".pdf" that is text or an image) is refused as the wrong file, surely."""
from __future__ import annotations

import unicodedata
from pathlib import Path

from ingest import detect
from ingest.errors import IngestError

CLAIMED = {".pdf": (detect.PDF,), ".docx": (detect.DOCX,),
           ".png": detect.IMAGE_TYPES, ".jpg": detect.IMAGE_TYPES,
           ".jpeg": detect.IMAGE_TYPES, ".tif": detect.IMAGE_TYPES, ".tiff": detect.IMAGE_TYPES}
KIND_SV = {detect.PDF: "en PDF", detect.DOCX: "ett Word-dokument", detect.PNG: "en bild (PNG)",
           detect.JPEG: "en bild (JPEG)", detect.TIFF: "en bild (TIFF)",
           detect.TXT: "vanlig text"}
CLAIM_SV = {".pdf": "en PDF", ".docx": "ett Word-dokument"}


class Refused(Exception):
    """A file we will not process: `message_sv` for the user, `reason_en` for the log."""

    def __init__(self, message_sv: str, reason_en: str):
        super().__init__(reason_en)
        self.message_sv = message_sv
        self.reason_en = reason_en


def clean_filename(raw: str) -> str:
    """The name the user's computer gave, without any directory part or control characters."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[:255] or "namnlös fil"


def media_type_of(path: Path, filename: str) -> str:
    """The file's media type by content; raises Refused when it is unreadable or not what its
    name says."""
    try:
        media_type = detect.detect_media_type(path)
    except IngestError as exc:
        raise Refused(exc.message_sv, exc.reason_en) from exc
    suffix = Path(filename).suffix.lower()
    if suffix in CLAIMED and media_type not in CLAIMED[suffix]:
        raise Refused(f"Filen heter {suffix} men är inte {CLAIM_SV.get(suffix, 'en bild')}: "
                      f"innehållet är {KIND_SV[media_type]}. Kontrollera att det är rätt fil.",
                      f"name says {suffix} but content is {media_type}")
    return media_type
