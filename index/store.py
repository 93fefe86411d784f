"""SearchIndex: our small interface around Whoosh (so the engine could be swapped later)."""
from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path
from typing import Callable, Iterable

from whoosh import index as whoosh_index
from whoosh.query import Term
from whoosh.highlight import ContextFragmenter, HtmlFormatter, Highlighter

from kunskapsbank.model import IndexDocument, SearchHit, SearchResults

from .query import parse_query
from .schema import SCHEMA_VERSION, build_schema
from .snippets import plain_snippet

log = logging.getLogger(__name__)

VERSION_FILE = "KUNSKAPSBANK_SCHEMA"
TextLoader = Callable[[int], str]


class SearchIndex:
    """A Whoosh index in one directory. Reads are cached; writes take the one writer lock.

    `created` is True when this object started a new, empty index (none there yet, or one of
    another schema version): the owner should then rebuild it from the catalog.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._searcher = None
        self._ix, self.created = self._open_or_create(self.path)
        self._highlighter = Highlighter(
            fragmenter=ContextFragmenter(maxchars=220, surround=70),
            formatter=HtmlFormatter(tagname="mark", between=" … "))

    # -- lifecycle -------------------------------------------------------------------------
    @staticmethod
    def _open_or_create(path: Path):
        version_file = path / VERSION_FILE
        if whoosh_index.exists_in(str(path)) and version_file.exists() \
                and version_file.read_text().strip() == SCHEMA_VERSION:
            return whoosh_index.open_dir(str(path)), False
        if path.exists():
            log.info("Index at %s is missing or of another schema version; starting empty", path)
            shutil.rmtree(path)
        path.mkdir(parents=True)
        ix = whoosh_index.create_in(str(path), build_schema())
        version_file.write_text(SCHEMA_VERSION + "\n")
        return ix, True

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            self._ix.close()

    # -- writing ---------------------------------------------------------------------------
    @staticmethod
    def _fields(doc: IndexDocument) -> dict:
        fields = {"id": doc.id, "filename": doc.filename, "title": doc.title or "",
                  "content": doc.text, "date": doc.date or "",
                  "document_type": doc.document_type or "annat", "language": doc.language or ""}
        if doc.dnr:
            fields["dnr"] = doc.dnr
        if doc.date:
            fields["year"] = int(doc.date[:4])
        return fields

    def add(self, docs: Iterable[IndexDocument]) -> int:
        """Add or replace documents (by id) in one commit. Returns how many were written."""
        n = 0
        with self._ix.writer(limitmb=256) as writer:
            for doc in docs:
                writer.update_document(**self._fields(doc))
                n += 1
        return n

    def delete(self, ids: Iterable[int]) -> None:
        with self._ix.writer() as writer:
            for doc_id in ids:
                writer.delete_by_query(Term("id", doc_id))

    def rebuild(self, docs: Iterable[IndexDocument]) -> int:
        """Build a fresh index beside the live one and swap it in; searches see the old one
        until the swap. A failure mid-build leaves the live index untouched."""
        staging = self.path.with_name(self.path.name + ".new")
        if staging.exists():
            shutil.rmtree(staging)
        fresh = SearchIndex(staging)
        try:
            n = fresh.add(docs)
        finally:
            fresh.close()
        old = self.path.with_name(self.path.name + ".old")
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            self._ix.close()
            if old.exists():
                shutil.rmtree(old)
            self.path.rename(old)
            staging.rename(self.path)
            self._ix = whoosh_index.open_dir(str(self.path))
        shutil.rmtree(old, ignore_errors=True)
        return n

    # -- reading ---------------------------------------------------------------------------
    def _current_searcher(self):
        with self._lock:
            if self._searcher is None or not self._searcher.up_to_date():
                # A new searcher, not Searcher.refresh(): refresh() reuses the readers of
                # unchanged segments and so misses deletions committed since. The old searcher
                # is left to the garbage collector, as another thread may still be reading it.
                self._searcher = self._ix.searcher()
            return self._searcher

    def doc_count(self) -> int:
        return self._current_searcher().doc_count()

    def ids(self) -> set[int]:
        searcher = self._current_searcher()
        return {searcher.stored_fields(n)["id"] for n in searcher.reader().all_doc_ids()}

    def search(self, query: str, *, page: int = 1, page_size: int = 10,
               text_for: TextLoader | None = None) -> SearchResults:
        """Search; `text_for(doc_id)` supplies the text highlights are cut from."""
        searcher = self._current_searcher()
        parsed, notice = parse_query(query, self._ix.schema)
        if parsed is None:
            return SearchResults(query=query, total=0, hits=[], page=page, page_size=page_size,
                                 notice=notice)
        results = searcher.search_page(parsed, page, pagelen=page_size, terms=True)
        results.results.highlighter = self._highlighter
        hits = []
        for hit in results:
            text = text_for(hit["id"]) if text_for else ""
            snippet = hit.highlights("content", text=text, top=2) if text else ""
            hits.append(SearchHit(
                id=hit["id"], score=round(float(hit.score), 4), filename=hit["filename"],
                title=hit.get("title") or None, dnr=hit.get("dnr") or None,
                date=hit.get("date") or None, document_type=hit.get("document_type") or None,
                snippet=snippet or plain_snippet(text)))
        return SearchResults(query=query, total=results.total, hits=hits,
                             page=results.pagenum, page_size=page_size, notice=notice)


