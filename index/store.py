"""SearchIndex: our small interface around Whoosh (so the engine could be swapped later)."""
from __future__ import annotations

import logging
import re
import shutil
import threading
from pathlib import Path
from typing import Callable, Iterable

from whoosh import index as whoosh_index
from rapidfuzz import process as rf_process
from rapidfuzz.distance import Levenshtein
from whoosh.query import And, NullQuery, NumericRange, Or, Term
from whoosh.highlight import ContextFragmenter, HtmlFormatter, Highlighter

from kunskapsbank.model import FacetValue, IndexDocument, SearchHit, SearchResults

from .analysis import fold
from .query import CATEGORIES, DOCUMENT_TYPES, FACET_FIELDS, canonical_value, parse_query
from .schema import SCHEMA_VERSION, build_schema
from .snippets import excerpt_around, plain_snippet

log = logging.getLogger(__name__)

VERSION_FILE = "KUNSKAPSBANK_SCHEMA"
TextLoader = Callable[[int], str]
SUGGEST_BELOW = 3  # "Menade du …?" is looked for when a query finds fewer hits than this
MLT_TERMS = 12  # key terms of a document that make its "Liknande dokument" query


class SearchIndex:
    """A Whoosh index in one directory. Reads are cached; writes take the one writer lock.

    `created` is True when this object started a new, empty index (none there yet, or one of
    another schema version): the owner should then rebuild it from the catalog.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._searcher = None
        self._tables = None  # (searcher, docnum -> facet values) for _count_facets
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
        title = doc.title or ""
        fields = {"id": doc.id, "filename": doc.filename, "title": title, "title_folded": title,
                  "content": doc.text, "content_folded": doc.text, "date": doc.date or "",
                  "document_type": (doc.document_type or "annat").lower(),
                  "language": doc.language or "", "pipeline_version": doc.pipeline_version}
        if doc.dnr:
            fields["dnr"] = doc.dnr
        if doc.date and doc.date[:4].isdigit():
            fields["year"] = int(doc.date[:4])
        projects = [p for p in doc.projects if p]
        if projects:
            fields["project"] = fields["project_folded"] = "\n".join(projects)
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

    def versions(self) -> dict[int, str]:
        """id -> the pipeline version each indexed document was indexed with."""
        searcher = self._current_searcher()
        return {f["id"]: f.get("pipeline_version", "") for f in searcher.all_stored_fields()}

    @staticmethod
    def _cache(searcher) -> dict:
        """Values derived from one searcher's index state (vocabularies), kept with it."""
        cache = getattr(searcher, "_kunskapsbank_cache", None)
        if cache is None:
            cache = searcher._kunskapsbank_cache = {}
        return cache

    def _values(self, searcher, field: str) -> list[str]:
        """The values a keyword/ID field holds (cached per searcher)."""
        cache = self._cache(searcher)
        key = ("values", field)
        if key not in cache:
            fieldobj = searcher.schema[field]
            cache[key] = [fieldobj.from_bytes(b) for b in searcher.reader().lexicon(field)]
        return cache[key]

    def _parse(self, searcher, query: str):
        return parse_query(query, self._ix.schema,
                           vocabulary=lambda field: self._values(searcher, field))

    def _filter_query(self, searcher, filters: dict | None):
        """filters {"år": 2018, "typ": "pm", "stadsdel": "Farsta", "kategori": "studieresa"}
        as one query (None when there is nothing to filter by)."""
        parts = []
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
            choices = canonical_value(str(value), list(base) + self._values(searcher, field))
            exact = [c for c in choices if fold(c) == fold(str(value))]
            chosen = exact or choices or [str(value)]
            parts.append(Or([Term(field, c) for c in chosen]) if len(chosen) > 1
                         else Term(field, chosen[0]))
        if not parts:
            return None
        return And(parts) if len(parts) > 1 else parts[0]

    def search(self, query: str, *, page: int = 1, page_size: int = 10,
               text_for: TextLoader | None = None, filters: dict | None = None,
               sort: str = "relevance") -> SearchResults:
        """Search; `text_for(doc_id)` supplies the text highlights are cut from.

        `filters`: {"år": int, "typ": str, "stadsdel": str, "kategori": str}, narrowing the hits;
        `sort`: "relevance" or "date" (newest first). The results carry facet counts over all
        hits and, when the query finds fewer than 3, a suggested spelling that finds more."""
        searcher = self._current_searcher()
        parsed, notice = self._parse(searcher, query)
        if parsed is None:
            return SearchResults(query=query, total=0, hits=[], page=page, page_size=page_size,
                                 notice=notice)
        filter_q = self._filter_query(searcher, filters)
        # Top hits from a scored search of just the first pages (Whoosh can skip blocks then);
        # the total and the facet counts from one unscored pass over the matching documents,
        # counted against per-searcher tables. A groupedby= search scored every match and
        # re-read the facet columns on every query. terms=True: the highlighter needs the terms
        # each hit matched (the query's own terms leave out fields such as content).
        kwargs = {"limit": page * page_size, "terms": True}
        if filter_q is not None:
            kwargs["filter"] = filter_q
        if sort == "date":
            kwargs.update(sortedby="date", reverse=True)
        page = max(1, int(page))
        results = searcher.search(parsed, **kwargs)
        results.highlighter = self._highlighter
        matching = self._matching_docs(searcher, parsed, filter_q)
        hits = []
        for hit in results[(page - 1) * page_size:page * page_size]:
            text = text_for(hit["id"]) if text_for else ""
            snippet = ""
            if text:
                stems = [fold(t.decode("utf-8", "replace")) for f, t in hit.matched_terms()
                         if f in ("content", "content_folded", "title", "title_folded")]
                window = excerpt_around(text, stems, fold(text))
                snippet = hit.highlights("content", text=window, top=2) \
                    or hit.highlights("content_folded", text=window, top=2)
            hits.append(self._hit(hit, snippet or plain_snippet(text)))
        total = len(matching)
        suggestion = None
        if total < SUGGEST_BELOW:
            try:
                suggestion = self._suggest(searcher, query, total, filter_q)
            except Exception:  # a suggestion is a courtesy; never fail the search for it
                log.exception("suggestion for %r", query)
        return SearchResults(query=query, total=total, hits=hits,
                             page=page, page_size=page_size, notice=notice,
                             facets=self._count_facets(searcher, matching),
                             suggestion=suggestion)

    # -- facets ------------------------------------------------------------------------------
    @staticmethod
    def _matching_docs(searcher, parsed, filter_q) -> list[int]:
        """Document numbers of every live document the query (and filter) matches, unscored."""
        q = And([parsed, filter_q]) if filter_q is not None else parsed
        reader = searcher.reader()
        deleted = reader.has_deletions()
        return [d for d in set(searcher.docs_for_query(q))
                if not (deleted and reader.is_deleted(d))]

    def _facet_tables(self, searcher) -> dict[str, list]:
        """docnum -> facet value(s), read once per searcher (i.e. after each write)."""
        cached = self._tables
        if cached is not None and cached[0] is searcher:
            return cached[1]
        reader = searcher.reader()
        size = reader.doc_count_all()
        tables: dict[str, list] = {}
        for name, field in FACET_FIELDS.items():
            values: list = [()] * size
            if field in searcher.schema and reader.has_column(field):
                column = reader.column_reader(field)
                values = [(column[d],) if column[d] not in (None, "", b"") else ()
                          for d in range(size)]
            elif field in searcher.schema:
                lists: list[list] = [[] for _ in range(size)]
                fieldobj = searcher.schema[field]
                for term in reader.lexicon(field):
                    value = fieldobj.from_bytes(term)
                    for d in reader.postings(field, term).all_ids():
                        lists[d].append(value)
                values = [tuple(v) for v in lists]
            tables[name] = values
        self._tables = (searcher, tables)
        return tables

    def _count_facets(self, searcher, docnums: list[int]) -> dict[str, list[FacetValue]]:
        tables = self._facet_tables(searcher)
        facets = {}
        for name, field in FACET_FIELDS.items():
            counts: dict = {}
            table = tables.get(name, [])
            for d in docnums:
                for v in table[d] if d < len(table) else ():
                    counts[v] = counts.get(v, 0) + 1
            values = [(v, n) for v, n in counts.items() if v not in (None, "")]
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
    def _terms(self, searcher, field: str) -> tuple[list[str], dict[str, int]]:
        """All terms of a text field with their document frequencies (cached per searcher)."""
        cache = self._cache(searcher)
        key = ("terms", field)
        if key not in cache:
            reader = searcher.reader()
            terms, freqs = [], {}
            for btext, info in reader.iter_field(field):
                word = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                terms.append(word)
                freqs[word] = info.doc_frequency()
            cache[key] = (terms, freqs)
        return cache[key]

    def _correct_word(self, searcher, word: str) -> str | None:
        """A word of the index's vocabulary the typed word probably meant, in the typed word's
        own inflection ("samlarsyndrm" -> "samlarsyndrom"), or None."""
        lowered = word.lower()
        stems = list(self._ix.schema["content"].process_text(word, mode="query"))
        if len(stems) != 1:
            return None
        stem = stems[0]
        terms, freqs = self._terms(searcher, "content")
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

    def _suggest(self, searcher, query: str, total: int, filter_q) -> str | None:
        changed = False

        def replace(m: re.Match) -> str:
            nonlocal changed
            word = m.group(0)
            if m.start() > 0 and query[m.start() - 1] == ":" or word.isupper() \
                    or not word.isalpha():
                return word
            fixed = self._correct_word(searcher, word)
            if fixed and fixed.lower() != word.lower():
                changed = True
                return fixed
            return word

        corrected = re.sub(r"(?<![\w:*])\w+(?![\w:*])", replace, query)
        if not changed or corrected == query:
            return None
        parsed, _ = self._parse(searcher, corrected)
        if parsed is None:
            return None
        kwargs = {"filter": filter_q} if filter_q is not None else {}
        found = len(searcher.search(parsed, limit=1, **kwargs))
        return corrected if found > total else None

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
