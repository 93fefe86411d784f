"""Background processing of uploaded files: a queue in the catalog (jobs -> job_files) and a
worker that takes one queued file at a time, runs it through `Kunskapsbank.ingest_file` with
page-by-page progress, and records the result.

The original is in the archive before a file is queued, so nothing waits in memory and nothing
is lost when the process stops: a file left `running` by a worker that died is queued again
when a worker starts (`requeue_abandoned`). `kunskapsbank serve` runs a worker as a daemon
thread beside the web app; `kunskapsbank worker` runs one as a process of its own.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from datetime import datetime, timedelta, timezone

from .catalog import Catalog

log = logging.getLogger(__name__)

STATUSES = ("queued", "running", "done", "failed")
MAX_ATTEMPTS = 3  # a file whose processing killed the worker this often is given up
STALE_AFTER = timedelta(minutes=30)  # no progress for this long: its worker is gone
POLL_SECONDS = 2.0
UNEXPECTED_SV = "Ett oväntat fel inträffade när filen bearbetades. Originalet är sparat."
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
        media_type, status (default queued), outcome, document_id, message_sv, reason."""
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
                    " updated_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (job_id, position, f["filename"], f.get("sha256"), f.get("archive_path"),
                     f.get("size"), f.get("media_type"), status, f.get("outcome"),
                     f.get("document_id"), f.get("message_sv"), f.get("reason"), now, finished))
        return job_id

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

    def recent(self, limit: int = 50) -> list[dict]:
        """The latest jobs with counts of their files by status."""
        rows = self.db.execute(
            "SELECT j.*, count(f.id) AS files,"
            " sum(f.status = 'queued') AS queued, sum(f.status = 'running') AS running,"
            " sum(f.status = 'done') AS done, sum(f.status = 'failed') AS failed"
            " FROM jobs j LEFT JOIN job_files f ON f.job_id = j.id"
            " GROUP BY j.id ORDER BY j.id DESC LIMIT ?", (limit,)).fetchall()
        return [dict(r) for r in rows]

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


class Worker:
    """Processes queued files one at a time with a `Kunskapsbank` (its catalog, archive and
    index). `start()` runs it in a daemon thread; `run()` in the calling thread."""

    def __init__(self, kb, *, poll_seconds: float = POLL_SECONDS) -> None:
        self.kb = kb
        self.queue = JobQueue(kb.catalog)
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

    def wake(self) -> None:
        """Look at the queue now (a file was just queued)."""
        self._wake.set()

    def run(self, *, until_empty: bool = False) -> int:
        """Process files until stopped (or, with until_empty, until none is queued); returns
        the number processed."""
        processed = 0
        while not self._stop.is_set():
            if self.run_once():
                processed += 1
                continue
            if until_empty:
                break
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
        return processed

    def run_once(self) -> bool:
        """Process one queued file, if there is one."""
        item = self.queue.claim()
        if item is None:
            return False
        self.process(item)
        return True

    def process(self, item: dict) -> None:
        file_id, filename = item["id"], item["filename"]
        started = time.monotonic()
        log.info("job %d: processing %s", item["job_id"], filename)

        def on_page(done: int, total: int | None) -> None:
            self.queue.progress(file_id, done, total)

        try:
            outcome = self.kb.ingest_file(self.kb.archive.path(item["archive_path"]),
                                          filename=filename, on_page=on_page)
        except Exception as exc:  # noqa: BLE001 - one file must never stop the worker
            log.exception("job %d: unexpected error processing %s", item["job_id"], filename)
            saved = self.kb.catalog.find_by_sha256(item["sha256"]) if item["sha256"] else None
            if saved is not None:  # saved in the catalog; only indexing failed (done later)
                self.queue.finish(file_id, "done", outcome="added", document_id=saved.id)
            else:
                self.queue.finish(file_id, "failed", message_sv=UNEXPECTED_SV,
                                  reason=f"{type(exc).__name__}: {exc}")
            return
        if outcome.status == "failed":
            self.queue.finish(file_id, "failed", message_sv=outcome.message_sv,
                              reason=outcome.reason)
            log.warning("job %d: %s failed: %s", item["job_id"], filename, outcome.reason)
        else:
            self.queue.finish(file_id, "done", outcome=outcome.status,
                              document_id=outcome.document_id, pages=outcome.pages or None)
            log.info("job %d: %s %s as document %s (%d pages, %.1f s)", item["job_id"],
                     filename, outcome.status, outcome.document_id, outcome.pages,
                     time.monotonic() - started)
