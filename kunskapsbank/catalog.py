"""The catalog: SQLite, the source of truth. Schema versioned by PRAGMA user_version."""
from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from .model import (DocumentRecord, IndexDocument, Metadata, PageRecord, ProcessedDocument,
                    ProjectMention, Repair)
from .projects import KnownProject, match, name_key

# Each migration takes the schema from version i to i+1. Never edit one that has shipped.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        filename TEXT NOT NULL,
        media_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        archive_path TEXT NOT NULL,
        added_at TEXT NOT NULL,
        processed_at TEXT NOT NULL,
        language TEXT,
        dnr TEXT,
        document_type TEXT,
        date TEXT,
        title TEXT,
        pipeline_version TEXT NOT NULL,
        page_count INTEGER NOT NULL,
        ocr_page_count INTEGER NOT NULL,
        warnings TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE pages (
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        raw_text TEXT NOT NULL,
        text TEXT NOT NULL,
        source TEXT NOT NULL,
        ocr INTEGER NOT NULL,
        ocr_confidence REAL,
        from_cache INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (document_id, number)
    );
    CREATE TABLE repairs (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        page INTEGER NOT NULL,
        offset INTEGER NOT NULL,
        before TEXT NOT NULL,
        after TEXT NOT NULL,
        rule TEXT NOT NULL
    );
    CREATE INDEX repairs_document ON repairs(document_id);
    CREATE TABLE ingest_errors (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT,
        reason TEXT NOT NULL,
        message_sv TEXT NOT NULL
    );
    """,
    # 2: text quality per page (share of Swedish words after repair)
    """
    ALTER TABLE pages ADD COLUMN quality REAL;
    """,
    # 3: the whole metadata, projects with their mentions, staff overrides
    """
    ALTER TABLE documents ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
    CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        key TEXT NOT NULL,
        district TEXT,
        category TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX projects_key ON projects(key);
    CREATE TABLE mentions (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        owner TEXT,
        district TEXT,
        category TEXT,
        year INTEGER,
        status TEXT,
        amount_sek INTEGER,
        purpose TEXT,
        partner TEXT,
        excerpt TEXT,
        match_reason TEXT NOT NULL
    );
    CREATE INDEX mentions_document ON mentions(document_id);
    CREATE INDEX mentions_project ON mentions(project_id);
    -- Corrections by staff. Keyed by the original's sha256 (and, for a mention, by its name
    -- key), so they survive reprocessing, which rewrites documents' derived rows.
    CREATE TABLE overrides (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL,
        mention_key TEXT NOT NULL DEFAULT '',  -- '' for the document's own fields
        field TEXT NOT NULL,
        value TEXT,
        author TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (sha256, mention_key, field)
    );
    """,
    # 4: staff accounts, sign-in attempts (rate limit), upload jobs and their files
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('fou', 'admin')),
        created_at TEXT NOT NULL,
        password_changed_at TEXT NOT NULL
    );
    CREATE TABLE login_attempts (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL COLLATE NOCASE,
        ip TEXT NOT NULL,
        at REAL NOT NULL  -- unix time of a failed attempt
    );
    CREATE INDEX login_attempts_key ON login_attempts(username, ip, at);
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        created_by TEXT,
        metadata TEXT NOT NULL DEFAULT '{}'  -- what the uploader gave for every file
    );
    CREATE TABLE job_files (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        filename TEXT NOT NULL,
        sha256 TEXT,
        archive_path TEXT,  -- relative to the archive; the original is stored before queueing
        size INTEGER,
        media_type TEXT,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
        outcome TEXT,  -- added | updated | duplicate, when done
        pages_done INTEGER NOT NULL DEFAULT 0,
        pages_total INTEGER,
        document_id INTEGER,
        message_sv TEXT,
        reason TEXT,
        worker TEXT,  -- host:pid of the worker running it
        attempts INTEGER NOT NULL DEFAULT 0,
        started_at TEXT,
        updated_at TEXT,
        finished_at TEXT
    );
    CREATE INDEX job_files_job ON job_files(job_id, position);
    CREATE INDEX job_files_status ON job_files(status, id);
    """,
    # 5: what each ingested path held when last seen, so an unchanged file is not read again
    """
    CREATE TABLE file_memo (
        path TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        sha256 TEXT NOT NULL
    );
    """,
    # 6: staff decisions beside the overrides: merged projects (aliases by name key), the name
    # key each mention's overrides are keyed by, and the audit log of every change
    """
    ALTER TABLE mentions ADD COLUMN override_key TEXT;
    CREATE TABLE project_aliases (
        key TEXT PRIMARY KEY,  -- name key of a mention name that belongs to the project
        project_id INTEGER NOT NULL,
        author TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        username TEXT,
        action TEXT NOT NULL,
        document_id INTEGER,  -- no foreign keys: the history outlives deleted rows
        sha256 TEXT,
        project_id INTEGER,
        subject TEXT,
        field TEXT,
        old_value TEXT,
        new_value TEXT
    );
    CREATE INDEX audit_document ON audit_log(document_id);
    CREATE INDEX audit_project ON audit_log(project_id);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)
_WORD = re.compile(r"[^\W\d_]{3,}")

_DOC_COLUMNS = ("id, sha256, filename, media_type, size, added_at, language, dnr, document_type,"
                " date, title, pipeline_version, page_count, ocr_page_count")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Catalog:
    """One catalog file; one SQLite connection per thread (waitress serves from several)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._conn_lock = threading.Lock()
        self.migrate()

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._conn_lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        with self._conn_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    def migrate(self) -> None:
        db = self.db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"catalog {self.path} has schema version {version}, newer than "
                               f"this program's {SCHEMA_VERSION}")
        for i in range(version, SCHEMA_VERSION):
            with db:
                db.executescript("BEGIN;" + MIGRATIONS[i] + f"; PRAGMA user_version={i + 1};")

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    # -- documents -------------------------------------------------------------------------
    def find_by_sha256(self, sha256: str) -> DocumentRecord | None:
        row = self.db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE sha256=?",
                              (sha256,)).fetchone()
        return DocumentRecord(**dict(row)) if row else None

    def get_document(self, doc_id: int) -> DocumentRecord | None:
        row = self.db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id=?",
                              (doc_id,)).fetchone()
        return DocumentRecord(**dict(row)) if row else None

    def archive_path(self, doc_id: int) -> str | None:
        row = self.db.execute("SELECT archive_path FROM documents WHERE id=?",
                              (doc_id,)).fetchone()
        return row[0] if row else None

    def count_documents(self) -> int:
        return self.db.execute("SELECT count(*) FROM documents").fetchone()[0]

    def save(self, doc: ProcessedDocument, *, archive_path: str, size: int) -> int:
        """Insert or replace the document with this sha256 and its pages; returns its id."""
        m = doc.metadata
        now = _now()
        db = self.db
        with db:
            row = db.execute("SELECT id, added_at FROM documents WHERE sha256=?",
                             (doc.sha256,)).fetchone()
            values = dict(sha256=doc.sha256, filename=doc.filename, media_type=doc.media_type,
                          size=size, archive_path=archive_path, processed_at=now,
                          language=doc.language, dnr=m.dnr, document_type=m.document_type,
                          date=m.date, title=m.title, pipeline_version=doc.pipeline_version,
                          page_count=len(doc.pages), ocr_page_count=len(doc.ocr_pages),
                          warnings=json.dumps(doc.warnings, ensure_ascii=False),
                          metadata=json.dumps(doc.metadata.to_json(), ensure_ascii=False))
            if row:
                doc_id = row["id"]
                sets = ", ".join(f"{k}=:{k}" for k in values)
                db.execute(f"UPDATE documents SET {sets} WHERE id=:id", {**values, "id": doc_id})
                db.execute("DELETE FROM pages WHERE document_id=?", (doc_id,))
                db.execute("DELETE FROM repairs WHERE document_id=?", (doc_id,))
            else:
                values["added_at"] = now
                cols = ", ".join(values)
                marks = ", ".join(f":{k}" for k in values)
                doc_id = db.execute(f"INSERT INTO documents ({cols}) VALUES ({marks})",
                                    values).lastrowid
            db.executemany(
                "INSERT INTO pages (document_id, number, raw_text, text, source, ocr,"
                " ocr_confidence, from_cache, quality) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(doc_id, p.number, p.raw_text, p.text, p.source, int(p.ocr), p.ocr_confidence,
                  int(p.from_cache), p.quality) for p in doc.pages])
            db.executemany(
                "INSERT INTO repairs (document_id, page, offset, before, after, rule)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(doc_id, r.page, r.offset, r.before, r.after, r.rule) for r in doc.repairs])
            self._save_mentions(doc_id, doc.projects)
            self._apply_overrides(doc_id, doc.sha256)
        return doc_id

    # -- projects --------------------------------------------------------------------------
    def _known_projects(self) -> list[KnownProject]:
        return [KnownProject(r["id"], r["key"], r["district"], r["category"])
                for r in self.db.execute("SELECT id, key, district, category FROM projects")]

    def _save_mentions(self, doc_id: int, mentions: list[ProjectMention]) -> None:
        """Replace the document's mentions, each joined to its project (or a new one) with the
        reason stored; projects left without mentions go."""
        db = self.db
        db.execute("DELETE FROM mentions WHERE document_id=?", (doc_id,))
        known = self._known_projects()
        for position, m in enumerate(mentions):
            found = match(m, known)
            project_id = found.project_id
            if project_id is None:
                key = name_key(m.name)
                project_id = db.execute(
                    "INSERT INTO projects (name, key, district, category, created_at)"
                    " VALUES (?, ?, ?, ?, ?)", (m.name, key, m.district, m.category,
                                                _now())).lastrowid
                known.append(KnownProject(project_id, key, m.district, m.category))
            db.execute(
                "INSERT INTO mentions (document_id, project_id, position, name, owner, district,"
                " category, year, status, amount_sek, purpose, partner, excerpt, match_reason)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_id, project_id, position, m.name, m.owner, m.district, m.category, m.year,
                 m.status, m.amount_sek, m.purpose, m.partner, m.excerpt, found.reason))
        db.execute("DELETE FROM projects WHERE id NOT IN"
                   " (SELECT project_id FROM mentions WHERE project_id IS NOT NULL)")

    def get_mentions(self, doc_id: int) -> list[dict]:
        return [dict(r) for r in self.db.execute(
            "SELECT * FROM mentions WHERE document_id=? ORDER BY position", (doc_id,))]

    def get_project(self, project_id: int) -> dict | None:
        row = self.db.execute("SELECT * FROM projects WHERE id=?", (project_id,)).fetchone()
        return dict(row) if row else None

    def project_timeline(self, project_id: int) -> list[dict]:
        """The project's mentions with their documents, oldest first."""
        return [dict(r) for r in self.db.execute(
            "SELECT m.*, d.filename, d.title AS document_title, d.date AS document_date,"
            " d.document_type FROM mentions m JOIN documents d ON d.id = m.document_id"
            " WHERE m.project_id=? ORDER BY coalesce(m.year, substr(d.date, 1, 4)), d.date, d.id",
            (project_id,))]

    def list_projects(self) -> list[dict]:
        return [dict(r) for r in self.db.execute(
            "SELECT p.*, count(m.id) AS mentions, min(m.year) AS first_year,"
            " max(m.year) AS last_year FROM projects p JOIN mentions m ON m.project_id = p.id"
            " GROUP BY p.id ORDER BY p.name")]

    # -- overrides -------------------------------------------------------------------------
    DOCUMENT_FIELDS = ("dnr", "document_type", "date", "title")
    MENTION_FIELDS = ("name", "owner", "district", "category", "year", "status", "amount_sek",
                      "purpose", "partner", "project_id")

    def set_override(self, sha256: str, field: str, value, *, mention: str | None = None,
                     author: str | None = None) -> None:
        """A staff correction that wins over extraction, now and after reprocessing. For a
        mention, `mention` is its extracted name."""
        allowed = self.MENTION_FIELDS if mention is not None else \
            self.DOCUMENT_FIELDS + tuple(Metadata().to_json())
        if field not in allowed:
            raise ValueError(f"no such field to override: {field}")
        key = name_key(mention) if mention is not None else ""
        with self.db:
            self.db.execute(
                "INSERT INTO overrides (sha256, mention_key, field, value, author, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256, mention_key, field) DO UPDATE"
                " SET value=excluded.value, author=excluded.author,"
                " created_at=excluded.created_at",
                (sha256, key, field, json.dumps(value, ensure_ascii=False), author, _now()))
            row = self.db.execute("SELECT id FROM documents WHERE sha256=?", (sha256,)).fetchone()
            if row:
                self._apply_overrides(row["id"], sha256)

    def _apply_overrides(self, doc_id: int, sha256: str) -> None:
        db = self.db
        rows = db.execute("SELECT mention_key, field, value FROM overrides WHERE sha256=?"
                          " ORDER BY id", (sha256,)).fetchall()
        if not rows:
            return
        meta = json.loads(db.execute("SELECT metadata FROM documents WHERE id=?",
                                     (doc_id,)).fetchone()[0] or "{}")
        for r in rows:
            value = json.loads(r["value"])
            if not r["mention_key"]:
                meta[r["field"]] = value
                if r["field"] in self.DOCUMENT_FIELDS:
                    db.execute(f"UPDATE documents SET {r['field']}=? WHERE id=?", (value, doc_id))
                continue
            for m in db.execute("SELECT id, name FROM mentions WHERE document_id=?", (doc_id,)):
                if name_key(m["name"]) == r["mention_key"]:
                    db.execute(f"UPDATE mentions SET {r['field']}=?, match_reason=? WHERE id=?",
                               (value, "set by staff" if r["field"] == "project_id"
                                else "extracted; corrected by staff", m["id"]))
        db.execute("UPDATE documents SET metadata=? WHERE id=?",
                   (json.dumps(meta, ensure_ascii=False), doc_id))

    def get_metadata(self, doc_id: int) -> dict:
        row = self.db.execute("SELECT metadata FROM documents WHERE id=?", (doc_id,)).fetchone()
        return json.loads(row[0]) if row else {}

    def get_pages(self, doc_id: int) -> list[PageRecord]:
        rows = self.db.execute(
            "SELECT document_id, number, raw_text, text, source, ocr, ocr_confidence, quality"
            " FROM pages"
            " WHERE document_id=? ORDER BY number", (doc_id,)).fetchall()
        return [PageRecord(**{**dict(r), "ocr": bool(r["ocr"])}) for r in rows]

    def get_repairs(self, doc_id: int) -> list[Repair]:
        rows = self.db.execute("SELECT page, offset, before, after, rule FROM repairs"
                               " WHERE document_id=? ORDER BY page, offset, id",
                               (doc_id,)).fetchall()
        return [Repair(**dict(r)) for r in rows]

    def clean_word_counts(self, min_quality: float) -> Counter:
        """Word counts over born-digital pages (not OCR) of at least `min_quality` on which the
        repair restored no letters: the catalog's own clean Swedish."""
        counts: Counter = Counter()
        rows = self.db.execute(
            "SELECT text FROM pages p WHERE ocr = 0 AND quality >= ? AND NOT EXISTS ("
            " SELECT 1 FROM repairs r WHERE r.document_id = p.document_id AND r.page = p.number"
            " AND r.rule LIKE 'letters%')", (min_quality,))
        for (text,) in rows:
            counts.update(w.lower() for w in _WORD.findall(text))
        return counts

    def document_text(self, doc_id: int) -> str:
        rows = self.db.execute("SELECT text FROM pages WHERE document_id=? ORDER BY number",
                               (doc_id,)).fetchall()
        return "\n\n".join(r[0] for r in rows)

    def iter_index_documents(self) -> Iterator[IndexDocument]:
        for (doc_id,) in self.db.execute("SELECT id FROM documents ORDER BY id").fetchall():
            yield self.index_document(doc_id)

    def index_document(self, doc_id: int) -> IndexDocument | None:
        """The document as the index holds it: metadata, text, and what its mentions say."""
        row = self.db.execute(
            "SELECT id, filename, title, dnr, date, document_type, language, pipeline_version"
            " FROM documents WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            return None
        mentions = self.db.execute(
            "SELECT coalesce(p.name, m.name) AS name, m.district, m.category FROM mentions m"
            " LEFT JOIN projects p ON p.id = m.project_id WHERE m.document_id=?"
            " ORDER BY m.position", (doc_id,)).fetchall()
        years = self.get_metadata(doc_id).get("years") or []
        return IndexDocument(
            **dict(row), text=self.document_text(doc_id),
            districts=sorted({m["district"] for m in mentions if m["district"]}),
            projects=list(dict.fromkeys(m["name"] for m in mentions)),
            categories=sorted({m["category"] for m in mentions if m["category"]}),
            years=sorted({int(y) for y in years}))

    # -- batch ingest ----------------------------------------------------------------------
    def memo_document(self, path: str, size: int, mtime_ns: int) -> tuple | None:
        """For a path last seen with this size and mtime: (sha256, document id, its pipeline
        version, its name), all but the hash None when no document has that content; None if
        the path was not seen so."""
        row = self.db.execute(
            "SELECT m.sha256, d.id, d.pipeline_version, d.filename FROM file_memo m"
            " LEFT JOIN documents d ON d.sha256 = m.sha256"
            " WHERE m.path=? AND m.size=? AND m.mtime_ns=?", (path, size, mtime_ns)).fetchone()
        return tuple(row) if row else None

    def remember_file(self, path: str, size: int, mtime_ns: int, sha256: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO file_memo (path, size, mtime_ns, sha256)"
                            " VALUES (?, ?, ?, ?)", (path, size, mtime_ns, sha256))

    def document_versions(self) -> dict[int, str]:
        """id -> pipeline version of every document."""
        return dict(self.db.execute("SELECT id, pipeline_version FROM documents").fetchall())

    # -- errors ----------------------------------------------------------------------------
    def record_error(self, path: str, reason: str, message_sv: str,
                     sha256: str | None = None) -> None:
        with self.db:
            self.db.execute("INSERT INTO ingest_errors (at, path, sha256, reason, message_sv)"
                            " VALUES (?, ?, ?, ?, ?)", (_now(), path, sha256, reason, message_sv))

    def recent_errors(self, limit: int = 50) -> list[dict]:
        rows = self.db.execute("SELECT * FROM ingest_errors ORDER BY id DESC LIMIT ?",
                               (limit,)).fetchall()
        return [dict(r) for r in rows]
