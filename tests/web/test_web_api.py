"""The JSON API."""
from __future__ import annotations

import pytest

HIT_KEYS = {"id", "filename", "title", "dnr", "date", "document_type", "score", "snippet"}


def test_search_json_shape(client, docs):
    r = client.get("/api/search", query_string={"q": "Kristeamet", "page_size": "5"})
    assert r.status_code == 200
    data = r.get_json()
    assert set(data) == {"query", "total", "page", "page_size", "notice", "suggestion", "facets",
                         "projects", "hits"}
    assert data["query"] == "Kristeamet"
    assert data["total"] == 2
    assert data["page"] == 1 and data["page_size"] == 5
    assert len(data["hits"]) == 2
    for hit in data["hits"]:
        assert set(hit) >= HIT_KEYS
    ids = {h["id"] for h in data["hits"]}
    assert ids == {docs["kris"].id, docs["rapport"].id}
    assert any("<mark" in h["snippet"] for h in data["hits"])


def test_search_json_paging(client, docs):
    data = client.get("/api/search?q=Kristeamet&page=2&page_size=1").get_json()
    assert data["total"] == 2 and data["page"] == 2 and len(data["hits"]) == 1


@pytest.mark.parametrize("params", [
    {"q": "x", "page_size": "abc"}, {"q": "x", "page_size": "0"},
    {"q": "x", "page_size": "101"}, {"q": "x", "page_size": "-1"},
    {"q": "x", "page_size": "1.5"}, {"q": "x", "page": "abc"}, {"q": "x", "page": "0"},
    {"q": "x", "page": "99999999999999999999"}, {}, {"q": "  "}, {"q": "a" * 1001},
])
def test_search_bad_params_are_400_json(client, params):
    r = client.get("/api/search", query_string=params)
    assert r.status_code == 400
    assert r.is_json
    assert isinstance(r.get_json()["error"], str) and r.get_json()["error"]


def test_document_json(client, docs):
    doc = docs["kris"]
    r = client.get(f"/api/documents/{doc.id}")
    assert r.status_code == 200
    data = r.get_json()
    assert data["id"] == doc.id
    assert data["filename"] == doc.filename
    assert data["pages"] == 1
    assert data["size"] == len(doc.data)
    assert data["original_url"] == f"/dokument/{doc.id}/original"


@pytest.mark.parametrize("url", ["/api/documents/424242", "/api/documents/abc",
                                 "/api/documents/99999999999999999999999", "/api/okänd"])
def test_api_404_is_json(client, url):
    r = client.get(url)
    assert r.status_code == 404
    assert r.is_json and "error" in r.get_json()


def test_api_405_is_json(client):
    r = client.post("/api/search?q=x")
    assert r.status_code == 405
    assert r.is_json and "error" in r.get_json()
