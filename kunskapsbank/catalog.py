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

from .model import DocumentRecord, IndexDocument, PageRecord, ProcessedDocument, Repair

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
                          warnings=json.dumps(doc.warnings, ensure_ascii=False))
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
        return doc_id

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
        for row in self.db.execute(
                "SELECT id, filename, title, dnr, date, document_type, language FROM documents"
                " ORDER BY id").fetchall():
            yield IndexDocument(**dict(row), text=self.document_text(row["id"]))

    def index_document(self, doc_id: int) -> IndexDocument | None:
        row = self.db.execute(
            "SELECT id, filename, title, dnr, date, document_type, language FROM documents"
            " WHERE id=?", (doc_id,)).fetchone()
        return IndexDocument(**dict(row), text=self.document_text(doc_id)) if row else None

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
