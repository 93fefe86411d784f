"""Projects: `/projekt` (all projects, filtered by `?stadsdel=`, `?kategori=`, `?år=` and
`?status=`), `/projekt/<id>` (one project and its timeline: every mention, oldest first, with
its document) and the export for the yearly redovisning, `/projekt/export.csv` and
`/projekt/export.json`, with the same filters (kunskapsbank.export)."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, get_flashed_messages, jsonify, render_template,
                   request)

from kunskapsbank.export import (ExportFilter, FilterError, export_filename, filter_choices,
                                 mention_rows, project_ids, swedish_key, to_csv, to_json)

from . import get_kb
from .params import MAX_ID, clean_query

bp = Blueprint("projects", __name__, url_prefix="/projekt")

MAX_FILTER_LENGTH = 200
FILTER_ARGS = ("stadsdel", "kategori", "år", "status")


def _args() -> dict[str, str]:
    """The filters from the query string ('' when not given), as typed."""
    return {name: clean_query(request.args.get(name))[:MAX_FILTER_LENGTH]
            for name in FILTER_ARGS}


def filter_args() -> tuple[str, str]:
    """The `stadsdel` and `kategori` filters ('' when not given), as the API takes them."""
    args = _args()
    return args["stadsdel"], args["kategori"]


def export_filter(args: dict[str, str]) -> ExportFilter:
    """Raises FilterError (with a Swedish message) for a year that is not a year."""
    return ExportFilter.parse(year=args["år"], district=args["stadsdel"],
                              category=args["kategori"], status=args["status"])


def list_projects(district: str = "", category: str = "", *,
                  flt: ExportFilter | None = None) -> tuple[list[dict], list[dict]]:
    """(all projects, the projects with a mention that passes the filter: `flt`, or district
    and category), both sorted by name in Swedish order."""
    flt = flt or ExportFilter.parse(district=district, category=category)
    projects = sorted(get_kb().catalog.list_projects(), key=lambda p: swedish_key(p["name"]))
    if flt == ExportFilter():
        return projects, projects
    chosen = project_ids(get_kb().catalog, flt)
    return projects, [p for p in projects if p["id"] in chosen]


def get_project(id: int) -> dict | None:
    return get_kb().catalog.get_project(id) if 0 < id <= MAX_ID else None


def project_or_404(id: int) -> dict:
    project = get_project(id)
    if project is None:
        abort(404)
    return project


def project_years(project: dict, timeline: list[dict]) -> tuple[int | None, int | None]:
    years = [m["year"] for m in timeline if m.get("year") is not None]
    return (min(years), max(years)) if years else (None, None)


@bp.get("")
def index():
    args = _args()
    error = None
    try:
        flt = export_filter(args)
    except FilterError as exc:
        flt, error = ExportFilter(), exc.message_sv
    projects, chosen = list_projects(flt=flt)
    choices = filter_choices(get_kb().catalog)
    filtered = flt != ExportFilter()
    return render_template("projects.html", projects=chosen, total=len(projects),
                           districts=choices["districts"], categories=choices["categories"],
                           years=choices["years"], statuses=choices["statuses"],
                           district=args["stadsdel"], category=args["kategori"],
                           year=args["år"], status=args["status"], filtered=filtered,
                           error=error), 400 if error else 200


def _export_rows():
    args = _args()
    try:
        flt = export_filter(args)
    except FilterError as exc:
        abort(Response(render_template("error.html", status=400, title="Felaktigt filter",
                                       text=exc.message_sv), 400, mimetype="text/html"))
    return flt, mention_rows(get_kb().catalog, flt)


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/export.csv")
def export_csv():
    """CSV for Swedish Excel: UTF-8 with BOM, ';', CRLF, decimal comma."""
    flt, rows = _export_rows()
    return _attachment(Response(to_csv(rows), mimetype="text/csv; charset=utf-8"),
                       export_filename(flt, "csv"))


@bp.get("/export.json")
def export_json():
    flt, rows = _export_rows()
    return _attachment(jsonify(to_json(rows, flt)), export_filename(flt, "json"))


@bp.get("/<int:id>")
def show(id: int):
    project = project_or_404(id)
    kb = get_kb()
    timeline = kb.catalog.project_timeline(id)
    first_year, last_year = project_years(project, timeline)
    others = sorted((p for p in kb.catalog.list_projects() if p["id"] != id),
                    key=lambda p: swedish_key(p["name"]))
    return render_template("project.html", project=project, timeline=timeline,
                           first_year=first_year, last_year=last_year, others=others,
                           history=kb.audit.for_project(id), messages=get_flashed_messages())
