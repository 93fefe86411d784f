"""The UI in a real headless browser: Debian's Chromium driven by Playwright, against the app
served by waitress on 127.0.0.1 (never a downloaded browser)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chromium import chromium_page, served


@pytest.fixture
def server(app, docs):
    with served(app) as url:
        yield url


@pytest.fixture
def page(tmp_path):
    with chromium_page() as page:
        yield page


def test_search_by_keyboard_and_open_a_document(server, page, docs, tmp_path):
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "sv"
    # the first Tab reaches the skip link, the query box is reachable from the keyboard
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Hoppa till innehållet")
    box = page.get_by_label("Sökord")
    box.focus()
    page.keyboard.type("Kristeamet")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=Kristeamet*")
    expect(page.locator("mark").first).to_have_text("Kristeamet")
    expect(page.locator(".hit-count")).to_contain_text("2 träffar")
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)
    page.get_by_role("link", name="Vräkningsförebyggande arbete i Kristeamet").click()
    expect(page.locator("main")).to_contain_text("3.2.2-109/2018")
    expect(page.get_by_role("link", name="Ladda ner originalet")).to_be_visible()
    # every asset came from our own server: no CDN, nothing from outside
    assert requested and all(u.startswith(server) for u in requested)


def test_markup_in_documents_is_shown_as_text(server, page, docs):
    page.goto(f"{server}/dokument/{docs['pm'].id}")
    expect(page.locator("main")).to_contain_text("<script>alert(2)</script>")
    assert page.locator("main script").count() == 0 and page.locator("main b").count() == 0
    page.goto(server + "/?q=" + "<script>alert(3)</script>")
    expect(page.locator(".hit-count, .notice").first).to_be_visible()
    assert page.locator("main script").count() == 0


def test_repairs_view_by_keyboard(server, page, garbled):
    page.goto(f"{server}/dokument/{garbled.id}")
    for _ in range(40):  # Tab through the page until the link has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Visa rättelser":
            break
    expect(page.locator(":focus")).to_have_text("Visa rättelser")
    page.keyboard.press("Enter")
    page.wait_for_url("**rattelser=1*")
    table = page.get_by_role("table", name="Rättelser på sida 1: 8 ändringar")
    expect(table).to_be_visible()
    expect(table.get_by_role("row").nth(1)).to_contain_text("Socialnämnden")
    expect(table).to_contain_text("Bokstav (OCR)")
    # the raw text opens from the keyboard too (a native <details>, no JavaScript)
    page.locator("summary").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".page-text.raw").first).to_contain_text("Socialndmnden godkinner")


def test_project_timeline_from_a_document_by_keyboard(server, page, reports, tmp_path):
    page.goto(f"{server}/dokument/{reports.r2018}")
    expect(page.get_by_role("heading", name="Projekt i dokumentet")).to_be_visible()
    for _ in range(60):  # Tab through the page until the project link has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Bo kvar":
            break
    expect(page.locator(":focus")).to_have_text("Bo kvar")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/projekt/{reports.bo_kvar}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bo kvar")
    expect(page.get_by_role("heading", name="Tidslinje")).to_be_visible()
    entries = page.locator(".timeline-entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(0).get_by_role("heading")).to_have_text("2018 – förstudie")
    expect(entries.nth(1)).to_contain_text("500\u00a0000\u00a0kr")
    page.screenshot(path=str(tmp_path / "project.png"), full_page=True)
    # and on to the list of all projects from the header, by keyboard too
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Projekt").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/projekt")
    expect(page.get_by_role("table", name="Projekt sorterade efter namn")).to_be_visible()
    expect(page.get_by_role("link", name="Unga <script & vuxna")).to_be_visible()
    assert page.locator("main script").count() == 0


def test_facet_filter_by_keyboard(server, page, tmp_path):
    page.goto(server + "/")
    page.get_by_label("Sökord").focus()
    page.keyboard.type("vräkningsförebyggande")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=*")
    expect(page.locator(".hit-count")).to_contain_text("2 träffar")
    expect(page.get_by_role("complementary", name="Förfina sökningen")).to_be_visible()
    for _ in range(60):  # Tab through the page until the facet link for 2018 has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").startswith("2018 ("):
            break
    expect(page.locator(":focus")).to_have_text("2018 (1)")
    page.keyboard.press("Enter")
    page.wait_for_url("**ar=2018*")
    chip = page.get_by_role("link", name="Ta bort filter: År 2018")
    expect(chip).to_be_visible()
    expect(page.locator(".hit-count")).to_contain_text("1 träff")
    page.screenshot(path=str(tmp_path / "facets.png"), full_page=True)
    # and the chip takes the filter away again, by keyboard
    chip.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "ar=2018" not in url)
    expect(page.locator(".hit-count")).to_contain_text("2 träffar")
