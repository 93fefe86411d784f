"""Projects: /projekt (list and filters), /projekt/<id> (timeline), the document page's projects
and metadata, the API, escaping. Real TXT documents (REPORTS in conftest.py) ingested through
the service."""
from __future__ import annotations

import re

import pytest

NBSP = "\u00a0"


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


# ------------------------------------------------------------------------------- /projekt

def test_project_list_sorted_with_years_and_counts(client, reports):
    r = client.get("/projekt")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<h1>Projekt</h1>" in html
    for header in ("Projekt", "Stadsdel", "Kategori", "År", "Antal dokument"):
        assert f'<th scope="col">{header}</th>' in html
    rows = _rows(html)
    names = [re.search(r"<a [^>]*>(.*?)</a>", row).group(1) for row in rows]
    assert names == ["Bo kvar", "Kristeamet", "Unga &lt;script &amp; vuxna"]
    bo = rows[0]
    assert f'href="/projekt/{reports.bo_kvar}"' in bo
    assert "<td>Skärholmen</td>" in bo
    assert "<td>Lokalt utvecklingsprojekt</td>" in bo
    assert "<td>2018–2020</td>" in bo
    assert '<td class="number">2</td>' in bo
    assert "<td>2018</td>" in rows[1] and '<td class="number">1</td>' in rows[1]


def test_project_list_filters(client, reports):
    html = client.get("/projekt").get_data(as_text=True)
    assert '<label for="stadsdel">Stadsdel</label>' in html
    assert '<label for="kategori">Kategori</label>' in html
    assert '<button type="submit">Filtrera</button>' in html
    assert '<option value="Farsta">Farsta</option>' in html
    assert '<option value="Skärholmen">Skärholmen</option>' in html

    html = client.get("/projekt?stadsdel=Farsta").get_data(as_text=True)
    assert '<option value="Farsta" selected>Farsta</option>' in html
    names = [re.search(r"<a [^>]*>(.*?)</a>", row).group(1) for row in _rows(html)]
    assert names == ["Kristeamet", "Unga &lt;script &amp; vuxna"]
    assert "2 projekt av 3" in html

    html = client.get("/projekt?stadsdel=Skärholmen&kategori=lokalt+utvecklingsprojekt"
                      ).get_data(as_text=True)
    assert len(_rows(html)) == 1 and "Bo kvar" in _rows(html)[0]

    html = client.get("/projekt?kategori=forskningsprojekt").get_data(as_text=True)
    assert "<tbody>" not in html and "Inga projekt matchar filtret." in html
    # junk in the filter is shown back as text, never as markup
    html = client.get("/projekt?stadsdel=<script>x</script>").get_data(as_text=True)
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


def test_project_list_empty(client):
    r = client.get("/projekt")
    assert r.status_code == 200
    assert "Det finns inga projekt ännu." in r.get_data(as_text=True)


def test_header_links_to_projects(client, reports):
    for url in ("/", "/projekt", f"/dokument/{reports.r2018}"):
        html = client.get(url).get_data(as_text=True)
        nav = html.split('<nav class="site-nav" aria-label="Huvudmeny">', 1)[1].split("</nav>")[0]
        assert re.search(r'<a href="/projekt"( aria-current="page")?>Projekt</a>', nav)
        assert re.search(r'<a href="/"( aria-current="page")?>Sök</a>', nav)
    assert '<a href="/projekt" aria-current="page">Projekt</a>' in client.get("/projekt").get_data(
        as_text=True)


# --------------------------------------------------------------------------- /projekt/<id>

def test_project_page_timeline_across_two_documents(client, reports):
    r = client.get(f"/projekt/{reports.bo_kvar}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<h1>Bo kvar</h1>" in html
    assert "<td>Skärholmen</td>" in html and "<td>Lokalt utvecklingsprojekt</td>" in html
    assert "<td>2018–2020</td>" in html
    assert '<h2 id="tidslinje-rubrik">Tidslinje</h2>' in html
    timeline = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    entries = timeline.split('<li class="timeline-entry"')[1:]
    assert len(entries) == 2
    first, second = entries
    # oldest first, each with year, status, owner, excerpt and its document
    assert "2018 – förstudie</h3>" in first and "2020 – förstudie</h3>" in second
    assert f'<a href="/dokument/{reports.r2018}">Redovisning av utvecklingsmedel 2018</a>' in first
    assert f'<a href="/dokument/{reports.r2020}">Redovisning av utvecklingsmedel 2020</a>' in second
    assert "(2018-04-10, Tjänsteutlåtande)" in first
    assert "<dd>Förstudie</dd>" in first
    assert "<dd>Skärholmen stadsdelsförvaltning</dd>" in first
    assert "<blockquote" in first and "syfte att förebygga vräkningar" in first
    assert f"<dd>500{NBSP}000{NBSP}kr</dd>" in second and "Belopp" not in first
    # why each mention belongs here, as stored
    assert "Varför kopplad:" in first and "new project" in first
    assert re.search(r"Varför kopplad: <span lang=\"en\">same name to project "
                     rf"{reports.bo_kvar}\b", second)


def test_project_page_shows_purpose_and_partner(client, kb, tmp_path):
    text = ("Slutrapport\nDnr 3.2.2-9/2021\n2021-05-01\n\nForskningsprojekt 2021\n\n"
            "I bilaga 1 redovisas tre forskningsprojekt som pågått under 2021:\n"
            "- Trygg hemma – pågående (Socialförvaltningen i samarbete med Stockholms "
            "universitet. Syftet är att studera stödet i hemmet.)\n\n")
    path = tmp_path / "forskning.txt"
    path.write_text(text, encoding="utf-8")
    outcome = kb.ingest_file(path, filename="forskning.txt")
    [mention] = kb.catalog.get_mentions(outcome.document_id)
    html = client.get(f"/projekt/{mention['project_id']}").get_data(as_text=True)
    assert "<h1>Trygg hemma</h1>" in html
    assert "<td>Forskningsprojekt</td>" in html and "<td>2021</td>" in html
    assert "<dt>Forskningspartner</dt><dd>Stockholms universitet</dd>" in html
    assert "<dt>Syfte</dt><dd>Syftet är att studera stödet i hemmet.</dd>" in html
    assert "<dt>Ägare</dt><dd>Socialförvaltningen</dd>" in html
    assert "2021 – pågående</h3>" in html


@pytest.mark.parametrize("url", ["/projekt/999", "/projekt/0", f"/projekt/{2**70}",
                                 "/projekt/abc"])
def test_unknown_project_is_a_swedish_404(client, reports, url):
    r = client.get(url)
    assert r.status_code == 404
    html = r.get_data(as_text=True)
    assert '<html lang="sv">' in html and "Sidan finns inte" in html


# ------------------------------------------------------------------------- document page

def test_document_page_lists_its_projects(client, reports):
    html = client.get(f"/dokument/{reports.r2020}").get_data(as_text=True)
    assert '<h2 id="projekt-rubrik">Projekt i dokumentet</h2>' in html
    section = html.split('id="projekt-rubrik"', 1)[1].split("</section>", 1)[0]
    items = section.split("<li>")[1:]
    assert len(items) == 2
    bo, unga = items
    assert f'<a href="/projekt/{reports.bo_kvar}">Bo kvar</a>' in bo
    assert "<dd>Lokalt utvecklingsprojekt</dd>" in bo
    assert "<dd>2020</dd>" in bo and "<dd>Förstudie</dd>" in bo
    assert "<dd>Skärholmen stadsdelsförvaltning</dd>" in bo
    assert f"<dd>500{NBSP}000{NBSP}kr</dd>" in bo
    assert f'<a href="/projekt/{reports.unga}">Unga &lt;script &amp; vuxna</a>' in unga
    assert "<dd>Utvärdering</dd>" in unga and "Farsta stadsdelsförvaltning" in unga


def test_document_page_metadata_fields(client, reports):
    html = client.get(f"/dokument/{reports.r2018}").get_data(as_text=True)
    table = html.split('<table class="meta">', 1)[1].split("</table>", 1)[0]

    def row(label):
        m = re.search(rf'<th scope="row">{label}</th><td>(.*?)</td></tr>', table, re.S)
        return m and re.sub(r"[ \t\n]+", " ", m.group(1)).strip()

    assert row("Nämnd") == "Socialnämnden"
    assert row("Förvaltning") == "Socialförvaltningen"
    assert row("Handläggare") == "Anna Svensson, telefon 08-508 25 000"
    assert row("Undertecknat av") == ('<ul class="cell-list"> <li>Lena Lundström Stoltz – '
                                      "förvaltningschef</li><li>Veronica Wolgast – "
                                      "avdelningschef</li> </ul>")
    assert row("Redovisade år") == "2018"
    assert "<li>2018: innovation</li>" in row("Prioriterade områden")
    assert "<li>2018: jämställdhet</li>" in row("Prioriterade områden")
    assert f"<li>750{NBSP}000{NBSP}kr</li>" in row("Belopp")
    # empty fields have no row
    assert row("Avdelning") is None


def test_document_without_projects_or_new_metadata(client, garbled):
    html = client.get(f"/dokument/{garbled.id}").get_data(as_text=True)
    assert "Projekt i dokumentet" not in html
    for label in ("Avdelning", "Undertecknat av", "Prioriterade områden", "Belopp"):
        assert f'<th scope="row">{label}</th>' not in html


# ------------------------------------------------------------------------------------ API

def test_api_projects_list_and_filters(client, reports):
    r = client.get("/api/projects")
    assert r.status_code == 200 and r.is_json
    data = r.get_json()
    assert data["total"] == 3
    assert [p["name"] for p in data["projects"]] == ["Bo kvar", "Kristeamet",
                                                      "Unga <script & vuxna"]
    bo = data["projects"][0]
    assert bo == {"id": reports.bo_kvar, "name": "Bo kvar", "district": "Skärholmen",
                  "category": "lokalt utvecklingsprojekt", "created_at": bo["created_at"],
                  "mentions": 2, "first_year": 2018, "last_year": 2020,
                  "url": f"/projekt/{reports.bo_kvar}",
                  "api_url": f"/api/projects/{reports.bo_kvar}"}
    data = client.get("/api/projects?stadsdel=Farsta").get_json()
    assert [p["name"] for p in data["projects"]] == ["Kristeamet", "Unga <script & vuxna"]
    assert data["filters"] == {"stadsdel": "Farsta", "kategori": None}
    data = client.get("/api/projects?kategori=studieresa").get_json()
    assert data["total"] == 0 and data["projects"] == []


def test_api_project_with_timeline(client, reports):
    r = client.get(f"/api/projects/{reports.bo_kvar}")
    assert r.status_code == 200
    data = r.get_json()
    assert data["name"] == "Bo kvar" and data["mentions"] == 2
    assert (data["first_year"], data["last_year"]) == (2018, 2020)
    timeline = data["timeline"]
    assert [m["year"] for m in timeline] == [2018, 2020]
    assert [m["document_id"] for m in timeline] == [reports.r2018, reports.r2020]
    assert timeline[1]["amount_sek"] == 500000
    assert timeline[1]["document_url"] == f"/dokument/{reports.r2020}"
    assert timeline[0]["document_title"] == "Redovisning av utvecklingsmedel 2018"
    for key in ("status", "owner", "excerpt", "match_reason", "partner", "purpose",
                "document_date", "document_type", "project_url"):
        assert key in timeline[0]
    r = client.get("/api/projects/999")
    assert r.status_code == 404 and r.get_json() == {"error": "Projektet finns inte."}


def test_api_document_has_metadata_and_projects(client, reports):
    data = client.get(f"/api/documents/{reports.r2018}").get_json()
    meta = data["metadata"]
    assert meta["nämnd"] == "Socialnämnden" and meta["handläggare"] == "Anna Svensson"
    assert meta["signatories"][0] == {"name": "Lena Lundström Stoltz", "role": "förvaltningschef"}
    assert meta["amounts"] == [750000]
    assert [p["name"] for p in data["projects"]] == ["Bo kvar", "Kristeamet"]
    assert data["projects"][0]["project_url"] == f"/projekt/{reports.bo_kvar}"
    assert data["projects"][0]["project_id"] == reports.bo_kvar


# ------------------------------------------------------------------------------- escaping

def test_markup_in_a_project_name_is_escaped(client, reports):
    pages = [client.get(u).get_data(as_text=True) for u in
             ("/projekt", f"/projekt/{reports.unga}", f"/dokument/{reports.r2020}")]
    for html in pages:
        assert "<script" not in html
        assert "Unga &lt;script &amp; vuxna" in html
    assert "<title>Unga &lt;script &amp; vuxna – Projekt – Kunskapsbanken</title>" in pages[1]
    assert "<h1>Unga &lt;script &amp; vuxna</h1>" in pages[1]
