"""The one wrapper around Tesseract (via pytesseract), with a per-page result cache.

Tesseract is always run with OMP_THREAD_LIMIT=1 (its OpenMP threads are a trap on small, busy
machines; parallelism comes from processes) and with a timeout. Text and word confidences come
from ONE Tesseract run (TSV output, reconstructed into lines and paragraphs).

Cache: one JSON file per page image in `config.ocr_cache_dir`, keyed by sha256 of the page
image's pixels (mode, size, raw bytes: independent of PNG/zlib versions), the Tesseract version,
the language and the settings string. Failures are never cached.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytesseract
from PIL import Image

from kunskapsbank.config import Config

log = logging.getLogger(__name__)

#: Bump when the way text is reconstructed from Tesseract output changes (part of the cache key).
OCR_FORMAT_VERSION = "ocr-1"
PSM = 3  # fully automatic page segmentation, no OSD


@dataclass
class OcrResult:
    text: str
    confidence: float | None  # mean word confidence 0-100; None when no words were found
    from_cache: bool = False
    error: str | None = None  # English reason when Tesseract failed (text is then "")


@functools.lru_cache(maxsize=1)
def tesseract_version() -> str:
    return str(pytesseract.get_tesseract_version())


def settings_string(dpi: int | None) -> str:
    return f"--psm {PSM}" + (f" --dpi {int(dpi)}" if dpi else "")


def cache_key(image: Image.Image, lang: str, settings: str) -> str:
    h = hashlib.sha256()
    h.update(f"{OCR_FORMAT_VERSION}\0{tesseract_version()}\0{lang}\0{settings}\0".encode())
    h.update(f"{image.mode}\0{image.size[0]}x{image.size[1]}\0".encode())
    h.update(image.tobytes())
    return h.hexdigest()


def is_blank(image: Image.Image, dark_fraction: float = 0.0005) -> bool:
    """True when the image has (almost) no dark pixels: nothing for Tesseract to read."""
    gray = image.convert("L")
    hist = gray.histogram()
    dark = sum(hist[:128])
    return dark <= dark_fraction * gray.size[0] * gray.size[1]


def ocr_image(image: Image.Image, config: Config, *, dpi: int | None = None) -> OcrResult:
    """OCR one page image (cached). Never raises for Tesseract trouble: see OcrResult.error."""
    lang = config.ocr_language
    settings = settings_string(dpi)
    key = cache_key(image, lang, settings)
    cache_file = Path(config.ocr_cache_dir) / key[:2] / f"{key}.json"
    cached = _read_cache(cache_file)
    if cached is not None:
        return OcrResult(cached["text"], cached.get("confidence"), from_cache=True)

    os.environ["OMP_THREAD_LIMIT"] = "1"  # inherited by the tesseract process pytesseract spawns
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="kb-ocr-") as tmp:
            # PNM, not PNG: no compression to spend ~90 ms per 300 dpi page on (writing) and
            # again in Tesseract (reading); the pixels, and so the text, are the same
            pnm = image.mode in ("1", "L", "RGB")
            img_path = os.path.join(tmp, "page.pnm" if pnm else "page.png")
            image.save(img_path, format="PPM" if pnm else "PNG")
            data = pytesseract.image_to_data(
                img_path, lang=lang, config=settings, timeout=config.ocr_timeout,
                output_type=pytesseract.Output.DICT)
    except RuntimeError as exc:  # pytesseract raises RuntimeError on timeout
        reason = f"Tesseract timed out after {config.ocr_timeout} s" if "timeout" in str(exc).lower() \
            else f"Tesseract failed: {exc}"
        log.warning("%s", reason)
        return OcrResult("", None, error=reason)
    except (pytesseract.TesseractError, pytesseract.TesseractNotFoundError, OSError) as exc:
        reason = f"Tesseract failed: {exc}"
        log.warning("%s", reason)
        return OcrResult("", None, error=reason)

    text, confidence = text_from_data(data)
    text = unicodedata.normalize("NFC", text)
    log.debug("OCR %dx%d px in %.1f s, confidence %s", image.size[0], image.size[1],
              time.monotonic() - started, confidence)
    _write_cache(cache_file, {"text": text, "confidence": confidence, "tesseract": tesseract_version(),
                              "lang": lang, "settings": settings, "format": OCR_FORMAT_VERSION})
    return OcrResult(text, confidence)


def text_from_data(data: dict) -> tuple[str, float | None]:
    """Rebuild plain text from Tesseract's TSV data: words joined by spaces, lines by newlines,
    paragraphs and blocks separated by a blank line. Also the mean word confidence."""
    paragraphs: list[list[list[str]]] = []  # paragraph -> lines -> words
    current_par = None
    current_line = None
    confs: list[float] = []
    n = len(data.get("text", []))
    for i in range(n):
        word = (data["text"][i] or "").strip()
        if not word:
            continue
        par_key = (data["page_num"][i], data["block_num"][i], data["par_num"][i])
        line_key = par_key + (data["line_num"][i],)
        if par_key != current_par:
            paragraphs.append([])
            current_par = par_key
            current_line = None
        if line_key != current_line:
            paragraphs[-1].append([])
            current_line = line_key
        paragraphs[-1][-1].append(word)
        try:
            conf = float(data["conf"][i])
        except (TypeError, ValueError):
            conf = -1.0
        if conf >= 0:
            confs.append(conf)
    text = "\n\n".join("\n".join(" ".join(words) for words in par) for par in paragraphs)
    confidence = round(sum(confs) / len(confs), 2) if confs else None
    return (text + "\n" if text else ""), confidence


def _read_cache(path: Path) -> dict | None:
    try:
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            return data
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable OCR cache file %s: %s", path, exc)
    return None


def _write_cache(path: Path, payload: dict) -> None:
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False)
        os.replace(tmp, path)  # atomic: concurrent workers never see half a file
        tmp = None
    except OSError as exc:
        log.warning("could not write OCR cache file %s: %s", path, exc)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
