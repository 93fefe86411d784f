"""(a) OCR: our wrapper's pages/s against the bare `tesseract` command, same page images, same
settings, side by side in one run.

The page images are the pages of one scanned sample PDF, rendered as the pipeline renders them
(pdfium, 300 dpi, grayscale) and written once as PNG. Then, page by page and alternating so load
changes hit all alike, for R rounds:

- bare:  `tesseract page.png stdout -l swe --psm 3 --dpi 300` (OMP_THREAD_LIMIT=1), text output;
- bare tsv: the same with `tsv` output (what our wrapper asks for: text and word confidences in
  one run);
- ours:  `ingest.ocr.ocr_image(image, config, dpi=300)` with an empty cache each round (cache
  key hashing, PNG write, pytesseract, TSV reconstruction, cache write: all but the cache hit);
- cache hit: `ocr_image` again on a filled cache;
- pipeline: the whole `ingest.process` with an empty cache (render, text layer check, OCR,
  repair, metadata) on a one-page PDF of that page: its OCR pages/s is the figure the issue's
  target is about.
Wall and CPU seconds are both given: on a loaded machine compare the CPU seconds.

    .venv/bin/python bench/bench_ocr.py [--file sample_docs/X_skannad.pdf] [--rounds 2]
"""
from __future__ import annotations

import argparse
import os
import resource
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


def scanned_pages(path: Path, out: Path) -> list:
    """(name, PIL image, one-page PDF) of every page of the PDF, rendered as ingest.pdf renders
    for OCR."""
    import pypdfium2 as pdfium
    pages = []
    pdf = open_pdf(path)
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            image = page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
            page.close()
            single = pdfium.PdfDocument.new()
            single.import_pages(pdf, [i])
            single.save(out / f"page{i + 1}.pdf")
            single.close()
            pages.append((f"page {i + 1}", image, out / f"page{i + 1}.pdf"))
    finally:
        pdf.close()
    return pages


class Clock:
    """Wall time, and CPU time of this process and the processes it waited for (tesseract):
    CPU seconds hardly change with the load of a shared machine, wall seconds do."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = cpu_seconds() - self.cpu


def cpu_seconds() -> float:
    own, children = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                      resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bare(png: Path, lang: str, tsv: bool) -> Clock:
    cmd = ["tesseract", str(png), "stdout", "-l", lang, *settings_string(DPI).split()]
    if tsv:
        cmd.append("tsv")
    with Clock() as clock:
        subprocess.run(cmd, check=True, capture_output=True,
                       env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return clock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    tmp_dir = tempfile.TemporaryDirectory()
    pages = scanned_pages(args.file, Path(tmp_dir.name))
    print(f"{args.file.name}: tesseract {tesseract_version()}, {len(pages)} pages x "
          f"{args.rounds} rounds, "
          f"settings '{settings_string(DPI)}', OMP_THREAD_LIMIT=1; load before "
          f"{os.getloadavg()}")
    keys = ("bare", "bare tsv", "ours", "cache hit", "pipeline")
    wall = dict.fromkeys(keys, 0.0)
    cpu = dict.fromkeys(keys, 0.0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        config = Config.from_env(tmp / "home")
        for name, image, _ in pages:
            image.save(tmp / f"{len(list(tmp.glob('*.png')))}.png", format="PNG")
        pngs = sorted(tmp.glob("*.png"), key=lambda p: int(p.stem))
        # one-time loads of a worker process (lexicons, language profiles) are not per page
        with Clock() as warm:
            for path in sorted((ROOT / "sample_docs").glob("*_textlager.pdf")):
                process(path, config=config)
        print(f"  pipeline warm-up (once per worker process, on text-layer samples): "
              f"cpu {warm.cpu:.2f} s")
        for r in range(args.rounds):
            for (name, image, one_page_pdf), png in zip(pages, pngs):
                shutil.rmtree(config.ocr_cache_dir, ignore_errors=True)
                t_bare = bare(png, config.ocr_language, tsv=False)
                with Clock() as t_ours:
                    result = ocr_image(image, config, dpi=DPI)
                assert not result.from_cache and not result.error, result.error
                t_tsv = bare(png, config.ocr_language, tsv=True)
                with Clock() as t_hit:
                    assert ocr_image(image, config, dpi=DPI).from_cache
                shutil.rmtree(config.ocr_cache_dir, ignore_errors=True)
                with Clock() as t_pipe:
                    doc = process(one_page_pdf, config=config)
                assert doc.ocr_pages == [1] and not doc.pages[0].from_cache
                for key, t in (("bare", t_bare), ("bare tsv", t_tsv), ("ours", t_ours),
                               ("cache hit", t_hit), ("pipeline", t_pipe)):
                    wall[key] += t.wall
                    cpu[key] += t.cpu
                print(f"  round {r + 1} {name:8s} wall/cpu s: bare {t_bare.wall:5.2f}/"
                      f"{t_bare.cpu:5.2f}  tsv {t_tsv.wall:5.2f}/{t_tsv.cpu:5.2f}  ours "
                      f"{t_ours.wall:5.2f}/{t_ours.cpu:5.2f}  pipeline {t_pipe.wall:5.2f}/"
                      f"{t_pipe.cpu:5.2f}  hit {t_hit.wall * 1000:4.0f} ms  "
                      f"[load {os.getloadavg()[0]:.2f}]")
    n = len(pages) * args.rounds
    for key in keys:
        print(f"{key:10s} {n} pages: wall {wall[key]:7.2f} s = {n / wall[key]:6.3f} pages/s; "
              f"cpu {cpu[key]:7.2f} s = {cpu[key] / n:6.3f} cpu-s/page")
    for label, t in (("wall", wall), ("cpu", cpu)):
        print(f"overhead vs bare tesseract (text output), {label}: wrapper "
              f"{(t['ours'] / t['bare'] - 1) * 100:+.1f} %, whole pipeline "
              f"{(t['pipeline'] / t['bare'] - 1) * 100:+.1f} % (target <= 10 %); wrapper vs bare "
              f"tsv output {(t['ours'] / t['bare tsv'] - 1) * 100:+.1f} %")
    print(f"load after {os.getloadavg()}")
    tmp_dir.cleanup()


if __name__ == "__main__":
    main()
