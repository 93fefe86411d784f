"""process(): one file -> ProcessedDocument. Pure: writes nothing but the OCR cache."""
from __future__ import annotations

import hashlib
import logging
import time
import unicodedata
from pathlib import Path
from typing import Callable

from kunskapsbank.config import Config
from kunskapsbank.model import Page, ProcessedDocument

from . import detect
from .docx import extract_docx_text
from .errors import IngestError
from .image import extract_image_pages
from .language import detect_language
from .metadata import extract_metadata
from .ocr import OCR_FORMAT_VERSION
from .pdf import extract_pdf_pages
from .projects import extract_projects
from .rawpage import RawPage
from .letters import restoration_for
from .quality import text_quality
from .repair import repair_pages
from .txt import extract_txt_pages

log = logging.getLogger(__name__)

#: One version per stage, the one place they live: bump a stage's whenever it would give a
#: different result for the same file. `reindex --reprocess --only-stale` compares them.
STAGE_VERSIONS = {
    "extract": "extract-1",
    "ocr": OCR_FORMAT_VERSION,
    "repair": "repair-3",
    "metadata": "meta-2",
    "projects": "projects-1",
}
PIPELINE_VERSION = ".".join(STAGE_VERSIONS.values())


def stale_stages(pipeline_version: str) -> list[str]:
    """The stages whose version in `pipeline_version` (as stored with a document) differs from
    this program's; [] when the document is current."""
    stored = set(pipeline_version.split("."))
    return [stage for stage, version in STAGE_VERSIONS.items() if version not in stored]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def process(path: Path, *, filename: str | None = None, config: Config | None = None,
            sha256: str | None = None,
            on_page: Callable[[int, int], None] | None = None) -> ProcessedDocument:
    """Turn one file into a ProcessedDocument. Raises IngestError for bad input.
    `on_page(done, total)` is called as pages are read (progress for the job page)."""
    path = Path(path)
    config = config or Config.from_env()
    filename = filename or path.name
    started = time.monotonic()
    if not path.is_file():
        raise IngestError("Filen finns inte eller kunde inte läsas.", f"not a file: {path}")
    media_type = detect.detect_media_type(path)
    try:
        sha256 = sha256 or sha256_file(path)
    except OSError as exc:
        raise IngestError("Filen kunde inte läsas.", f"cannot read file: {exc}") from exc

    warnings: list[str] = []
    try:
        raw_pages = _extract(path, media_type, config, warnings, on_page)
    except IngestError:
        raise
    except Exception as exc:  # a library choking on odd input: report it, never a bare traceback
        log.exception("unexpected error extracting %s (%s)", filename, media_type)
        raise IngestError("Filen kunde inte läsas in. Den kan vara skadad eller i ett format som "
                          "inte stöds.", f"unexpected {exc.__class__.__name__} while extracting "
                          f"{media_type}: {exc}") from exc
    if not raw_pages:
        raw_pages = [RawPage("", "txt")]
    for rp in raw_pages:
        rp.text = unicodedata.normalize("NFC", rp.text)

    letters = restoration_for(config.domain_lexicon_path)
    texts, repairs = repair_pages([rp.text for rp in raw_pages], letters)
    pages = [
        Page(number=i + 1, raw_text=rp.text, text=unicodedata.normalize("NFC", text),
             source=rp.source, ocr=rp.ocr, ocr_confidence=rp.confidence,
             from_cache=rp.from_cache, quality=text_quality(text, letters))
        for i, (rp, text) in enumerate(zip(raw_pages, texts))
    ]
    full_text = "\n\n".join(p.text for p in pages)
    if not full_text.strip():
        warnings.append("no text found in the document")
    metadata = extract_metadata([p.text for p in pages])
    doc = ProcessedDocument(
        sha256=sha256,
        filename=filename,
        media_type=media_type,
        pages=pages,
        language=detect_language(full_text),
        metadata=metadata,
        pipeline_version=PIPELINE_VERSION,
        projects=extract_projects([p.text for p in pages], metadata),
        repairs=repairs,
        warnings=warnings,
    )
    log.info("processed %s (%s): %d page(s), %d OCR, %d repair(s), %.1f s", filename, media_type,
             len(pages), len(doc.ocr_pages), len(repairs), time.monotonic() - started)
    return doc


def _extract(path: Path, media_type: str, config: Config, warnings: list[str],
             on_page: Callable[[int, int], None] | None = None) -> list[RawPage]:
    if media_type == detect.PDF:
        return extract_pdf_pages(path, config, warnings, on_page=on_page)
    if media_type in detect.IMAGE_TYPES:
        return extract_image_pages(path, config, warnings)
    if media_type == detect.DOCX:
        return [RawPage(extract_docx_text(path), "docx")]
    if media_type == detect.TXT:
        pages, _encoding = extract_txt_pages(path)
        return [RawPage(p, "txt") for p in pages]
    raise IngestError("Filtypen stöds inte.", f"no extractor for {media_type}")
