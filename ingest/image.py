"""Raster images (PNG, JPEG, TIFF; every TIFF frame is a page) -> OCR pages."""
from __future__ import annotations

import logging
import warnings
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from kunskapsbank.config import Config

from .errors import IngestError
from .ocr import is_blank, ocr_image
from .rawpage import RawPage

log = logging.getLogger(__name__)


def to_ocr_mode(image: Image.Image) -> Image.Image:
    """A grayscale ("L") copy suitable for Tesseract: transparency flattened onto white,
    16-bit and CMYK images converted, EXIF orientation applied."""
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # broken EXIF must not stop OCR
        pass
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda v: v * (1 / 256)).convert("L")
    if image.mode == "F":
        image = image.convert("L")
    if image.mode != "L":
        image = image.convert("RGB").convert("L")
    return image


def image_dpi(image: Image.Image) -> int | None:
    dpi = image.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else None
    except (TypeError, ValueError, IndexError):
        value = None
    return value if value and 70 <= value <= 1200 else None


def extract_image_pages(path: Path, config: Config, warnings_out: list[str]) -> list[RawPage]:
    """One RawPage per frame; a blank frame is not OCRed (empty text)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                frames = []
                for frame in ImageSequence.Iterator(img):
                    frame.load()
                    frames.append((to_ocr_mode(frame.copy()), image_dpi(frame)))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise IngestError("Bilden kunde inte läsas. Filen kan vara skadad.",
                          f"unreadable image: {exc.__class__.__name__}: {exc}") from exc
    if not frames:
        raise IngestError("Bilden kunde inte läsas. Filen kan vara skadad.", "image without frames")
    pages = []
    for number, (frame, dpi) in enumerate(frames, start=1):
        if is_blank(frame):
            log.info("%s: frame %d is blank, not OCRed", path.name, number)
            pages.append(RawPage("", "ocr"))
            continue
        result = ocr_image(frame, config, dpi=dpi)
        if result.error:
            warnings_out.append(f"page {number}: OCR failed: {result.error}")
        pages.append(RawPage(result.text, "ocr", ocr=True, confidence=result.confidence,
                             from_cache=result.from_cache))
    return pages
