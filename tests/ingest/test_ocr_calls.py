"""Tesseract runs once per page, never twice (bench/bench_ocr.py measures what that costs): the
real tesseract, behind a logging shim put where pytesseract looks for the command."""
from __future__ import annotations

import os
import shutil

import pytesseract
import pytest

from ingest_helpers import SWEDISH_LINES, render_text_image, write_text_pdf
from ingest import process
from test_ingest_ocr import GARBLED_LAYER


@pytest.fixture
def tesseract_calls(tmp_path, monkeypatch):
    """A list that grows by one line each time the tesseract command is run."""
    log = tmp_path / "calls.log"
    shim = tmp_path / "tesseract"
    shim.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{shutil.which("tesseract")}" "$@"\n')
    shim.chmod(0o755)
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(shim))

    def calls() -> list[str]:
        lines = log.read_text().splitlines() if log.exists() else []
        return [line for line in lines if "--version" not in line]
    return calls


def test_a_scan_is_ocred_once_and_then_read_from_the_cache(tmp_path, config, tesseract_calls):
    path = tmp_path / "skannad.png"
    render_text_image(SWEDISH_LINES[:2], width_px=1400).save(path, dpi=(300, 300))
    doc = process(path, config=config)
    assert doc.ocr_pages == [1] and "Socialnämnden" in doc.text
    assert len(tesseract_calls()) == 1
    assert "--psm 3" in tesseract_calls()[0] and "-l swe" in tesseract_calls()[0]
    again = process(path, config=config)
    assert again.pages[0].from_cache and len(tesseract_calls()) == 1


def test_a_garbled_text_layer_over_a_scan_costs_one_ocr_run(tmp_path, config, tesseract_calls):
    """The text layer is judged from its own text; only the page's OCR runs Tesseract."""
    scan = render_text_image(SWEDISH_LINES * 2, height_px=3508)
    path = write_text_pdf(tmp_path / "lager.pdf", [GARBLED_LAYER], scans=[scan])
    doc = process(path, config=config)
    assert doc.ocr_pages == [1]
    assert len(tesseract_calls()) == 1, tesseract_calls()
    assert os.environ.get("OMP_THREAD_LIMIT") == "1"
