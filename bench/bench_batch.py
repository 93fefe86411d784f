"""Batch ingest and re-indexing figures (issue 7), each side by side in one run on the same inputs:

(b) parallel speed-up: `Kunskapsbank.ingest_many` of the same scans with 1 and with 2 workers,
    each into a fresh data directory with an empty OCR cache (target >= 1.8x);
(c) text-layer extraction pages/s on born-digital PDFs (synthetic Swedish documents set with
    fpdf2, plus the text-layer samples): bare pdfminer.six `extract_pages`, our
    `ingest.pdf.extract_pdf_pages`, and the whole `ingest.process`;
(d) `kunskapsbank reindex` from a catalog of 10 000 synthetic documents (bench/synthetic_archive.py,
    written straight into the catalog's tables): documents/s and the peak RSS of the reindex
    process;
(e) a second `ingest` of an unchanged 1 000-file archive: ms per file with the (path, size,
    mtime) memo, and without it (every file read and hashed again) (target <= 2 ms).

os.getloadavg() is printed beside every figure: the machine is shared.

    .venv/bin/python bench/bench_batch.py [--parts bcde] [--docs 10000] [--files 1000]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from ingest import process  # noqa: E402
from ingest.pdf import extract_pdf_pages  # noqa: E402
from kunskapsbank.catalog import Catalog  # noqa: E402
from kunskapsbank.config import Config  # noqa: E402
from kunskapsbank.projects import name_key  # noqa: E402
from kunskapsbank.service import Kunskapsbank  # noqa: E402
from synthetic_archive import SyntheticArchive  # noqa: E402  (read-only use)

SAMPLES = ROOT / "sample_docs"
SCANS = ["2018_tjansteutlatande_fou-medel_skannad.pdf",
         "2019_tjansteutlatande_fou-medel_skannad.pdf",
         "2023_tjansteutlatande_lokala-utvecklingsmedel-2024_skannad.pdf",
         "2018_pm_bilaga_redovisning-fou-projekt-2017_skannad.pdf",
         "2013_protokollsutdrag_lagesbeskrivning-ebp_sida1.png",
         "2018_pm_bilaga_redovisning-fou-projekt-2017_sida1.tif"]


def file_bound(pages: list[int], workers: int) -> float:
    """The speed-up per-file parallelism can reach on files of these page counts, taken in this
    order (ingest_many's with workers: largest file first) by the first free worker (the pages
    of one file are never split between workers)."""
    free = [0] * workers
    for n in pages:
        free[free.index(min(free))] += n
    return sum(pages) / max(free)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def cpu_seconds() -> float:
    own, children = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                      resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


# -- (b) -------------------------------------------------------------------------------------
def part_b(tmp: Path, all_samples: bool) -> None:
    folder = tmp / "scans"
    folder.mkdir()
    names = sorted(p.name for p in SAMPLES.iterdir()) if all_samples else SCANS
    for name in names:
        shutil.copy(SAMPLES / name, folder / name)
    times = {}
    pages: list[int] = []
    for workers in (1, 2):
        kb = Kunskapsbank(Config.from_env(tmp / f"home-b{workers}"))
        before = load()
        cpu = cpu_seconds()
        started = time.perf_counter()
        summary = kb.ingest_many([folder], workers=workers)
        times[workers] = elapsed = time.perf_counter() - started
        kb.close()
        cpu = cpu_seconds() - cpu  # this process, its workers and their tesseract runs
        if workers == 1:  # as the pool takes them: largest file first
            by_size = sorted(summary.outcomes, key=lambda o: -Path(o.path).stat().st_size)
            pages = [o.pages for o in by_size]
        print(f"(b) {workers} worker(s): {summary.count('added')} files, {summary.pages} pages "
              f"({summary.ocr_pages} OCR) in {elapsed:.1f} s = {summary.pages / elapsed:.3f} "
              f"pages/s, {cpu:.1f} CPU-s = {cpu / elapsed:.2f} cores busy  "
              f"[{before} -> {load()}]")
    print(f"(b) speed-up 2 workers vs 1: {times[1] / times[2]:.2f}x (target >= 1.8x); the most "
          f"per-file parallelism can give on these files ({pages} pages): "
          f"{file_bound(pages, 2):.2f}x")


# -- (c) -------------------------------------------------------------------------------------
def born_digital(folder: Path, n: int) -> list[Path]:
    from fpdf import FPDF
    folder.mkdir()
    paths = []
    for doc in SyntheticArchive().docs(n):
        pdf = FPDF(format="A4")
        pdf.add_font("DejaVu", fname=FONT)
        pdf.set_font("DejaVu", size=11)
        pdf.set_margins(25, 25)
        pdf.add_page()
        pdf.multi_cell(0, 5.5, doc.text.replace("”", '"'))
        path = folder / f"doc{doc.id:04d}.pdf"
        pdf.output(str(path))
        paths.append(path)
    return paths


def part_c(tmp: Path, n: int, rounds: int = 2) -> None:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    files = born_digital(tmp / "born", n) + sorted(SAMPLES.glob("*_textlager.pdf"))
    config = Config.from_env(tmp / "home-c")
    totals = {"pdfminer.six extract_pages": 0.0, "ingest.pdf.extract_pdf_pages": 0.0,
              "ingest.process (whole pipeline)": 0.0}
    pages = 0
    before = load()
    for _ in range(rounds):
        for path in files:  # alternating, so load changes hit all three alike
            started = time.perf_counter()
            n_pages = sum(1 for _ in extract_pages(path, laparams=LAParams()))
            totals["pdfminer.six extract_pages"] += time.perf_counter() - started
            started = time.perf_counter()
            raw = extract_pdf_pages(path, config, [])
            totals["ingest.pdf.extract_pdf_pages"] += time.perf_counter() - started
            assert not any(r.ocr for r in raw) and len(raw) == n_pages
            started = time.perf_counter()
            process(path, config=config)
            totals["ingest.process (whole pipeline)"] += time.perf_counter() - started
            pages += n_pages
    print(f"(c) born-digital PDFs: {len(files)} files x {rounds} rounds, {pages} pages "
          f"[{before} -> {load()}]")
    for label, t in totals.items():
        print(f"(c)   {label:34s} {pages / t:7.1f} pages/s ({t * 1000 / pages:6.1f} ms/page)")


# -- (d) -------------------------------------------------------------------------------------
def fill_catalog(path: Path, n: int) -> None:
    """Write n synthetic documents (with their pages and project mentions) into a catalog."""
    catalog = Catalog(path)
    db = catalog.db
    archive = SyntheticArchive()
    project_ids: dict[str, int] = {}
    now = "2026-01-01T00:00:00+00:00"
    with db:
        for p in archive.projects:
            project_ids[p["name"]] = db.execute(
                "INSERT INTO projects (name, key, district, category, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (p["name"], name_key(p["name"]), p["district"], p["category"], now)).lastrowid
        by_name = {p["name"]: p for p in archive.projects}
        for doc in archive.docs(n):
            db.execute(
                "INSERT INTO documents (id, sha256, filename, media_type, size, archive_path,"
                " added_at, processed_at, language, dnr, document_type, date, title,"
                " pipeline_version, page_count, ocr_page_count, metadata) VALUES"
                " (?, ?, ?, 'application/pdf', ?, ?, ?, ?, 'sv', ?, ?, ?, ?, ?, 1, 0, ?)",
                (doc.id, f"{doc.id:064x}", doc.filename, len(doc.text), f"x/{doc.id}.pdf",
                 now, now, doc.dnr, doc.document_type, doc.date, doc.title, "bench",
                 json.dumps({"years": [int(doc.date[:4])]})))
            db.execute("INSERT INTO pages (document_id, number, raw_text, text, source, ocr)"
                       " VALUES (?, 1, ?, ?, 'text-layer', 0)", (doc.id, doc.text, doc.text))
            for position, name in enumerate(doc.projects):
                p = by_name[name]
                db.execute(
                    "INSERT INTO mentions (document_id, project_id, position, name, district,"
                    " category, match_reason) VALUES (?, ?, ?, ?, ?, ?, 'bench')",
                    (doc.id, project_ids[name], position, name, p["district"], p["category"]))
    catalog.close()


def part_d(tmp: Path, n: int) -> None:
    home = tmp / "home-d"
    started = time.perf_counter()
    fill_catalog(Config.from_env(home).catalog_path, n)
    print(f"(d) catalog of {n} synthetic documents written in "
          f"{time.perf_counter() - started:.0f} s")
    env = {**os.environ, "KUNSKAPSBANK_HOME": str(home)}
    # `kunskapsbank reindex` in a process of its own that reports its own peak RSS
    cmd = [sys.executable, "-c", "import resource, runpy, sys\n"
           "sys.argv = ['kunskapsbank', 'reindex']\n"
           "try:\n    runpy.run_module('kunskapsbank.cli', run_name='__main__')\n"
           "finally:\n    print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_SELF)"
           ".ru_maxrss, file=sys.stderr)"]
    # the first start builds the (missing) index already; time a reindex of an existing index
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    before = load()
    started = time.perf_counter()
    run = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    out = run.stdout
    peak_mb = int(run.stderr.split("PEAK_RSS_KB")[-1].split()[0]) / 1024
    print(f"(d) `kunskapsbank reindex` of {n} documents: {elapsed:.1f} s = "
          f"{n / elapsed:.0f} docs/s (process start included), peak RSS {peak_mb:.0f} MB  [{before} -> {load()}]")
    print(f"(d)   its output: {out.strip()}")


# -- (e) -------------------------------------------------------------------------------------
def part_e(tmp: Path, n: int) -> None:
    folder = tmp / "share"
    folder.mkdir()
    for doc in SyntheticArchive(seed=7).docs(n):
        (folder / f"{doc.id:05d}.txt").write_text(doc.text, encoding="utf-8")
    kb = Kunskapsbank(Config.from_env(tmp / "home-e"))
    started = time.perf_counter()
    first = kb.ingest_many([folder], workers=2, keep_outcomes=False)
    print(f"(e) first ingest of {n} text files, 2 workers: {first.count('added')} added in "
          f"{time.perf_counter() - started:.0f} s  [{load()}]")
    from kunskapsbank.service import iter_files
    before = load()
    started = time.perf_counter()
    walked = sum(1 for _ in iter_files([folder]))
    walk = time.perf_counter() - started
    for label, clear in (("with the memo", False), ("memo cleared (read + hash)", True),
                         ("with the memo again", False)):
        if clear:
            with kb.catalog.db:
                kb.catalog.db.execute("DELETE FROM file_memo")
        started = time.perf_counter()
        again = kb.ingest_many([folder], workers=2, keep_outcomes=False)
        elapsed = time.perf_counter() - started
        assert again.count("duplicate") == n, again.counts
        print(f"(e) second ingest, {label}: {elapsed:.2f} s = {elapsed * 1000 / n:.2f} ms/file "
              f"(target <= 2 ms)  [{load()}]")
    print(f"(e)   of which walking the folder: {walk * 1000 / walked:.3f} ms/file  [{before}]")
    kb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="bcde")
    parser.add_argument("--docs", type=int, default=10_000, help="(d) catalog size")
    parser.add_argument("--files", type=int, default=1_000, help="(e) archive size")
    parser.add_argument("--pdfs", type=int, default=20, help="(c) born-digital PDFs made")
    parser.add_argument("--all-samples", action="store_true",
                        help="(b) all of sample_docs/ instead of five scans")
    args = parser.parse_args()
    print(f"cores {len(os.sched_getaffinity(0))}, {load()}")
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        tmp = Path(tmp)
        if "b" in args.parts:
            part_b(tmp, args.all_samples)
        if "c" in args.parts:
            part_c(tmp, args.pdfs)
        if "d" in args.parts:
            part_d(tmp, args.docs)
        if "e" in args.parts:
            part_e(tmp, args.files)


if __name__ == "__main__":
    main()
