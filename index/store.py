"""SearchIndex: our small interface around Whoosh (so the engine could be swapped later)."""
from __future__ import annotations

import logging
import re
import os
import shutil
import threading
from pathlib import Path
from typing import Callable, Iterable

from whoosh import index as whoosh_index
from rapidfuzz import process as rf_process
from rapidfuzz.distance import Levenshtein
from whoosh import query as wq
from whoosh.query import And, NullQuery, NumericRange, Or, Term

from kunskapsbank.model import FacetValue, IndexDocument, SearchHit, SearchResults

from .analysis import fold, match_spans
from .docsets import DocSets
from . import scoring
from .scoring import CachedLengthBM25F
from .within import Within, positive_clauses
from .folding import FoldedTerms
from .query import (CATEGORIES, DOCUMENT_TYPES, FACET_FIELDS, FOLDED_FIELDS, SEARCH_FIELDS,
                    canonical_value, parse_query)
from .schema import SCHEMA_VERSION, build_schema
from .snippets import excerpt_around, highlight, plain_snippet

log = logging.getLogger(__name__)

VERSION_FILE = "KUNSKAPSBANK_SCHEMA"
TextLoader = Callable[[int], str]
SUGGEST_BELOW = 3  # "Menade du …?" is looked for when a query finds fewer hits than this
MLT_TERMS = 12  # key terms of a document that make its "Liknande dokument" query
WITHIN_MAX = 2000  # a query of several words matching at most this many: index.within
WRITE_WAIT_S = 30  # a writer waits this long for another (thread or process) to commit


class SearchIndex:
    """A Whoosh index in one directory. Reads are cached; writes take the one writer lock.

    `created` is True when this object started a new, empty index (none there yet, or one of
    another schema version): the owner should then rebuild it from the catalog.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._searcher = None
        self._state = None  # _SearcherState of self._searcher
        self._ix, self.created = self._open_or_create(self.path)
        self._dir_id = self._identity()

    # -- lifecycle -------------------------------------------------------------------------
    @staticmethod
    def _open_or_create(path: Path):
        version_file = path / VERSION_FILE
        # The version first: an index of another version may pickle analysers that no longer
        # exist, and Whoosh cannot even tell whether it is there without unpickling them.
        if version_file.exists() and version_file.read_text().strip() == SCHEMA_VERSION:
            try:
                return whoosh_index.open_dir(str(path)), False
            except Exception:
                log.warning("Index at %s could not be opened; starting empty", path,
                            exc_info=True)
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
                self._searcher = self._state = None
            self._ix.close()

    # -- writing ---------------------------------------------------------------------------
    @staticmethod
    def _fields(doc: IndexDocument) -> dict:
        fields = {"id": doc.id, "filename": doc.filename, "title": doc.title or "",
                  "content": doc.text, "date": doc.date or "",
                  "document_type": (doc.document_type or "annat").lower(),
                  "language": doc.language or "", "pipeline_version": doc.pipeline_version}
        if doc.dnr:
            fields["dnr"] = doc.dnr
        if doc.date and doc.date[:4].isdigit():
            fields["year"] = int(doc.date[:4])
        projects = [p for p in doc.projects if p]
        if projects:
            fields["project"] = "\n".join(projects)
        districts = [d.replace(",", " ") for d in doc.districts if d]
        if districts:
            fields["district"] = ",".join(districts)
        categories = [c.replace(",", " ") for c in doc.categories if c]
        if categories:
            fields["category"] = ",".join(categories)
        if doc.years:
            fields["years"] = ",".join(str(y) for y in doc.years)
        return fields

    def add(self, docs: Iterable[IndexDocument]) -> int:
        """Add or replace documents (by id) in one commit. Returns how many were written."""
        n = 0
        with self._ix.writer(limitmb=256, timeout=WRITE_WAIT_S, delay=0.1) as writer:
            for doc in docs:
                writer.update_document(**self._fields(doc))
                n += 1
        return n

    def delete(self, ids: Iterable[int]) -> None:
        with self._ix.writer(timeout=WRITE_WAIT_S, delay=0.1) as writer:
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
                self._searcher = self._state = None
            self._ix.close()
            if old.exists():
                shutil.rmtree(old)
            self.path.rename(old)
            staging.rename(self.path)
            self._ix = whoosh_index.open_dir(str(self.path))
            self._dir_id = self._identity()
        shutil.rmtree(old, ignore_errors=True)
        return n

    def _identity(self):
        """The index directory's inode: a rebuild (maybe in another process) swaps in a new one."""
        try:
            return os.stat(self.path).st_ino
        except FileNotFoundError:  # mid-swap
            return None

    def _follow_swap(self) -> None:
        """Under the lock: open the index anew when a rebuild in another process (the CLI's
        `reindex` beside the web app) swapped in a new directory; mid-swap the open one is read."""
        ident = self._identity()
        if ident is not None and ident != self._dir_id:
            self._ix = whoosh_index.open_dir(str(self.path))
            self._dir_id = ident
            self._searcher = None

    # -- reading ---------------------------------------------------------------------------
    def _current(self) -> "_SearcherState":
        with self._lock:
            self._follow_swap()
            if self._searcher is None or not self._searcher.up_to_date():
                # A new searcher, not Searcher.refresh(): refresh() reuses the readers of
                # unchanged segments and so misses deletions committed since. The old searcher
                # is left to the garbage collector, as another thread may still be reading it.
                self._searcher = self._ix.searcher(weighting=CachedLengthBM25F())
                self._state = _SearcherState(self._searcher)
            return self._state

    def _current_searcher(self):
        return self._current().searcher

    def warm(self) -> None:
        """Open the current searcher and build what every query derives from it (facet value
        sets, the folded vocabulary) now, so the first search after a write does not pay for
        it (~0.4 s at 10 000 documents, ~1.2 s at 50 000)."""
        self._current().warm()

    def doc_count(self) -> int:
        return self._current_searcher().doc_count()

    def ids(self) -> set[int]:
        searcher = self._current_searcher()
        return {searcher.stored_fields(n)["id"] for n in searcher.reader().all_doc_ids()}

    def versions(self) -> dict[int, str]:
        """id -> the pipeline version each indexed document was indexed with."""
        searcher = self._current_searcher()
        return {f["id"]: f.get("pipeline_version", "") for f in searcher.all_stored_fields()}

    def _parse(self, state: "_SearcherState", query: str):
        return parse_query(query, self._ix.schema, vocabulary=state.values,
                           variants=state.variants)

    def _filter_query(self, state: "_SearcherState", filters: dict | None):
        """filters {"år": 2018, "typ": "pm", "stadsdel": "Farsta", "kategori": "studieresa"}
        as one query (None when there is nothing to filter by)."""
        parts = []
        searcher = state.searcher
        for name, value in (filters or {}).items():
            if value in (None, "", []):
                continue
            field = FACET_FIELDS.get(name, name)
            if field not in searcher.schema:
                continue
            if field == "year":
                try:
                    year = int(value)
                except (TypeError, ValueError):
                    parts.append(NullQuery)
                    continue
                parts.append(Or([NumericRange("year", year, year), Term("years", str(year))]))
                continue
            base = {"document_type": DOCUMENT_TYPES, "category": CATEGORIES}.get(field, ())
            choices = canonical_value(str(value), list(base) + state.values(field))
            exact = [c for c in choices if fold(c) == fold(str(value))]
            chosen = exact or choices or [str(value)]
            parts.append(Or([Term(field, c) for c in chosen]) if len(chosen) > 1
                         else Term(field, chosen[0]))
        if not parts:
            return None
        return And(parts) if len(parts) > 1 else parts[0]

    def search(self, query: str, *, page: int = 1, page_size: int = 10,
               text_for: TextLoader | None = None, filters: dict | None = None,
               sort: str = "relevance", facets: bool = True) -> SearchResults:
        """Search; `text_for(doc_id)` supplies the text highlights are cut from.

        `filters`: {"år": int, "typ": str, "stadsdel": str, "kategori": str}, narrowing the hits;
        `sort`: "relevance" or "date" (newest first). The results carry facet counts over all
        hits (facets=False: none are counted) and, when the query finds fewer than 3, a
        suggested spelling that finds more."""
        state = self._current()
        searcher, docsets = state.searcher, state.docsets
        page = max(1, int(page))
        parsed, notice = self._parse(state, query)
        if parsed is None:
            return SearchResults(query=query, total=0, hits=[], page=page, page_size=page_size,
                                 notice=notice)
        # The total and the facet counts from the set of matching documents (index.docsets:
        # ints combined and counted in C, term sets cached per searcher); the hits from a
        # scored search of just the pages needed, which Whoosh can answer skipping blocks.
        matching = docsets.query(parsed)
        filter_q = self._filter_query(state, filters)
        kwargs = {"limit": page * page_size}
        if filter_q is not None:
            key = repr(filter_q)
            matching &= docsets.query(filter_q, key=key)
        if sort == "date":
            kwargs.update(sortedby="date", reverse=True)
        total = docsets.count(matching)
        hits = []
        if total > (page - 1) * page_size:
            scored = parsed
            clauses = positive_clauses(parsed) if total <= WITHIN_MAX else None
            if clauses:  # score just the known matches (index.within)
                scored = Within(searcher, docsets.docnums(matching), Or(clauses))
            elif filter_q is not None:  # (Within's known matches are filtered already)
                kwargs["filter"] = docsets.docnum_set(filter_q, key=key)
            results = _search(searcher, scored, exact=scored is not parsed, **kwargs)
            terms = _highlight_terms(parsed, searcher.reader()) if text_for else set()
            for hit in results[(page - 1) * page_size:page * page_size]:
                text = text_for(hit["id"]) if text_for else ""
                hits.append(self._hit(hit, self._snippet(text, terms) if text else ""))
        suggestion = None
        if total < SUGGEST_BELOW:
            try:
                suggestion = self._suggest(state, query, total, filter_q)
            except Exception:  # a suggestion is a courtesy; never fail the search for it
                log.exception("suggestion for %r", query)
        return SearchResults(query=query, total=total, hits=hits,
                             page=page, page_size=page_size, notice=notice,
                             facets=self._count_facets(state, matching) if facets else {},
                             suggestion=suggestion)

    def _snippet(self, text: str, terms: set[str]) -> str:
        """Highlights from the windows of the text around the query's terms (the highlighter
        then analyses a few hundred words, not the whole document)."""
        if terms:
            window = excerpt_around(text, [fold(t) for t in terms])
            snippet = highlight(window, match_spans(window, terms))
            if snippet:
                return snippet
        return plain_snippet(text)

    # -- facets ------------------------------------------------------------------------------
    def _count_facets(self, state: "_SearcherState", matching: int
                      ) -> dict[str, list[FacetValue]]:
        facets = {}
        for name, field in FACET_FIELDS.items():
            values = [(v, (matching & docs).bit_count()) for v, docs in state.facet_sets(name)]
            values = [(v, n) for v, n in values if n]
            if field == "year":
                values.sort(key=lambda vn: -int(vn[0]))
            else:
                values.sort(key=lambda vn: (-vn[1], str(vn[0])))
            facets[name] = [FacetValue(value=str(v), count=int(n)) for v, n in values]
        return facets

    @staticmethod
    def _hit(hit, snippet: str = "") -> SearchHit:
        # Sorted by date, Whoosh gives the sort key as the score: no relevance to show then.
        score = hit.score if isinstance(hit.score, (int, float)) else 0.0
        return SearchHit(
            id=hit["id"], score=round(float(score), 4), filename=hit["filename"],
            title=hit.get("title") or None, dnr=hit.get("dnr") or None,
            date=hit.get("date") or None, document_type=hit.get("document_type") or None,
            snippet=snippet)

    # -- "Menade du …?" ----------------------------------------------------------------------
    def _correct_word(self, state: "_SearcherState", word: str) -> str | None:
        """A word of the index's vocabulary the typed word probably meant, in the typed word's
        own inflection ("samlarsyndrm" -> "samlarsyndrom"), or None."""
        lowered = word.lower()
        stems = list(self._ix.schema["content"].process_text(word, mode="query"))
        if len(stems) != 1:
            return None
        stem = stems[0]
        terms, freqs = state.terms("content")
        if freqs.get(stem, 0) > 0 or len(stem) < 4:
            return None
        maxdist = 1 if len(stem) < 6 else 2 if len(stem) < 10 else 3
        candidates = rf_process.extract(stem, terms, scorer=Levenshtein.distance,
                                        score_cutoff=maxdist, limit=20)
        if not candidates:
            return None
        folded = fold(stem)
        best = min(candidates, key=lambda c: (fold(c[0]) != folded, c[1], -freqs[c[0]], c[0]))
        suffix = lowered[len(stem):] if lowered.startswith(stem) else ""
        fixed = best[0] + suffix
        return fixed[:1].upper() + fixed[1:] if word[:1].isupper() else fixed

    def _suggest(self, state: "_SearcherState", query: str, total: int, filter_q
                 ) -> str | None:
        changed = False

        def replace(m: re.Match) -> str:
            nonlocal changed
            word = m.group(0)
            if m.start() > 0 and query[m.start() - 1] == ":" or word.isupper() \
                    or not word.isalpha():
                return word
            fixed = self._correct_word(state, word)
            if fixed and fixed.lower() != word.lower():
                changed = True
                return fixed
            return word

        corrected = re.sub(r"(?<![\w:*])\w+(?![\w:*])", replace, query)
        if not changed or corrected == query:
            return None
        parsed, _ = self._parse(state, corrected)
        if parsed is None:
            return None
        found = state.docsets.query(parsed)
        if filter_q is not None:
            found &= state.docsets.query(filter_q, key=repr(filter_q))
        return corrected if found.bit_count() > total else None

    # -- "Liknande dokument" -----------------------------------------------------------------
    def more_like_this(self, doc_id: int, text: str, limit: int = 5) -> list[SearchHit]:
        """Documents like this one: the key terms of its text, the document itself left out."""
        if not text or not text.strip():
            return []
        searcher = self._current_searcher()
        key_terms = searcher.key_terms_from_text("content", text, numterms=MLT_TERMS)
        if not key_terms:
            return []
        query = Or([Term("content", word, boost=weight) for word, weight in key_terms])
        results = searcher.search(query, limit=limit, mask=Term("id", doc_id))
        return [self._hit(hit) for hit in results]


class _SearcherState:
    """What is derived from one searcher (one state of the index) and kept with it: the sets of
    matching documents (index.docsets), the facet values' document sets, the å/ä/ö-folded
    vocabulary, the values of keyword fields and the terms "Menade du" picks from."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.docsets = DocSets(searcher)
        self._lock = threading.Lock()
        self._folded: FoldedTerms | None = None
        self._values: dict[str, list[str]] = {}
        self._terms: dict[str, tuple[list[str], dict[str, int]]] = {}
        self._facets: dict[str, list[tuple[object, int]]] = {}

    def warm(self) -> None:
        for name in FACET_FIELDS:
            self.facet_sets(name)
        self.variants(FOLDED_FIELDS[0], "")
        scoring.warm(self.searcher, SEARCH_FIELDS)

    def variants(self, field: str, text: str, prefix: bool = False) -> list[str]:
        if self._folded is None:
            with self._lock:
                if self._folded is None:
                    self._folded = FoldedTerms(self.searcher.reader(), FOLDED_FIELDS)
        return self._folded.variants(field, text, prefix)

    def values(self, field: str) -> list[str]:
        """The values a keyword/ID field holds."""
        if field not in self._values:
            fieldobj = self.searcher.schema[field]
            self._values[field] = [fieldobj.from_bytes(b)
                                   for b in self.searcher.reader().lexicon(field)]
        return self._values[field]

    def terms(self, field: str) -> tuple[list[str], dict[str, int]]:
        """All terms of a text field with their document frequencies."""
        if field not in self._terms:
            terms, freqs = [], {}
            for btext, info in self.searcher.reader().iter_field(field):
                word = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                terms.append(word)
                freqs[word] = info.doc_frequency()
            self._terms[field] = (terms, freqs)
        return self._terms[field]

    def facet_sets(self, name: str) -> list[tuple[object, int]]:
        """[(value, document set)] of one facet: from the column of a sortable field, else
        from the postings of each of the field's terms."""
        if name not in self._facets:
            field = FACET_FIELDS[name]
            reader, schema, docsets = self.searcher.reader(), self.searcher.schema, self.docsets
            sets: list[tuple[object, int]] = []
            if field in schema and reader.has_column(field):
                # Segment by segment: a multi-segment reader's column skips segments that lack
                # the column (all their values empty) and then reads the wrong documents.
                docnums: dict = {}
                for sub, offset in reader.leaf_readers():
                    if not sub.has_column(field):
                        continue
                    column = sub.column_reader(field)
                    for d in range(sub.doc_count_all()):
                        value = column[d]
                        if value not in (None, "", b""):
                            docnums.setdefault(value, []).append(offset + d)
                sets = [(v, docsets.from_docnums(ds)) for v, ds in docnums.items()]
            elif field in schema:
                fieldobj = schema[field]
                sets = [(fieldobj.from_bytes(b), docsets.term(field, b))
                        for b in reader.lexicon(field)]
            self._facets[name] = [(v, ds) for v, ds in sets if ds]
        return self._facets[name]


def _search(searcher, q, *, exact: bool = False, filter=None, **kwargs):
    """searcher.search(q, filter=…, **kwargs); exact: without the collector's matcher
    pruning (replace()), whose quality bounds are approximate and lost clauses of
    index.within's flat Or (documents scored too low)."""
    if not exact:
        return searcher.search(q, filter=filter, **kwargs)
    collector = searcher.collector(**kwargs)
    c = collector
    while c is not None:
        if hasattr(c, "replace"):
            c.replace = 0
        c = getattr(c, "child", None)
    searcher.search_with_collector(q, collector)
    return collector.results()


def _highlight_terms(query, reader) -> set[str]:
    """The content/title terms a query looks for (prefixes expanded; not the ones after NOT):
    what highlights mark."""
    terms: set[str] = set()

    def walk(q) -> None:
        if isinstance(q, wq.Not):
            return
        if isinstance(q, wq.AndNot):
            walk(q.a)
            return
        if q.is_leaf():
            try:
                found = q.existing_terms(reader, phrases=True, expand=True)
            except Exception:  # a query kind that cannot list its terms: nothing to mark
                return
            for field, text in found:
                if field in ("content", "title"):
                    terms.add(text.decode("utf-8") if isinstance(text, bytes) else text)
            return
        for sub in q.children():
            walk(sub)

    walk(query)
    return terms
