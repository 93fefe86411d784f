"""The upload queue and its worker against a real catalog, archive, index and Tesseract."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from ingest import process
from kunskapsbank.jobs import GAVE_UP_SV, MAX_ATTEMPTS, STALE_AFTER, JobQueue, Worker
from kunskapsbank.service import UNEXPECTED_ERROR_SV

SCAN = "2018_tjansteutlatande_fou-medel_skannad.pdf"
DEAD_WORKER = "localhost-that-died:999999999"


@pytest.fixture
def scan_excerpt(sample_docs, tmp_path) -> Path:
    """The first two pages of a scanned sample PDF (image-only pages: every page needs OCR)."""
    src = pdfium.PdfDocument(str(sample_docs / SCAN))
    out = pdfium.PdfDocument.new()
    out.import_pages(src, [0, 1])
    path = tmp_path / "skannad_utdrag.pdf"
    out.save(str(path))
    out.close()
    src.close()
    return path


def _queue_file(kb, path: Path, filename: str | None = None) -> tuple[int, int]:
    """Archive a file and queue it as the upload page does; returns (job id, file id)."""
    stored = kb.archive.store(path, filename or path.name)
    queue = JobQueue(kb.catalog)
    job_id = queue.create([{"filename": filename or path.name, "sha256": stored.sha256,
                            "archive_path": stored.relpath, "size": stored.size}],
                          created_by="test")
    return job_id, queue.get(job_id)["files"][0]["id"]


def _text_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_pages_are_reported_one_at_a_time(scan_excerpt, config):
    calls = []
    doc = process(scan_excerpt, config=config, on_page=lambda done, total: calls.append(
        (done, total)))
    assert calls == [(1, 2), (2, 2)]
    assert len(doc.ocr_pages) == 2


def test_worker_processes_a_scanned_pdf_while_searches_go_on(kb, scan_excerpt, tmp_path):
    # something to search for while the scan is processed
    assert kb.ingest_file(_text_file(tmp_path, "pm.txt", "PM\n2018-05-02\n\nVräkningsförebyggande "
                                     "arbete i Kristeamet under året.\n")).status == "added"
    job_id, file_id = _queue_file(kb, scan_excerpt, "Tjänsteutlåtande skannad.pdf")
    worker = Worker(kb, poll_seconds=0.1).start()
    try:
        queue = JobQueue(kb.catalog)
        deadline = time.monotonic() + 120
        while queue.get(job_id)["files"][0]["status"] == "queued":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # the worker is busy with the scan (each page takes seconds of OCR) ...
        searched_while = queue.get(job_id)["files"][0]["status"]
        results = kb.search("Kristeamet")
        assert results.total == 1  # ... and searching still answers
        assert searched_while == "running"
        seen = set()
        while not queue.get(job_id)["finished"]:
            assert time.monotonic() < deadline, "the scan was not processed in 120 s"
            f = queue.get(job_id)["files"][0]
            seen.add((f["pages_done"], f["pages_total"]))
            time.sleep(0.05)
    finally:
        worker.stop(timeout=120)
    f = queue.get(job_id)["files"][0]
    assert f["status"] == "done" and f["outcome"] == "added", f
    assert (f["pages_done"], f["pages_total"]) == (2, 2)
    assert seen & {(1, 2)}, seen  # progress after the first page was visible
    record = kb.catalog.get_document(f["document_id"])
    assert record.filename == "Tjänsteutlåtande skannad.pdf" and record.ocr_page_count == 2
    # OCR with the Swedish model read the scan: its words are searchable
    text = kb.catalog.document_text(record.id).lower()
    assert "socialförvaltningen" in text and "vräkningsförebyggande" in text
    assert f["document_id"] in {h.id for h in kb.search("forskningsprojekt").hits}


def test_a_file_left_running_by_a_dead_worker_is_resumed(kb, tmp_path):
    job_id, file_id = _queue_file(kb, _text_file(tmp_path, "a.txt", "Slutrapport\n\nBo kvar "
                                                 "har avslutats i Skärholmen.\n"))
    queue = JobQueue(kb.catalog)
    claimed = queue.claim(worker=DEAD_WORKER.replace("localhost-that-died", _host()))
    assert claimed["id"] == file_id  # a worker took it ... and died (its pid does not exist)
    assert queue.get(job_id)["files"][0]["status"] == "running"
    assert queue.claim() is None  # a running file is nobody else's

    worker = Worker(kb, poll_seconds=0.1).start()  # a restart
    try:
        deadline = time.monotonic() + 60
        while not queue.get(job_id)["finished"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        worker.stop(timeout=60)
    f = queue.get(job_id)["files"][0]
    assert f["status"] == "done" and f["attempts"] == 2
    assert "Bo kvar" in kb.catalog.document_text(f["document_id"])


def test_a_live_workers_file_is_left_alone_unless_stale(kb, tmp_path):
    import os
    job_id, file_id = _queue_file(kb, _text_file(tmp_path, "b.txt", "PM\n\nText.\n"))
    queue = JobQueue(kb.catalog)
    queue.claim(worker=f"{_host()}:{os.getpid()}")  # this process: alive
    assert queue.requeue_abandoned() == 0
    # another host's worker is judged by its progress
    kb.catalog.db.execute("UPDATE job_files SET worker='other-host:1'")
    kb.catalog.db.commit()
    assert queue.requeue_abandoned() == 0
    later = datetime.now(timezone.utc) + STALE_AFTER + timedelta(minutes=1)
    assert queue.requeue_abandoned(now=later) == 1
    assert queue.get(job_id)["files"][0]["status"] == "queued"


def test_a_file_that_keeps_killing_workers_is_given_up(kb, tmp_path):
    job_id, _ = _queue_file(kb, _text_file(tmp_path, "c.txt", "PM\n\nText.\n"))
    queue = JobQueue(kb.catalog)
    dead = DEAD_WORKER.replace("localhost-that-died", _host())
    for attempt in range(MAX_ATTEMPTS):
        assert queue.claim(worker=dead) is not None
        queue.requeue_abandoned()
    f = queue.get(job_id)["files"][0]
    assert f["status"] == "failed" and f["message_sv"] == GAVE_UP_SV


def test_claims_never_hand_out_a_file_twice(kb, tmp_path):
    queue = JobQueue(kb.catalog)
    for i in range(6):
        _queue_file(kb, _text_file(tmp_path, f"{i}.txt", f"PM nummer {i}\n"))
    got, lock = [], threading.Lock()

    def take():
        while (item := queue.claim()) is not None:
            with lock:
                got.append(item["id"])

    threads = [threading.Thread(target=take) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == sorted(set(got)) and len(got) == 6


def test_a_broken_file_fails_with_a_swedish_explanation(kb, tmp_path):
    bad = tmp_path / "trasig.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj broken beyond repair\n")
    job_id, _ = _queue_file(kb, bad)
    assert Worker(kb).run(until_empty=True) == 1
    f = JobQueue(kb.catalog).get(job_id)["files"][0]
    assert f["status"] == "failed"
    assert "PDF" in f["message_sv"] and f["reason"]  # Swedish for the user, English reason
    assert kb.catalog.count_documents() == 0


def test_worker_command_processes_the_queue(kb, config, tmp_path):
    from click.testing import CliRunner

    from kunskapsbank.cli import main
    job_id, _ = _queue_file(kb, _text_file(tmp_path, "d.txt", "PM\n\nKristeamet.\n"))
    result = CliRunner().invoke(main, ["--home", str(config.home), "worker", "--until-empty"])
    assert result.exit_code == 0, result.output
    assert "Processed 1 file(s)" in result.output
    assert JobQueue(kb.catalog).get(job_id)["files"][0]["status"] == "done"


def _host() -> str:
    import socket
    return socket.gethostname()


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, f"{what} did not happen in {seconds} s"
        time.sleep(0.05)
    return value


def test_a_replacement_is_processed_by_the_worker_with_progress(kb, scan_excerpt, tmp_path):
    doc = kb.ingest_file(_text_file(tmp_path, "pm.txt", "PM\n2018-05-02\n\nVräkningsförebyggande"
                                    " arbete i Kristeamet under året.\n")).document_id
    kb.correct_document(doc, {"title": "Rättad titel"}, username="fou-anna")
    old = kb.catalog.get_document(doc)
    queued, stored = kb.admit_replacement(doc, scan_excerpt, filename="skannad.pdf")
    assert queued.status == "queued"
    queue = JobQueue(kb.catalog)
    job_id = queue.create([{"filename": "skannad.pdf", "sha256": stored.sha256,
                            "archive_path": stored.relpath, "replaces_document": doc}],
                          created_by="fou-anna")
    worker = Worker(kb, poll_seconds=0.1).start()
    seen = set()
    try:
        def finished():
            sha256 = kb.catalog.get_document(doc).sha256
            f = queue.get(job_id)["files"][0]
            seen.add((f["status"], f["pages_done"], f["pages_total"]))
            if f["status"] == "queued" or f["pages_done"] < (f["pages_total"] or 1):
                assert sha256 == old.sha256  # while the scan is read, the document is as it was
            return f["status"] in ("done", "failed")
        _wait(finished, 180, "the replacement")
    finally:
        worker.stop(timeout=120)
    f = queue.get(job_id)["files"][0]
    assert (f["status"], f["outcome"], f["document_id"]) == ("done", "replaced", doc), f
    assert ("running", 1, 2) in seen, seen  # page progress, sent from the child process
    record = kb.catalog.get_document(doc)
    assert record.sha256 == stored.sha256 and record.ocr_page_count == 2
    assert record.title == "Rättad titel" and record.filename == "skannad.pdf"
    assert doc in {h.id for h in kb.search("forskningsprojekt").hits}
    assert [t.sha256 for t in kb.trash.list()] == [old.sha256]
    entry = kb.audit.for_document(doc)[0]
    assert (entry["action"], entry["username"]) == ("replace", "fou-anna")


def test_the_pipeline_runs_in_a_child_process_whose_death_fails_only_its_file(
        kb, scan_excerpt, tmp_path):
    import os
    import signal
    job_id, _ = _queue_file(kb, scan_excerpt)
    queue = JobQueue(kb.catalog)
    worker = Worker(kb, poll_seconds=0.1).start()
    try:
        child = _wait(lambda: queue.get(job_id)["files"][0]["status"] == "running"
                      and worker.pipeline.pid, 60, "the child process")
        assert child != os.getpid()
        os.kill(child, signal.SIGKILL)  # e.g. the kernel ending it for memory
        _wait(lambda: queue.get(job_id)["finished"], 60, "the failure")
        f = queue.get(job_id)["files"][0]
        assert f["status"] == "failed" and f["message_sv"] == UNEXPECTED_ERROR_SV
        assert "pipeline process died" in f["reason"]
        # the worker carries on with a new child
        next_job, _ = _queue_file(kb, _text_file(tmp_path, "e.txt", "PM\n\nBo kvar.\n"))
        worker.wake()
        _wait(lambda: queue.get(next_job)["finished"], 60, "the next file")
        assert queue.get(next_job)["files"][0]["status"] == "done"
        assert worker.pipeline.pid not in (None, child)
    finally:
        worker.stop(timeout=60)
    assert kb.catalog.count_documents() == 1


def test_two_index_writers_at_once_wait_for_each_other(kb, tmp_path):
    """The worker committing a document while a staff correction re-indexes another: Whoosh
    has one writer lock; the second writer waits for it instead of failing."""
    a = kb.ingest_file(_text_file(tmp_path, "a.txt", "PM\n\nBo kvar i Skärholmen.\n")).document_id
    b = kb.ingest_file(_text_file(tmp_path, "b.txt", "PM\n\nKristeamet i Farsta.\n")).document_id
    errors = []

    def write(doc_id, titles):
        try:
            for title in titles:
                kb.correct_document(doc_id, {"title": title}, username="fou-anna")
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(a, [f"Bo kvar {i}" for i in range(15)])),
               threading.Thread(target=write, args=(b, [f"Kristeam {i}" for i in range(15)]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert {h.id for h in kb.search('title:"Bo kvar 14"').hits} == {a}
    assert {h.id for h in kb.search('title:"Kristeam 14"').hits} == {b}


STOPPED_MID_FILE = """
import sys, time
from kunskapsbank.config import Config
from kunskapsbank.jobs import JobQueue, Worker
from kunskapsbank.service import Kunskapsbank
if __name__ == "__main__":
    kb = Kunskapsbank(Config.from_env(sys.argv[1]))
    queue = JobQueue(kb.catalog)
    worker = Worker(kb, poll_seconds=0.1).start()
    while not (queue.get(int(sys.argv[2]))["files"][0]["status"] == "running"
               and worker.pipeline.pid):
        time.sleep(0.05)
    print(worker.pipeline.pid, flush=True)
"""  # then the interpreter exits with the scan half-read, as at a Ctrl-C of `serve`


def test_a_process_that_exits_mid_file_ends_its_child_and_the_file_resumes(
        kb, config, scan_excerpt, tmp_path):
    import subprocess
    import sys
    job_id, _ = _queue_file(kb, scan_excerpt)
    script = tmp_path / "stopped.py"
    script.write_text(STOPPED_MID_FILE, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(config.home), str(job_id)],
                          capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    child = int(done.stdout.split()[0])
    _wait(lambda: not _running(child), 10, "the child's end")
    queue = JobQueue(kb.catalog)
    f = queue.get(job_id)["files"][0]
    assert f["status"] == "running" and f["message_sv"] is None  # not recorded as a failure
    assert Worker(kb).queue.requeue_abandoned() == 1  # a restart takes it up again
    assert Worker(kb).run(until_empty=True) == 1
    f = queue.get(job_id)["files"][0]
    assert (f["status"], f["pages_done"], f["attempts"]) == ("done", 2, 2)


def _running(pid: int) -> bool:
    import os
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie until its parent's parent reaps it
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_with_the_queue_empty_the_worker_warms_the_index_for_the_next_search(kb, tmp_path):
    from index.query import FACET_FIELDS
    _queue_file(kb, _text_file(tmp_path, "pm.txt", "PM\n\n2019-05-02\n\nKristeamet i Farsta.\n"))
    assert Worker(kb).run(until_empty=True) == 1
    state = kb.index._current()  # the searcher of the index as the worker left it
    assert set(state._facets) == set(FACET_FIELDS) and state._folded is not None
    assert kb.search("Kristeamet").total == 1
    assert kb.index._current() is state  # the search used the warmed tables
