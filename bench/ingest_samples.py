"""Ingest time of sample_docs/, split into text-layer and OCR pages.

Runs `ingest.process` on every sample file in this process, one file at a time (so the figures
are per core), first with an empty OCR cache and then again with the cache filled, and prints
pages/s for text-layer pages and s/page for OCR pages. Then the whole service path
(`Kunskapsbank.ingest_many`) with 1 and with all workers, into throw-away data directories.

    .venv/bin/python bench/ingest_samples.py [DIR]
"""
from __future__ import annotations

import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from ingest import process
from kunskapsbank.config import Config
from kunskapsbank.service import Kunskapsbank, default_workers, iter_files


def per_file(files, config):
    totals = defaultdict(lambda: [0, 0.0])  # kind -> [pages, seconds]
    for path in files:
        started = time.perf_counter()
        doc = process(path, config=config)
        elapsed = time.perf_counter() - started
        kind = "ocr" if doc.ocr_pages else "text"
        totals[kind][0] += len(doc.pages)
        totals[kind][1] += elapsed
        print(f"  {path.name:55s} {len(doc.pages):3d} pages  {len(doc.ocr_pages):3d} OCR "
              f"{elapsed:7.2f} s")
    return totals


def report(label, totals):
    text_pages, text_s = totals["text"]
    ocr_pages, ocr_s = totals["ocr"]
    print(f"{label}: text-layer/docx/txt {text_pages} pages in {text_s:.2f} s "
          f"({text_pages / text_s if text_s else 0:.1f} pages/s); "
          f"OCR {ocr_pages} pages in {ocr_s:.2f} s "
          f"({ocr_s / ocr_pages if ocr_pages else 0:.2f} s/page)")


def main(argv):
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent.parent / "sample_docs"
    files = list(iter_files([folder]))
    with tempfile.TemporaryDirectory() as tmp:
        config = Config.from_env(Path(tmp) / "home")
        print(f"{len(files)} files from {folder}")
        cold = per_file(files, config)
        warm = per_file(files, config)
        report("cold OCR cache", cold)
        report("warm OCR cache", warm)
    for workers in sorted({1, default_workers()}):
        with tempfile.TemporaryDirectory() as tmp:
            kb = Kunskapsbank(Config.from_env(Path(tmp) / "home"))
            started = time.perf_counter()
            summary = kb.ingest_many([folder], workers=workers)
            elapsed = time.perf_counter() - started
            kb.close()
            print(f"service ingest_many, {workers} worker(s), cold cache: "
                  f"{summary.count('added')} files, "
                  f"{sum(o.pages for o in summary.outcomes)} pages in {elapsed:.1f} s")


if __name__ == "__main__":
    main(sys.argv)
