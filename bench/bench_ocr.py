"""(a) OCR: our wrapper's pages/s against the bare `tesseract` command, same page images, same
settings, side by side in one run.

The page images are the pages of one scanned sample PDF, rendered as the pipeline renders them
(pdfium, 300 dpi, grayscale) and written once as PNG. Then, page by page and alternating so load
changes hit all alike, for R rounds:

- bare:  `tesseract page.png stdout -l swe --psm 3 --dpi 300` (OMP_THREAD_LIMIT=1), text output;
- bare tsv: the same with `tsv` output (what our wrapper asks for: text and word confidences in
  one run);
- ours:  `ingest.ocr.ocr_image(image, config, dpi=300)` with an empty cache each round (cache key
  hashing, PNG write, pytesseract, TSV reconstruction, cache write — everything but the cache hit);
- cache hit: `ocr_image` again on a filled cache;
and once per round the whole pipeline, `ingest.process(file)` with an empty cache (render, text
layer check, OCR, repair, metadata): its OCR pages/s is the figure the issue's target is about.

    .venv/bin/python bench/bench_ocr.py [--file sample_docs/X_skannad.pdf] [--rounds 2]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ingest import process  # noqa: E402
from ingest.ocr import ocr_image, settings_string, tesseract_version  # noqa: E402
from ingest.pdf import open_pdf  # noqa: E402
from kunskapsbank.config import Config  # noqa: E402

DPI = 300
DEFAULT_FILE = ROOT / "sample_docs" / "2018_tjansteutlatande_fou-medel_skannad.pdf"


def scanned_pages(path: Path) -> list:
    """(name, PIL image) of every page of the PDF, rendered as ingest.pdf renders for OCR."""
    pages = []
    pdf = open_pdf(path)
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            image = page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
            page.close()
            pages.append((f"page {i + 1}", image))
    finally:
        pdf.close()
    return pages


def bare(png: Path, lang: str, tsv: bool) -> float:
    cmd = ["tesseract", str(png), "stdout", "-l", lang, *settings_string(DPI).split()]
    if tsv:
        cmd.append("tsv")
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True,
                   env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    pages = scanned_pages(args.file)
    print(f"{args.file.name}: tesseract {tesseract_version()}, {len(pages)} pages x "
          f"{args.rounds} rounds, "
          f"settings '{settings_string(DPI)}', OMP_THREAD_LIMIT=1; load before "
          f"{os.getloadavg()}")
    totals = {"bare": 0.0, "bare tsv": 0.0, "ours": 0.0, "cache hit": 0.0, "pipeline": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        config = Config.from_env(tmp / "home")
        for name, image in pages:
            image.save(tmp / f"{len(list(tmp.glob('*.png')))}.png", format="PNG")
        pngs = sorted(tmp.glob("*.png"), key=lambda p: int(p.stem))
        for r in range(args.rounds):
            for (name, image), png in zip(pages, pngs):
                shutil.rmtree(config.ocr_cache_dir, ignore_errors=True)
                t_bare = bare(png, config.ocr_language, tsv=False)
                started = time.perf_counter()
                result = ocr_image(image, config, dpi=DPI)
                t_ours = time.perf_counter() - started
                assert not result.from_cache and not result.error, result.error
                t_tsv = bare(png, config.ocr_language, tsv=True)
                started = time.perf_counter()
                assert ocr_image(image, config, dpi=DPI).from_cache
                t_hit = time.perf_counter() - started
                for key, t in (("bare", t_bare), ("bare tsv", t_tsv), ("ours", t_ours),
                               ("cache hit", t_hit)):
                    totals[key] += t
                print(f"  round {r + 1} {name:8s} bare {t_bare:5.2f} s  tsv {t_tsv:5.2f} s  "
                      f"ours {t_ours:5.2f} s  hit {t_hit * 1000:5.1f} ms")
            shutil.rmtree(config.ocr_cache_dir, ignore_errors=True)
            started = time.perf_counter()
            doc = process(args.file, config=config)
            t_pipe = time.perf_counter() - started
            assert len(doc.ocr_pages) == len(pages), doc.ocr_pages
            totals["pipeline"] += t_pipe
            print(f"  round {r + 1} ingest.process, {len(pages)} OCR pages: {t_pipe:.2f} s")
    n = len(pages) * args.rounds
    for key, t in totals.items():
        print(f"{key:10s} {n} pages in {t:7.2f} s: {n / t:6.3f} pages/s, {t / n:6.3f} s/page")
    print(f"overhead vs bare tesseract (text output): wrapper "
          f"{(totals['ours'] / totals['bare'] - 1) * 100:+.1f} %, whole pipeline "
          f"{(totals['pipeline'] / totals['bare'] - 1) * 100:+.1f} % (target <= 10 %); "
          f"wrapper vs bare tsv output {(totals['ours'] / totals['bare tsv'] - 1) * 100:+.1f} %")
    print(f"load after {os.getloadavg()}")


if __name__ == "__main__":
    main()
