"""Turning one file (PDF, scan, image, DOCX, TXT) into a ProcessedDocument.

    from ingest import process, PIPELINE_VERSION, IngestError
"""
from .errors import IngestError
from .pipeline import PIPELINE_VERSION, process

__all__ = ["process", "PIPELINE_VERSION", "IngestError"]
