"""The app factory: secret key, service lifetime, headers, error pages, local assets."""
from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

import web
from web import close_app, create_app
from web.filters import document_type_label, hit_count_sv

WEB_DIR = Path(web.__file__).parent


def test_one_service_per_app(app):
    from kunskapsbank.service import Kunskapsbank
    with app.app_context():
        assert isinstance(web.get_kb(), Kunskapsbank)
        assert web.get_kb() is app.extensions["kunskapsbank"]


def test_secret_key_file_created_once(config, monkeypatch):
    monkeypatch.delenv("KUNSKAPSBANK_SECRET_KEY", raising=False)
    a = create_app(config)
    path = config.home / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    b = create_app(config)
    try:
        assert a.secret_key and a.secret_key == b.secret_key
        assert len(a.secret_key) >= 32
        assert not list(config.home.glob(".secret_key.*"))
    finally:
        close_app(a)
        close_app(b)


def test_secret_key_from_env(config, monkeypatch):
    monkeypatch.setenv("KUNSKAPSBANK_SECRET_KEY", "från-miljön")
    app = create_app(config)
    try:
        assert app.secret_key == "från-miljön"
        assert not (config.home / "secret_key").exists()
    finally:
        close_app(app)


def test_close_app_is_idempotent(config):
    app = create_app(config, {"TESTING": True})
    close_app(app)
    close_app(app)


def test_security_headers(client):
    r = client.get("/")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src" not in r.headers["Content-Security-Policy"]  # default-src 'none'
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]


def test_internal_error_page_is_swedish(config):
    app = create_app(config, {"TESTING": False})

    @app.get("/krasch")
    def krasch():
        raise RuntimeError("boom")

    @app.get("/api/krasch")
    def api_krasch():
        raise RuntimeError("boom")

    try:
        client = app.test_client()
        r = client.get("/krasch")
        assert r.status_code == 500
        html = r.get_data(as_text=True)
        assert '<html lang="sv">' in html and "Något gick fel" in html
        assert "boom" not in html
        r = client.get("/api/krasch")
        assert r.status_code == 500 and r.is_json
    finally:
        close_app(app)


def test_stylesheet_served(client):
    r = client.get("/static/style.css")
    assert r.status_code == 200
    assert "mark" in r.get_data(as_text=True)


def test_assets_are_local_and_no_javascript():
    for path in list((WEB_DIR / "templates").glob("*.html")) + [WEB_DIR / "static/style.css"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), path
        assert "<script" not in text, path
        assert "@import" not in text and "@font-face" not in text, path


def test_only_snippet_is_marked_safe():
    for path in (WEB_DIR / "templates").glob("*.html"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "|safe" in line:
                assert "hit.snippet|safe" in line, (path, line)
                assert line.count("|safe") == 1


@pytest.mark.parametrize("value,label", [
    ("tjänsteutlåtande", "Tjänsteutlåtande"), ("pm", "PM"),
    ("protokollsutdrag", "Protokollsutdrag"), ("bilaga", "Bilaga"),
    ("slutrapport", "Slutrapport"), ("beslut", "Beslut"), ("annat", "Annat"), (None, "Annat"),
    ("okänd-typ", "Annat"),
])
def test_document_type_label(value, label):
    assert document_type_label(value) == label


def test_hit_count_sv():
    assert hit_count_sv(1) == "1\u00a0träff"
    assert hit_count_sv(3) == "3\u00a0träffar"
    assert hit_count_sv(1234) == "1\u00a0234\u00a0träffar"


def test_concurrent_requests_share_the_service(app, docs):
    """Waitress serves from threads; the one service must answer them all."""
    from concurrent.futures import ThreadPoolExecutor

    urls = ["/?q=Kristeamet", f"/dokument/{docs['kris'].id}", "/api/search?q=hemlöshet",
            f"/api/documents/{docs['pm'].id}"] * 6

    def fetch(url):
        return app.test_client().get(url).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert set(pool.map(fetch, urls)) == {200}
