"""The catalog: SQLite, the source of truth. Schema versioned by PRAGMA user_version."""
from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from dataclasses import replace
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
    # 7: a queued file may replace a document's original (processed by the worker like uploads)
    """
    ALTER TABLE job_files ADD COLUMN replaces_document INTEGER;
    """,
    # 8: a job's kind: 'upload' (files, replacements) or an admin's task run by the same worker
    # ('reindex', 'reprocess-stale'), whose one job_files row carries its progress and result
    """
    ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'upload';
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
        reason stored; projects left without mentions go.

        Staff decisions win (see `_assign_project`); a mention's corrected fields are applied
        before it is matched, and mentions staff added (override `added`) come after the
        extracted ones."""
        db = self.db
        db.execute("DELETE FROM mentions WHERE document_id=?", (doc_id,))
        sha256 = db.execute("SELECT sha256 FROM documents WHERE id=?", (doc_id,)).fetchone()[0]
        overrides = self.mention_overrides(sha256)
        aliases = self.project_aliases()
        known = self._known_projects()
        items = [(name_key(m.name), m, "") for m in mentions]
        extracted = {key for key, _, _ in items}
        for key, fields in overrides.items():
            if fields.get("added") and key not in extracted:
                items.append((key, ProjectMention(name=fields["added"]), "added by staff; "))
        for position, (key, m, origin) in enumerate(items):
            fields = overrides.get(key, {})
            m = replace(m, **{f: v for f, v in fields.items() if f in self.MENTION_VALUE_FIELDS})
            project_id, reason = self._assign_project(m, key, fields, aliases, known)
            if not origin and any(f in self.MENTION_VALUE_FIELDS for f in fields):
                reason += "; corrected by staff"
            self._insert_mention(doc_id, position, m, project_id, origin + reason, key)
        self._drop_orphan_projects()

    def _assign_project(self, m: ProjectMention, key: str, fields: dict,
                        aliases: dict[str, int], known: list[KnownProject]
                        ) -> tuple[int | None, str]:
        """(project id, reason) for a mention: the project staff chose for it (override
        `project_id`; None: no project), else the project its name was merged into (alias),
        else the best match by name, else a new project (appended to `known`)."""
        ids = {p.id for p in known}
        if "project_id" in fields and (fields["project_id"] is None
                                       or fields["project_id"] in ids):
            chosen = fields["project_id"]
            return chosen, ("unlinked by staff" if chosen is None
                            else f"project {chosen} chosen by staff")
        alias = aliases.get(name_key(m.name), aliases.get(key))
        if alias in ids:
            return alias, f"merged by staff into project {alias}"
        found = match(m, known)
        if found.project_id is not None:
            return found.project_id, found.reason
        project_id = self._new_project(m.name, m.district, m.category)
        known.append(KnownProject(project_id, name_key(m.name), m.district, m.category))
        return project_id, found.reason

    def _new_project(self, name: str, district: str | None, category: str | None) -> int:
        return self.db.execute(
            "INSERT INTO projects (name, key, district, category, created_at)"
            " VALUES (?, ?, ?, ?, ?)", (name, name_key(name), district, category,
                                        _now())).lastrowid

    def _insert_mention(self, doc_id: int, position: int, m: ProjectMention,
                        project_id: int | None, reason: str, key: str) -> int:
        return self.db.execute(
            "INSERT INTO mentions (document_id, project_id, position, name, owner, district,"
            " category, year, status, amount_sek, purpose, partner, excerpt, match_reason,"
            " override_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc_id, project_id, position, m.name, m.owner, m.district, m.category, m.year,
             m.status, m.amount_sek, m.purpose, m.partner, m.excerpt, reason, key)).lastrowid

    def _drop_orphan_projects(self) -> None:
        """Projects left without mentions go, and merges into projects that are gone."""
        self.db.execute("DELETE FROM projects WHERE id NOT IN"
                        " (SELECT project_id FROM mentions WHERE project_id IS NOT NULL)")
        self.db.execute("DELETE FROM project_aliases WHERE project_id NOT IN"
                        " (SELECT id FROM projects)")

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
    MENTION_VALUE_FIELDS = ("name", "owner", "district", "category", "year", "status",
                            "amount_sek", "purpose", "partner")
    # project_id: the project staff chose (None: none); added: a mention staff added, by name
    MENTION_FIELDS = MENTION_VALUE_FIELDS + ("project_id", "added")

    def set_override(self, sha256: str, field: str, value, *, mention: str | None = None,
                     mention_key: str | None = None, author: str | None = None) -> None:
        """A staff correction that wins over extraction, now and after reprocessing. For a
        mention, `mention` is its extracted name (or `mention_key` the name key of it, as
        the mention's `override_key` holds it)."""
        if mention is not None:
            mention_key = name_key(mention)
        allowed = self.MENTION_FIELDS if mention_key is not None else \
            self.DOCUMENT_FIELDS + tuple(Metadata().to_json())
        if field not in allowed:
            raise ValueError(f"no such field to override: {field}")
        key = mention_key or ""
        with self.db:
            self.db.execute(
                "INSERT INTO overrides (sha256, mention_key, field, value, author, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256, mention_key, field) DO UPDATE"
                " SET value=excluded.value, author=excluded.author,"
                " created_at=excluded.created_at",
                (sha256, key, field, json.dumps(value, ensure_ascii=False), author, _now()))
            row = self.db.execute("SELECT id FROM documents WHERE sha256=?", (sha256,)).fetchone()
            if row and key:
                self._apply_mention_override(row["id"], key, field, value)
                if field in ("name", "district", "category"):
                    self._keep_in_project(sha256, row["id"], key, author, name=(
                        value if field == "name" else None))
            elif row:
                self._apply_overrides(row["id"], sha256)

    def _apply_overrides(self, doc_id: int, sha256: str) -> None:
        """The document's own corrected fields (mentions get theirs in `_save_mentions`)."""
        db = self.db
        rows = db.execute("SELECT field, value FROM overrides WHERE sha256=? AND mention_key=''"
                          " ORDER BY id", (sha256,)).fetchall()
        if not rows:
            return
        meta = json.loads(db.execute("SELECT metadata FROM documents WHERE id=?",
                                     (doc_id,)).fetchone()[0] or "{}")
        for r in rows:
            value = json.loads(r["value"])
            meta[r["field"]] = value
            if r["field"] in self.DOCUMENT_FIELDS:
                db.execute(f"UPDATE documents SET {r['field']}=? WHERE id=?", (value, doc_id))
        db.execute("UPDATE documents SET metadata=? WHERE id=?",
                   (json.dumps(meta, ensure_ascii=False), doc_id))

    def _mentions_by_key(self, doc_id: int, key: str) -> list[int]:
        return [r["id"] for r in self.db.execute(
            "SELECT id, name, override_key FROM mentions WHERE document_id=?", (doc_id,))
            if (r["override_key"] or name_key(r["name"])) == key]

    def _apply_mention_override(self, doc_id: int, key: str, field: str, value) -> None:
        """One mention correction on the rows as they are (the same as `_save_mentions` will
        make of it when the document is processed again)."""
        db = self.db
        ids = self._mentions_by_key(doc_id, key)
        if field == "added":
            if not ids:
                position = db.execute("SELECT coalesce(max(position) + 1, 0) FROM mentions"
                                      " WHERE document_id=?", (doc_id,)).fetchone()[0]
                m = ProjectMention(name=value)
                project_id, reason = self._assign_project(
                    m, key, {}, self.project_aliases(), self._known_projects())
                self._insert_mention(doc_id, position, m, project_id,
                                     "added by staff; " + reason, key)
            return
        for mention_id in ids:
            if field == "project_id":
                if value is not None and self.get_project(value) is None:
                    raise ValueError(f"no such project: {value}")
                reason = "unlinked by staff" if value is None else \
                    f"project {value} chosen by staff"
                db.execute("UPDATE mentions SET project_id=?, match_reason=? WHERE id=?",
                           (value, reason, mention_id))
            else:
                db.execute(f"UPDATE mentions SET {field}=?, match_reason=CASE WHEN match_reason"
                           " LIKE '%corrected by staff' OR match_reason LIKE 'added by staff%'"
                           " THEN match_reason ELSE match_reason || '; corrected by staff' END"
                           " WHERE id=?", (value, mention_id))
        self._drop_orphan_projects()

    def _keep_in_project(self, sha256: str, doc_id: int, key: str, author: str | None,
                         name: str | None = None) -> None:
        """A mention whose name, district or category staff corrected stays in its project,
        now and after reprocessing (its project becomes chosen by staff); the project's
        district and category follow its mentions (and its name a lone mention's)."""
        pinned = "project_id" in self.mention_overrides(sha256).get(key, {})
        for mention_id in self._mentions_by_key(doc_id, key):
            project_id = self.db.execute("SELECT project_id FROM mentions WHERE id=?",
                                         (mention_id,)).fetchone()[0]
            if project_id is None:
                continue
            if not pinned:
                self.db.execute(
                    "INSERT INTO overrides (sha256, mention_key, field, value, author,"
                    " created_at) VALUES (?, ?, 'project_id', ?, ?, ?)",
                    (sha256, key, json.dumps(project_id), author, _now()))
                pinned = True
            self.refresh_project(project_id, name=name)

    def mention_overrides(self, sha256: str) -> dict[str, dict]:
        """{mention name key: {field: value}} of the document's mention corrections."""
        out: dict[str, dict] = {}
        for r in self.db.execute("SELECT mention_key, field, value FROM overrides"
                                 " WHERE sha256=? AND mention_key != '' ORDER BY id", (sha256,)):
            out.setdefault(r["mention_key"], {})[r["field"]] = json.loads(r["value"])
        return out

    def document_overrides(self, sha256: str) -> dict[str, object]:
        """{field: value} of the document's own corrected fields."""
        return {r["field"]: json.loads(r["value"]) for r in self.db.execute(
            "SELECT field, value FROM overrides WHERE sha256=? AND mention_key='' ORDER BY id",
            (sha256,))}

    # -- staff decisions: mentions, merged and split projects, deleted and replaced documents
    def project_aliases(self) -> dict[str, int]:
        """{name key: project id}: mention names staff merged into a project."""
        return {r["key"]: r["project_id"] for r in
                self.db.execute("SELECT key, project_id FROM project_aliases")}

    def get_mention(self, mention_id: int) -> dict | None:
        row = self.db.execute("SELECT m.*, d.sha256 FROM mentions m JOIN documents d"
                              " ON d.id = m.document_id WHERE m.id=?", (mention_id,)).fetchone()
        if row is None:
            return None
        mention = dict(row)
        mention["override_key"] = mention["override_key"] or name_key(mention["name"])
        return mention

    def correct_mention(self, mention_id: int, changes: dict, *,
                        author: str | None = None) -> list[tuple[str, object, object]]:
        """Store corrections of a mention's fields; returns the (field, old, new) that changed
        (see `_keep_in_project` for what happens to its project)."""
        mention = self.get_mention(mention_id)
        if mention is None:
            raise ValueError(f"no such mention: {mention_id}")
        unknown = set(changes) - set(self.MENTION_VALUE_FIELDS)
        if unknown:
            raise ValueError(f"no such mention field: {', '.join(sorted(unknown))}")
        changed = [(f, mention[f], v) for f, v in changes.items() if mention[f] != v]
        for field, _old, new in changed:
            self.set_override(mention["sha256"], field, new, mention_key=mention["override_key"],
                              author=author)
        return changed

    def link_mention(self, mention_id: int, project_id: int | None, *,
                     author: str | None = None) -> tuple[int | None, int | None]:
        """Put a mention in another project (None: in none); returns (old, new) project id."""
        mention = self.get_mention(mention_id)
        if mention is None:
            raise ValueError(f"no such mention: {mention_id}")
        old = mention["project_id"]
        if old != project_id:
            self.set_override(mention["sha256"], "project_id", project_id,
                              mention_key=mention["override_key"], author=author)
            with self.db:
                for pid in (old, project_id):
                    if pid is not None:
                        self.refresh_project(pid)
        return old, project_id

    def add_mention(self, doc_id: int, name: str, *, author: str | None = None) -> int:
        """A project mention extraction missed, added by staff (kept after reprocessing);
        returns its id. A name the document already mentions returns that mention."""
        name = " ".join(name.split())
        key = name_key(name)
        sha256 = self.get_document(doc_id).sha256
        if not key:
            raise ValueError("a project mention needs a name")
        if not self._mentions_by_key(doc_id, key):
            self.set_override(sha256, "added", name, mention_key=key, author=author)
        return self._mentions_by_key(doc_id, key)[0]

    def merge_projects(self, source_id: int, target_id: int, *,
                       author: str | None = None) -> list[int]:
        """Merge project `source_id` into `target_id` (they are one project). Durable: every
        name key of the source's mentions becomes an alias of the target, so reprocessing and
        later documents join the target too. Returns the ids of the target's documents."""
        if source_id == target_id:
            raise ValueError("a project cannot be merged with itself")
        source, target = self.get_project(source_id), self.get_project(target_id)
        if source is None or target is None:
            raise ValueError("no such project")
        db = self.db
        with db:
            keys = {source["key"]}
            for m in db.execute("SELECT name, override_key FROM mentions WHERE project_id=?",
                                (source_id,)):
                keys |= {name_key(m["name"]), m["override_key"] or name_key(m["name"])}
            keys.discard(target["key"])
            db.execute("UPDATE project_aliases SET project_id=? WHERE project_id=?",
                       (target_id, source_id))
            db.executemany(
                "INSERT INTO project_aliases (key, project_id, author, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE"
                " SET project_id=excluded.project_id, author=excluded.author,"
                " created_at=excluded.created_at",
                [(k, target_id, author, _now()) for k in sorted(keys) if k])
            # mentions staff had put in the source now belong to the target
            db.execute("UPDATE overrides SET value=? WHERE field='project_id' AND value=?",
                       (json.dumps(target_id), json.dumps(source_id)))
            db.execute("UPDATE mentions SET project_id=?, match_reason=? WHERE project_id=?",
                       (target_id, f"merged by staff into project {target_id}", source_id))
            self.refresh_project(target_id)
            self._drop_orphan_projects()
        return self.project_document_ids([target_id])

    def split_project(self, project_id: int, mention_ids: list[int], name: str, *,
                      author: str | None = None) -> int:
        """Move the chosen mentions of a project to a new project named `name` (they were
        wrongly joined). Durable: each moved mention's project is chosen by staff. Returns the
        new project's id."""
        name = " ".join((name or "").split())
        timeline = {m["id"]: m for m in self.db.execute(
            "SELECT m.*, d.sha256 FROM mentions m JOIN documents d ON d.id = m.document_id"
            " WHERE m.project_id=?", (project_id,))}
        chosen = [timeline[i] for i in dict.fromkeys(mention_ids) if i in timeline]
        if not name_key(name):
            raise ValueError("the new project needs a name")
        if not chosen or len(chosen) != len(set(mention_ids)):
            raise ValueError("choose mentions of this project to move")
        if len(chosen) == len(timeline):
            raise ValueError("cannot move every mention: the project would be empty")
        first = chosen[0]
        with self.db:
            new_id = self._new_project(name, first["district"], first["category"])
        for m in chosen:
            self.set_override(m["sha256"], "project_id", new_id,
                              mention_key=m["override_key"] or name_key(m["name"]),
                              author=author)
        with self.db:
            self.refresh_project(project_id)
            self.refresh_project(new_id)
        return new_id

    def refresh_project(self, project_id: int, name: str | None = None) -> None:
        """A project's district and category follow its mentions (the most common value; the
        latest mention breaks ties); with `name`, a project of one mention takes that name."""
        rows = self.db.execute("SELECT district, category FROM mentions WHERE project_id=?"
                               " ORDER BY id DESC", (project_id,)).fetchall()
        if not rows:
            return
        values = {}
        for field in ("district", "category"):
            seen = [r[field] for r in rows if r[field]]
            values[field] = max(seen, key=Counter(seen).__getitem__) if seen else None
        if name and len(rows) == 1:
            values.update(name=name, key=name_key(name))
        sets = ", ".join(f"{k}=?" for k in values)
        self.db.execute(f"UPDATE projects SET {sets} WHERE id=?", (*values.values(), project_id))

    def project_document_ids(self, project_ids: list[int]) -> list[int]:
        marks = ", ".join("?" * len(project_ids))
        return [r[0] for r in self.db.execute(
            f"SELECT DISTINCT document_id FROM mentions WHERE project_id IN ({marks})"
            " ORDER BY document_id", project_ids)] if project_ids else []

    def delete_document(self, doc_id: int) -> DocumentRecord | None:
        """Remove the document with its pages, repairs and mentions; projects only it named go.
        Its overrides stay (keyed by sha256) until its original is purged from the trash."""
        record = self.get_document(doc_id)
        if record is not None:
            with self.db:
                self.db.execute("DELETE FROM documents WHERE id=?", (doc_id,))
                self._drop_orphan_projects()
        return record

    def rebind_document(self, doc_id: int, sha256: str, archive_path: str) -> None:
        """Point a document at a new original (a replacement) before it is saved again; the old
        original's overrides are copied to the new one, so corrections carry over."""
        db = self.db
        old = self.get_document(doc_id).sha256
        with db:
            db.execute("UPDATE documents SET sha256=?, archive_path=? WHERE id=?",
                       (sha256, archive_path, doc_id))
            db.execute(
                "INSERT INTO overrides (sha256, mention_key, field, value, author, created_at)"
                " SELECT ?, mention_key, field, value, author, created_at FROM overrides"
                " WHERE sha256=? ORDER BY id ON CONFLICT (sha256, mention_key, field) DO UPDATE"
                " SET value=excluded.value, author=excluded.author,"
                " created_at=excluded.created_at", (sha256, old))

    def drop_overrides(self, sha256: str) -> int:
        """Forget the corrections of an original no document holds (purged from the trash)."""
        with self.db:
            return self.db.execute(
                "DELETE FROM overrides WHERE sha256=? AND NOT EXISTS"
                " (SELECT 1 FROM documents WHERE sha256=?)", (sha256, sha256)).rowcount

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
            "SELECT id, filename, title, dnr, date, document_type, language, pipeline_version,"
            " metadata FROM documents WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            return None
        fields = dict(row)
        years = json.loads(fields.pop("metadata")).get("years") or []
        mentions = self.db.execute(
            "SELECT coalesce(p.name, m.name) AS name, m.district, m.category FROM mentions m"
            " LEFT JOIN projects p ON p.id = m.project_id WHERE m.document_id=?"
            " ORDER BY m.position", (doc_id,)).fetchall()
        return IndexDocument(
            **fields, text=self.document_text(doc_id),
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
