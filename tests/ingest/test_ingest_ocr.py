"""OCR with the real Tesseract (swe): a few small pages only (~2 s each)."""
from __future__ import annotations

import dataclasses
import json

from PIL import Image

from ingest_helpers import SWEDISH_LINES, render_text_image, write_text_pdf
from ingest import process
from ingest.detect import PDF, PNG, TIFF


def _words(text: str) -> set[str]:
    return set(text.replace(".", " ").replace(",", " ").split())


def test_image_only_pdf_is_ocred_and_cached(tmp_path, config):
    path = tmp_path / "skannad.pdf"
    render_text_image(SWEDISH_LINES).save(path, format="PDF", resolution=300)
    doc = process(path, config=config)
    assert doc.media_type == PDF
    page = doc.pages[0]
    assert page.ocr and page.source == "ocr" and not page.from_cache
    assert doc.ocr_pages == [1]
    words = _words(page.text)
    for w in ("Förvaltningens", "förslag", "Socialnämnden", "godkänner", "Ärendet",
              "överlämnas", "stadsdelsnämnderna", "kännedom", "utifrån", "önskemål"):
        assert w in words, (w, page.text)
    assert page.ocr_confidence is not None and page.ocr_confidence > 50
    assert doc.language == "sv"
    assert doc.warnings == []
    cache_files = list(config.ocr_cache_dir.rglob("*.json"))
    assert len(cache_files) == 1
    assert json.loads(cache_files[0].read_text(encoding="utf-8"))["text"] == page.raw_text
    # Only the OCR cache was written under the data directory.
    assert {p.relative_to(config.home).parts[0] for p in config.home.rglob("*")} == {"cache"}

    again = process(path, config=config)
    assert again.pages[0].from_cache
    assert again.pages[0].raw_text == page.raw_text
    assert again.pages[0].ocr_confidence == page.ocr_confidence
    assert again.text == doc.text


def test_png_is_ocred(tmp_path, config):
    path = tmp_path / "sida1.png"
    img = render_text_image(["Lokala utvecklingsmedel för år 2024",
                             "Ansökningarna har bedömts utifrån huvudkriterierna."], font_px=50)
    img.convert("RGB").save(path, dpi=(300, 300))
    doc = process(path, config=config)
    assert doc.media_type == PNG
    assert len(doc.pages) == 1 and doc.pages[0].ocr
    assert "utvecklingsmedel för år 2024" in doc.text
    assert "huvudkriterierna" in doc.text
    assert doc.pages[0].ocr_confidence > 50


def test_multipage_tiff_blank_frame_not_ocred(tmp_path, config):
    path = tmp_path / "scan.tif"
    text = render_text_image(["Särskilt uttalande från ledamöterna."], font_px=50)
    blank = Image.new("L", text.size, 255)
    text.save(path, save_all=True, append_images=[blank], dpi=(300, 300))
    doc = process(path, config=config)
    assert doc.media_type == TIFF
    assert len(doc.pages) == 2
    assert "uttalande" in doc.pages[0].text and doc.pages[0].ocr
    assert doc.pages[1].text == "" and not doc.pages[1].ocr


def test_tesseract_timeout_is_a_warning_not_a_crash(tmp_path, config):
    path = tmp_path / "timeout.png"
    render_text_image(["Tesseract hinner inte läsa den här sidan."]).save(path)
    impatient = dataclasses.replace(config, ocr_timeout=0.001)
    doc = process(path, config=impatient)
    assert doc.pages[0].text == ""
    assert doc.pages[0].ocr and doc.pages[0].ocr_confidence is None
    assert any("OCR failed" in w and "timed out" in w for w in doc.warnings)
    assert not list(config.ocr_cache_dir.rglob("*.json"))  # failures are not cached


GARBLED_LAYER = [  # what an English-model OCR made of SWEDISH_LINES, repeated to 30+ words
    "Forvaltningens forslag till beslut",
    "Socialndmnden godkdnner forslaget om fordelning av",
    "lokala utvecklingsmedel for ar 2024.",
    "Arendet 6verlamnas till stadsdelsnimnderna for kinnedom.",
    "Stodet ges utifrén forvaltningarnas behov och 6nskemal.",
] * 2


def test_scan_with_garbled_text_layer_is_ocred_again(tmp_path, config):
    scan = render_text_image(SWEDISH_LINES * 2, height_px=3508)
    path = write_text_pdf(tmp_path / "gammal-ocr.pdf", [GARBLED_LAYER], scans=[scan])
    doc = process(path, config=config)
    assert doc.ocr_pages == [1] and doc.pages[0].source == "ocr"
    assert "Socialnämnden godkänner förslaget" in doc.text
    assert "Socialndmnden" not in doc.text


def test_garbled_text_layer_without_scan_is_kept(tmp_path, config):
    """Without a page image there is nothing better to OCR: the layer is kept as it is."""
    path = write_text_pdf(tmp_path / "textlager.pdf", [GARBLED_LAYER])
    doc = process(path, config=config)
    assert doc.ocr_pages == [] and "Socialndmnden godkdnner" in doc.raw_text
    assert "Socialnämnden godkänner" in doc.text  # the letter repair still works on it
