"""The search page's facets, filter chips, sort, "Menade du …?", project cards; similar documents
on the document page; `/api/suggest` and the API's filter parameters."""
from __future__ import annotations

import html as htmllib
import re
from urllib.parse import parse_qs, urlsplit

import pytest



def _html(client, path="/", **params) -> str:
    r = client.get(path, query_string=params or None)
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def _links(html: str) -> dict[str, str]:
    """Link text (tags stripped, unescaped) -> href (unescaped)."""
    out = {}
    for href, text in re.findall(r'<a[^>]*href="([^"]*)"[^>]*>(.*?)</a>', html, re.S):
        out[htmllib.unescape(re.sub(r"<[^>]+>", "", text)).strip()] = htmllib.unescape(href)
    return out


def _params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _aside(html: str) -> str:
    m = re.search(r'<aside class="facets".*?</aside>', html, re.S)
    assert m, "no facets aside"
    return m.group(0)


def _hit_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="hit-title"><a href="/dokument/(\d+)', html)]


def _dates(html: str) -> list[str]:
    return re.findall(r"<dt>Datum</dt><dd>(\d{4}-\d\d-\d\d)</dd>", html)


# -- facets and chips, against the real index ----------------------------------------------------

def test_facet_links_show_counts_and_filter(client, kb, docs):
    html = _html(client, q="vräkningsförebyggande")
    assert "2\u00a0träffar" in html
    aside = _aside(html)
    assert "Förfina sökningen" in aside
    for heading in ("År", "Dokumenttyp"):
        assert f">{heading}</h4>" in aside
    links = _links(aside)
    assert "2018 (1)" in links and "2019 (1)" in links
    assert "PM (1)" in links and "Tjänsteutlåtande (1)" in links  # Swedish type labels
    assert _params(links["2018 (1)"]) == {"q": "vräkningsförebyggande", "ar": "2018"}

    html = _html(client, "/?" + urlsplit(links["2018 (1)"]).query)
    assert "1\u00a0träff " in html
    assert _hit_ids(html) == [docs["kris"].id]
    chips = _links(re.search(r'<ul class="chips".*?</ul>', html, re.S).group(0))
    assert "Ta bort filter: År 2018" in chips
    # the filter's own value is shown as chosen, not as a link; the others still add to it
    assert "2018 (1)" not in _links(_aside(html))
    typ_link = _links(_aside(html)).get("Tjänsteutlåtande (1)")
    assert typ_link and _params(typ_link) == {"q": "vräkningsförebyggande", "ar": "2018",
                                              "typ": "tjänsteutlåtande"}

    html = _html(client, "/?" + urlsplit(chips["Ta bort filter: År 2018"]).query)
    assert "2\u00a0träffar" in html and "Ta bort filter" not in html


def test_type_filter(client, kb, docs):
    html = _html(client, q="vräkningsförebyggande", typ="pm")
    assert _hit_ids(html) == [docs["pm"].id]
    assert "Ta bort filter: Dokumenttyp PM" in _links(html)


def test_district_and_category_facets(client, kb, reports):
    html = _html(client, q="utvecklingsmedel")
    links = _links(_aside(html))
    assert any(t.startswith("Skärholmen (") for t in links)
    assert any(t.startswith("Farsta (") for t in links)
    farsta = next(u for t, u in links.items() if t.startswith("Farsta ("))
    assert _params(farsta)["stadsdel"] == "Farsta"
    assert ">Stadsdel</h4>" in html and ">Projektkategori</h4>" in html


def test_chips_remove_one_filter_and_keep_the_rest(client, docs):
    html = _html(client, q="vräkningsförebyggande", ar="2018", typ="pm", sortering="datum")
    chips = _links(re.search(r'<ul class="chips".*?</ul>', html, re.S).group(0))
    assert set(chips) == {"Ta bort filter: År 2018", "Ta bort filter: Dokumenttyp PM",
                          "Ta bort alla filter"}
    assert _params(chips["Ta bort filter: År 2018"]) == {
        "q": "vräkningsförebyggande", "typ": "pm", "sortering": "datum"}
    assert _params(chips["Ta bort filter: Dokumenttyp PM"]) == {
        "q": "vräkningsförebyggande", "ar": "2018", "sortering": "datum"}
    assert _params(chips["Ta bort alla filter"]) == {"q": "vräkningsförebyggande",
                                                      "sortering": "datum"}


# -- sort --------------------------------------------------------------------------------------

def test_sort_form_is_labelled(client, docs):
    html = _html(client, q="Kristeamet", ar="2018")
    assert re.search(r'<label for="sortering">Sortera efter</label>', html)
    assert re.search(r'<select id="sortering" name="sortering">', html)
    assert '<option value="relevans" selected>Relevans</option>' in html
    assert '<option value="datum">Datum, nyast först</option>' in html
    form = re.search(r'<form class="sort-form".*?</form>', html, re.S).group(0)
    assert '<input type="hidden" name="q" value="Kristeamet">' in form
    assert '<input type="hidden" name="ar" value="2018">' in form
    assert '<button type="submit">Sortera</button>' in form
    html = _html(client, q="Kristeamet", sortering="datum")
    assert '<option value="datum" selected>' in html


def test_sort_by_date_newest_first(client, kb, docs, reports):
    html = _html(client, q="Kristeamet", sortering="datum")
    dates = _dates(html)
    assert len(dates) >= 3
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == "2020-06-30"


# -- junk never breaks the page ------------------------------------------------------------------

@pytest.mark.parametrize("params", [
    {"ar": "abc"}, {"ar": "-1"}, {"ar": "99999999999999999999"}, {"ar": "2018.5"},
    {"typ": "<script>alert(1)</script>"}, {"typ": "okänd"}, {"stadsdel": "x" * 5000},
    {"kategori": "\x00\x01"}, {"sortering": "baklänges"}, {"sortering": "<b>"},
    {"sida": "abc", "ar": "", "typ": "", "stadsdel": " ", "kategori": ""},
])
def test_junk_params_are_ignored(client, docs, params):
    r = client.get("/", query_string={"q": "Kristeamet", **params})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "2\u00a0träffar" in html
    assert "Ta bort filter" not in html
    assert "<script>alert(1)" not in html and "<b>" not in html


def test_filter_values_are_escaped(client, docs):
    html = _html(client, q="Kristeamet", stadsdel='<img src=x onerror="alert(1)">"',
                 kategori="a&b")
    assert "<img" not in html
    assert "Ta bort filter: Stadsdel &lt;img" in html
    assert "Ta bort filter: Projektkategori A&amp;b" in html


# -- "Menade du …?" -------------------------------------------------------------------------------

def test_suggestion_link_for_a_misspelt_query(client, kb, docs):
    html = _html(client, q="Kristeamt")
    m = re.search(r'<p class="suggestion">Menade du <a href="([^"]+)">([^<]+)</a>\?</p>', html)
    assert m, html
    assert m.group(2) == "Kristeamet"
    assert _params(htmllib.unescape(m.group(1))) == {"q": "Kristeamet"}
    assert "2\u00a0träffar" in _html(client, "/?" + urlsplit(htmllib.unescape(m.group(1))).query)


def test_no_suggestion_line_without_a_suggestion(client, docs):
    assert "Menade du" not in _html(client, q="Kristeamet")


# -- project cards ---------------------------------------------------------------------------------

def test_project_card_for_a_project_name(client, reports):
    html = _html(client, q="Bo kvar")
    m = re.search(r'<section class="project-cards".*?</section>', html, re.S)
    assert m, "no project cards"
    cards = m.group(0)
    assert "Projekt som matchar sökningen" in cards
    assert f'<a href="/projekt/{reports.bo_kvar}">Bo kvar</a>' in cards
    assert "<dt>Stadsdel</dt><dd>Skärholmen</dd>" in cards
    assert "<dt>Kategori</dt><dd>Lokalt utvecklingsprojekt</dd>" in cards
    assert "<dt>År</dt><dd>2018–2020</dd>" in cards
    assert "<dt>Dokument</dt><dd>2</dd>" in cards
    # the cards come before the hits
    assert html.index("project-cards") < html.index('class="hits"')


def test_project_card_name_is_escaped(client, reports):
    html = _html(client, q="Unga vuxna")
    assert f'<a href="/projekt/{reports.unga}">Unga &lt;script &amp; vuxna</a>' in html
    assert "<script" not in html


def test_no_project_cards_for_other_queries(client, docs):
    assert "project-cards" not in _html(client, q="hemlöshet")


# -- pagination keeps filters and sort -----------------------------------------------------------

def test_pagination_keeps_filters_and_sort(app, client, docs, reports):
    app.config["SEARCH_PAGE_SIZE"] = 1
    # both yearly reports name a Farsta project and mention Kristeamet: two pages of one hit
    html = _html(client, q="Kristeamet", sortering="datum", stadsdel="Farsta")
    nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S)
    assert nav, "no pagination"
    links = _links(nav.group(0))
    assert _params(links["Nästa"]) == {"q": "Kristeamet", "sortering": "datum",
                                       "stadsdel": "Farsta", "sida": "2"}
    html = _html(client, "/?" + urlsplit(links["Nästa"]).query)
    links = _links(re.search(r'<nav class="pagination".*?</nav>', html, re.S).group(0))
    assert _params(links["Föregående"]) == {"q": "Kristeamet", "sortering": "datum",
                                            "stadsdel": "Farsta", "sida": "1"}


# -- similar documents ------------------------------------------------------------------------------

def test_similar_documents_section(client, kb, docs, reports):
    html = _html(client, f"/dokument/{reports.r2018}")
    m = re.search(r'<section class="similar-documents".*?</section>', html, re.S)
    assert m, "no similar documents"
    section = m.group(0)
    assert "Liknande dokument" in section
    ids = [int(i) for i in re.findall(r'href="/dokument/(\d+)"', section)]
    assert 1 <= len(ids) <= 5 and reports.r2018 not in ids
    assert ids[0] == reports.r2020


# -- /api/suggest and the API's filters ------------------------------------------------------------

def test_api_suggest_shape(client, kb, reports):
    r = client.get("/api/suggest", query_string={"q": "Bo"})
    assert r.status_code == 200 and r.is_json
    data = r.get_json()
    assert isinstance(data, list) and data
    for item in data:
        assert set(item) == {"label", "kind", "id", "url"}
        assert item["kind"] in ("projekt", "stadsdel")
    bo = next(i for i in data if i["label"] == "Bo kvar")
    assert bo == {"label": "Bo kvar", "kind": "projekt", "id": reports.bo_kvar,
                  "url": f"/projekt/{reports.bo_kvar}"}
    data = client.get("/api/suggest", query_string={"q": "Skär"}).get_json()
    assert any(i["kind"] == "stadsdel" and i["label"] == "Skärholmen" for i in data)


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 201},
                                    {"q": "bo", "limit": "0"}, {"q": "bo", "limit": "abc"}])
def test_api_suggest_bad_params_are_400(client, params):
    r = client.get("/api/suggest", query_string=params)
    assert r.status_code == 400 and r.is_json
    assert r.get_json()["error"]
    if not params.get("q", "").strip():
        assert r.get_json() == {"error": "Ange början av ett ord i parametern q."}


@pytest.mark.parametrize("params", [
    {"ar": "abc"}, {"ar": "20180"}, {"typ": "okänd"}, {"stadsdel": "x" * 201},
    {"kategori": "y" * 201}, {"sortering": "baklänges"},
])
def test_api_search_bad_filters_are_400(client, docs, params):
    r = client.get("/api/search", query_string={"q": "Kristeamet", **params})
    assert r.status_code == 400 and r.is_json
    assert r.get_json()["error"]


def test_api_search_filters_hits(client, kb, docs):
    data = client.get("/api/search", query_string={"q": "Kristeamet", "ar": "2020"}).get_json()
    assert [h["id"] for h in data["hits"]] == [docs["rapport"].id]
    data = client.get("/api/search", query_string={"q": "Kristeamet",
                                                   "sortering": "datum"}).get_json()
    dates = [h["date"] for h in data["hits"]]
    assert dates == sorted(dates, reverse=True)
