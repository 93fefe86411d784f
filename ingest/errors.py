"""The one exception ingest raises for bad input."""
from __future__ import annotations


class IngestError(Exception):
    """Bad or unsupported input.

    `message_sv` is shown to users (Swedish); `reason_en` goes to logs (English).
    """

    def __init__(self, message_sv: str, reason_en: str):
        super().__init__(reason_en)
        self.message_sv = message_sv
        self.reason_en = reason_en

    def __str__(self) -> str:
        return f"{self.reason_en} ({self.message_sv})"
