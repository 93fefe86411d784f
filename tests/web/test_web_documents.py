"""The document page and the download of the original."""
from __future__ import annotations

from urllib.parse import quote

from flask import render_template

from kunskapsbank.model import DocumentRecord, PageRecord


def test_document_page(client, docs):
    doc = docs["kris"]
    r = client.get(f"/dokument/{doc.id}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert '<html lang="sv">' in html
    for label in ["Diarienummer", "Dokumenttyp", "Datum", "Titel", "Språk", "Filnamn", "Sidor",
                  "OCR-sidor", "Tillagd"]:
        assert f'<th scope="row">{label}</th>' in html
    assert "3.2.2-109/2018" in html
    assert doc.filename in html
    assert "Sida 1" in html
    assert "hyresskulder" in html
    assert f'href="/dokument/{doc.id}/original"' in html
    assert "Till sökningen" in html


def test_document_page_keeps_query_for_back_link(client, docs):
    html = client.get(f"/dokument/{docs['kris'].id}?q=Kristeamet").get_data(as_text=True)
    assert 'href="/?q=Kristeamet">Tillbaka till sökresultatet' in html


def test_document_text_is_escaped(client, docs):
    html = client.get(f"/dokument/{docs['pm'].id}").get_data(as_text=True)
    assert "<script>alert(2)" not in html
    assert "&lt;script&gt;alert(2)" in html


def test_download_original(client, docs):
    doc = docs["kris"]
    r = client.get(f"/dokument/{doc.id}/original")
    assert r.status_code == 200
    assert r.data == doc.data
    assert r.mimetype == "text/plain"
    cd = r.headers["Content-Disposition"]
    assert cd.startswith("attachment")
    assert f"filename*=UTF-8''{quote(doc.filename)}" in cd


def test_download_ascii_filename(client, docs):
    doc = docs["pm"]
    r = client.get(f"/dokument/{doc.id}/original")
    assert r.data == doc.data
    assert "filename=pm_hemloshet.txt" in r.headers["Content-Disposition"]


def test_unknown_document_is_swedish_404(client, docs):
    for url in ["/dokument/999999", "/dokument/999999/original",
                "/dokument/99999999999999999999999999", "/dokument/abc", "/finns-inte"]:
        r = client.get(url)
        assert r.status_code == 404, url
        html = r.get_data(as_text=True)
        assert '<html lang="sv">' in html
        assert "Sidan finns inte" in html
        assert "Hoppa till innehållet" in html


def test_ocr_marker(app):
    doc = DocumentRecord(id=7, sha256="0" * 64, filename="skannad.pdf",
                         media_type="application/pdf", size=123456,
                         added_at="2024-01-02T03:04:05+00:00", language="sv",
                         dnr="1.1-1/2001", document_type="protokollsutdrag",
                         date="2001-05-06", title=None, pipeline_version="1",
                         page_count=2, ocr_page_count=1)
    pages = [PageRecord(7, 1, "text", "Första sidan", "text-layer", False, None),
             PageRecord(7, 2, "raw", "Andra sidan", "ocr", True, 87.4)]
    with app.test_request_context():
        html = render_template("document.html", doc=doc, pages=pages, q="")
    assert "<h1>skannad.pdf</h1>" in html  # no title: the filename stands in
    assert "Protokollsutdrag" in html
    assert "Svenska" in html
    assert html.count("Maskinläst (OCR)") == 1
    assert "säkerhet 87&nbsp;%" in html
    assert "Sida 2" in html
    assert "120,6\u00a0kB" in html
