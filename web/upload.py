"""Upload (`/ladda-upp`, role fou): one or many files with optional metadata. Each file is put
in the archive first (nothing uploaded is lost), its type decided by content, a file already in
the catalog reported as a duplicate with a link; the rest are queued for the worker and the
request returns at once, to the job page."""
from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path

from flask import (Blueprint, current_app, redirect, render_template, request, url_for)
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from kunskapsbank.jobs import JobQueue
from kunskapsbank.projects import name_key
from kunskapsbank.uploads import Refused, clean_filename, media_type_of

from . import get_kb
from .auth import role_required
from .jobs import wake_worker

log = logging.getLogger(__name__)

bp = Blueprint("upload", __name__)

# form field -> (label, max length)
FIELDS = {
    "title": ("Titel", 300),
    "year": ("År", 4),
    "dnr": ("Diarienummer", 100),
    "project": ("Projekt", 200),
    "district": ("Stadsdel", 100),
    "category": ("Kategori", 100),
}
ACCEPT = (".pdf,.docx,.png,.jpg,.jpeg,.tif,.tiff,.txt,application/pdf,image/png,image/jpeg,"
          "image/tiff,text/plain,"
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
def _size_sv(n: int) -> str:
    """A byte count as Swedish text: 100 MB, 1,5 MB, 2 kB."""
    value, unit = (n / (1024 * 1024), "MB") if n >= 1024 * 1024 else (n / 1024, "kB")
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",") + f" {unit}"


def _read_metadata(form) -> tuple[dict, dict]:
    """(metadata given, {field: Swedish error})."""
    values, errors = {}, {}
    for field, (label, limit) in FIELDS.items():
        value = " ".join((form.get(field) or "").split())
        if not value:
            continue
        if len(value) > limit:
            errors[field] = f"{label} får vara högst {limit} tecken lång."
            continue
        values[field] = value
    if "year" in values:
        if not re.fullmatch(r"(19|20)\d\d", values["year"]):
            errors["year"] = "Ange året med fyra siffror, till exempel 2024."
        else:
            values["year"] = int(values["year"])
    if ("district" in values or "category" in values) and "project" not in values \
            and "project" not in errors:
        errors["project"] = "Ange projektets namn när du anger stadsdel eller kategori."
    if "project" in values and not name_key(values["project"]):
        errors["project"] = "Projektets namn måste innehålla bokstäver eller siffror."
    return values, errors


def _apply_overrides(catalog, sha256: str, meta: dict, author: str) -> None:
    """The metadata the uploader gave, as staff overrides keyed by the file's sha256: they win
    over extraction when the worker saves the document, and after any reprocessing."""
    for form_field, field, value in (("title", "title", meta.get("title")),
                                     ("dnr", "dnr", meta.get("dnr")),
                                     ("year", "years", [meta["year"]] if "year" in meta else None)):
        if value is not None:
            catalog.set_override(sha256, field, value, author=author)
    if "project" in meta:
        key = name_key(meta["project"])
        catalog.set_override(sha256, "added", meta["project"], mention_key=key, author=author)
        for field in ("district", "category"):
            if field in meta:
                catalog.set_override(sha256, field, meta[field], mention_key=key, author=author)


def _render(status: int = 200, *, values=None, errors=None, file_errors=None):
    return render_template(
        "upload.html", fields=FIELDS, values=values or {}, errors=errors or {},
        file_errors=file_errors or [], accept=ACCEPT,
        limit=_size_sv(current_app.config["MAX_CONTENT_LENGTH"])), status


@bp.get("/ladda-upp")
@role_required("fou")
def form():
    return _render()


@bp.post("/ladda-upp")
@role_required("fou")
def submit():
    uploads = [f for f in request.files.getlist("filer") if f and f.filename]
    meta, errors = _read_metadata(request.form)
    values = {k: request.form.get(k, "") for k in FIELDS}
    if not uploads:
        errors["filer"] = "Välj minst en fil att ladda upp."
    if errors:
        return _render(400, values=values, errors=errors)

    kb = get_kb()
    queue = JobQueue(kb.catalog)
    author = current_user.username
    items = [_admit(kb, queue, upload, author) for upload in uploads]
    seen: dict[str, int] = {}
    for i, item in enumerate(items):  # the same file twice in one upload
        sha = item.get("sha256")
        if item["status"] == "queued" and sha in seen:
            item.update(status="done", outcome="duplicate",
                        message_sv=f"Samma fil som {items[seen[sha]]['filename']} i den här "
                                   "uppladdningen.", reason="same file twice in one upload")
        elif sha:
            seen.setdefault(sha, i)
    if all(item["status"] == "failed" for item in items):
        return _render(400, values=values,
                       file_errors=[(i["filename"], i["message_sv"]) for i in items])
    for item in items:
        if item["status"] == "queued":
            _apply_overrides(kb.catalog, item["sha256"], meta, author)
    job_id = queue.create(items, created_by=author, metadata=meta)
    log.info("job %d: %s uploaded %d file(s), %d queued", job_id, author, len(items),
             sum(1 for i in items if i["status"] == "queued"))
    wake_worker(current_app)
    return redirect(url_for("jobs.show", job_id=job_id), code=303)


def _admit(kb, queue: JobQueue, upload, author: str) -> dict:
    """Archive the upload, then judge it: a dict for JobQueue.create."""
    filename = clean_filename(upload.filename)
    item = {"filename": filename, "status": "failed"}
    tmp_dir = kb.config.home / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            upload.save(out)
        stored = kb.archive.store(Path(tmp), filename)
    except OSError as exc:
        log.error("upload %s by %s: cannot store: %s", filename, author, exc)
        item.update(message_sv="Filen kunde inte sparas. Försök igen om en stund.",
                    reason=f"cannot store upload: {exc}")
        return item
    finally:
        Path(tmp).unlink(missing_ok=True)
    item.update(sha256=stored.sha256, archive_path=stored.relpath, size=stored.size)
    log.info("upload %s by %s: archived as %s (%d bytes)", filename, author, stored.relpath,
             stored.size)
    try:
        media_type = media_type_of(kb.archive.path(stored.relpath), filename)
    except Refused as exc:
        return _refuse(kb, item, exc.message_sv, exc.reason_en)
    item["media_type"] = media_type
    existing = kb.catalog.find_by_sha256(stored.sha256)
    if existing is not None:
        item.update(status="done", outcome="duplicate", document_id=existing.id,
                    message_sv=f"Filen finns redan i Kunskapsbanken ({existing.filename}) och "
                               "har inte lagts till igen.",
                    reason=f"duplicate of document {existing.id}")
        return item
    pending = queue.pending_with(stored.sha256)
    if pending is not None:
        item.update(status="done", outcome="duplicate",
                    message_sv=f"Filen väntar redan på bearbetning (jobb {pending['job_id']}).",
                    reason=f"already queued in job {pending['job_id']}")
        return item
    item["status"] = "queued"
    return item


def _refuse(kb, item: dict, message_sv: str, reason: str) -> dict:
    log.warning("upload %s refused: %s", item["filename"], reason)
    kb.catalog.record_error(f"upload:{item['filename']}", reason, message_sv, item.get("sha256"))
    item.update(status="failed", message_sv=message_sv, reason=reason)
    return item


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_err):
    limit = _size_sv(current_app.config["MAX_CONTENT_LENGTH"])
    log.warning("upload refused: larger than %s", limit)
    return _render(413, errors={"filer": f"Filerna är för stora. Högst {limit} kan laddas upp "
                                         "åt gången; dela upp dem på flera uppladdningar."})
