import sqlite3

from kunskapsbank.catalog import SCHEMA_VERSION, Catalog
from kunskapsbank.model import Metadata, Page, ProcessedDocument, Repair


def processed(sha="a" * 64, title="Titel"):
    return ProcessedDocument(
        sha256=sha, filename="beslut.pdf", media_type="application/pdf",
        pages=[Page(1, "r&a text", "rå text", "ocr", True, 91.5),
               Page(2, "sida två", "sida två", "text-layer")],
        language="sv", metadata=Metadata("3.2.2-109/2018", "tjänsteutlåtande", "2019-04-10", title),
        pipeline_version="test-1", repairs=[Repair(1, 1, "&a", "å", "ocr-letter")])


def test_migrates_and_uses_wal(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite3")
    assert catalog.schema_version == SCHEMA_VERSION
    assert catalog.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    catalog.close()
    again = Catalog(tmp_path / "c.sqlite3")  # a second open migrates nothing
    assert again.schema_version == SCHEMA_VERSION
    again.close()


def test_refuses_a_newer_catalog(tmp_path):
    path = tmp_path / "c.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    try:
        Catalog(path)
    except RuntimeError as exc:
        assert "newer" in str(exc)
    else:
        raise AssertionError("a newer catalog was opened")


def test_save_and_read_back(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite3")
    doc_id = catalog.save(processed(), archive_path="aa/aaa.pdf", size=123)
    record = catalog.get_document(doc_id)
    assert (record.dnr, record.title, record.page_count, record.ocr_page_count) == (
        "3.2.2-109/2018", "Titel", 2, 1)
    pages = catalog.get_pages(doc_id)
    assert [(p.raw_text, p.text, p.ocr) for p in pages] == [
        ("r&a text", "rå text", True), ("sida två", "sida två", False)]
    assert catalog.document_text(doc_id) == "rå text\n\nsida två"
    assert catalog.find_by_sha256("a" * 64).id == doc_id
    # saving the same sha256 again replaces, keeps the id, and does not duplicate pages
    assert catalog.save(processed(title="Ny"), archive_path="aa/aaa.pdf", size=123) == doc_id
    assert catalog.get_document(doc_id).title == "Ny"
    assert len(catalog.get_pages(doc_id)) == 2
    assert catalog.db.execute("SELECT count(*) FROM repairs").fetchone()[0] == 1
    assert [d.id for d in catalog.iter_index_documents()] == [doc_id]
    catalog.close()


def test_errors_are_recorded(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite3")
    catalog.record_error("/x/trasig.pdf", "not a PDF", "Filen är inte en giltig PDF.")
    (error,) = catalog.recent_errors()
    assert error["path"] == "/x/trasig.pdf" and error["message_sv"].startswith("Filen")
    catalog.close()
