"""The review page (`/dokument/<id>/granska`), merge and split on the project page, and the
audit history: real app, catalog, index and sign-in (REPORTS in conftest.py)."""
from __future__ import annotations

import io
import re

from PIL import Image, ImageDraw, ImageFont

NOT_SIGNED_IN = "/logga-in?nasta="


def review_page(client, doc_id) -> str:
    response = client.get(f"/dokument/{doc_id}/granska")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def document_form(html: str) -> dict:
    """The document form's fields as the page shows them."""
    form = html.split('action="/dokument/', 1)[1].split("</form>", 1)[0]
    values = dict(re.findall(r'name="([^"]+)" type="text" value="([^"]*)"', form))
    values["document_type"] = re.search(
        r'name="document_type".*?<option value="([^"]*)" selected', form, re.S).group(1)
    values["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    return values


def mention_id(kb, doc_id, name) -> int:
    [m] = [m for m in kb.catalog.get_mentions(doc_id) if m["name"] == name]
    return m["id"]


def mention_form(kb, doc_id, mention_name, **changes) -> dict:
    m = kb.catalog.get_mentions(doc_id)
    [m] = [x for x in m if x["name"] == mention_name]
    values = {k: "" if m[k] is None else str(m[k]) for k in (
        "name", "district", "category", "year", "status", "amount_sek", "owner", "partner",
        "purpose")}
    values.update(changes)
    return values


def hit_ids(client, **params) -> set[int]:
    html = client.get("/", query_string=params).get_data(as_text=True)
    return {int(i) for i in re.findall(r'href="/dokument/(\d+)', html)}


# -- refusals ----------------------------------------------------------------------------------

def test_review_needs_a_signed_in_fou_user(client, reports, kb, csrf_token_in):
    before = kb.catalog.get_document(reports.r2018).title
    response = client.get(f"/dokument/{reports.r2018}/granska")
    assert response.status_code == 302 and NOT_SIGNED_IN in response.headers["Location"]
    token = csrf_token_in(client.get("/logga-in").data)  # a valid token, but nobody signed in
    response = client.post(f"/dokument/{reports.r2018}/granska",
                           data={"title": "Kapat", "csrf_token": token})
    assert response.status_code == 302 and NOT_SIGNED_IN in response.headers["Location"]
    mid = mention_id(kb, reports.r2018, "Kristeamet")
    for url in (f"/dokument/{reports.r2018}/granska/projekt/{mid}",
                f"/dokument/{reports.r2018}/granska/projekt/{mid}/koppling",
                f"/dokument/{reports.r2018}/granska/nytt-projekt",
                f"/projekt/{reports.kristeamet}/dela", f"/projekt/{reports.kristeamet}/sla-ihop"):
        response = client.post(url, data={"name": "x", "csrf_token": token})
        assert response.status_code == 302 and NOT_SIGNED_IN in response.headers["Location"]
    assert kb.catalog.get_document(reports.r2018).title == before
    assert "Granska och rätta" not in client.get(
        f"/dokument/{reports.r2018}").get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused(fou_client, reports, kb):
    form = document_form(review_page(fou_client, reports.r2018))
    del form["csrf_token"]
    form["title"] = "Utan säkerhetskod"
    response = fou_client.post(f"/dokument/{reports.r2018}/granska", data=form)
    assert response.status_code == 400
    assert "Formuläret saknade säkerhetskod" in response.get_data(as_text=True)
    assert kb.catalog.get_document(reports.r2018).title != "Utan säkerhetskod"
    assert kb.audit.for_document(reports.r2018) == []


def test_invalid_values_are_refused_in_swedish_and_nothing_is_saved(fou_client, reports, kb):
    form = document_form(review_page(fou_client, reports.r2018))
    form.update(date="14/3 2018", years="2017, tjugo", title="Ny titel")
    response = fou_client.post(f"/dokument/{reports.r2018}/granska", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<a href="#dok-date">Ange datumet som ÅÅÅÅ-MM-DD' in html
    assert "Ange året med fyra siffror" in html
    assert 'id="dok-date" name="date" type="text" value="14/3 2018"' in html  # kept to fix
    assert 'aria-describedby="dok-date-tips dok-date-fel" aria-invalid="true"' in html
    assert kb.catalog.get_document(reports.r2018).title != "Ny titel"

    mid = mention_id(kb, reports.r2018, "Kristeamet")
    response = fou_client.post(
        f"/dokument/{reports.r2018}/granska/projekt/{mid}",
        data={**mention_form(kb, reports.r2018, "Kristeamet", amount_sek="mycket", name=""),
              "csrf_token": form["csrf_token"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ange beloppet i hela kronor" in html and "Projektet måste ha ett namn" in html
    assert kb.catalog.get_mention(mid)["name"] == "Kristeamet"


# -- corrections ------------------------------------------------------------------------------

def test_review_page_shows_fields_mentions_and_text(fou_client, reports):
    html = review_page(fou_client, reports.r2018)
    assert "<h1>Granska och rätta: Redovisning av utvecklingsmedel 2018</h1>" in html
    for field, label in (("title", "Titel"), ("dnr", "Diarienummer"),
                         ("document_type", "Dokumenttyp"), ("date", "Datum"),
                         ("nämnd", "Nämnd"), ("handläggare", "Handläggare")):
        assert f'<label for="dok-{field}">{label}</label>' in html
    assert 'id="dok-dnr" name="dnr" type="text" value="3.2.2-18/2018"' in html
    assert '<option value="tjänsteutlåtande" selected>' in html
    assert "<legend>Uppgifter om Kristeamet</legend>" in html
    assert re.search(r'<label for="omn-\d+-district">Stadsdel</label>', html)
    assert 'list="stadsdelar"' in html and '<option value="Farsta"></option>' in html
    assert "Socialförvaltningen föreslår att socialnämnden godkänner" in html
    assert "Det finns inga sidbilder för den här filtypen." in html  # a text file
    assert html.count('name="csrf_token"') >= 5  # every form carries its token


def test_correct_title_and_district_then_find_the_document_by_them(fou_client, reports, kb):
    doc = reports.r2018
    assert hit_ids(fou_client, q="Vräkningsjouren") == set()
    form = document_form(review_page(fou_client, doc))
    form.update(title="Vräkningsjouren årsredovisning", nämnd="Äldrenämnden")
    response = fou_client.post(f"/dokument/{doc}/granska", data=form)
    assert response.status_code == 303
    page = fou_client.get(response.headers["Location"]).get_data(as_text=True)
    notice = page.split('id="meddelanden">', 1)[1].split("</div>", 1)[0]
    assert notice.strip() == "<p>Sparat. Ändrat: titel, nämnd.</p>", notice
    assert 'for="dok-title">Titel <span class="corrected">(rättad)</span>' in page
    assert hit_ids(fou_client, q="Vräkningsjouren") == {doc}

    mid = mention_id(kb, doc, "Kristeamet")
    assert doc not in hit_ids(fou_client, q="utvecklingsmedel", stadsdel="Rinkeby-Kista")
    response = fou_client.post(
        f"/dokument/{doc}/granska/projekt/{mid}",
        data={**mention_form(kb, doc, "Kristeamet", district="Rinkeby-Kista",
                             amount_sek="250 000 kr", status="avslutad"),
              "csrf_token": form["csrf_token"]})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#omnamnande-{mid}")
    m = kb.catalog.get_mention(mid)
    assert (m["district"], m["amount_sek"], m["status"]) == ("Rinkeby-Kista", 250000, "avslutad")
    assert hit_ids(fou_client, q="utvecklingsmedel", stadsdel="Rinkeby-Kista") == {doc}
    projects = fou_client.get("/projekt?stadsdel=Rinkeby-Kista").get_data(as_text=True)
    assert f'href="/projekt/{reports.kristeamet}">Kristeamet</a>' in projects

    history = fou_client.get(f"/dokument/{doc}").get_data(as_text=True)
    assert '<h2 id="historik-rubrik">Ändringshistorik</h2>' in history
    rows = history.split('<h2 id="historik-rubrik">', 1)[1].split("</tbody>", 1)[0]
    assert "<td>fou-anna</td>" in rows
    assert ("<td>Rättning: Titel</td>\n        <td>Redovisning av utvecklingsmedel 2018</td>\n"
            "        <td>Vräkningsjouren årsredovisning</td>") in rows
    assert "<td>Rättning: Stadsdel (Kristeamet)</td>\n        <td>Farsta</td>" in rows
    project = fou_client.get(f"/projekt/{reports.kristeamet}").get_data(as_text=True)
    assert "Rättning: Belopp (kr) (Kristeamet)" in project and "<td>250000</td>" in project
    assert "<td>Farsta</td>" in project.split("Rättning: Stadsdel", 1)[1]


def test_unlink_link_and_add_a_project(fou_client, reports, kb):
    doc = reports.r2018
    token = document_form(review_page(fou_client, doc))["csrf_token"]
    mid = mention_id(kb, doc, "Kristeamet")
    response = fou_client.post(f"/dokument/{doc}/granska/projekt/{mid}/koppling",
                               data={"project_id": "", "csrf_token": token})
    assert response.status_code == 303
    assert kb.catalog.get_mention(mid)["project_id"] is None
    assert fou_client.get(f"/projekt/{reports.kristeamet}").status_code == 404  # it was alone
    response = fou_client.post(f"/dokument/{doc}/granska/projekt/{mid}/koppling",
                               data={"project_id": str(reports.bo_kvar), "csrf_token": token})
    assert kb.catalog.get_mention(mid)["project_id"] == reports.bo_kvar
    bad = fou_client.post(f"/dokument/{doc}/granska/projekt/{mid}/koppling",
                          data={"project_id": "999999", "csrf_token": token})
    assert "Projektet finns inte längre" in fou_client.get(
        bad.headers["Location"]).get_data(as_text=True)

    response = fou_client.post(f"/dokument/{doc}/granska/nytt-projekt",
                               data={"name": "Familjecentralen Skärholmen",
                                     "csrf_token": token})
    assert response.status_code == 303
    names = [m["name"] for m in kb.catalog.get_mentions(doc)]
    assert names[-1] == "Familjecentralen Skärholmen"
    assert fou_client.post(f"/dokument/{doc}/granska/nytt-projekt",
                           data={"name": " — ", "csrf_token": token}).status_code == 400
    # another document's mention cannot be edited through this document
    other = mention_id(kb, reports.r2020, "Bo kvar")
    assert fou_client.post(f"/dokument/{doc}/granska/projekt/{other}",
                           data={"name": "x", "csrf_token": token}).status_code == 404


def test_merge_with_confirmation_and_split(fou_client, reports, kb):
    page = fou_client.get(f"/projekt/{reports.unga}").get_data(as_text=True)
    assert '<label for="med">Slå ihop med…</label>' in page
    confirm = fou_client.get(f"/projekt/{reports.unga}/sla-ihop?med={reports.kristeamet}")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "<strong>Är du säker?</strong>" in html
    assert "Unga &lt;script &amp; vuxna" in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = fou_client.post(f"/projekt/{reports.unga}/sla-ihop",
                               data={"med": reports.kristeamet, "bekrafta": "ja",
                                     "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/projekt/{reports.kristeamet}"
    assert fou_client.get(f"/projekt/{reports.unga}").status_code == 404
    merged = fou_client.get(f"/projekt/{reports.kristeamet}").get_data(as_text=True)
    assert "Projektet Unga &lt;script &amp; vuxna är sammanslaget med Kristeamet." in merged
    assert "Sammanslagning: Projekt" in merged
    timeline = kb.catalog.project_timeline(reports.kristeamet)
    assert [t["document_id"] for t in timeline] == [reports.r2018, reports.r2020]

    moved = [t["id"] for t in timeline if t["document_id"] == reports.r2020]
    response = fou_client.post(f"/projekt/{reports.kristeamet}/dela",
                               data={"omnamnande": moved, "namn": "Unga vuxna",
                                     "csrf_token": token})
    assert response.status_code == 303
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert [t["document_id"] for t in kb.catalog.project_timeline(new_id)] == [reports.r2020]
    page = fou_client.get(f"/projekt/{new_id}").get_data(as_text=True)
    assert "<h1>Unga vuxna</h1>" in page and "Uppdelning: Projekt" in page
    # every mention cannot leave
    everything = [t["id"] for t in kb.catalog.project_timeline(reports.kristeamet)]
    response = fou_client.post(f"/projekt/{reports.kristeamet}/dela",
                               data={"omnamnande": everything, "namn": "Tomt",
                                     "csrf_token": token})
    assert "Minst ett omnämnande måste stanna kvar" in fou_client.get(
        response.headers["Location"]).get_data(as_text=True)


def test_page_images_of_a_scanned_original(fou_client, kb, tmp_path):
    image = Image.new("L", (1240, 600), 255)
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 48)
    except OSError:
        font = ImageFont.load_default()
    draw.text((80, 200), "Protokollsutdrag om Kristeamet", fill=0, font=font)
    path = tmp_path / "skanning.png"
    image.save(path, dpi=(150, 150))
    outcome = kb.ingest_file(path)
    assert outcome.status == "added", outcome
    html = review_page(fou_client, outcome.document_id)
    src = f"/dokument/{outcome.document_id}/sida/1.png"
    assert f'<img class="page-image" src="{src}" alt="Sida 1 i originalet"' in html
    response = fou_client.get(src)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (1100, 532)  # shrunk to screen width
    assert fou_client.get(f"/dokument/{outcome.document_id}/sida/2.png").status_code == 404
