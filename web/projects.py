"""Projects: `/projekt` (all projects, filtered by `?stadsdel=` and `?kategori=`) and
`/projekt/<id>` (one project and its timeline: every mention, oldest first, with its document)."""
from __future__ import annotations

import unicodedata

from flask import Blueprint, abort, render_template, request

from . import get_kb
from .params import MAX_ID, clean_query

bp = Blueprint("projects", __name__, url_prefix="/projekt")

MAX_FILTER_LENGTH = 200
# Swedish alphabetical order: å, ä, ö after z (in that order), other accents as their base letter.
_SV_LAST = {"å": "\U0010fff0", "ä": "\U0010fff1", "ö": "\U0010fff2",
            "æ": "\U0010fff1", "ø": "\U0010fff2"}


def swedish_key(text: str | None) -> tuple:
    """A sort key for Swedish alphabetical order ('Ängby' after 'Zeta', 'Åby' before 'Äby')."""
    out = []
    for char in (text or "").casefold():
        if char in _SV_LAST:
            out.append(_SV_LAST[char])
            continue
        base = unicodedata.normalize("NFD", char)[0]
        out.append(base)
    return ("".join(out), text or "")


def filter_args() -> tuple[str, str]:
    """The `stadsdel` and `kategori` filters from the query string ('' when not given)."""
    district = clean_query(request.args.get("stadsdel"))[:MAX_FILTER_LENGTH]
    category = clean_query(request.args.get("kategori"))[:MAX_FILTER_LENGTH]
    return district, category


def list_projects(district: str = "", category: str = "") -> tuple[list[dict], list[dict]]:
    """(all projects, the projects that pass the filters), both sorted by name in Swedish
    order."""
    projects = sorted(get_kb().catalog.list_projects(), key=lambda p: swedish_key(p["name"]))
    chosen = [p for p in projects
              if (not district or (p.get("district") or "") == district)
              and (not category or (p.get("category") or "") == category)]
    return projects, chosen


def get_project(id: int) -> dict | None:
    return get_kb().catalog.get_project(id) if 0 < id <= MAX_ID else None


def project_years(project: dict, timeline: list[dict]) -> tuple[int | None, int | None]:
    years = [m["year"] for m in timeline if m.get("year") is not None]
    return (min(years), max(years)) if years else (None, None)


@bp.get("")
def index():
    district, category = filter_args()
    projects, chosen = list_projects(district, category)
    districts = sorted({p["district"] for p in projects if p.get("district")}, key=swedish_key)
    categories = sorted({p["category"] for p in projects if p.get("category")}, key=swedish_key)
    return render_template("projects.html", projects=chosen, total=len(projects),
                           districts=districts, categories=categories,
                           district=district, category=category)


@bp.get("/<int:id>")
def show(id: int):
    project = get_project(id)
    if project is None:
        abort(404)
    timeline = get_kb().catalog.project_timeline(id)
    first_year, last_year = project_years(project, timeline)
    return render_template("project.html", project=project, timeline=timeline,
                           first_year=first_year, last_year=last_year)
