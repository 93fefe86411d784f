"""The search page: `/` with the query in `?q=` and the result page in `?sida=`."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from . import get_kb
from .params import clean_query, parse_int

bp = Blueprint("search", __name__)


@bp.get("/")
def index():
    cfg = current_app.config
    q = clean_query(request.args.get("q"))
    shortened = len(q) > cfg["MAX_QUERY_LENGTH"]
    if shortened:
        q = q[: cfg["MAX_QUERY_LENGTH"]].rstrip()
    # Junk page numbers (sida=abc, sida=-1) mean the first page; huge ones are capped.
    page = parse_int(request.args.get("sida"))
    page = min(max(page or 1, 1), cfg["MAX_PAGE"])

    results = None
    pages = 0
    if q:
        results = get_kb().search(q, page=page, page_size=cfg["SEARCH_PAGE_SIZE"])
        size = results.page_size or cfg["SEARCH_PAGE_SIZE"]
        pages = -(-results.total // size)
    return render_template("search.html", q=q, results=results, pages=pages,
                           shortened=shortened)
