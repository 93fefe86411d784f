"""PDF -> pages: the text layer per page (pdfminer.six); pages whose text layer is missing or
unusable are rendered (pypdfium2, config.ocr_dpi) and OCRed. A scanned page (one image covering
most of it) whose text layer looks garbled (few known Swedish words: old English-model OCR) is
OCRed again, and the better text (more known words) is kept."""
from __future__ import annotations

import logging
import unicodedata
from pathlib import Path
from typing import Callable

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTFigure, LTPage, LTTextContainer, LTTextLine

from kunskapsbank.config import Config

from .errors import IngestError
from .ocr import is_blank, ocr_image
from .quality import known_word_ratio, looks_garbled
from .rawpage import RawPage

log = logging.getLogger(__name__)

MIN_LETTERS = 20
# Layout analysis: pdfminer's defaults keep lines intact; all_texts also analyses text drawn
# inside form XObjects (figures), which some producers use for whole pages.
LAPARAMS = dict(line_margin=0.5, char_margin=2.0, word_margin=0.1, boxes_flow=0.5,
                detect_vertical=False, all_texts=True)


def text_layer_problem(text: str) -> str | None:
    """Why a page's text layer cannot be used (English), or None when it is usable."""
    cid = text.count("(cid:")
    nonspace = [c for c in text if not c.isspace()]
    letters = sum(1 for c in nonspace if c.isalpha())
    if letters - 3 * cid < MIN_LETTERS:
        return f"text layer has fewer than {MIN_LETTERS} letters"
    garbage = 4 * cid + sum(1 for c in nonspace
                            if c == "\ufffd" or unicodedata.category(c) in ("Co", "Cc", "Cs", "Cn"))
    if garbage > 0.2 * len(nonspace):
        return "text layer is mostly unmapped glyphs or garbage characters"
    if letters < 0.4 * len(nonspace):
        return "text layer has too few letters among its characters"
    return None


def _layout_text(page: LTPage) -> str:
    """The page's text line by line in reading order, rows rebuilt from positions: text lines
    side by side (table cells, a letterhead beside an address) share one output line, separated
    by a tab, as OCR of the same page would give them; a larger vertical gap gives a blank
    line. pdfminer's own box order reads a table column by column."""
    lines: list[LTTextLine] = []

    def walk(container) -> None:
        for obj in container:
            if isinstance(obj, LTTextLine):
                if obj.get_text().strip():
                    lines.append(obj)
            elif isinstance(obj, (LTTextContainer, LTFigure)):
                walk(obj)

    walk(page)
    if not lines:
        return ""
    lines.sort(key=lambda l: (-l.y1, l.x0))
    rows: list[list[LTTextLine]] = []
    for line in lines:
        row = rows[-1] if rows else None
        if row is not None and _same_row(row[0], line):
            row.append(line)
        else:
            rows.append([line])
    out: list[str] = []
    previous = None
    for row in rows:
        row.sort(key=lambda l: l.x0)
        if previous is not None:
            height = max(previous[0].height, 1.0)
            if previous[0].y0 - row[0].y1 > 0.8 * height:
                out.append("")
        out.append("\t".join(l.get_text().strip() for l in row))
        previous = row
    return "\n".join(out) + "\n"


def _same_row(a: LTTextLine, b: LTTextLine) -> bool:
    """Two text lines on one row: their vertical extents overlap by half the smaller height."""
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    return overlap > 0.5 * min(a.height, b.height)


def _pdfminer_texts(path: Path, n_pages: int, warnings_out: list[str]) -> list[str | None]:
    texts: list[str | None] = [None] * n_pages
    try:
        for i, page in enumerate(extract_pages(path, laparams=LAParams(**LAPARAMS))):
            if i >= n_pages:
                break
            texts[i] = _layout_text(page)
    except Exception as exc:  # pdfminer raises many kinds of errors on damaged files
        log.warning("%s: pdfminer failed (%s: %s); using PDFium's text layer",
                    path.name, exc.__class__.__name__, exc)
        warnings_out.append(f"pdfminer could not read the text layer ({exc.__class__.__name__}); "
                            "used PDFium's text extraction instead")
        return [None] * n_pages
    return texts


def _pdfium_text(page) -> str:
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_bounded()
    finally:
        textpage.close()
    # PDFium marks line-end hyphens with U+FFFE.
    return text.replace("\ufffe", "-").replace("\r\n", "\n").replace("\r", "\n")


def is_scanned_page(page, min_area: float = 0.6) -> bool:
    """True when one image covers most of the page (a scan, perhaps with an OCR text layer)."""
    width, height = page.get_size()
    page_area = max(width * height, 1.0)
    try:
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            left, bottom, right, top = obj.get_bounds()
            if (right - left) * (top - bottom) >= min_area * page_area:
                return True
    except (pdfium.PdfiumError, AttributeError, ValueError):
        return False
    return False


def open_pdf(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg or "security" in msg:
            raise IngestError("PDF-filen är lösenordsskyddad (krypterad) och kan inte läsas in.",
                              f"encrypted PDF: {exc}") from exc
        raise IngestError("Filen är inte en giltig PDF. Den kan vara skadad.",
                          f"corrupt PDF: {exc}") from exc


def extract_pdf_pages(path: Path, config: Config, warnings_out: list[str],
                      on_page: Callable[[int, int], None] | None = None) -> list[RawPage]:
    """The PDF's pages; `on_page(done, total)` is called after each page."""
    path = Path(path)
    pdf = open_pdf(path)
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise IngestError("PDF-filen har inga sidor.", "PDF with zero pages")
        texts = _pdfminer_texts(path, n_pages, warnings_out)
        pages: list[RawPage] = []
        for i in range(n_pages):
            number = i + 1
            page = pdf[i]
            try:
                text = texts[i]
                if text is None:
                    text = _pdfium_text(page)
                text = unicodedata.normalize("NFC", text)
                problem = text_layer_problem(text)
                if problem is None and looks_garbled(text) and is_scanned_page(page):
                    # A scan whose text layer came from a poor OCR (e.g. an English model on
                    # Swedish): OCR it again; the better of the two texts is kept below.
                    problem = "scanned page with a garbled OCR text layer"
                elif problem is None:
                    pages.append(RawPage(text, "text-layer"))
                    continue
                log.info("%s page %d: %s; rendering for OCR", path.name, number, problem)
                image = page.render(scale=config.ocr_dpi / 72, grayscale=True).to_pil()
                if image.mode != "L":
                    image = image.convert("L")
                if is_blank(image):
                    pages.append(RawPage(text, "text-layer"))
                    continue
                result = ocr_image(image, config, dpi=config.ocr_dpi)
                if result.error:
                    warnings_out.append(f"page {number}: OCR failed: {result.error}")
                if problem.startswith("scanned page") and (
                        result.error or known_word_ratio(result.text)[0] <= known_word_ratio(text)[0]):
                    pages.append(RawPage(text, "text-layer"))  # our OCR is no better: keep the layer
                    continue
                pages.append(RawPage(result.text, "ocr", ocr=True, confidence=result.confidence,
                                     from_cache=result.from_cache))
            finally:
                page.close()
            if on_page is not None:
                on_page(number, n_pages)
        return pages
    finally:
        pdf.close()
