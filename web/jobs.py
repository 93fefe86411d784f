"""Job pages (`/jobb`, `/jobb/<id>`, role fou): each uploaded file's (or replacement
original's) progress, result and, on failure, a Swedish explanation; an admin's task (re-index,
reprocess) shows its progress in documents. No JavaScript: a running job's page reloads itself
with `<meta http-equiv="refresh">` and has a plain reload link."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template

from kunskapsbank.jobs import TASKS, JobQueue, Worker

from . import get_kb
from .auth import role_required

bp = Blueprint("jobs", __name__)

_EXT_WORKER = "kunskapsbank_worker"
REFRESH_SECONDS = 3
STATUS_SV = {"queued": "I kö", "running": "Bearbetas", "done": "Klar", "failed": "Misslyckades"}
TASK_SV = {"reindex": "Bygg om sökindexet",
           "reprocess-stale": "Bearbeta inaktuella dokument igen"}
OUTCOME_SV = {"added": "Tillagd", "updated": "Bearbetad på nytt", "duplicate": "Fanns redan",
              "replaced": "Originalet ersatt"}


def start_worker(app: Flask) -> Worker:
    """Run a worker for the app's Kunskapsbank in a daemon thread (`kunskapsbank serve`).
    Files left running by a worker that died are queued again first."""
    worker = Worker(app.extensions["kunskapsbank"]).start()
    app.extensions[_EXT_WORKER] = worker
    return worker


def stop_worker(app: Flask, timeout: float | None = None) -> None:
    worker = app.extensions.pop(_EXT_WORKER, None)
    if worker is not None:
        worker.stop(timeout)


def wake_worker(app: Flask) -> None:
    """Tell this process's worker, if it has one, that files were queued."""
    worker = app.extensions.get(_EXT_WORKER)
    if worker is not None:
        worker.wake()


@bp.get("/jobb")
@role_required("fou")
def index():
    return render_template("jobs.html", jobs=JobQueue(get_kb().catalog).recent())


@bp.get("/jobb/<int:job_id>")
@role_required("fou")
def show(job_id: int):
    job = JobQueue(get_kb().catalog).get(job_id)
    if job is None:
        abort(404)
    # an admin's task (re-index, reprocess) has a page of its own (web/admin.py)
    template = "admin_task.html" if job["kind"] in TASKS else "job.html"
    return render_template(template, job=job, status_sv=STATUS_SV, outcome_sv=OUTCOME_SV,
                           task_sv=TASK_SV, refresh=None if job["finished"] else REFRESH_SECONDS)
