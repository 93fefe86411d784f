"""What an extractor hands to the pipeline for one page (before repair)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RawPage:
    text: str  # exactly what the text layer / OCR / file gave
    source: str  # "text-layer" | "ocr" | "docx" | "txt"
    ocr: bool = False
    confidence: float | None = None
    from_cache: bool = False
