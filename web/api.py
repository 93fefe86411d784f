"""JSON API: `GET /api/search`, `GET /api/documents/<id>`, `GET /api/projects` and
`GET /api/projects/<id>`. Errors are JSON too (see errors.py)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for

from . import get_kb
from . import projects as project_pages
from .params import MAX_ID, ParamError, clean_query, parse_int, search_options
from .search import run_search

bp = Blueprint("api", __name__, url_prefix="/api")


class ApiError(Exception):
    def __init__(self, message_sv: str, status: int = 400) -> None:
        super().__init__(message_sv)
        self.message_sv = message_sv
        self.status = status


@bp.errorhandler(ApiError)
def _api_error(err: ApiError):
    return jsonify({"error": err.message_sv}), err.status


def _int_param(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = parse_int(raw)
    if value is None or not low <= value <= high:
        raise ApiError(f"Parametern {name} måste vara ett heltal från {low} till {high}.")
    return value


@bp.get("/search")
def search():
    cfg = current_app.config
    q = clean_query(request.args.get("q"))
    if not q:
        raise ApiError("Ange en sökfråga i parametern q.")
    if len(q) > cfg["MAX_QUERY_LENGTH"]:
        raise ApiError(f"Sökfrågan får vara högst {cfg['MAX_QUERY_LENGTH']} tecken lång.")
    page = _int_param("page", 1, 1, cfg["MAX_PAGE"])
    page_size = _int_param("page_size", cfg["SEARCH_PAGE_SIZE"], 1, cfg["API_MAX_PAGE_SIZE"])
    # The same filters and sort as the search page (ar, typ, stadsdel, kategori, sortering),
    # but an invalid value is an error here rather than ignored.
    try:
        filters, sort = search_options(request.args, strict=True)
    except ParamError as exc:
        raise ApiError(str(exc)) from None
    results = run_search(get_kb(), q, page=page, page_size=page_size, filters=filters,
                         sort=sort)
    return jsonify(results.to_json())


MAX_SUGGEST_PREFIX = 200


@bp.get("/suggest")
def suggest():
    """Autocomplete: `?q=<början>` gives a JSON list of {"label", "kind" ("projekt" or
    "stadsdel"), "id", "url"}; `limit` 1-20 (default 10)."""
    q = clean_query(request.args.get("q"))
    if not q:
        raise ApiError("Ange början av ett ord i parametern q.")
    if len(q) > MAX_SUGGEST_PREFIX:
        raise ApiError(f"Parametern q får vara högst {MAX_SUGGEST_PREFIX} tecken lång.")
    limit = _int_param("limit", 10, 1, 20)
    kb = get_kb()
    suggest_fn = getattr(kb, "suggest", None)
    items = suggest_fn(q, limit=limit) if callable(suggest_fn) else []
    out = []
    for item in list(items)[:limit]:
        entry = {"label": item.get("label"), "kind": item.get("kind"), "id": item.get("id")}
        if entry["kind"] == "projekt" and isinstance(entry["id"], int):
            entry["url"] = url_for("projects.show", id=entry["id"])
        elif entry["kind"] == "stadsdel" and entry["label"]:
            entry["url"] = url_for("projects.index", stadsdel=entry["label"])
        else:
            entry["url"] = None
        out.append(entry)
    return jsonify(out)


@bp.get("/documents/<int:id>")
def document(id: int):
    kb = get_kb()
    record = kb.catalog.get_document(id) if id <= MAX_ID else None
    if record is None:
        raise ApiError("Dokumentet finns inte.", 404)
    data = record.to_json()
    data["pages"] = record.page_count
    data["url"] = url_for("documents.show", id=id)
    data["original_url"] = url_for("documents.original", id=id)
    # Per page: text quality (share of Swedish words after the repair, 0-1, or null) and OCR.
    data["pages_detail"] = [
        {"number": p.number, "quality": p.quality, "ocr": p.ocr,
         "ocr_confidence": p.ocr_confidence, "source": p.source}
        for p in kb.catalog.get_pages(id)
    ]
    # The whole extracted metadata (Swedish keys: nämnd, förvaltning, handläggare, signatories …)
    # and the projects the document names, each linked to its project.
    data["metadata"] = kb.catalog.get_metadata(id)
    data["projects"] = [_mention_json(m) for m in kb.catalog.get_mentions(id)]
    # `?rattelser=1`: every change the text repair made (offset into that page's raw text).
    if request.args.get("rattelser") == "1":
        data["repairs"] = [
            {"page": r.page, "offset": r.offset, "before": r.before, "after": r.after,
             "rule": r.rule}
            for r in kb.catalog.get_repairs(id)
        ]
    return jsonify(data)


def _project_json(project: dict) -> dict:
    data = {k: project.get(k) for k in ("id", "name", "district", "category", "created_at")}
    for k in ("mentions", "first_year", "last_year"):
        if k in project:
            data[k] = project[k]
    data["url"] = url_for("projects.show", id=project["id"])
    data["api_url"] = url_for("api.project", id=project["id"])
    return data


def _mention_json(mention: dict) -> dict:
    data = dict(mention)
    pid = mention.get("project_id")
    data["project_url"] = url_for("projects.show", id=pid) if pid else None
    data["document_url"] = url_for("documents.show", id=mention["document_id"])
    return data


@bp.get("/projects")
def projects():
    """All projects sorted by name; `?stadsdel=` and `?kategori=` filter as on /projekt."""
    district, category = project_pages.filter_args()
    everything, chosen = project_pages.list_projects(district, category)
    return jsonify({"total": len(chosen), "filters": {"stadsdel": district or None,
                                                      "kategori": category or None},
                    "projects": [_project_json(p) for p in chosen]})


@bp.get("/projects/<int:id>")
def project(id: int):
    found = project_pages.get_project(id)
    if found is None:
        raise ApiError("Projektet finns inte.", 404)
    timeline = get_kb().catalog.project_timeline(id)
    data = _project_json(found)
    data["mentions"] = len(timeline)
    data["first_year"], data["last_year"] = project_pages.project_years(found, timeline)
    data["timeline"] = [_mention_json(m) for m in timeline]
    return jsonify(data)
