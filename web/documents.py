"""One document: `/dokument/<id>` (metadata and text) and `/dokument/<id>/original` (download)."""
from __future__ import annotations

import logging
from collections import defaultdict

from flask import (Blueprint, abort, get_flashed_messages, render_template, request,
                   send_file)

from . import get_kb
from .params import MAX_ID, clean_query

log = logging.getLogger(__name__)

bp = Blueprint("documents", __name__, url_prefix="/dokument")


def document_or_404(id: int):
    """The catalog record of document `id`, or a 404 (also for ids no SQLite row can have)."""
    record = get_kb().catalog.get_document(id) if 0 < id <= MAX_ID else None
    if record is None:
        abort(404)
    return record


@bp.get("/<int:id>")
def show(id: int):
    kb = get_kb()
    record = document_or_404(id)
    pages = kb.catalog.get_pages(id)
    # The query the user came from, so "back to the results" keeps it.
    q = clean_query(request.args.get("q"))[:1000]
    # `?rattelser=1`: what the text repair changed, per page; `?original=1` also opens each
    # page's raw (unrepaired) text. Plain links, no JavaScript.
    show_original = request.args.get("original") == "1"
    show_repairs = show_original or request.args.get("rattelser") == "1"
    repairs = kb.catalog.get_repairs(id)
    repairs_by_page: dict[int, list] = defaultdict(list)
    for repair in repairs:
        repairs_by_page[repair.page].append(repair)
    metadata = kb.catalog.get_metadata(id)
    mentions = kb.catalog.get_mentions(id)
    similar = similar_documents(kb, id)
    return render_template("document.html", doc=record, pages=pages, q=q,
                           meta=metadata, mentions=mentions,
                           mean_quality=mean_quality(pages), repair_count=len(repairs),
                           repairs_by_page=repairs_by_page, show_repairs=show_repairs,
                           show_original=show_original, similar=similar,
                           history=kb.audit.for_document(id), messages=get_flashed_messages())


SIMILAR_LIMIT = 5


def similar_documents(kb, id: int) -> list:
    """Up to five documents like this one (kb.similar_documents, where the service has it)."""
    find = getattr(kb, "similar_documents", None)
    if not callable(find):
        return []
    try:
        hits = find(id, limit=SIMILAR_LIMIT)
    except Exception:  # a side section: never let it break the document page
        log.exception("similar_documents(%s) failed", id)
        return []
    return [h for h in hits if getattr(h, "id", None) != id][:SIMILAR_LIMIT]


def mean_quality(pages) -> float | None:
    """The document's text quality: the mean over the pages that have one."""
    values = [p.quality for p in pages if p.quality is not None]
    return sum(values) / len(values) if values else None


@bp.get("/<int:id>/original")
def original(id: int):
    kb = get_kb()
    record = document_or_404(id)
    path = kb.archive_path(record)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=record.media_type or "application/octet-stream",
                     as_attachment=True, download_name=record.filename,
                     conditional=True, etag=record.sha256)
