"""What the browser tests share: Debian's Chromium (never a downloaded browser) driven by
Playwright with JavaScript off, and an app served by waitress on a free port of 127.0.0.1."""
from __future__ import annotations

import shutil
import socket
import threading
from contextlib import contextmanager

from playwright.sync_api import sync_playwright
from waitress.server import create_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@contextmanager
def served(app):
    """The app served by waitress (4 threads); yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.close()
        thread.join(timeout=5)


@contextmanager
def chromium_page():
    """A page of a headless Chromium, JavaScript off, Swedish locale."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=False, locale="sv-SE")
        try:
            yield context.new_page()
        finally:
            browser.close()
