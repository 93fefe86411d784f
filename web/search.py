"""The search page: `/` with the query in `?q=` and the result page in `?sida=`.

Filters from the facets (`?ar=2018&typ=pm&stadsdel=Farsta&kategori=studieresa`) and the sort
order (`?sortering=relevans|datum`) are plain query parameters, so every state of the page is a
link and nothing needs JavaScript. Invalid values are ignored here (the API rejects them).
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from . import get_kb
from .filters import capitalize_first, document_type_label
from .params import FACETS, SORTS, clean_query, parse_int, search_options

bp = Blueprint("search", __name__)


def run_search(kb, q: str, *, page: int, page_size: int, filters: dict, sort: str):
    """kb.search with checked filters and the sort parameter ("relevans"/"datum")."""
    return kb.search(q, page=page, page_size=page_size, filters=filters or None,
                     sort=SORTS[sort])


def facet_label(key: str, value) -> str:
    """How a facet value is shown: Swedish document-type labels, categories capitalised."""
    if key == "typ":
        return document_type_label(str(value))
    if key == "kategori":
        return capitalize_first(str(value))
    return str(value)


def search_url(params: dict, **changes) -> str:
    """The search page's URL with `params` (q, filters, sort) changed by `changes`; a change
    to None removes the parameter. Without an explicit `sida` the first page is meant."""
    merged = {**params, **changes}
    return url_for("search.index",
                   **{k: v for k, v in merged.items() if v is not None and v != ""})


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
    filters, sort = search_options(request.args)

    # The page's state as query parameters; every link on the page starts from these.
    params: dict = {"q": q}
    for key, param, _ in FACETS:
        if key in filters:
            params[param] = filters[key]
    if sort != "relevans":
        params["sortering"] = sort

    results = None
    pages = 0
    facets = []
    chips = []
    if q:
        results = run_search(get_kb(), q, page=page, page_size=cfg["SEARCH_PAGE_SIZE"],
                             filters=filters, sort=sort)
        size = results.page_size or cfg["SEARCH_PAGE_SIZE"]
        pages = -(-results.total // size)
        for key, param, heading in FACETS:
            values = []
            for fv in (results.facets or {}).get(key) or []:
                if fv.value is None or str(fv.value).strip() == "":
                    continue
                active = key in filters and str(filters[key]) == str(fv.value)
                values.append({"label": facet_label(key, fv.value), "count": fv.count,
                               "active": active,
                               "url": search_url(params, **{param: fv.value})})
            if values:
                facets.append({"key": key, "heading": heading, "values": values})
        for key, param, heading in FACETS:
            if key in filters:
                chips.append({"text": f"{heading} {facet_label(key, filters[key])}",
                              "url": search_url(params, **{param: None})})
    return render_template("search.html", q=q, results=results, pages=pages,
                           shortened=shortened, params=params, sort=sort, facets=facets,
                           chips=chips, search_url=search_url,
                           clear_url=search_url({"q": q, "sortering": params.get("sortering")}))
