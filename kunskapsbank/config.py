"""Settings. Everything lives under one data directory, KUNSKAPSBANK_HOME (default ./var)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Config:
    home: Path
    ocr_language: str = "swe"
    ocr_dpi: int = 300
    ocr_timeout: int = 180  # seconds per page
    max_upload_bytes: int = 100 * 1024 * 1024
    require_login: bool = False  # sign-in needed for reading too (KUNSKAPSBANK_REQUIRE_LOGIN=1)
    secure_cookies: bool = False  # session cookie only over https (KUNSKAPSBANK_SECURE_COOKIES=1)

    @property
    def catalog_path(self) -> Path:
        return self.home / "catalog.sqlite3"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def domain_lexicon_path(self) -> Path:
        """Words of the clean text in the catalog (word<TAB>count), for the text repair."""
        return self.home / "lexicon" / "domain.tsv"

    @property
    def ocr_cache_dir(self) -> Path:
        return self.home / "cache" / "ocr"

    @classmethod
    def from_env(cls, home: str | os.PathLike | None = None) -> "Config":
        home = home or os.environ.get("KUNSKAPSBANK_HOME") or "var"
        max_upload_mb = os.environ.get("KUNSKAPSBANK_MAX_UPLOAD_MB", "").strip()
        return cls(home=Path(home).resolve(),
                   ocr_language=os.environ.get("KUNSKAPSBANK_OCR_LANG", "swe"),
                   max_upload_bytes=(int(max_upload_mb) * 1024 * 1024 if max_upload_mb
                                     else cls.max_upload_bytes),
                   require_login=_env_flag("KUNSKAPSBANK_REQUIRE_LOGIN"),
                   secure_cookies=_env_flag("KUNSKAPSBANK_SECURE_COOKIES"))


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")
