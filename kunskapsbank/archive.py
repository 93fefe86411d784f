"""The archive of originals: content-addressed by sha256, written atomically, never altered;
the originals of deleted documents wait in its trash until an admin purges them."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredOriginal:
    sha256: str
    relpath: str  # relative to the archive directory, e.g. "ab/abcdef….pdf"
    size: int
    already_stored: bool


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


class Archive:
    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, relpath: str) -> Path:
        return self.root / relpath

    def store(self, source: Path, filename: str | None = None) -> StoredOriginal:
        """Copy `source` into the archive (hashing while copying) and return where it lies.

        The copy goes to a temporary file in the target's directory, is fsynced and renamed into
        place, so a crash never leaves a half-written original under a valid name.
        """
        suffix = Path(filename or source.name).suffix.lower()[:10]
        self.root.mkdir(parents=True, exist_ok=True)
        h = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                while chunk := src.read(CHUNK):
                    h.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            digest = h.hexdigest()
            relpath = f"{digest[:2]}/{digest}{suffix}"
            target = self.root / relpath
            existing = self.find(digest)
            if existing is not None:
                return StoredOriginal(digest, existing, size, True)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
            tmp = None
            return StoredOriginal(digest, relpath, size, False)
        finally:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)

    def find(self, sha256: str) -> str | None:
        """The relative path of the original with this hash, whatever its suffix, if stored."""
        folder = self.root / sha256[:2]
        if folder.is_dir():
            for p in folder.glob(sha256 + "*"):
                return f"{sha256[:2]}/{p.name}"
        return None


@dataclass(frozen=True)
class TrashedOriginal:
    sha256: str
    relpath: str  # relative to the archive directory, e.g. "trash/abcdef….pdf"
    size: int
    deleted_at: str  # ISO timestamp, UTC
    info: dict  # what the catalog knew: document id, filename, title, who deleted it


class Trash:
    """Originals of deleted or replaced documents, kept under `archive/trash/` (each with a
    JSON note of what it was) until an admin purges them."""

    DIR = "trash"

    def __init__(self, archive: Archive):
        self.archive = archive
        self.root = archive.root / self.DIR

    def put(self, relpath: str, info: dict) -> str:
        """Move an original from the archive into the trash; returns its path there."""
        source = self.archive.path(relpath)
        sha256 = source.name.split(".", 1)[0]
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.root / source.name
        note = {**info, "sha256": sha256, "original": relpath,
                "deleted_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        tmp = self.root / f".{sha256}.json.tmp"
        tmp.write_text(json.dumps(note, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(source, target)
        os.replace(tmp, self.root / f"{sha256}.json")
        return f"{self.DIR}/{target.name}"

    def list(self) -> list[TrashedOriginal]:
        """What the trash holds, oldest deletion first."""
        out = []
        if not self.root.is_dir():
            return out
        for note_path in self.root.glob("*.json"):
            note = json.loads(note_path.read_text(encoding="utf-8"))
            sha256 = note_path.stem
            files = [p for p in self.root.glob(sha256 + "*") if p.suffix != ".json"]
            if not files:
                continue
            out.append(TrashedOriginal(sha256, f"{self.DIR}/{files[0].name}",
                                       files[0].stat().st_size, note.get("deleted_at", ""),
                                       note))
        return sorted(out, key=lambda t: (t.deleted_at, t.sha256))

    def purge(self, older_than_days: float | None = None) -> list[TrashedOriginal]:
        """Delete trashed originals for good (those deleted more than `older_than_days` ago,
        or all); returns what was purged."""
        cutoff = None
        if older_than_days is not None:
            cutoff = (datetime.now(timezone.utc)
                      - timedelta(days=older_than_days)).isoformat(timespec="seconds")
        purged = []
        for item in self.list():
            if cutoff is not None and item.deleted_at > cutoff:
                continue
            self.archive.path(item.relpath).unlink(missing_ok=True)
            (self.root / f"{item.sha256}.json").unlink(missing_ok=True)
            purged.append(item)
        return purged
