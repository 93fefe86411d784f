"""The one ingest workflow: archive the original, process it, save to the catalog, index it.

The CLI and the web app both go through `Kunskapsbank`; nothing else writes the catalog or index.
"""
from __future__ import annotations

import logging
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ingest import PIPELINE_VERSION, IngestError, process
from ingest.letters import restoration_for
from index import SearchIndex
from index.analysis import fold

from .archive import Archive
from .catalog import Catalog
from .config import Config
from .model import DocumentRecord, ProcessedDocument, SearchResults
from .projects import name_key, similarity

log = logging.getLogger(__name__)

# Files picked up when a directory is walked. Files named explicitly are always tried.
INGEST_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".docx", ".txt"}
UNEXPECTED_ERROR_SV = "Ett oväntat fel inträffade när filen bearbetades. Originalet är sparat."
INDEX_BATCH = 50
PROJECT_CARD_SCORE = 85  # name similarity at which a query shows a project's card
WIDEN_BELOW = 3  # a plain query finding fewer hits is tried again with word beginnings
DOMAIN_MIN_QUALITY = 0.8  # pages whose words may teach the repair (with no letter repairs)
DOMAIN_MIN_COUNT = 2  # a word must occur this often in clean text to be learned


@dataclass
class IngestOutcome:
    path: str
    status: str  # "added" | "updated" (processed again by a newer pipeline) | "duplicate" | "failed"
    document_id: int | None = None
    sha256: str | None = None
    message_sv: str = ""
    reason: str = ""  # English, for logs and the CLI summary
    pages: int = 0
    ocr_pages: int = 0


@dataclass
class BatchSummary:
    outcomes: list[IngestOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[IngestOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Explicit files as given; directories walked (sorted) for files of known types."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.is_file() and p.suffix.lower() in INGEST_SUFFIXES \
                        and not any(part.startswith(".") for part in p.relative_to(path).parts):
                    yield p
        else:
            yield path


def _process_in_worker(archived: str, filename: str, sha256: str, config: Config):
    """Run in a worker process: returns a ProcessedDocument or an (message_sv, reason) pair."""
    try:
        return process(Path(archived), filename=filename, sha256=sha256, config=config)
    except IngestError as exc:
        return (exc.message_sv, exc.reason_en)
    except Exception as exc:  # one bad file must never stop a batch
        log.exception("Unexpected error processing %s", filename)
        return (UNEXPECTED_ERROR_SV, f"{type(exc).__name__}: {exc}")


class Kunskapsbank:
    def __init__(self, config: Config | None = None):
        self.config = config or Config.from_env()
        self.config.home.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(self.config.catalog_path)
        self.archive = Archive(self.config.archive_dir)
        self.index = SearchIndex(self.config.index_dir)
        if self.index.created and self.catalog.count_documents():
            log.info("Index is new or of an older schema; rebuilding it from the catalog")
            self.reindex()

    def close(self) -> None:
        self.index.close()
        self.catalog.close()

    def archive_path(self, record: DocumentRecord) -> Path:
        return self.archive.path(self.catalog.archive_path(record.id))

    # -- ingest ----------------------------------------------------------------------------
    def ingest_file(self, path: Path, filename: str | None = None) -> IngestOutcome:
        summary = self.ingest_many([Path(path)], workers=1,
                                   filenames={str(path): filename} if filename else None)
        return summary.outcomes[0]

    def _admit(self, path: Path, filename: str) -> tuple[IngestOutcome, str | None]:
        """Store the original first; return (outcome so far, archive relpath if to process)."""
        outcome = IngestOutcome(path=str(path), status="failed")
        try:
            stored = self.archive.store(path, filename)
        except OSError as exc:
            outcome.reason = f"cannot read file: {exc.strerror or exc}"
            outcome.message_sv = "Filen kunde inte läsas."
            log.error("%s: %s", path, outcome.reason)
            self.catalog.record_error(str(path), outcome.reason, outcome.message_sv)
            return outcome, None
        outcome.sha256 = stored.sha256
        existing = self.catalog.find_by_sha256(stored.sha256)
        if existing is not None and existing.pipeline_version == PIPELINE_VERSION:
            outcome.status = "duplicate"
            outcome.document_id = existing.id
            outcome.message_sv = f"Filen finns redan i Kunskapsbanken ({existing.filename})."
            return outcome, None
        if existing is not None:  # processed by an older pipeline: process it again
            outcome.status = "stale"
            outcome.document_id = existing.id
            return outcome, self.catalog.archive_path(existing.id)
        return outcome, stored.relpath

    def ingest_many(self, paths: Iterable[Path], *, workers: int = 1,
                    filenames: dict[str, str] | None = None,
                    progress: Callable[[IngestOutcome], None] | None = None) -> BatchSummary:
        """Ingest files; one bad file never stops the batch. Index commits in batches."""
        summary = BatchSummary()
        pending_index: list[int] = []

        def finish(outcome: IngestOutcome, relpath: str | None, result) -> None:
            if isinstance(result, ProcessedDocument):
                size = self.archive.path(relpath).stat().st_size
                doc_id = self.catalog.save(result, archive_path=relpath, size=size)
                outcome.status = "updated" if outcome.status == "stale" else "added"
                outcome.document_id = doc_id
                outcome.pages, outcome.ocr_pages = len(result.pages), len(result.ocr_pages)
                for warning in result.warnings:
                    log.warning("%s: %s", outcome.path, warning)
                pending_index.append(doc_id)
                if len(pending_index) >= INDEX_BATCH:
                    self._index_ids(pending_index)
            elif result is not None:
                outcome.message_sv, outcome.reason = result
                log.error("%s: %s", outcome.path, outcome.reason)
                self.catalog.record_error(outcome.path, outcome.reason, outcome.message_sv,
                                          outcome.sha256)
            summary.outcomes.append(outcome)
            if progress:
                progress(outcome)

        files = list(iter_files(paths))
        names = filenames or {}
        jobs = []
        for path in files:
            outcome, relpath = self._admit(path, names.get(str(path), path.name))
            if relpath is None:
                finish(outcome, None, None)
            elif outcome.status == "stale":  # keep the name it was first given
                jobs.append((outcome, relpath,
                             self.catalog.get_document(outcome.document_id).filename))
            else:
                jobs.append((outcome, relpath, names.get(str(path), path.name)))

        if workers > 1 and len(jobs) > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                futures = [(o, rel, pool.submit(_process_in_worker, str(self.archive.path(rel)),
                                                name, o.sha256, self.config))
                           for o, rel, name in jobs]
                for outcome, relpath, future in futures:
                    try:
                        result = future.result()
                    except Exception as exc:  # a worker died (e.g. killed for memory)
                        result = (UNEXPECTED_ERROR_SV, f"worker failed: {exc!r}")
                    finish(outcome, relpath, result)
        else:
            for outcome, relpath, name in jobs:
                finish(outcome, relpath, _process_in_worker(
                    str(self.archive.path(relpath)), name, outcome.sha256, self.config))
        self._index_ids(pending_index)
        if summary.count("added"):
            self.refresh_domain_lexicon()
        return summary

    def refresh_domain_lexicon(self) -> int:
        """Write the words of the catalog's clean text (born-digital pages that needed no letter
        repair and read as Swedish) for the text repair of later documents. Returns the number
        of words written."""
        counts = self.catalog.clean_word_counts(min_quality=DOMAIN_MIN_QUALITY)
        words = sorted((w, n) for w, n in counts.items() if n >= DOMAIN_MIN_COUNT)
        path = self.config.domain_lexicon_path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(f"{w}\t{n}\n" for w, n in words), encoding="utf-8")
        tmp.replace(path)
        return len(words)

    def _index_ids(self, ids: list[int]) -> None:
        if ids:
            self.index.add(self.catalog.index_document(i) for i in ids)
            ids.clear()

    # -- index -----------------------------------------------------------------------------
    def reindex(self) -> int:
        """Rebuild the search index from the catalog; returns the number of documents."""
        return self.index.rebuild(self.catalog.iter_index_documents())

    def search(self, query: str, page: int = 1, page_size: int = 10,
               filters: dict | None = None, sort: str = "relevance") -> SearchResults:
        """Search. `filters`: {"år": 2018, "typ": "pm", "stadsdel": "Farsta", "kategori": …};
        `sort`: "relevance" or "date". Project cards for projects the query names come with
        the results."""
        kwargs = {"filters": filters or None, "sort": sort}
        repaired = self.repair_query(query)
        if repaired != query:
            # a word typed as old OCR spelled it ("Socialndmnden godkinner") is searched as
            # the repaired text spells it; the user's own words are kept when that finds nothing
            results = self.index.search(repaired, page=page, page_size=page_size,
                                        text_for=self.catalog.document_text, **kwargs)
            if results.total:
                results.query = query
                results.notice = results.notice or f"Sökte även på: {repaired}"
                results.projects = self.project_cards(repaired)
                return results
        results = self.index.search(query, page=page, page_size=page_size,
                                    text_for=self.catalog.document_text, **kwargs)
        widened = widen_query(query)
        if results.total < WIDEN_BELOW and widened:
            # a half-remembered name ("kristeam", "brukarskolan"): its words as word beginnings
            more = self.index.search(widened, page=page, page_size=page_size,
                                     text_for=self.catalog.document_text, **kwargs)
            if more.total > results.total:
                more.query = query
                more.notice = "Visar även ord som börjar som orden i sökningen."
                more.suggestion = results.suggestion
                results = more
        results.projects = self.project_cards(query)
        return results

    def repair_query(self, query: str) -> str:
        """The query with OCR-garbled Swedish words restored by the same letter repair the
        documents got (unknown words only; field names, dnr and years untouched)."""
        edits = restoration_for(self.config.domain_lexicon_path).edits(query)
        for start, end, after, _rule in sorted(edits, reverse=True):
            query = query[:start] + after + query[end:]
        return query

    def similar_documents(self, doc_id: int, limit: int = 5) -> list:
        """"Liknande dokument": documents sharing this one's key terms (never itself)."""
        text = self.catalog.document_text(doc_id)
        return self.index.more_like_this(doc_id, text, limit=limit) if text.strip() else []

    def suggest(self, prefix: str, limit: int = 10) -> list[dict]:
        """Autocomplete: [{"label", "kind": "projekt"|"stadsdel", "id"}] for projects and the
        canonical districts the catalog's mentions name, whose name (or a word of it) starts
        with the prefix; case and å/ä/ö do not matter."""
        key = fold(" ".join((prefix or "").split()))
        if not key:
            return []

        def rank(label: str) -> int | None:
            folded = fold(label)
            if folded.startswith(key):
                return 0
            if any(w.startswith(key) for w in re.split(r"[\s\-–/()\"']+", folded)):
                return 1
            return None

        found = []
        for project in self.catalog.list_projects():
            r = rank(project["name"])
            if r is not None:
                found.append((r, project["name"].casefold(),
                              {"label": project["name"], "kind": "projekt", "id": project["id"]}))
        districts = [row[0] for row in self.catalog.db.execute(
            "SELECT DISTINCT district FROM mentions WHERE district IS NOT NULL AND district != ''")]
        for district in districts:
            r = rank(district)
            if r is not None:
                found.append((r, district.casefold(),
                              {"label": district, "kind": "stadsdel", "id": None}))
        found.sort(key=lambda item: (item[0], item[1]))
        return [item for _, _, item in found[:limit]]

    def project_cards(self, query: str, limit: int = 3) -> list[dict]:
        """Projects whose name the query names (whole or nearly): the cards shown above hits."""
        key = name_key(query)
        if len(key) < 3:
            return []
        scored = []
        for project in self.catalog.list_projects():
            score = similarity(key, project["key"])
            if key in project["key"].split() or project["key"].startswith(key):
                score = max(score, 90)
            if score >= PROJECT_CARD_SCORE:
                scored.append((score, project))
        scored.sort(key=lambda sp: (-sp[0], sp[1]["name"]))
        return [p for _, p in scored[:limit]]


_PLAIN_QUERY = re.compile(r"[^\W\d_]+(?:\s+[^\W\d_]+){0,4}")
_DEFINITE = ("arna", "erna", "orna", "en", "et", "an", "na", "s")
_OPERATORS = {"AND", "OR", "NOT", "OCH", "ELLER", "INTE"}


def widen_query(query: str) -> str | None:
    """For a query of plain words: each word of 5+ letters also as a word beginning, its
    definite or genitive ending dropped ("brukarskolan" -> "brukarskol*"); None otherwise."""
    query = query.strip()
    if not _PLAIN_QUERY.fullmatch(query) or _OPERATORS & set(query.split()):
        return None
    parts = []
    for word in query.split():
        if len(word) < 5:
            parts.append(word)
            continue
        stem = word.lower()
        for ending in _DEFINITE:
            if stem.endswith(ending) and len(stem) - len(ending) >= 5:
                stem = stem[: -len(ending)]
                break
        parts.append(f"({word} OR {stem}*)")
    return " ".join(parts) if any(p.startswith("(") for p in parts) else None


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


__all__ = ["Kunskapsbank", "IngestOutcome", "BatchSummary", "PIPELINE_VERSION", "iter_files",
           "default_workers"]
