"""Correction in a real browser (Debian's Chromium driven by Playwright, JavaScript off, against
waitress): staff sign in, upload a scanned PDF, wait for its job, correct the title and a
project's district on the review page, and find the document by the corrected values; the same
on text documents, and a merge that needs its confirmation.

The upload steps and fixtures are part A's (tests/web/test_browser_staff.py), imported here."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from test_browser_staff import (JOB_TIMEOUT_MS, STAFF_USER, scan_pdf, sign_in,  # noqa: F401
                                staff_app, staff_page, staff_server, upload)


@pytest.fixture
def app(staff_app):
    """conftest's fixtures (kb, reports) work on part A's app, which the browser is served."""
    return staff_app


def test_correct_title_and_district_then_find_the_document(staff_server, staff_page, reports,
                                                           tmp_path):
    server, page = staff_server, staff_page
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    sign_in(page, server)
    page.goto(f"{server}/dokument/{reports.r2018}")
    page.get_by_role("link", name="Granska och rätta").click()
    expect(page.locator("h1")).to_have_text(
        "Granska och rätta: Redovisning av utvecklingsmedel 2018")

    page.get_by_label("Titel", exact=True).fill("Vräkningsjouren i Farsta 2018")
    page.get_by_role("button", name="Spara uppgifterna").click()
    expect(page.get_by_role("status")).to_have_text("Sparat. Ändrat: titel.")
    expect(page.locator("h1")).to_have_text("Granska och rätta: Vräkningsjouren i Farsta 2018")

    kristeamet = page.locator("fieldset", has=page.get_by_text("Uppgifter om Kristeamet"))
    district = kristeamet.get_by_label("Stadsdel")
    expect(district).to_have_value("Farsta")
    district.fill("Rinkeby-Kista")
    kristeamet.get_by_role("button", name="Spara Kristeamet").click()
    expect(page.get_by_role("status")).to_have_text("Sparat. Ändrat: stadsdel.")
    page.screenshot(path=str(tmp_path / "granska.png"), full_page=True)

    # found by the new title word, with no reprocessing or re-index step in between
    page.goto(server + "/")
    page.get_by_label("Sökord").fill("Vräkningsjouren")
    page.keyboard.press("Enter")
    expect(page.locator(".hit-count")).to_contain_text("1 träff")
    expect(page.get_by_role("link", name="Vräkningsjouren i Farsta 2018")).to_be_visible()
    # and by the new district: the facet narrows "utvecklingsmedel" to this document
    page.get_by_label("Sökord").fill("utvecklingsmedel")
    page.keyboard.press("Enter")
    expect(page.locator(".hit-count")).to_contain_text("2 träffar")
    page.locator(".facets").get_by_role("link", name="Rinkeby-Kista (1)").click()
    expect(page.locator(".hit-count")).to_contain_text("1 träff")
    expect(page.get_by_role("link", name="Vräkningsjouren i Farsta 2018")).to_be_visible()
    # the project list filtered by the district has the project, the document page the history
    page.goto(server + "/projekt")
    page.get_by_label("Stadsdel").select_option("Rinkeby-Kista")
    page.get_by_role("button", name="Filtrera").click()
    expect(page.locator("table.projects tbody tr")).to_have_count(1)
    expect(page.locator("table.projects")).to_contain_text("Kristeamet")
    page.goto(f"{server}/dokument/{reports.r2018}")
    history = page.locator("table.history-table")
    expect(history).to_contain_text("Rättning: Stadsdel (Kristeamet)")
    expect(history).to_contain_text(STAFF_USER)
    assert requested and all(u.startswith(server) for u in requested)


def test_merge_asks_for_confirmation_by_keyboard(staff_server, staff_page, reports):
    server, page = staff_server, staff_page
    sign_in(page, server)
    page.goto(f"{server}/projekt/{reports.unga}")
    page.get_by_label("Slå ihop med…").select_option(label="Kristeamet (Farsta)")
    page.get_by_role("button", name="Slå ihop…").focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Slå ihop projekten?")
    expect(page.locator(".confirm-box")).to_contain_text("Är du säker?")
    page.get_by_role("button", name="Ja, slå ihop").click()
    expect(page.locator("h1")).to_have_text("Kristeamet")
    expect(page.get_by_role("status")).to_contain_text("är sammanslaget med Kristeamet")
    expect(page.locator("ol.timeline > li")).to_have_count(2)


def test_upload_a_scan_correct_it_and_find_it_by_the_corrections(staff_server, staff_page,
                                                                scan_pdf):
    page = staff_page
    sign_in(page, staff_server)
    upload(page, staff_server, scan_pdf)
    page.wait_for_url("**/jobb/*")
    row = page.locator(".job-file").first
    expect(row.locator(".status-done")).to_have_text("Klar", timeout=JOB_TIMEOUT_MS)
    row.get_by_role("link", name="Visa dokumentet").click()
    page.get_by_role("link", name="Granska och rätta").click()
    # the scan's pages as images beside the OCR text
    image = page.get_by_role("img", name="Sida 1 i originalet")
    expect(image).to_be_visible()
    width = "document.querySelector('img.page-image').naturalWidth"
    for _ in range(120):  # rendered on first request (page scripts are off: poll from here)
        if page.evaluate(width) > 500:
            break
        page.wait_for_timeout(500)
    assert page.evaluate(width) == 827  # 100 dpi of an A4 page

    page.get_by_label("Titel", exact=True).fill("Stadsdelsmedel Krisberedskapsrapport 2017")
    page.get_by_role("button", name="Spara uppgifterna").click()
    expect(page.get_by_role("status")).to_have_text("Sparat. Ändrat: titel.")
    kristeamet = page.locator("fieldset", has=page.get_by_text("Uppgifter om Kristeamet"))
    expect(kristeamet.get_by_label("Stadsdel")).to_have_value("Farsta")
    kristeamet.get_by_label("Stadsdel").fill("Rinkeby-Kista")
    kristeamet.get_by_role("button", name="Spara Kristeamet").click()
    expect(page.get_by_role("status")).to_have_text("Sparat. Ändrat: stadsdel.")

    page.goto(staff_server + "/?q=Krisberedskapsrapport")
    expect(page.locator(".hit-count")).to_contain_text("1 träff")
    expect(page.get_by_role("link", name="Stadsdelsmedel Krisberedskapsrapport 2017")
           ).to_be_visible()
    page.goto(staff_server + "/?q=Kristeamet")
    page.locator(".facets").get_by_role("link", name="Rinkeby-Kista (1)").click()
    expect(page.get_by_role("link", name="Stadsdelsmedel Krisberedskapsrapport 2017")
           ).to_be_visible()
