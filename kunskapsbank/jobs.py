"""Background processing of uploaded files: a queue in the catalog (jobs -> job_files) and a
worker that takes one queued file at a time, runs it through `Kunskapsbank.ingest_file` (or, for
a file that replaces a document's original, `Kunskapsbank.replace_document`) with page-by-page
progress, and records the result.

The pipeline itself (OCR, text repair, extraction) runs in a child process of the worker
(`ChildPipeline`: a one-process pool started with 'spawn', never a fork of a threaded server), so
a worker thread beside the web app holds the GIL only to claim files, save results in the
catalog and write the index; pages read are sent back from the child through a pipe.

The original is in the archive before a file is queued, so nothing waits in memory and nothing
is lost when the process stops: a file left `running` by a worker that died is queued again
when a worker starts (`requeue_abandoned`). `kunskapsbank serve` runs a worker as a daemon
thread beside the web app; `kunskapsbank worker` runs one as a process of its own.

An admin's tasks go through the same queue: a job of kind 'reindex' (`Kunskapsbank.reindex`,
as `kunskapsbank reindex`) or 'reprocess-stale' (`Kunskapsbank.reprocess(only_stale=True)`, as
`kunskapsbank reindex --reprocess --only-stale`) has one job_files row that carries its progress
(documents, in the pages columns) and result. One task at a time (`create_task`).
"""
from __future__ import annotations

import json
import logging
import multiprocessing
import os
import socket
import threading
import time
import weakref
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timedelta, timezone

from ingest.pipeline import stale_stages

from .catalog import Catalog
from .service import UNEXPECTED_ERROR_SV, _process_in_worker, _worker_init

log = logging.getLogger(__name__)

STATUSES = ("queued", "running", "done", "failed")
TASKS = ("reindex", "reprocess-stale")  # job kinds besides 'upload'

MAX_ATTEMPTS = 3  # a file whose processing killed the worker this often is given up
STALE_AFTER = timedelta(minutes=30)  # no progress for this long: its worker is gone
POLL_SECONDS = 2.0
CHILD_NICENESS = 5  # the pipeline and its tesseract processes yield the CPU to web requests
GAVE_UP_SV = ("Bearbetningen av filen avbröts flera gånger och har gett upp. Originalet är "
              "sparat; kontakta FoU-enhetens administratör.")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def worker_id() -> str:
    """host:pid of this process (threads of one process are one worker as far as a restart
    goes: when the process is gone, all its files are abandoned)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(worker: str | None) -> bool:
    """Whether the worker process that claimed a file still runs (on this host; another host's
    worker is judged by its progress instead)."""
    host, _, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobQueue:
    """The jobs and job_files tables of one catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    @property
    def db(self):
        return self.catalog.db

    def create(self, files: list[dict], *, created_by: str | None = None,
               metadata: dict | None = None) -> int:
        """A job of `files`: dicts with filename and, as known, sha256, archive_path, size,
        media_type, status (default queued), outcome, document_id, message_sv, reason, and
        replaces_document (the id of the document whose original the file replaces)."""
        now = _now()
        with self.db:
            job_id = self.db.execute(
                "INSERT INTO jobs (created_at, created_by, metadata) VALUES (?, ?, ?)",
                (now, created_by, json.dumps(metadata or {}, ensure_ascii=False))).lastrowid
            for position, f in enumerate(files):
                status = f.get("status", "queued")
                if status not in STATUSES:
                    raise ValueError(f"bad job file status: {status}")
                finished = now if status in ("done", "failed") else None
                self.db.execute(
                    "INSERT INTO job_files (job_id, position, filename, sha256, archive_path,"
                    " size, media_type, status, outcome, document_id, message_sv, reason,"
                    " replaces_document, updated_at, finished_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (job_id, position, f["filename"], f.get("sha256"), f.get("archive_path"),
                     f.get("size"), f.get("media_type"), status, f.get("outcome"),
                     f.get("document_id"), f.get("message_sv"), f.get("reason"),
                     f.get("replaces_document"), now, finished))
        return job_id

    def create_task(self, kind: str, *, created_by: str | None = None) -> tuple[int, bool]:
        """Queue the task `kind` (one of TASKS): (its job id, True); or, when a task is queued or
        running already, (that job's id, False) and nothing is queued."""
        if kind not in TASKS:
            raise ValueError(f"unknown task: {kind}")
        marks = ", ".join("?" * len(TASKS))
        db = self.db
        with db:
            db.execute("BEGIN IMMEDIATE")  # the check and the insert as one: one task at a time
            busy = db.execute(
                f"SELECT j.id FROM jobs j JOIN job_files f ON f.job_id = j.id WHERE j.kind IN"
                f" ({marks}) AND f.status IN ('queued', 'running') ORDER BY j.id LIMIT 1",
                TASKS).fetchone()
            if busy:
                return busy[0], False
            now = _now()
            job_id = db.execute("INSERT INTO jobs (created_at, created_by, kind) VALUES (?, ?, ?)",
                                (now, created_by, kind)).lastrowid
            db.execute("INSERT INTO job_files (job_id, position, filename, status, updated_at)"
                       " VALUES (?, 0, ?, 'queued', ?)", (job_id, kind, now))
        return job_id, True

    def kind(self, job_id: int) -> str | None:
        row = self.db.execute("SELECT kind FROM jobs WHERE id=?", (job_id,)).fetchone()
        return row[0] if row else None

    def get(self, job_id: int) -> dict | None:
        row = self.db.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
        if row is None:
            return None
        job = dict(row)
        job["metadata"] = json.loads(job["metadata"] or "{}")
        job["files"] = [dict(r) for r in self.db.execute(
            "SELECT * FROM job_files WHERE job_id=? ORDER BY position", (job_id,))]
        job["finished"] = all(f["status"] in ("done", "failed") for f in job["files"])
        return job

    def recent(self, limit: int = 50, kinds: tuple[str, ...] = ("upload",)) -> list[dict]:
        """The latest jobs of these kinds with counts of their files by status."""
        marks = ", ".join("?" * len(kinds))
        rows = self.db.execute(
            "SELECT j.*, count(f.id) AS files,"
            " sum(f.status = 'queued') AS queued, sum(f.status = 'running') AS running,"
            " sum(f.status = 'done') AS done, sum(f.status = 'failed') AS failed"
            f" FROM jobs j LEFT JOIN job_files f ON f.job_id = j.id WHERE j.kind IN ({marks})"
            " GROUP BY j.id ORDER BY j.id DESC LIMIT ?", (*kinds, limit)).fetchall()
        return [dict(r) for r in rows]

    def created_by(self, job_id: int) -> str | None:
        """Who asked for the job (the user named in the audit log for a replacement)."""
        row = self.db.execute("SELECT created_by FROM jobs WHERE id=?", (job_id,)).fetchone()
        return row[0] if row else None

    def pending_with(self, sha256: str) -> dict | None:
        """A queued or running file with this content, if any (an upload of the same file
        before the first is processed)."""
        row = self.db.execute("SELECT * FROM job_files WHERE sha256=? AND status IN"
                              " ('queued', 'running') ORDER BY id LIMIT 1", (sha256,)).fetchone()
        return dict(row) if row else None

    def claim(self, worker: str | None = None) -> dict | None:
        """Take the oldest queued file (one statement: two workers never get the same one)."""
        now = _now()
        with self.db:
            row = self.db.execute(
                "UPDATE job_files SET status='running', worker=?, attempts=attempts + 1,"
                " started_at=?, updated_at=?, pages_done=0"
                " WHERE id = (SELECT id FROM job_files WHERE status='queued' ORDER BY id LIMIT 1)"
                " AND status='queued' RETURNING *", (worker or worker_id(), now, now)).fetchone()
        return dict(row) if row else None

    def progress(self, file_id: int, done: int, total: int | None) -> None:
        with self.db:
            self.db.execute("UPDATE job_files SET pages_done=?, pages_total=?, updated_at=?"
                            " WHERE id=?", (done, total, _now(), file_id))

    def finish(self, file_id: int, status: str, *, outcome: str | None = None,
               document_id: int | None = None, message_sv: str | None = None,
               reason: str | None = None, pages: int | None = None) -> None:
        if status not in ("done", "failed"):
            raise ValueError(f"not a final status: {status}")
        now = _now()
        with self.db:
            self.db.execute(
                "UPDATE job_files SET status=?, outcome=?, document_id=?, message_sv=?, reason=?,"
                " pages_done=coalesce(?, pages_done), pages_total=coalesce(?, pages_total),"
                " updated_at=?, finished_at=? WHERE id=?",
                (status, outcome, document_id, message_sv, reason, pages, pages, now, now,
                 file_id))

    def requeue(self, file_id: int) -> None:
        """Queue a running file again (its worker stopped before it was done)."""
        with self.db:
            self.db.execute("UPDATE job_files SET status='queued', worker=NULL, updated_at=?"
                            " WHERE id=? AND status='running'", (_now(), file_id))

    def requeue_abandoned(self, now: datetime | None = None) -> int:
        """Queue again the files left `running` by a worker that is gone (its process died, or
        no progress for STALE_AFTER); a file that has been tried MAX_ATTEMPTS times fails.
        Returns the number of files queued again."""
        now = now or datetime.now(timezone.utc)
        requeued = 0
        rows = self.db.execute("SELECT id, filename, worker, attempts, updated_at FROM job_files"
                               " WHERE status='running'").fetchall()
        for r in rows:
            try:
                stale = now - datetime.fromisoformat(r["updated_at"]) > STALE_AFTER
            except (TypeError, ValueError):
                stale = True
            if _alive(r["worker"]) and not stale:
                continue
            if r["attempts"] >= MAX_ATTEMPTS:
                log.error("job file %d (%s): worker died %d times; giving up", r["id"],
                          r["filename"], r["attempts"])
                self.finish(r["id"], "failed", message_sv=GAVE_UP_SV,
                            reason=f"processing interrupted {r['attempts']} times")
                continue
            with self.db:
                n = self.db.execute(
                    "UPDATE job_files SET status='queued', worker=NULL, pages_done=0,"
                    " updated_at=? WHERE id=? AND status='running' AND updated_at IS ?",
                    (_now(), r["id"], r["updated_at"])).rowcount
            if n:
                log.warning("job file %d (%s) left running by %s: queued again", r["id"],
                            r["filename"], r["worker"])
                requeued += n
        return requeued


_pages_out = None  # in the child: the pipe end on which pages read are reported


def _child_init(pages_out) -> None:
    global _pages_out
    _worker_init()
    os.nice(CHILD_NICENESS)  # inherited by the tesseract processes it starts
    _pages_out = pages_out


def _send_page(done: int, total: int | None) -> None:
    """on_page in the child: a synchronous send, so every page is in the pipe before the
    file's result is."""
    _pages_out.send((done, total))


class ChildPipeline:
    """Runs `service._process_in_worker` (the batch's worker function) in one child process
    started with 'spawn', kept for the next file (its models stay loaded). Called like it:
    (archived, filename, sha256, config, on_page) -> ProcessedDocument | (message_sv, reason);
    `on_page(done, total)` is called in this process as the child reads pages. A child that
    dies (killed, out of memory) fails that file; the next file gets a new child."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._pool: ProcessPoolExecutor | None = None
        self._pages_in = None
        self._lock = threading.Lock()  # one file at a time
        self._ending = False
        _live.add(self)

    @property
    def pid(self) -> int | None:
        """The child's process id, once it runs."""
        processes = list((self._pool._processes or {}).keys()) if self._pool else []
        return processes[0] if processes else None

    def _start(self) -> None:
        self._pages_in, pages_out = self._context.Pipe(duplex=False)
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=self._context,
                                         initializer=_child_init, initargs=(pages_out,))

    def __call__(self, archived: str, filename: str, sha256: str | None, config,
                 on_page=None):
        with self._lock:
            if self._pool is None:
                self._start()
            future = self._pool.submit(_process_in_worker, archived, filename, sha256, config,
                                       _send_page)
            try:
                while True:
                    finished = future.done()  # before draining: all its pages are sent then
                    while self._pages_in.poll(0 if finished else 0.2):
                        done, total = self._pages_in.recv()
                        if on_page is not None:
                            on_page(done, total)
                    if finished:
                        return future.result()
            except (BrokenProcessPool, EOFError, OSError) as exc:
                if self._ending:  # the process exits: the file stays running, queued again
                    raise SystemExit from exc  # at the next start (not caught as a failure)
                log.error("pipeline process died processing %s: %r", filename, exc)
                self._shutdown(wait=False)
                return (UNEXPECTED_ERROR_SV, f"pipeline process died: {exc!r}")

    def _shutdown(self, wait: bool) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pages_in.close()
            self._pool = self._pages_in = None

    def close(self) -> None:
        with self._lock:
            self._shutdown(wait=True)

    def end(self) -> None:
        """End the child at once, mid-file (at interpreter exit)."""
        self._ending = True
        pool = self._pool
        for process in list((pool._processes or {}).values()) if pool else []:
            process.terminate()


_live: "weakref.WeakSet[ChildPipeline]" = weakref.WeakSet()


def _end_children() -> None:
    """At interpreter exit (Ctrl-C of `kunskapsbank serve`): end the children at once instead
    of waiting up to a scan's minute for their file, as concurrent.futures' own exit hook would;
    the file in progress is queued again at the next start. Registered after that hook (the
    import above), so it runs first: these hooks run in reverse order."""
    for pipeline in list(_live):
        pipeline.end()


threading._register_atexit(_end_children)  # the hook concurrent.futures itself uses


class Worker:
    """Processes queued files one at a time with a `Kunskapsbank` (its catalog, archive and
    index), the pipeline in a `ChildPipeline`. `start()` runs it in a daemon thread; `run()` in
    the calling thread."""

    def __init__(self, kb, *, poll_seconds: float = POLL_SECONDS) -> None:
        self.kb = kb
        self.queue = JobQueue(kb.catalog)
        self.pipeline = ChildPipeline()
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "Worker":
        self.queue.requeue_abandoned()
        self._thread = threading.Thread(target=self.run, name="kunskapsbank-worker",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the file in progress (its result is recorded)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                return  # still busy with its file: its child goes when the process does
        self.pipeline.close()

    def wake(self) -> None:
        """Look at the queue now (a file was just queued)."""
        self._wake.set()

    def run(self, *, until_empty: bool = False) -> int:
        """Process files until stopped (or, with until_empty, until none is queued); returns
        the number processed."""
        processed = 0
        cold = True  # the index's searcher has not been warmed since the last write
        try:
            while not self._stop.is_set():
                if self.run_once():
                    processed += 1
                    cold = True
                    continue
                if cold:
                    self._warm_index()
                    cold = False
                if until_empty:
                    break
                self._wake.wait(self.poll_seconds)
                self._wake.clear()
        except BaseException:  # Ctrl-C of `kunskapsbank worker`: do not wait for the file
            self.pipeline.end()
            raise
        finally:
            if self._thread is None:  # run in the caller's thread: nobody else stops it
                self.pipeline.close()
        return processed

    def _warm_index(self) -> None:
        """With the queue empty, get the next search's per-searcher tables ready here rather
        than in the first request after the worker's writes."""
        try:
            self.kb.index.warm()
        except Exception:  # noqa: BLE001 - searches build the same tables themselves
            log.exception("warming the search index failed")

    def run_once(self) -> bool:
        """Process one queued file, if there is one."""
        item = self.queue.claim()
        if item is None:
            return False
        self.process(item)
        return True

    def process(self, item: dict) -> None:
        kind = self.queue.kind(item["job_id"])
        if kind in TASKS:
            self.run_task(item, kind)
            return
        file_id, filename = item["id"], item["filename"]
        started = time.monotonic()
        log.info("job %d: processing %s", item["job_id"], filename)

        def on_page(done: int, total: int | None) -> None:
            self.queue.progress(file_id, done, total)

        try:
            if item.get("replaces_document"):
                outcome = self.kb.replace_document(
                    item["replaces_document"], item["archive_path"], item["sha256"],
                    filename=filename, username=self.queue.created_by(item["job_id"]),
                    on_page=on_page, runner=self.pipeline)
            else:
                outcome = self.kb.ingest_file(self.kb.archive.path(item["archive_path"]),
                                              filename=filename, on_page=on_page,
                                              runner=self.pipeline)
        except Exception as exc:  # noqa: BLE001 - one file must never stop the worker
            log.exception("job %d: unexpected error processing %s", item["job_id"], filename)
            saved = self.kb.catalog.find_by_sha256(item["sha256"]) if item["sha256"] else None
            if saved is not None:  # saved in the catalog; only indexing failed (done later)
                self.queue.finish(file_id, "done",
                                  outcome="replaced" if item.get("replaces_document")
                                  else "added", document_id=saved.id)
            else:
                self.queue.finish(file_id, "failed", message_sv=UNEXPECTED_ERROR_SV,
                                  reason=f"{type(exc).__name__}: {exc}")
            return
        if outcome.status in ("failed", "unchanged", "duplicate") and \
                item.get("replaces_document"):
            self.queue.finish(file_id, "failed", message_sv=outcome.message_sv,
                              reason=outcome.reason, document_id=outcome.document_id)
            log.warning("job %d: %s did not replace document %d: %s", item["job_id"],
                        filename, item["replaces_document"], outcome.reason)
        elif outcome.status == "failed":
            self.queue.finish(file_id, "failed", message_sv=outcome.message_sv,
                              reason=outcome.reason)
            log.warning("job %d: %s failed: %s", item["job_id"], filename, outcome.reason)
        else:
            self.queue.finish(file_id, "done", outcome=outcome.status,
                              document_id=outcome.document_id, pages=outcome.pages or None)
            log.info("job %d: %s %s as document %s (%d pages, %.1f s)", item["job_id"],
                     filename, outcome.status, outcome.document_id, outcome.pages,
                     time.monotonic() - started)

    def run_task(self, item: dict, kind: str) -> None:
        """An admin's task: the service's reindex, or its reprocess of stale documents through
        this worker's child pipeline, with progress in documents."""
        file_id, job_id = item["id"], item["job_id"]
        started = time.monotonic()
        log.info("job %d: task %s started", job_id, kind)
        try:
            if kind == "reindex":
                self.queue.progress(file_id, 0, self.kb.catalog.count_documents())
                n = self.kb.reindex()
                self.queue.finish(file_id, "done", outcome="reindexed", pages=n,
                                  message_sv=f"Sökindexet byggdes om med {n} dokument.")
                log.info("job %d: index rebuilt with %d documents in %.1f s", job_id, n,
                         time.monotonic() - started)
                return
            total = sum(1 for v in self.kb.catalog.document_versions().values()
                        if stale_stages(v))
            self.queue.progress(file_id, 0, total)
            done = 0

            def progress(outcome) -> None:
                nonlocal done
                done += 1
                self.queue.progress(file_id, done, total)

            summary = self.kb.reprocess(only_stale=True, progress=progress, stop=self._stop,
                                        runner=self.pipeline)
        except Exception as exc:  # noqa: BLE001 - a failed task must never stop the worker
            log.exception("job %d: task %s failed", job_id, kind)
            self.queue.finish(file_id, "failed", message_sv=UNEXPECTED_ERROR_SV,
                              reason=f"{type(exc).__name__}: {exc}")
            return
        if summary.interrupted:  # the worker is stopping: the rest is done at its next start
            self.queue.requeue(file_id)
            log.warning("job %d: reprocessing stopped after %d of %d documents; queued again",
                        job_id, done, total)
            return
        updated, failed = summary.count("updated"), summary.count("failed")
        message = (f"{updated} dokument bearbetades på nytt." if done else
                   "Alla dokument var redan aktuella; inget behövde bearbetas.")
        if failed:
            message += (f" {failed} dokument kunde inte bearbetas och är oförändrade "
                        "(se kunskapsbank check och loggen).")
        self.queue.finish(file_id, "done", outcome="reprocessed", pages=done,
                          message_sv=message, reason="; ".join(
                              f"{o.path}: {o.reason}" for o in summary.failed[:20]) or None)
        log.info("job %d: reprocessed %d stale documents (%d failed) in %.1f s", job_id, updated,
                 failed, time.monotonic() - started)
