"""The search page `/`."""
from __future__ import annotations

import re

import pytest

from web import close_app, create_app


def test_start_page(client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert re.search(r'<label for="q">[^<]+</label>', html)
    assert 'id="q"' in html and 'name="q"' in html
    assert 'href="#innehall"' in html and "Hoppa till innehållet" in html
    assert '<main id="innehall"' in html
    assert "Kunskapsbanken" in html
    assert "Sök i FoU-enhetens beslut, PM och slutrapporter" in html
    assert "<script" not in html
    assert "Sökresultat" not in html


@pytest.mark.parametrize("q", ["", "   ", "\t\n"])
def test_empty_query_shows_start_page(client, q):
    r = client.get("/", query_string={"q": q})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Om Kunskapsbanken" in html
    assert "träff" not in html


def test_query_finds_document(client, docs):
    r = client.get("/", query_string={"q": "vräkningsförebyggande"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "2\u00a0träffar" in html
    assert re.search(r"<mark[ >]", html)
    assert f'href="/dokument/{docs["kris"].id}?q=' in html
    assert "3.2.2-109/2018" in html
    assert "Tjänsteutlåtande vräkning 2018.txt" in html  # filename
    assert "Tjänsteutlåtande" in html  # document type label or title


def test_single_hit_and_no_hit(client, docs):
    html = client.get("/?q=Ungdomsmottagningen").get_data(as_text=True)
    assert "1\u00a0träff " in html
    assert "Västra stadsdelen" in html or "Ungdomsmottagningen" in html
    html = client.get("/?q=tandvårdsstöd").get_data(as_text=True)
    assert "Inga träffar för <q>tandvårdsstöd</q>" in html


def test_query_is_escaped(client, docs):
    q = "<script>alert(1)</script>"
    r = client.get("/", query_string={"q": q})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert q not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    attr = '"><img src=x onerror=alert(1)>'
    html = client.get("/", query_string={"q": attr}).get_data(as_text=True)
    assert "<img src=x" not in html


def test_document_text_in_snippet_is_escaped(client, docs):
    html = client.get("/", query_string={"q": "promemoria fet text"}).get_data(as_text=True)
    assert "<script>alert(2)" not in html
    assert "<b>fet</b>" not in html
    assert "&lt;script&gt;alert(2)" in html  # the snippet shows it, as text


@pytest.mark.parametrize("sida", ["abc", "-1", "0", "1.5", "", "１", "1e3",
                                  "99999999999999999999999", "%00"])
def test_junk_page_numbers(client, docs, sida):
    r = client.get("/", query_string={"q": "Kristeamet", "sida": sida})
    assert r.status_code == 200
    assert "träff" in r.get_data(as_text=True)


def test_page_beyond_last(client, docs):
    r = client.get("/", query_string={"q": "Kristeamet", "sida": "50"})
    assert r.status_code == 200
    assert "2\u00a0träffar" in r.get_data(as_text=True)


MALFORMED = ["(foo AND", '"unclosed', "AND", "OR OR", "NOT", "*", "?", "foo:bar", "title:",
             "[a TO", "{", "~", "^2", "'", "\\", "-", "dnr:3.2.2-109/2018", "a" * 2000,
             "x\x00y", "Kristeamet)", "((((((((((((((((((((", "\u200b", "🙂", "å*"]


@pytest.mark.parametrize("q", MALFORMED)
def test_malformed_query_never_500(client, docs, q):
    r = client.get("/", query_string={"q": q})
    assert r.status_code == 200, q
    r = client.get("/api/search", query_string={"q": q})
    assert r.status_code in (200, 400), q
    assert r.is_json


@pytest.fixture
def small_pages_app(config, tmp_path, ingest_sample):
    app = create_app(config, {"TESTING": True, "SEARCH_PAGE_SIZE": 1})
    ingest_sample(app.extensions["kunskapsbank"], tmp_path / "incoming")
    yield app
    close_app(app)


def test_pagination(small_pages_app):
    client = small_pages_app.test_client()
    html = client.get("/?q=Kristeamet").get_data(as_text=True)
    assert "2\u00a0träffar" in html
    assert "Sida 1 av 2" in html
    assert "Föregående" not in html
    assert re.search(r'<a rel="next" href="/\?q=Kristeamet&amp;sida=2">Nästa</a>', html)
    html = client.get("/?q=Kristeamet&sida=2").get_data(as_text=True)
    assert "Sida 2 av 2" in html
    assert re.search(r'<a rel="prev" href="/\?q=Kristeamet&amp;sida=1">Föregående</a>', html)
    assert "Nästa" not in html
    assert '<ol class="hits" start="2">' in html
