"""The one ingest workflow: archive the original, process it, save to the catalog, index it.

The CLI and the web app both go through `Kunskapsbank`; nothing else writes the catalog or index.
"""
from __future__ import annotations

import logging
import os
import re
import signal
import threading
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ingest import PIPELINE_VERSION, IngestError, process
from ingest.pipeline import stale_stages
from ingest.letters import restoration_for
from index import SearchIndex
from index.analysis import fold

from .archive import Archive, Trash, sha256_of
from .archive import StoredOriginal
from .audit import AuditLog
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
    cached_pages: int = 0  # OCR pages whose text came from the OCR cache


@dataclass
class BatchSummary:
    """What a batch did. `outcomes` holds every file's outcome unless the batch was run with
    keep_outcomes=False (a huge archive: memory stays flat); counts and failures always."""
    outcomes: list[IngestOutcome] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # status -> files
    failed: list[IngestOutcome] = field(default_factory=list)
    pages: int = 0
    ocr_pages: int = 0
    cached_pages: int = 0
    interrupted: bool = False  # stopped before every file was done (a rerun continues)
    stale_stages: Counter = field(default_factory=Counter)  # reprocess: stage -> documents

    def count(self, status: str) -> int:
        return self.counts[status]

    def record(self, outcome: IngestOutcome, keep: bool = True) -> None:
        self.counts[outcome.status] += 1
        self.pages += outcome.pages
        self.ocr_pages += outcome.ocr_pages
        self.cached_pages += outcome.cached_pages
        if outcome.status == "failed":
            self.failed.append(outcome)
        if keep:
            self.outcomes.append(outcome)


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Explicit files as given; directories walked (sorted) for files of known types."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.suffix.lower() in INGEST_SUFFIXES and p.is_file() \
                        and not any(part.startswith(".") for part in p.relative_to(path).parts):
                    yield p
        else:
            yield path


def duplicate_message_sv(filename: str) -> str:
    """The user's message for content the catalog holds already as `filename`."""
    return f"Filen finns redan i Kunskapsbanken ({filename})."


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _worker_init() -> None:
    # Ctrl-C is the batch's to handle (stop submitting, keep what is done). Ignored here, and so
    # also in the tesseract processes a worker starts (an ignored signal stays ignored across
    # exec), a Ctrl-C at the terminal never kills a page's OCR half-way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _process_in_worker(archived: str, filename: str, sha256: str, config: Config,
                       on_page: Callable[[int, int], None] | None = None):
    """Run in a worker process: returns a ProcessedDocument or an (message_sv, reason) pair."""
    try:
        return process(Path(archived), filename=filename, sha256=sha256, config=config,
                       on_page=on_page)
    except IngestError as exc:
        return (exc.message_sv, exc.reason_en)
    except Exception as exc:  # one bad file must never stop a batch
        log.exception("Unexpected error processing %s", filename)
        return (UNEXPECTED_ERROR_SV, f"{type(exc).__name__}: {exc}")


# (outcome so far, archive relpath to process or None when the outcome is final, filename)
Job = tuple[IngestOutcome, "str | None", str]


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
    def ingest_file(self, path: Path, filename: str | None = None,
                    on_page: Callable[[int, int], None] | None = None,
                    runner: Callable | None = None) -> IngestOutcome:
        """Ingest one file; `on_page(done, total)` reports pages read (the upload jobs), and
        `runner` (jobs.ChildPipeline) runs the pipeline in place of `_process_in_worker`."""
        summary = self.ingest_many([Path(path)], workers=1,
                                   filenames={str(path): filename} if filename else None,
                                   on_page=on_page, runner=runner)
        return summary.outcomes[0]

    def _admit(self, path: Path, filename: str) -> Job:
        """Store the original first. A path seen before with the same size and mtime is looked
        up by the hash remembered for it (no reading); an unchanged, current document is a
        duplicate right away."""
        outcome = IngestOutcome(path=str(path), status="failed")
        key = os.path.abspath(path)
        try:
            st = os.stat(path)
            memo = self.catalog.memo_document(key, st.st_size, st.st_mtime_ns)
            if memo is None or memo[1] is None:
                # hash first: content the catalog has (and the archive holds) is not copied
                sha256 = sha256_of(path)
                existing = self.catalog.find_by_sha256(sha256)
                relpath = self.catalog.archive_path(existing.id) if existing else None
                if relpath is None or not self.archive.path(relpath).is_file():
                    stored = self.archive.store(path, filename)
                    sha256, relpath = stored.sha256, stored.relpath
                    existing = self.catalog.find_by_sha256(sha256)
                self.catalog.remember_file(key, st.st_size, st.st_mtime_ns, sha256)
                outcome.sha256 = sha256
                doc_id, version, known_as = (existing.id, existing.pipeline_version,
                                             existing.filename) if existing else (None,) * 3
            else:
                outcome.sha256, doc_id, version, known_as = memo
                relpath = None
        except OSError as exc:
            outcome.reason = f"cannot read file: {exc.strerror or exc}"
            outcome.message_sv = "Filen kunde inte läsas."
            log.error("%s: %s", path, outcome.reason)
            self.catalog.record_error(str(path), outcome.reason, outcome.message_sv)
            return outcome, None, filename
        if doc_id is not None and version == PIPELINE_VERSION:
            outcome.status = "duplicate"
            outcome.document_id = doc_id
            outcome.message_sv = duplicate_message_sv(known_as)
            return outcome, None, filename
        if doc_id is not None:  # processed by an older pipeline: process it again, same name
            outcome.status = "stale"
            outcome.document_id = doc_id
            return outcome, self.catalog.archive_path(doc_id), known_as
        return outcome, relpath, filename

    def ingest_many(self, paths: Iterable[Path], *, workers: int = 1,
                    filenames: dict[str, str] | None = None,
                    progress: Callable[[IngestOutcome], None] | None = None,
                    stop: threading.Event | None = None,
                    keep_outcomes: bool = True,
                    on_page: Callable[[int, int], None] | None = None,
                    runner: Callable | None = None) -> BatchSummary:
        """Ingest files and directories; one bad file never stops the batch.

        Files are admitted (archived, or recognised as unchanged) one by one as the pool has
        room, so a batch of any size holds only a few files in flight. The index is committed
        every INDEX_BATCH documents. When `stop` is set (Ctrl-C), no new file is started; the
        files in progress finish and are saved, and a rerun continues with the rest."""
        names = filenames or {}
        self.index_missing()  # documents a stopped batch saved but never indexed
        files = iter_files(paths)
        if workers > 1:  # largest first, so a batch does not end with one big scan running alone
            files = sorted(files, key=_size, reverse=True)
        jobs = (self._admit(path, names.get(str(path), path.name)) for path in files)
        summary = self._run(jobs, workers=workers, progress=progress, stop=stop,
                            keep_outcomes=keep_outcomes, on_page=on_page, runner=runner)
        if summary.count("added"):
            self.refresh_domain_lexicon()
        return summary

    def reprocess(self, *, only_stale: bool = False, workers: int = 1,
                  progress: Callable[[IngestOutcome], None] | None = None,
                  stop: threading.Event | None = None,
                  runner: Callable | None = None) -> BatchSummary:
        """Run the pipeline again on archived originals (all, or those an older version of some
        stage produced), keeping ids, names and overrides. OCR comes from the cache where the
        page images and OCR settings are unchanged. With `runner` (the job worker's
        jobs.ChildPipeline) the documents go through it one at a time, stopping when `stop` is
        set."""
        stale: Counter = Counter()
        rows = self.catalog.db.execute(
            "SELECT id, sha256, filename, archive_path, pipeline_version FROM documents"
            " ORDER BY id").fetchall()

        def jobs() -> Iterator[Job]:
            for row in rows:
                stages = stale_stages(row["pipeline_version"])
                if only_stale and not stages:
                    continue
                stale.update(stages)
                outcome = IngestOutcome(path=row["filename"], status="stale",
                                        document_id=row["id"], sha256=row["sha256"])
                yield outcome, row["archive_path"], row["filename"]

        summary = self._run(jobs(), workers=workers, progress=progress, stop=stop,
                            runner=runner)
        summary.stale_stages = stale
        return summary

    def _run(self, jobs: Iterable[Job], *, workers: int, progress, stop,
             keep_outcomes: bool = True, on_page=None, runner=None) -> BatchSummary:
        """Process the jobs (through `runner` one at a time when given, else in a process pool
        when workers > 1 or the batch can be stopped); save each result in the catalog as it
        comes and index in batches of INDEX_BATCH."""
        summary = BatchSummary()
        pending_index: list[int] = []

        def finish(outcome: IngestOutcome, relpath: str | None, result) -> None:
            if isinstance(result, ProcessedDocument) and outcome.status != "stale":
                twin = self.catalog.find_by_sha256(result.sha256)
                if twin is not None:  # the same content twice in one batch: saved already
                    outcome.status, outcome.document_id = "duplicate", twin.id
                    outcome.message_sv = duplicate_message_sv(twin.filename)
                    result = None
            if isinstance(result, ProcessedDocument):
                size = self.archive.path(relpath).stat().st_size
                doc_id = self.catalog.save(result, archive_path=relpath, size=size)
                outcome.status = "updated" if outcome.status == "stale" else "added"
                outcome.document_id = doc_id
                outcome.pages, outcome.ocr_pages = len(result.pages), len(result.ocr_pages)
                outcome.cached_pages = sum(1 for p in result.pages if p.ocr and p.from_cache)
                for warning in result.warnings:
                    log.warning("%s: %s", outcome.path, warning)
                pending_index.append(doc_id)
                if len(pending_index) >= INDEX_BATCH:
                    self._index_ids(pending_index)
            elif result is not None:
                outcome.status = "failed"
                outcome.message_sv, outcome.reason = result
                log.error("%s: %s", outcome.path, outcome.reason)
                self.catalog.record_error(outcome.path, outcome.reason, outcome.message_sv,
                                          outcome.sha256)
            summary.record(outcome, keep_outcomes)
            if progress:
                progress(outcome)

        def stopped() -> bool:
            return stop is not None and stop.is_set()

        try:
            if runner is not None or (workers <= 1 and stop is None):
                for outcome, relpath, name in jobs:
                    if stopped():
                        summary.interrupted = True
                        break
                    finish(outcome, relpath, None if relpath is None else
                           (runner or _process_in_worker)(
                               str(self.archive.path(relpath)), name, outcome.sha256,
                               self.config, on_page))
            else:
                summary.interrupted = not self._run_pool(iter(jobs), max(1, workers), finish,
                                                         stopped)
        finally:
            self._index_ids(pending_index)  # what finished is searchable, even on a 2nd Ctrl-C
        return summary

    def _run_pool(self, jobs: Iterator[Job], workers: int, finish, stopped) -> bool:
        """Returns True when every job was done, False when stopped before."""
        exhausted = False
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init)
        in_flight: dict = {}
        try:
            while True:
                while len(in_flight) < 2 * workers and not stopped():
                    job = next(jobs, None)
                    if job is None:
                        exhausted = True
                        break
                    outcome, relpath, name = job
                    if relpath is None:
                        finish(outcome, None, None)
                        continue
                    future = pool.submit(_process_in_worker, str(self.archive.path(relpath)),
                                         name, outcome.sha256, self.config)
                    in_flight[future] = (outcome, relpath)
                if not in_flight:
                    return exhausted
                done, _ = wait(in_flight, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in done:
                    outcome, relpath = in_flight.pop(future)
                    try:
                        result = future.result()
                    except Exception as exc:  # a worker died (e.g. killed for memory)
                        result = (UNEXPECTED_ERROR_SV, f"worker failed: {exc!r}")
                    finish(outcome, relpath, result)
        except KeyboardInterrupt:  # a second Ctrl-C: abandon the files in progress
            log.warning("Abandoning %d file(s) in progress; a rerun processes them", len(in_flight))
            for process_ in list((pool._processes or {}).values()):
                process_.terminate()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def index_missing(self) -> int:
        """Index the catalog's documents the index lacks (a batch stopped between saving and
        committing the index). Cheap when the counts agree."""
        if self.index.doc_count() == self.catalog.count_documents():
            return 0
        missing = sorted(set(self.catalog.document_versions()) - self.index.ids())
        if missing:
            log.info("Indexing %d catalog document(s) missing from the index", len(missing))
            self._index_ids(list(missing))
        return len(missing)

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

    # -- staff: corrections, merged and split projects, delete and replace (issue 6) -------
    @property
    def audit(self) -> AuditLog:
        return AuditLog(self.catalog)

    @property
    def trash(self) -> Trash:
        return Trash(self.archive)

    def _document(self, doc_id: int) -> DocumentRecord:
        record = self.catalog.get_document(doc_id)
        if record is None:
            raise LookupError(f"no document {doc_id}")
        return record

    def _mention(self, mention_id: int) -> dict:
        mention = self.catalog.get_mention(mention_id)
        if mention is None:
            raise LookupError(f"no mention {mention_id}")
        return mention

    def correct_document(self, doc_id: int, changes: dict, *,
                         username: str | None) -> list[tuple[str, object, object]]:
        """Store corrections of the document's fields (title, dnr, nämnd, years, …) as overrides
        that win over extraction now and after reprocessing; log and re-index at once. Returns
        the (field, old, new) that changed."""
        record = self._document(doc_id)
        current = {**self.catalog.get_metadata(doc_id),
                   **{f: getattr(record, f) for f in self.catalog.DOCUMENT_FIELDS}}
        changed = [(f, current.get(f), v) for f, v in changes.items() if current.get(f) != v]
        for field_, old, new in changed:
            self.catalog.set_override(record.sha256, field_, new, author=username)
            self.audit.record("correct", username=username, document_id=doc_id,
                              sha256=record.sha256, field=field_, old=old, new=new)
        if changed:
            log.info("%s corrected document %d: %s", username, doc_id,
                     ", ".join(f for f, _, _ in changed))
            self._index_ids([doc_id])
        return changed

    def correct_mention(self, mention_id: int, changes: dict, *,
                        username: str | None) -> list[tuple[str, object, object]]:
        """Correct a project mention's fields (name, district, category, year, status, amount,
        …); durable like `correct_document`. The documents of its project are re-indexed (the
        project's name and district may follow)."""
        mention = self._mention(mention_id)
        changed = self.catalog.correct_mention(mention_id, changes, author=username)
        for field_, old, new in changed:
            self.audit.record("correct", username=username, document_id=mention["document_id"],
                              sha256=mention["sha256"], project_id=mention["project_id"],
                              subject=mention["name"], field=field_, old=old, new=new)
        if changed:
            self._reindex_projects([mention["project_id"]], [mention["document_id"]])
        return changed

    def link_mention(self, mention_id: int, project_id: int | None, *,
                     username: str | None) -> bool:
        """Put a mention in another project (None: in no project). Returns whether it moved."""
        mention = self._mention(mention_id)
        if project_id is not None and self.catalog.get_project(project_id) is None:
            raise LookupError(f"no project {project_id}")
        names = {pid: (self.catalog.get_project(pid) or {}).get("name")
                 for pid in (mention["project_id"], project_id) if pid is not None}
        old, new = self.catalog.link_mention(mention_id, project_id, author=username)
        if old == new:
            return False
        for pid in dict.fromkeys((old, new)):
            self.audit.record("link", username=username, document_id=mention["document_id"],
                              sha256=mention["sha256"], project_id=pid, subject=mention["name"],
                              field="project", old=names.get(old), new=names.get(new))
        self._reindex_projects([p for p in (old, new) if p is not None],
                               [mention["document_id"]])
        return True

    def add_mention(self, doc_id: int, name: str, *, username: str | None) -> int:
        """A project the extraction missed, added to the document; returns the mention id."""
        record = self._document(doc_id)
        before = {m["id"] for m in self.catalog.get_mentions(doc_id)}
        mention_id = self.catalog.add_mention(doc_id, name, author=username)
        if mention_id not in before:
            mention = self._mention(mention_id)
            self.audit.record("add-mention", username=username, document_id=doc_id,
                              sha256=record.sha256, project_id=mention["project_id"],
                              subject=mention["name"], field="project", new=mention["name"])
            self._reindex_projects([mention["project_id"]], [doc_id])
        return mention_id

    def merge_projects(self, source_id: int, target_id: int, *, username: str | None) -> None:
        """Two projects that are one: `source_id`'s mentions join `target_id`, and so do later
        mentions of its names (also after reprocessing)."""
        source, target = self.catalog.get_project(source_id), self.catalog.get_project(target_id)
        if source is None or target is None:
            raise LookupError("no such project")
        doc_ids = self.catalog.merge_projects(source_id, target_id, author=username)
        for pid in (source_id, target_id):
            self.audit.record("merge", username=username, project_id=pid,
                              subject=source["name"], field="project",
                              old=f"{source['name']} (projekt {source_id})",
                              new=f"{target['name']} (projekt {target_id})")
        log.info("%s merged project %d into %d", username, source_id, target_id)
        self._index_ids(doc_ids)

    def split_project(self, project_id: int, mention_ids: list[int], name: str, *,
                      username: str | None) -> int:
        """Move the chosen mentions of a wrongly joined project to a new project `name`;
        returns its id."""
        project = self.catalog.get_project(project_id)
        if project is None:
            raise LookupError(f"no project {project_id}")
        moved = [self.catalog.get_mention(i) for i in mention_ids]
        new_id = self.catalog.split_project(project_id, mention_ids, name, author=username)
        new_name = self.catalog.get_project(new_id)["name"]
        for m in moved:
            for pid in (project_id, new_id):
                self.audit.record("split", username=username, document_id=m["document_id"],
                                  sha256=m["sha256"], project_id=pid, subject=m["name"],
                                  field="project", old=project["name"], new=new_name)
        log.info("%s split %d mention(s) of project %d into new project %d", username,
                 len(moved), project_id, new_id)
        self._reindex_projects([project_id, new_id])
        return new_id

    def _reindex_projects(self, project_ids: list, doc_ids: list[int] = ()) -> None:
        ids = set(doc_ids) | set(self.catalog.project_document_ids(
            [p for p in project_ids if p is not None]))
        self._index_ids(sorted(ids))

    def delete_document(self, doc_id: int, *, username: str | None) -> DocumentRecord:
        """Remove a document from catalog and index at once; its original goes to the
        archive's trash (until an admin purges it) and its corrections wait beside it."""
        record = self._document(doc_id)
        relpath = self.catalog.archive_path(doc_id)
        self.catalog.delete_document(doc_id)
        self.index.delete([doc_id])
        if self.archive.path(relpath).is_file():
            self.trash.put(relpath, {"document_id": doc_id, "filename": record.filename,
                                     "title": record.title, "deleted_by": username,
                                     "reason": "deleted"})
        self.audit.record("delete", username=username, document_id=doc_id,
                          sha256=record.sha256, subject=record.display_title, field="document",
                          old=record.filename)
        log.info("%s deleted document %d (%s); original moved to the trash", username, doc_id,
                 record.filename)
        return record

    def _replacement_refused(self, record: DocumentRecord, sha256: str,
                             filename: str) -> IngestOutcome | None:
        """Why content cannot replace the document's original (it is that original already, or
        another document's), or None."""
        outcome = IngestOutcome(path=filename, status="unchanged", document_id=record.id,
                                sha256=sha256)
        if sha256 == record.sha256:
            outcome.reason = "same file as the current original"
            outcome.message_sv = "Filen är densamma som dokumentets nuvarande original."
            return outcome
        other = self.catalog.find_by_sha256(sha256)
        if other is not None:
            outcome.status, outcome.document_id = "duplicate", other.id
            outcome.reason = f"the file is already document {other.id}"
            outcome.message_sv = duplicate_message_sv(other.filename)
            return outcome
        return None

    def admit_replacement(self, doc_id: int, path: Path, *, filename: str | None = None
                          ) -> tuple[IngestOutcome, "StoredOriginal | None"]:
        """Step 1 of replacing a document's original: archive the new file and check it.
        Returns the outcome ("queued": to be processed by the job worker, which then calls
        `replace_document`; "unchanged" or "duplicate": refused) and the stored original."""
        record = self._document(doc_id)
        filename = filename or Path(path).name
        stored = self.archive.store(Path(path), filename)
        refused = self._replacement_refused(record, stored.sha256, filename)
        if refused is not None:
            return refused, None
        return IngestOutcome(path=filename, status="queued", document_id=doc_id,
                             sha256=stored.sha256), stored

    def replace_document(self, doc_id: int, relpath: str, sha256: str, *, filename: str,
                         username: str | None,
                         on_page: Callable[[int, int], None] | None = None,
                         runner: Callable | None = None) -> IngestOutcome:
        """Step 2, the job worker's: process the archived new original `relpath` (with `runner`,
        the worker's child process) and make it the document's original, keeping its id; its
        corrections are carried over (they still win) and the old original goes to the trash.
        A failure leaves the document as it was."""
        unchanged = " Originalet ersattes inte; dokumentet är oförändrat."
        try:
            record = self._document(doc_id)
        except LookupError:
            return IngestOutcome(path=filename, status="failed", document_id=doc_id,
                                 sha256=sha256, reason=f"document {doc_id} no longer exists",
                                 message_sv="Dokumentet som skulle ersättas finns inte längre "
                                            "(det har tagits bort).")
        refused = self._replacement_refused(record, sha256, filename)
        if refused is not None:
            refused.message_sv += unchanged
            return refused
        outcome = IngestOutcome(path=filename, status="failed", document_id=doc_id,
                                sha256=sha256)
        result = (runner or _process_in_worker)(str(self.archive.path(relpath)), filename,
                                                sha256, self.config, on_page)
        if isinstance(result, ProcessedDocument):  # the document may have gone meanwhile
            current = self.catalog.get_document(doc_id)
            refused = (self._replacement_refused(current, sha256, filename) if current else
                       IngestOutcome(path=filename, status="failed", document_id=doc_id,
                                     reason=f"document {doc_id} deleted while processing",
                                     message_sv="Dokumentet som skulle ersättas togs bort "
                                                "medan den nya filen lästes in."))
            if refused is not None:
                refused.message_sv += unchanged
                return refused
        else:
            message_sv, outcome.reason = result
            outcome.message_sv = message_sv + unchanged
            log.error("replacing document %d with %s: %s", doc_id, filename, outcome.reason)
            self.catalog.record_error(filename, outcome.reason, message_sv, sha256)
            return outcome
        old_relpath = self.catalog.archive_path(doc_id)
        self.catalog.rebind_document(doc_id, sha256, relpath)
        self.catalog.save(result, archive_path=relpath,
                          size=self.archive.path(relpath).stat().st_size)
        self._index_ids([doc_id])
        if self.archive.path(old_relpath).is_file():
            self.trash.put(old_relpath, {"document_id": doc_id, "filename": record.filename,
                                         "title": record.title, "deleted_by": username,
                                         "reason": "replaced", "replaced_by": sha256})
        self.audit.record("replace", username=username, document_id=doc_id,
                          sha256=sha256, subject=record.display_title, field="original",
                          old=record.filename, new=filename)
        log.info("%s replaced the original of document %d (%s -> %s)", username, doc_id,
                 record.filename, filename)
        outcome.status = "replaced"
        outcome.pages, outcome.ocr_pages = len(result.pages), len(result.ocr_pages)
        return outcome

    def purge_trash(self, older_than_days: float | None = None) -> list:
        """Delete trashed originals for good, and the corrections only they had."""
        purged = self.trash.purge(older_than_days)
        for item in purged:
            self.catalog.drop_overrides(item.sha256)
            log.info("purged %s (%s) from the trash", item.relpath, item.info.get("filename"))
        return purged

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
