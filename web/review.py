"""Staff review and correction (role fou): `/dokument/<id>/granska` (the document's fields and
project mentions as forms beside its text and page images), delete and replace with a
confirmation step, and merging and splitting projects (`/projekt/<id>/sla-ihop`, `/dela`).

Every change goes through the service: stored as an override or a durable decision (so it
survives reprocessing), written to the audit log with the signed-in user's name, and re-indexed
at once.
"""
from __future__ import annotations

import logging
import re
import secrets
import time
import unicodedata
from datetime import date
from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, get_flashed_messages, redirect,
                   render_template, request, url_for)
from flask_login import current_user

from kunskapsbank.export import swedish_key
from kunskapsbank.jobs import JobQueue
from kunskapsbank.page_images import can_render, page_png
from kunskapsbank.projects import name_key
from kunskapsbank.uploads import Refused, clean_filename, media_type_of

from . import get_kb
from .auth import role_required
from .documents import document_or_404
from .filters import DOCUMENT_TYPE_LABELS
from .jobs import wake_worker
from .params import MAX_ID, parse_int
from .projects import get_project, project_or_404

log = logging.getLogger(__name__)

bp = Blueprint("review", __name__)

# document field -> (label, max length); "years" is a list of years
DOCUMENT_FIELDS = {
    "title": ("Titel", 500), "dnr": ("Diarienummer", 100), "document_type": ("Dokumenttyp", 40),
    "date": ("Datum", 10), "years": ("Redovisade år", 100), "nämnd": ("Nämnd", 200),
    "förvaltning": ("Förvaltning", 200), "avdelning": ("Avdelning", 200),
    "handläggare": ("Handläggare", 200), "telefon": ("Telefon", 50),
}
MENTION_FIELDS = {
    "name": ("Namn", 300), "district": ("Stadsdel", 100), "category": ("Kategori", 100),
    "year": ("År", 4), "status": ("Status", 100), "amount_sek": ("Belopp (kr)", 20),
    "owner": ("Ägare", 200), "partner": ("Forskningspartner", 200), "purpose": ("Syfte", 1000),
}
CATEGORIES = ("forskningsprojekt", "lokalt utvecklingsprojekt", "studieresa", "övrigt")
STATUSES = ("förstudie", "pågående", "utvärdering", "beviljad", "delvis beviljad", "avslagen",
            "avslutad")
FIELD_LABELS = {**{k: v[0] for k, v in DOCUMENT_FIELDS.items()},
                **{k: v[0] for k, v in MENTION_FIELDS.items()},
                "project": "Projekt", "document": "Dokument", "original": "Originalfil",
                "role": "Roll", "password": "Lösenord"}
ACTION_LABELS = {"correct": "Rättning", "add-mention": "Projekt tillagt",
                 "link": "Projektkoppling", "merge": "Sammanslagning", "split": "Uppdelning",
                 "delete": "Borttaget", "replace": "Originalet ersatt",
                 "user-add": "Konto tillagt", "user-role": "Ny roll",
                 "user-password": "Nytt lösenord", "user-remove": "Konto borttaget",
                 "task": "Jobb startat"}
STAGING_MAX_AGE_S = 24 * 3600  # replacement files waiting for confirmation


@bp.app_template_filter("faltnamn")
def field_label(field: str | None) -> str:
    return FIELD_LABELS.get(field or "", field or "–")


@bp.app_template_filter("andringstyp")
def action_label(action: str | None) -> str:
    return ACTION_LABELS.get(action or "", action or "–")


@bp.app_template_filter("tidpunkt")
def timestamp_sv(value: str | None) -> str:
    """'2026-11-22T15:58:14+00:00' -> '2026-11-22 15:58 UTC'."""
    if not value:
        return "–"
    return value[:16].replace("T", " ") + (" UTC" if value.endswith("+00:00") else "")


# -- reading forms ---------------------------------------------------------------------------
def _text(form, field: str, limit: int, label: str, errors: dict) -> str | None:
    value = " ".join(unicodedata.normalize("NFC", form.get(field) or "").split())
    if len(value) > limit:
        errors[field] = f"{label} får vara högst {limit} tecken lång."
    return value or None


def _year(value: str | None, field: str, errors: dict) -> int | None:
    if value is None:
        return None
    if not re.fullmatch(r"(19|20)\d\d", value):
        errors[field] = "Ange året med fyra siffror, till exempel 2019."
        return None
    return int(value)


def read_document_form(form) -> tuple[dict, dict]:
    """({field: value}, {field: Swedish error}) from the review form's document fields."""
    values, errors = {}, {}
    for field, (label, limit) in DOCUMENT_FIELDS.items():
        values[field] = _text(form, field, limit, label, errors)
    if values["document_type"] and values["document_type"] not in DOCUMENT_TYPE_LABELS:
        errors["document_type"] = "Välj en dokumenttyp i listan."
    if values["date"]:
        try:
            date.fromisoformat(values["date"])
            if not re.fullmatch(r"\d{4}-\d\d-\d\d", values["date"]):
                raise ValueError
        except ValueError:
            errors["date"] = "Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2019-03-14."
    years = []
    for part in re.split(r"[,;\s]+", values["years"] or ""):
        if part:
            years.append(_year(part, "years", errors))
    values["years"] = sorted(set(y for y in years if y is not None))
    return values, errors


def read_mention_form(form) -> tuple[dict, dict]:
    values, errors = {}, {}
    for field, (label, limit) in MENTION_FIELDS.items():
        values[field] = _text(form, field, limit, label, errors)
    if not values["name"] or not name_key(values["name"]):
        errors["name"] = "Projektet måste ha ett namn med bokstäver eller siffror."
    values["year"] = _year(values["year"], "year", errors)
    amount = (values["amount_sek"] or "").replace(" ", "").replace("\u00a0", "")
    amount = re.sub(r"(?i)(kr|kronor|sek)\.?$", "", amount).replace(",", ".")
    if amount:
        try:
            number = float(amount)
            if number < 0 or not number.is_integer():
                raise ValueError
            values["amount_sek"] = int(number)
        except ValueError:
            errors["amount_sek"] = "Ange beloppet i hela kronor, till exempel 250 000."
    else:
        values["amount_sek"] = None
    return values, errors


# -- the review page -------------------------------------------------------------------------
def category_choices(current: str | None) -> list[tuple[str, str]]:
    """(value, label) for the category select; a value outside the list stays choosable."""
    options = [("", "Ingen kategori")] + [(c, c[:1].upper() + c[1:]) for c in CATEGORIES]
    if current and current not in CATEGORIES:
        options.append((current, current))
    return options


def _choices(kb) -> dict:
    """Values the review forms suggest: districts and statuses in use, categories, projects."""
    rows = kb.catalog.db.execute(
        "SELECT DISTINCT district, status FROM mentions").fetchall()
    return {
        "districts": sorted({r["district"] for r in rows if r["district"]}, key=swedish_key),
        "statuses": sorted(set(STATUSES) | {r["status"] for r in rows if r["status"]},
                           key=swedish_key),
        "category_choices": category_choices,
        "projects": sorted(kb.catalog.list_projects(), key=lambda p: swedish_key(p["name"])),
        "document_types": DOCUMENT_TYPE_LABELS,
    }


def _render_review(id: int, *, status: int = 200, doc_errors=None, doc_values=None,
                   mention_errors=None, mention_values=None, error_mention=None):
    kb = get_kb()
    record = document_or_404(id)
    meta = kb.catalog.get_metadata(id)
    current = {**{f: meta.get(f) for f in DOCUMENT_FIELDS},
               **{f: getattr(record, f) for f in kb.catalog.DOCUMENT_FIELDS}}
    current["years"] = ", ".join(str(y) for y in meta.get("years") or [])
    corrected = set(kb.catalog.document_overrides(record.sha256))
    mention_overrides = kb.catalog.mention_overrides(record.sha256)
    mentions = kb.catalog.get_mentions(id)
    for m in mentions:
        key = m["override_key"] or name_key(m["name"])
        m["corrected"] = set(mention_overrides.get(key, {}))
        m["project"] = kb.catalog.get_project(m["project_id"]) if m["project_id"] else None
    return render_template(
        "review.html", doc=record, values=doc_values or current, corrected=corrected,
        doc_errors=doc_errors or {}, mentions=mentions, mention_errors=mention_errors or {},
        mention_values=mention_values or {}, error_mention=error_mention,
        pages=kb.catalog.get_pages(id), images=can_render(record.media_type),
        fields=DOCUMENT_FIELDS, mention_fields=MENTION_FIELDS, history=kb.audit.for_document(id),
        messages=get_flashed_messages(), saved_at=parse_int(request.args.get("sparad")),
        **_choices(kb)), status


@bp.get("/dokument/<int:id>/granska")
@role_required("fou")
def review(id: int):
    return _render_review(id)


@bp.post("/dokument/<int:id>/granska")
@role_required("fou")
def save_document(id: int):
    document_or_404(id)
    values, errors = read_document_form(request.form)
    if errors:
        shown = {k: request.form.get(k, "") for k in DOCUMENT_FIELDS}
        return _render_review(id, status=400, doc_errors=errors, doc_values=shown)
    changed = get_kb().correct_document(id, values, username=current_user.username)
    flash(_saved_sv(changed))
    return redirect(url_for("review.review", id=id, _anchor="meddelanden"), code=303)


def _saved_sv(changed: list) -> str:
    if not changed:
        return "Inget ändrades: uppgifterna var redan desamma."
    labels = ", ".join(field_label(f).lower() for f, _, _ in changed)
    return f"Sparat. Ändrat: {labels}."


def _mention_or_404(id: int, mention_id: int) -> dict:
    mention = get_kb().catalog.get_mention(mention_id) if 0 < mention_id <= MAX_ID else None
    if mention is None or mention["document_id"] != id:
        abort(404)
    return mention


@bp.post("/dokument/<int:id>/granska/projekt/<int:mention_id>")
@role_required("fou")
def save_mention(id: int, mention_id: int):
    _mention_or_404(id, mention_id)
    values, errors = read_mention_form(request.form)
    if errors:
        shown = {k: request.form.get(k, "") for k in MENTION_FIELDS}
        return _render_review(id, status=400, mention_errors=errors, mention_values=shown,
                              error_mention=mention_id)
    changed = get_kb().correct_mention(mention_id, values, username=current_user.username)
    flash(_saved_sv(changed))
    return redirect(url_for("review.review", id=id, sparad=mention_id,
                            _anchor=f"omnamnande-{mention_id}"),
                    code=303)


@bp.post("/dokument/<int:id>/granska/projekt/<int:mention_id>/koppling")
@role_required("fou")
def link_mention(id: int, mention_id: int):
    _mention_or_404(id, mention_id)
    raw = request.form.get("project_id", "")
    project_id = parse_int(raw) if raw else None
    kb = get_kb()
    if raw and (project_id is None or get_project(project_id) is None):
        flash("Projektet finns inte längre. Välj ett projekt i listan.")
        return redirect(url_for("review.review", id=id, sparad=mention_id,
                            _anchor=f"omnamnande-{mention_id}"),
                        code=303)
    moved = kb.link_mention(mention_id, project_id, username=current_user.username)
    flash(("Omnämnandet hör nu inte till något projekt." if project_id is None else
           "Omnämnandet är kopplat till det valda projektet.") if moved
          else "Inget ändrades: omnämnandet hörde redan dit.")
    return redirect(url_for("review.review", id=id, sparad=mention_id,
                            _anchor=f"omnamnande-{mention_id}"),
                    code=303)


@bp.post("/dokument/<int:id>/granska/nytt-projekt")
@role_required("fou")
def add_mention(id: int):
    document_or_404(id)
    errors: dict = {}
    name = _text(request.form, "name", 300, "Namn", errors)
    if not errors and (not name or not name_key(name)):
        errors["name"] = "Ange projektets namn med bokstäver eller siffror."
    if errors:
        return _render_review(id, status=400, mention_errors=errors,
                              mention_values={"name": request.form.get("name", "")},
                              error_mention="ny")
    mention_id = get_kb().add_mention(id, name, username=current_user.username)
    flash(f"Projektet {name} är tillagt i dokumentet.")
    return redirect(url_for("review.review", id=id, sparad=mention_id,
                            _anchor=f"omnamnande-{mention_id}"),
                    code=303)


@bp.get("/dokument/<int:id>/sida/<int:number>.png")
def page_image(id: int, number: int):
    """A page of the original as an image (PDFs and scans), cached after the first time."""
    kb = get_kb()
    record = document_or_404(id)
    if not can_render(record.media_type) or not 1 <= number <= max(record.page_count, 1):
        abort(404)
    path = kb.archive_path(record)
    if not path.is_file():
        abort(404)
    try:
        data = page_png(path, record.media_type, record.sha256, number,
                        kb.config.home / "cache" / "pages")
    except Exception:  # a damaged original: the text is still there to review
        log.exception("rendering page %d of document %d failed", number, id)
        abort(404)
    response = current_app.response_class(data, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


# -- delete and replace ----------------------------------------------------------------------
@bp.route("/dokument/<int:id>/ta-bort", methods=["GET", "POST"])
@role_required("fou")
def delete(id: int):
    """GET (or POST without the confirmation): "Är du säker?"; POST with `bekrafta=ja`:
    delete."""
    record = document_or_404(id)
    if request.method == "GET" or request.form.get("bekrafta") != "ja":
        projects = {m["project_id"] for m in get_kb().catalog.get_mentions(id)
                    if m["project_id"]}
        return render_template("confirm_delete.html", doc=record, project_count=len(projects))
    get_kb().delete_document(id, username=current_user.username)
    return render_template("deleted.html", doc=record)


def _staging_dir() -> Path:
    path = get_kb().config.home / "tmp" / "replace"
    path.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in path.iterdir():  # replacements never confirmed
        if now - old.stat().st_mtime > STAGING_MAX_AGE_S:
            old.unlink(missing_ok=True)
    return path


@bp.route("/dokument/<int:id>/ersatt", methods=["GET", "POST"])
@role_required("fou")
def replace(id: int):
    """Step 1: choose the new file (GET form; POST puts it aside and asks "Är du säker?")."""
    record = document_or_404(id)
    if request.method == "GET":
        return render_template("replace.html", doc=record, error=None)
    upload = request.files.get("fil")
    if upload is None or not upload.filename:
        return render_template("replace.html", doc=record,
                               error="Välj filen som ska ersätta originalet."), 400
    filename = clean_filename(upload.filename)
    token = secrets.token_hex(16)
    staged = _staging_dir() / token
    upload.save(staged)
    try:
        media_type_of(staged, filename)
    except Refused as exc:
        staged.unlink(missing_ok=True)
        log.warning("replacement %s for document %d refused: %s", filename, id, exc.reason_en)
        return render_template("replace.html", doc=record, error=exc.message_sv), 400
    (staged.parent / f"{token}.name").write_text(filename, encoding="utf-8")
    return render_template("confirm_replace.html", doc=record, token=token, filename=filename,
                           size=staged.stat().st_size)


@bp.post("/dokument/<int:id>/ersatt/bekrafta")
@role_required("fou")
def replace_confirmed(id: int):
    """Step 2: the confirmed replacement: archive the new original and queue it for the job
    worker (which processes it, keeps the document's id and corrections and moves the old
    original to the trash); the job page shows its progress."""
    record = document_or_404(id)
    token = request.form.get("token", "")
    staged = _staging_dir() / token if re.fullmatch(r"[0-9a-f]{32}", token) else None
    name_file = staged.parent / f"{token}.name" if staged else None
    if staged is None or not staged.is_file():
        return render_template("replace.html", doc=record, error=(
            "Filen som skulle ersätta originalet finns inte kvar (den väntade för länge). "
            "Välj den igen.")), 400
    filename = name_file.read_text(encoding="utf-8") if name_file.is_file() else staged.name
    if request.form.get("bekrafta") != "ja":
        staged.unlink(missing_ok=True)
        name_file.unlink(missing_ok=True)
        flash("Originalet ersattes inte.")
        return redirect(url_for("documents.show", id=id), code=303)
    kb = get_kb()
    queue = JobQueue(kb.catalog)
    try:
        outcome, stored = kb.admit_replacement(id, staged, filename=filename)
    finally:
        staged.unlink(missing_ok=True)
        name_file.unlink(missing_ok=True)
    pending = queue.pending_with(stored.sha256) if stored else None
    if pending is not None:
        outcome.status, outcome.message_sv = "duplicate", (
            f"Filen väntar redan på bearbetning (jobb {pending['job_id']}).")
        outcome.document_id = None
    if outcome.status != "queued":
        return render_template("replace.html", doc=record, error=outcome.message_sv,
                               duplicate=outcome.document_id
                               if outcome.status == "duplicate" else None), 400
    job_id = queue.create([{"filename": filename, "sha256": stored.sha256,
                            "archive_path": stored.relpath, "size": stored.size,
                            "replaces_document": id}], created_by=current_user.username)
    log.info("job %d: %s asked to replace the original of document %d with %s", job_id,
             current_user.username, id, filename)
    wake_worker(current_app)
    return redirect(url_for("jobs.show", job_id=job_id), code=303)


# -- merge and split projects ----------------------------------------------------------------
@bp.route("/projekt/<int:id>/sla-ihop", methods=["GET", "POST"])
@role_required("fou")
def merge(id: int):
    """GET ?med=<other>: "Är du säker?"; POST with `bekrafta=ja`: merge this project into the
    other one (the other keeps its name and page)."""
    project = project_or_404(id)
    other_id = parse_int(request.values.get("med"))
    kb = get_kb()
    other = get_project(other_id) if other_id else None
    if other is None or other_id == id:
        flash("Välj ett annat projekt att slå ihop med.")
        return redirect(url_for("projects.show", id=id, _anchor="sla-ihop"), code=303)
    if request.method == "GET" or request.form.get("bekrafta") != "ja":
        return render_template("confirm_merge.html", project=project, other=other,
                               count=len(kb.catalog.project_timeline(id)))
    kb.merge_projects(id, other_id, username=current_user.username)
    flash(f"Projektet {project['name']} är sammanslaget med {other['name']}.")
    return redirect(url_for("projects.show", id=other_id), code=303)


@bp.post("/projekt/<int:id>/dela")
@role_required("fou")
def split(id: int):
    """Move the chosen mentions to a new project (they were wrongly joined)."""
    project_or_404(id)
    mention_ids = [parse_int(v) for v in request.form.getlist("omnamnande")]
    name = " ".join((request.form.get("namn") or "").split())[:300]
    timeline = get_kb().catalog.project_timeline(id)
    if not name_key(name):
        flash("Ange ett namn på det nya projektet.")
    elif not mention_ids or None in mention_ids:
        flash("Välj de omnämnanden som ska flyttas till det nya projektet.")
    elif len(set(mention_ids)) >= len(timeline):
        flash("Minst ett omnämnande måste stanna kvar i projektet.")
    else:
        try:
            new_id = get_kb().split_project(id, mention_ids, name,
                                            username=current_user.username)
        except ValueError:
            flash("Välj omnämnanden som hör till det här projektet.")
        else:
            flash(f"Det nya projektet {name} är skapat.")
            return redirect(url_for("projects.show", id=new_id), code=303)
    return redirect(url_for("projects.show", id=id, _anchor="dela"), code=303)


# -- the trash (role admin) ------------------------------------------------------------------
@bp.route("/admin/papperskorg", methods=["GET", "POST"])
@role_required("admin")
def trash():
    """The originals of deleted and replaced documents; an admin empties it (all, or what was
    deleted more than N days ago) after an "Är du säker?" step."""
    kb = get_kb()
    days_text = (request.form.get("dagar") or "").strip()
    days = parse_int(days_text) if days_text else None
    error = None
    if days_text and (days is None or not 0 <= days <= 36500):
        error = "Ange antal dagar som ett heltal, till exempel 30, eller lämna fältet tomt."
    if request.method == "POST" and not error:
        if request.form.get("bekrafta") == "ja":
            purged = kb.purge_trash(days)
            log.info("%s purged %d original(s) from the trash", current_user.username,
                     len(purged))
            flash(f"{len(purged)} original är borttag{'et' if len(purged) == 1 else 'na'} "
                  "för gott.")
            return redirect(url_for("review.trash"), code=303)
        return render_template("trash.html", items=kb.trash.list(), confirm=True, days=days,
                               error=None, messages=[])
    return render_template("trash.html", items=kb.trash.list(), confirm=False, days=days_text,
                           error=error, messages=get_flashed_messages()), 400 if error else 200
