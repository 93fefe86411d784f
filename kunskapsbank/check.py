"""`kunskapsbank check`: do archive, catalog and index agree?

- every document's archived original exists and still has its sha256;
- no file in the archive that nothing refers to (an orphan: neither a document, nor a failed
  ingest, nor a queued upload; the trash of deleted documents is left alone), and no temporary
  file left by an interrupted copy;
- the index holds exactly the catalog's documents, each with the catalog's pipeline version.

With repair=True what can be fixed safely is fixed: documents missing from the index (or
indexed with another version) are indexed again, index entries without a catalog row are
dropped, leftover temporary files are removed. Originals are never deleted or altered.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from ingest.pipeline import stale_stages

from .archive import sha256_of

log = logging.getLogger(__name__)

INCOMING_PREFIX = ".incoming-"  # Archive.store's temporary files
TRASH_DIR = "trash"  # originals of deleted documents, kept on purpose until purged
SHOW = 20  # problems listed per kind in the report


@dataclass
class Problem:
    kind: str  # "missing original" | "hash mismatch" | "orphan file" | "temporary file" |
    #            "not indexed" | "index only" | "index version"
    detail: str
    fixed: bool = False


@dataclass
class CheckReport:
    documents: int = 0
    archive_files: int = 0
    indexed: int = 0
    problems: list[Problem] = field(default_factory=list)
    stale: Counter = field(default_factory=Counter)  # stage -> documents of an older version

    @property
    def remaining(self) -> list[Problem]:
        return [p for p in self.problems if not p.fixed]

    @property
    def ok(self) -> bool:
        return not self.remaining

    def lines(self) -> list[str]:
        out = [f"documents {self.documents}, archived files {self.archive_files}, "
               f"indexed {self.indexed}"]
        by_kind: dict[str, list[Problem]] = {}
        for p in self.problems:
            by_kind.setdefault(p.kind, []).append(p)
        for kind, problems in by_kind.items():
            fixed = sum(p.fixed for p in problems)
            out.append(f"{kind}: {len(problems)}" + (f" ({fixed} fixed)" if fixed else ""))
            out.extend(f"  {p.detail}" + (" [fixed]" if p.fixed else "")
                       for p in problems[:SHOW])
            if len(problems) > SHOW:
                out.append(f"  … and {len(problems) - SHOW} more")
        if self.stale:
            out.append("documents from an older pipeline (kunskapsbank reindex --reprocess "
                       "--only-stale): " + ", ".join(f"{stage} {n}" for stage, n in
                                                    sorted(self.stale.items())))
        out.append("OK" if self.ok else f"{len(self.remaining)} problem(s) remain")
        return out


def _referenced_hashes(db) -> set[str]:
    """Hashes of originals something besides a document refers to (failed ingests, uploads)."""
    hashes = {r[0] for r in db.execute("SELECT sha256 FROM ingest_errors WHERE sha256 IS NOT NULL")}
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "job_files" in tables:  # uploads stored before they are queued
        hashes |= {r[0] for r in db.execute(
            "SELECT sha256 FROM job_files WHERE sha256 IS NOT NULL")}
    return hashes


def run_check(kb, repair: bool = False) -> CheckReport:
    """Check (and with repair=True fix) the Kunskapsbank `kb`."""
    report = CheckReport()
    db = kb.catalog.db
    rows = db.execute("SELECT id, sha256, archive_path, pipeline_version FROM documents"
                      " ORDER BY id").fetchall()
    report.documents = len(rows)

    # archive: every original there, unaltered
    for row in rows:
        path = kb.archive.path(row["archive_path"])
        if not path.is_file():
            report.problems.append(Problem("missing original",
                                           f"document {row['id']}: {row['archive_path']}"))
        elif sha256_of(path) != row["sha256"]:
            report.problems.append(Problem("hash mismatch",
                                           f"document {row['id']}: {row['archive_path']}"))
        report.stale.update(stale_stages(row["pipeline_version"]))

    # archive: nothing unaccounted for
    known = {row["archive_path"] for row in rows}
    hashes = {row["sha256"] for row in rows} | _referenced_hashes(db)
    root = kb.archive.root
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            relpath = path.relative_to(root).as_posix()
            if relpath.startswith(TRASH_DIR + "/"):
                continue
            report.archive_files += 1
            if path.name.startswith(INCOMING_PREFIX):
                problem = Problem("temporary file", relpath)
                if repair:
                    path.unlink(missing_ok=True)
                    problem.fixed = True
                report.problems.append(problem)
            elif relpath not in known and path.name[:64] not in hashes:
                report.problems.append(Problem(
                    "orphan file", f"{relpath} (ingest its source again to catalogue it)"))

    # catalog and index: same documents, same versions
    catalog_versions = {row["id"]: row["pipeline_version"] for row in rows}
    index_versions = kb.index.versions()
    report.indexed = len(index_versions)
    missing = sorted(set(catalog_versions) - set(index_versions))
    extra = sorted(set(index_versions) - set(catalog_versions))
    differ = sorted(i for i in set(catalog_versions) & set(index_versions)
                    if catalog_versions[i] != index_versions[i])
    found = ([Problem("not indexed", f"document {i}") for i in missing]
             + [Problem("index version", f"document {i}: index {index_versions[i] or '?'}, "
                        f"catalog {catalog_versions[i]}") for i in differ]
             + [Problem("index only", f"index entry {i} has no catalog row") for i in extra])
    if repair and (missing or differ or extra):
        if extra:
            kb.index.delete(extra)
        if missing or differ:
            kb.index.add(kb.catalog.index_document(i) for i in missing + differ)
        for p in found:
            p.fixed = True
        log.info("check --repair: indexed %d, re-indexed %d, dropped %d index entries",
                 len(missing), len(differ), len(extra))
        report.indexed = kb.index.doc_count()
    report.problems.extend(found)
    return report
