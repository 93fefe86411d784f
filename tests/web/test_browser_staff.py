"""Staff work in a real headless browser (Debian's Chromium driven by Playwright, JavaScript off,
never a downloaded browser): sign in, upload a scanned PDF, wait for its job, find the
document; and the refusals, each in Swedish.

Module fixtures: `staff_app` (an app with a 3 MB upload limit and a signed-up fou user),
`staff_server` (it served by waitress, with the upload worker thread running), `staff_page` (a
browser page), `scan_pdf` (two pages of a scanned sample). `sign_in(page, server)` and
`upload(page, server, path, **fields)` are the steps as a user takes them.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import expect

from kunskapsbank.users import Users
from web import close_app, create_app
from web.jobs import start_worker, stop_worker

from chromium import chromium_page, served

STAFF_USER = "fou-anna"
STAFF_PASSWORD = "rätt lösenord 2024"
UPLOAD_LIMIT = 3 * 1024 * 1024
SCAN = "2018_tjansteutlatande_fou-medel_skannad.pdf"
JOB_TIMEOUT_MS = 300_000  # two pages of OCR on a busy 2-core machine


@pytest.fixture
def staff_app(config, assert_check_passes):
    app = create_app(dataclasses.replace(config, max_upload_bytes=UPLOAD_LIMIT),
                     {"TESTING": True})
    Users(app.extensions["kunskapsbank"].catalog).add(STAFF_USER, STAFF_PASSWORD, "fou")
    yield app
    assert_check_passes(app.extensions["kunskapsbank"])  # after the worker has stopped
    close_app(app)


@pytest.fixture
def staff_server(staff_app):
    start_worker(staff_app)
    with served(staff_app) as url:
        yield url
    stop_worker(staff_app, timeout=JOB_TIMEOUT_MS / 1000)


@pytest.fixture
def staff_page():
    with chromium_page() as page:
        yield page


@pytest.fixture
def scan_pdf(sample_docs, tmp_path) -> Path:
    """The first two pages of a scanned sample (images only: both pages need OCR)."""
    src = pdfium.PdfDocument(str(sample_docs / SCAN))
    out = pdfium.PdfDocument.new()
    out.import_pages(src, [0, 1])
    path = tmp_path / "FoU-medel 2018 (skannad).pdf"
    out.save(str(path))
    out.close()
    src.close()
    return path


def sign_in(page, server: str, username: str = STAFF_USER, password: str = STAFF_PASSWORD):
    page.goto(server + "/")
    page.get_by_role("link", name="Logga in (personal)").click()
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def upload(page, server: str, *paths: Path, **fields: str):
    page.goto(server + "/ladda-upp")
    page.get_by_label("Filer").set_input_files([str(p) for p in paths])
    labels = {"title": "Titel", "year": "År", "dnr": "Diarienummer", "project": "Projekt",
              "district": "Stadsdel", "category": "Kategori"}
    for field, value in fields.items():
        page.get_by_label(labels[field], exact=True).fill(value)
    page.get_by_role("button", name="Ladda upp").click()


def test_sign_in_upload_a_scan_wait_for_the_job_and_find_it(staff_server, staff_page,
                                                           scan_pdf, tmp_path):
    page = staff_page
    sign_in(page, staff_server)
    expect(page.locator(".site-header")).to_contain_text(f"Inloggad som {STAFF_USER}")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link",
                                                                name="Ladda upp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ladda upp dokument")
    upload(page, staff_server, scan_pdf, year="2018")
    # the request came back at once, to the job page, which reloads itself until done
    page.wait_for_url("**/jobb/*")
    row = page.locator(".job-file").first
    expect(row).to_contain_text(scan_pdf.name)
    expect(row.locator(".status-done")).to_have_text("Klar", timeout=JOB_TIMEOUT_MS)
    expect(page.get_by_role("status")).to_contain_text("Alla filer är behandlade")
    expect(row).to_contain_text("Tillagd")
    page.screenshot(path=str(tmp_path / "job.png"), full_page=True)
    row.get_by_role("link", name="Visa dokumentet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inriktning av FoU-medel")
    # and anyone finds it by words only the OCR of the scan could give
    page.get_by_role("button", name="Logga ut").click()
    expect(page.locator(".site-header")).not_to_contain_text("Inloggad som")
    page.goto(staff_server + "/?q=forskningsprojekt")
    expect(page.get_by_role("link", name="Inriktning av FoU-medel", exact=False).first
           ).to_be_visible()


def test_refusals_are_clear_and_in_swedish(staff_server, staff_page, tmp_path):
    page = staff_page
    # a reader trying to upload is sent to sign in
    page.goto(staff_server + "/ladda-upp")
    page.wait_for_url("**/logga-in?nasta=/ladda-upp")
    expect(page.get_by_role("status")).to_have_text("Logga in för att använda Kunskapsbanken.")
    # a wrong password: the message is tied to the fields
    page.get_by_label("Användarnamn").fill(STAFF_USER)
    page.get_by_label("Lösenord").fill("fel lösenord")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert")).to_have_text("Fel användarnamn eller lösenord.")
    expect(page.get_by_label("Lösenord")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Lösenord")).to_have_accessible_description(
        "Fel användarnamn eller lösenord.")
    # the right one, and on to the upload form asked for at first
    page.get_by_label("Lösenord").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/ladda-upp")

    # a .pdf that is not a PDF
    fake = tmp_path / "beslut.pdf"
    fake.write_text("Det här är ingen PDF utan vanlig text.\n", encoding="utf-8")
    upload(page, staff_server, fake)
    expect(page.get_by_role("alert")).to_contain_text(
        "beslut.pdf: Filen heter .pdf men är inte en PDF: innehållet är vanlig text.")

    # an oversized file
    big = tmp_path / "stor.txt"
    big.write_bytes(b"Stor fil. " * (UPLOAD_LIMIT // 10 + 1000))
    upload(page, staff_server, big)
    expect(page.get_by_role("alert")).to_contain_text(
        "Filerna är för stora. Högst 3 MB kan laddas upp åt gången")
    expect(page.get_by_label("Filer")).to_have_attribute("aria-invalid", "true")

    # a form without its CSRF token (as a forged cross-site post would be)
    small = tmp_path / "liten.txt"
    small.write_text("PM\n\nKort text.\n", encoding="utf-8")
    page.goto(staff_server + "/ladda-upp")
    page.evaluate("document.querySelector('main input[name=csrf_token]').remove()")
    page.get_by_label("Filer").set_input_files(str(small))
    page.get_by_role("button", name="Ladda upp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Formuläret kunde inte skickas")
    expect(page.locator("main")).to_contain_text("säkerhetskod")
    assert page.locator("main script").count() == 0
