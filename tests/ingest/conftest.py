"""Fixtures for ingest tests; the file makers live in ingest_helpers.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest_helpers import render_text_image, write_text_pdf


@pytest.fixture
def text_pdf(tmp_path):
    def make(pages: list[list[str]], name: str = "doc.pdf") -> Path:
        return write_text_pdf(tmp_path / name, pages)
    return make


@pytest.fixture
def scan_image():
    return render_text_image
