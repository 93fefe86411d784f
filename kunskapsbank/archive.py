"""The archive of originals: content-addressed by sha256, written atomically, never altered."""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
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
