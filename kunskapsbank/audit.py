"""The audit log: who changed what and when (corrections, links, merges, splits, deletions,
replacements, admins' changes to accounts and the tasks they start). One row per changed field;
rows outlive the documents and projects they name."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from .catalog import Catalog

# action -> what the row records
ACTIONS = ("correct", "add-mention", "link", "merge", "split", "delete", "replace",
           # an admin's changes to accounts (subject: the username) and tasks asked for
           "user-add", "user-role", "user-password", "user-remove", "task")


def _text(value) -> str | None:
    """A value as the log shows it: text as it is, lists joined, None kept as None."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (dict,)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class AuditLog:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def record(self, action: str, *, username: str | None, document_id: int | None = None,
               sha256: str | None = None, project_id: int | None = None,
               subject: str | None = None, field: str | None = None, old=None,
               new=None) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action: {action}")
        db = self.catalog.db
        with db:
            db.execute(
                "INSERT INTO audit_log (at, username, action, document_id, sha256, project_id,"
                " subject, field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (datetime.now(timezone.utc).isoformat(timespec="seconds"), username, action,
                 document_id, sha256, project_id, subject, field, _text(old), _text(new)))

    def for_document(self, document_id: int) -> list[dict]:
        """The document's history, newest first. A change logged for two projects (a mention
        moved from one to another) is one entry here."""
        return [dict(r) for r in self.catalog.db.execute(
            "SELECT *, max(id) AS last FROM audit_log WHERE document_id=? GROUP BY at,"
            " username, action, subject, field, old_value, new_value ORDER BY last DESC",
            (document_id,))]

    def for_project(self, project_id: int) -> list[dict]:
        """Changes to the project and to mentions while they were in it, newest first."""
        return [dict(r) for r in self.catalog.db.execute(
            "SELECT * FROM audit_log WHERE project_id=? ORDER BY id DESC", (project_id,))]

    def recent(self, limit: int = 100, actions: tuple[str, ...] | None = None) -> list[dict]:
        """The latest entries, newest first (only these `actions`, when given)."""
        if actions is None:
            return [dict(r) for r in self.catalog.db.execute(
                "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))]
        marks = ", ".join("?" * len(actions))
        return [dict(r) for r in self.catalog.db.execute(
            f"SELECT * FROM audit_log WHERE action IN ({marks}) ORDER BY id DESC LIMIT ?",
            (*actions, limit))]
