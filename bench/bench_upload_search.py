"""Do uploads block searches? Search latency with the upload worker idle and while it OCRs a
scanned sample (the worker is a thread of the same process, as under `kunskapsbank serve`).

    .venv/bin/python bench/bench_upload_search.py [--queries N] [--mode child|in-process|both]

Modes: `child` is the worker as it is (the pipeline in its child process, the thread only
saving and indexing); `in-process` runs the pipeline in the worker thread itself, as before
jobs.ChildPipeline, for comparison. Prints p50/p95/max of `Kunskapsbank.search` over the
text-layer samples, idle and busy, and this process's CPU seconds while busy, with the load
average beside them (the machine is shared: compare runs by it).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kunskapsbank.config import Config  # noqa: E402
from kunskapsbank.jobs import JobQueue, Worker  # noqa: E402
from kunskapsbank.service import Kunskapsbank, _process_in_worker  # noqa: E402

SAMPLES = ROOT / "sample_docs"
SCAN = SAMPLES / "2019_tjansteutlatande_fou-medel_skannad.pdf"
QUERIES = ["forskning", "utvecklingsmedel", "Kristeamet", "socialnämnden", "vräkning",
           "lokala utvecklingsprojekt", "år:2018", "stadsdelsförvaltning"]


def measure(kb, n: int, until=None) -> list[float]:
    times = []
    i = 0
    while i < n or (until is not None and not until()):
        q = QUERIES[i % len(QUERIES)]
        started = time.perf_counter()
        kb.search(q)
        times.append((time.perf_counter() - started) * 1000)
        i += 1
        if until is not None and until():
            break
    return times


def report(label: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"{label}: {len(times)} searches, p50 {statistics.median(times):.1f} ms, "
          f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms; load {os.getloadavg()}")


class InProcess:
    """The pipeline in the worker's own thread (the worker before jobs.ChildPipeline)."""

    __call__ = staticmethod(_process_in_worker)

    def close(self) -> None:
        pass


def run(mode: str, queries: int) -> None:
    with tempfile.TemporaryDirectory() as home:
        config = Config.from_env(home)
        kb = Kunskapsbank(config)
        for path in sorted(SAMPLES.glob("*_textlager.pdf")) + sorted(SAMPLES.glob("*.docx")):
            kb.ingest_file(path)
        print(f"[{mode}] catalog: {kb.catalog.count_documents()} documents")
        measure(kb, 20)  # warm caches
        report(f"[{mode}] idle  ", measure(kb, queries))

        stored = kb.archive.store(SCAN, SCAN.name)
        queue = JobQueue(kb.catalog)
        job_id = queue.create([{"filename": SCAN.name, "sha256": stored.sha256,
                                "archive_path": stored.relpath}])
        worker = Worker(kb, poll_seconds=0.05)
        if mode == "in-process":
            worker.pipeline = InProcess()
        worker.start()
        while queue.get(job_id)["files"][0]["status"] == "queued":
            time.sleep(0.01)
        started, cpu = time.perf_counter(), time.process_time()
        busy = measure(kb, queries, until=lambda: queue.get(job_id)["finished"])
        cpu = time.process_time() - cpu
        worker.stop()
        f = queue.get(job_id)["files"][0]
        report(f"[{mode}] worker", busy)
        print(f"[{mode}] worker: {SCAN.name} {f['status']} ({f['outcome']}), "
              f"{f['pages_total']} pages in {time.perf_counter() - started:.1f} s while "
              f"searching; this process used {cpu:.1f} CPU s meanwhile (tesseract and the "
              f"child not counted)")
        kb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--mode", choices=("child", "in-process", "both"), default="both")
    args = parser.parse_args()
    for mode in (("in-process", "child") if args.mode == "both" else (args.mode,)):
        run(mode, args.queries)


if __name__ == "__main__":
    main()
