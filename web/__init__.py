"""Flask UI and JSON API for Kunskapsbanken.

`create_app()` is the application factory (as in Flask's tutorial app "flaskr"). Each app owns one
`Kunskapsbank` service object, opened here and closed when the process exits (or when
`close_app()` is called, as the tests do); requests share it. Waitress serves with threads: the
service's search and catalog reads are safe to call from several threads at once.
"""
from __future__ import annotations

import atexit
import logging
import os
import secrets
from pathlib import Path

from flask import Flask, current_app

from kunskapsbank.config import Config

log = logging.getLogger(__name__)

_EXT_KB = "kunskapsbank"
_EXT_CLOSE = "kunskapsbank_close"
SECRET_KEY_ENV = "KUNSKAPSBANK_SECRET_KEY"


def create_app(config: Config | None = None, test_config: dict | None = None) -> Flask:
    from kunskapsbank.service import Kunskapsbank

    config = config or Config.from_env()
    app = Flask(__name__)
    app.config.from_mapping(
        KUNSKAPSBANK_CONFIG=config,
        MAX_CONTENT_LENGTH=config.max_upload_bytes,
        SEARCH_PAGE_SIZE=10,
        API_MAX_PAGE_SIZE=100,
        MAX_QUERY_LENGTH=1000,
        MAX_PAGE=1000,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies,  # off by default: plain http on localhost
    )
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(config.home)
    app.json.ensure_ascii = False  # Swedish text stays readable in the API's JSON

    kb = Kunskapsbank(config)
    app.extensions[_EXT_KB] = kb
    closer = _Closer(kb)
    app.extensions[_EXT_CLOSE] = closer
    atexit.register(closer)

    from . import api, auth, documents, errors, filters, jobs, projects, search, upload

    from . import review  # staff review, delete and replace, merge and split

    from . import admin  # accounts, re-index and reprocessing (role admin)

    filters.register(app)
    errors.register(app)
    auth.init_app(app)
    app.register_blueprint(search.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(projects.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(upload.bp)
    app.register_blueprint(jobs.bp)
    app.register_blueprint(admin.bp)
    app.after_request(_security_headers)
    return app


def get_kb():
    """The app's `Kunskapsbank` (call inside a request or app context)."""
    return current_app.extensions[_EXT_KB]


def close_app(app: Flask) -> None:
    """Close the app's service now instead of at process exit (tests, embedding)."""
    closer = app.extensions.get(_EXT_CLOSE)
    if closer is not None:
        closer()
        atexit.unregister(closer)


class _Closer:
    """Closes the service once, whoever asks first (atexit or close_app)."""

    def __init__(self, kb) -> None:
        self._kb = kb
        self._closed = False

    def __call__(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._kb.close()
        except Exception:  # noqa: BLE001 - at exit there is nobody left to tell but the log
            log.exception("closing Kunskapsbank failed")


def _secret_key(home: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in home/secret_key."""
    key = os.environ.get(SECRET_KEY_ENV, "").strip()
    if key:
        return key
    home.mkdir(parents=True, exist_ok=True)
    path = home / "secret_key"
    try:
        existing = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    # Write to a private temporary file, then link it into place: the link fails if another
    # process got there first, and then everybody uses that process's key.
    key = secrets.token_hex(32)
    tmp = home / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return path.read_text(encoding="ascii").strip()
    finally:
        tmp.unlink(missing_ok=True)
    return key


def _security_headers(response):
    h = response.headers
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("X-Frame-Options", "DENY")
    # No JavaScript anywhere; styles and images only from this site.
    h.setdefault("Content-Security-Policy",
                 "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                 "base-uri 'none'; frame-ancestors 'none'")
    return response
