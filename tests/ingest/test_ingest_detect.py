"""Media type from content, never from the name; bad input -> IngestError with Swedish text."""
from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from ingest import IngestError, process
from ingest.detect import DOCX, JPEG, PDF, PNG, TIFF, TXT, detect_media_type


def _image_bytes(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (20, 20), 255).save(buf, format=fmt)
    return buf.getvalue()


@pytest.mark.parametrize("content,expected", [
    (b"%PDF-1.4\n...", PDF),
    (b"junk before header %PDF-1.7\n", PDF),
    ("Hej på dig, åäö.\n".encode("utf-8"), TXT),
    ("Hej på dig, åäö.\n".encode("cp1252"), TXT),
])
def test_detect_by_content(tmp_path, content, expected):
    path = tmp_path / "misleading_name.docx"
    path.write_bytes(content)
    assert detect_media_type(path) == expected


@pytest.mark.parametrize("fmt,expected", [("PNG", PNG), ("JPEG", JPEG), ("TIFF", TIFF)])
def test_detect_images(tmp_path, fmt, expected):
    path = tmp_path / "file.pdf"  # the name lies
    path.write_bytes(_image_bytes(fmt))
    assert detect_media_type(path) == expected


def test_detect_docx_and_other_zip(tmp_path):
    docx_path = tmp_path / "a.bin"
    with zipfile.ZipFile(docx_path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    assert detect_media_type(docx_path) == DOCX
    xlsx = tmp_path / "b.docx"
    with zipfile.ZipFile(xlsx, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(IngestError) as exc:
        detect_media_type(xlsx)
    assert "stöds inte" in exc.value.message_sv


@pytest.mark.parametrize("content,fragment", [
    (b"", "tom"),
    (b"\n\n  \n", "tom"),
    (bytes(range(256)) * 4, "stöds inte"),
    (b"%PDF-1.4\nthis is not really a pdf\n%%EOF\n", "inte en giltig PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 10, "Bilden kunde inte läsas"),
    (b"PK\x03\x04broken zip", "stöds inte"),
])
def test_bad_input_raises_ingest_error(tmp_path, config, content, fragment):
    path = tmp_path / "upload.pdf"
    path.write_bytes(content)
    with pytest.raises(IngestError) as exc:
        process(path, config=config)
    assert fragment in exc.value.message_sv
    assert exc.value.reason_en  # English reason for the logs
    assert isinstance(exc.value, Exception)


def test_missing_file(tmp_path, config):
    with pytest.raises(IngestError):
        process(tmp_path / "nope.pdf", config=config)


def test_encrypted_pdf(tmp_path, config):
    from ingest_helpers import write_text_pdf
    path = write_text_pdf(tmp_path / "hemlig.pdf", [["Hemlig text om ärendet."]],
                          password_protected=True)
    with pytest.raises(IngestError) as exc:
        process(path, config=config)
    assert "lösenordsskyddad" in exc.value.message_sv
    assert "encrypted" in exc.value.reason_en


def test_truncated_pdf_is_an_error_or_readable(tmp_path, config, text_pdf):
    """A PDF cut in half: PDFium may recover it; either way no bare exception."""
    path = text_pdf([["Förvaltningens förslag till beslut om utvecklingsmedel."]] * 3)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    try:
        doc = process(path, config=config)
    except IngestError as exc:
        assert exc.message_sv
    else:
        assert doc.media_type == "application/pdf"
