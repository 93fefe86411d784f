"""Delete and replace a document through the browser forms, with the confirmation step: real
app, catalog, index, archive and trash (REPORTS in conftest.py)."""
from __future__ import annotations

import re
from io import BytesIO

from kunskapsbank.jobs import Worker

NOT_SIGNED_IN = "/logga-in?nasta="


def token_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def hit_ids(client, q) -> set[int]:
    html = client.get("/", query_string={"q": q}).get_data(as_text=True)
    return {int(i) for i in re.findall(r'href="/dokument/(\d+)', html)}


def test_delete_needs_sign_in_and_a_csrf_token(client, reports, kb, make_user, login,
                                               csrf_token_in):
    url = f"/dokument/{reports.r2018}/ta-bort"
    assert NOT_SIGNED_IN in client.get(url).headers["Location"]
    token = csrf_token_in(client.get("/logga-in").data)
    response = client.post(url, data={"bekrafta": "ja", "csrf_token": token})
    assert response.status_code == 302 and NOT_SIGNED_IN in response.headers["Location"]
    make_user("fou-per")
    login(client, "fou-per")
    response = client.post(url, data={"bekrafta": "ja"})  # no token
    assert response.status_code == 400
    assert "Formuläret saknade säkerhetskod" in response.get_data(as_text=True)
    assert kb.catalog.get_document(reports.r2018) is not None and kb.trash.list() == []


def test_delete_asks_first_then_removes_at_once(fou_client, reports, kb):
    doc = reports.r2018
    page = fou_client.get(f"/dokument/{doc}").get_data(as_text=True)
    assert f'<a href="/dokument/{doc}/ta-bort">Ta bort dokumentet</a>' in page
    confirm = fou_client.get(f"/dokument/{doc}/ta-bort").get_data(as_text=True)
    assert "<strong>Är du säker?</strong>" in confirm
    assert "Originalfilen flyttas till papperskorgen" in confirm
    assert '<button type="submit" class="danger">Ja, ta bort dokumentet</button>' in confirm
    # a POST without the confirmation only asks again
    again = fou_client.post(f"/dokument/{doc}/ta-bort", data={"csrf_token": token_of(confirm)})
    assert "Är du säker?" in again.get_data(as_text=True)
    assert kb.catalog.get_document(doc) is not None

    assert doc in hit_ids(fou_client, "utvecklingsmedel")
    response = fou_client.post(f"/dokument/{doc}/ta-bort",
                               data={"bekrafta": "ja", "csrf_token": token_of(confirm)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>Dokumentet är borttaget</h1>" in html
    assert fou_client.get(f"/dokument/{doc}").status_code == 404
    assert hit_ids(fou_client, "utvecklingsmedel") == {reports.r2020}
    [trashed] = kb.trash.list()
    assert trashed.info["deleted_by"] == "fou-anna"
    # the other document's projects are whole; Kristeamet was only in the deleted one
    bo = fou_client.get(f"/projekt/{reports.bo_kvar}")
    assert bo.status_code == 200 and f'href="/dokument/{reports.r2020}"' in bo.get_data(
        as_text=True)
    assert fou_client.get(f"/projekt/{reports.kristeamet}").status_code == 404
    assert fou_client.get("/projekt").status_code == 200
    assert fou_client.get(f"/dokument/{doc}/ta-bort").status_code == 404


def test_replace_asks_first_keeps_the_id_and_the_corrections(fou_client, reports, kb):
    doc = reports.r2018
    kb.correct_document(doc, {"title": "Rättad titel"}, username="fou-anna")
    old = kb.catalog.get_document(doc)
    form = fou_client.get(f"/dokument/{doc}/ersatt").get_data(as_text=True)
    assert '<label for="fil">Ny fil</label>' in form and 'enctype="multipart/form-data"' in form
    new_text = kb.catalog.document_text(doc) + "\n\nKompletterad med höstens uppföljning.\n"
    response = fou_client.post(f"/dokument/{doc}/ersatt", data={
        "csrf_token": token_of(form), "fil": (BytesIO(new_text.encode("utf-8")), "ny.txt")},
        content_type="multipart/form-data")
    confirm = response.get_data(as_text=True)
    assert response.status_code == 200 and "<strong>Är du säker?</strong>" in confirm
    assert "<strong>ny.txt</strong>" in confirm
    assert kb.catalog.get_document(doc).sha256 == old.sha256  # nothing changed yet
    token = re.search(r'name="token" value="([0-9a-f]{32})"', confirm).group(1)
    response = fou_client.post(f"/dokument/{doc}/ersatt/bekrafta", data={
        "csrf_token": token_of(confirm), "token": token, "bekrafta": "ja"})
    # the request returns at once: the file waits in the job queue, the document is as it was
    assert response.status_code == 303
    job_url = response.headers["Location"]
    assert re.fullmatch(r"/jobb/\d+", job_url)
    job = fou_client.get(job_url).get_data(as_text=True)
    assert f"<h1>Nytt original till dokument {doc} (jobb " in job and "I kö" in job
    assert '<meta http-equiv="refresh"' in job
    assert kb.catalog.get_document(doc).sha256 == old.sha256 and kb.trash.list() == []
    assert Worker(kb).run(until_empty=True) == 1
    job = fou_client.get(job_url).get_data(as_text=True)
    assert "Klar" in job and "Originalet ersatt" in job and '<meta http-equiv="refresh"' not in job
    assert f'<a href="/dokument/{doc}">Visa dokumentet</a>' in job
    page = fou_client.get(f"/dokument/{doc}").get_data(as_text=True)
    record = kb.catalog.get_document(doc)
    assert record.sha256 != old.sha256 and record.filename == "ny.txt"
    assert record.title == "Rättad titel"
    assert hit_ids(fou_client, "höstens uppföljning") == {doc}
    assert [t.sha256 for t in kb.trash.list()] == [old.sha256]
    assert "Originalet ersatt: Originalfil" in page
    assert kb.audit.for_document(doc)[0]["username"] == "fou-anna"  # who asked, not the worker
    # the confirmation cannot be replayed: the file waiting for it is gone
    replay = fou_client.post(f"/dokument/{doc}/ersatt/bekrafta", data={
        "csrf_token": token_of(confirm), "token": token, "bekrafta": "ja"})
    assert replay.status_code == 400 and "finns inte kvar" in replay.get_data(as_text=True)


def test_replace_cancelled_or_refused_changes_nothing(fou_client, reports, kb):
    doc = reports.r2018
    old = kb.catalog.get_document(doc)
    form = fou_client.get(f"/dokument/{doc}/ersatt").get_data(as_text=True)
    empty = fou_client.post(f"/dokument/{doc}/ersatt", data={"csrf_token": token_of(form)})
    assert empty.status_code == 400
    assert "Välj filen som ska ersätta originalet." in empty.get_data(as_text=True)

    def stage(data: bytes, name: str) -> tuple[str, str]:
        page = fou_client.post(f"/dokument/{doc}/ersatt", data={
            "csrf_token": token_of(form), "fil": (BytesIO(data), name)},
            content_type="multipart/form-data").get_data(as_text=True)
        return token_of(page), re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)

    csrf, token = stage(b"Ny version\n", "ny.txt")
    response = fou_client.post(f"/dokument/{doc}/ersatt/bekrafta",
                               data={"csrf_token": csrf, "token": token, "bekrafta": "nej"})
    assert response.status_code == 303
    assert not any((kb.config.home / "tmp" / "replace").iterdir())  # the staged file went
    # the other document's file: a duplicate, refused with a link to it
    other = kb.archive.path(kb.catalog.archive_path(reports.r2020)).read_bytes()
    csrf, token = stage(other, "r2020.txt")
    response = fou_client.post(f"/dokument/{doc}/ersatt/bekrafta",
                               data={"csrf_token": csrf, "token": token, "bekrafta": "ja"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Filen finns redan i Kunskapsbanken" in html
    assert f'href="/dokument/{reports.r2020}">Visa det dokumentet</a>' in html
    # a ".pdf" that is text: refused before anything is archived, as an upload would be
    wrong = fou_client.post(f"/dokument/{doc}/ersatt", data={
        "csrf_token": token_of(form), "fil": (BytesIO(b"Bara text.\n"), "beslut.pdf")},
        content_type="multipart/form-data")
    assert wrong.status_code == 400 and ("Filen heter .pdf men är inte en PDF: innehållet är "
                                         "vanlig text.") in wrong.get_data(as_text=True)
    assert not any((kb.config.home / "tmp" / "replace").iterdir())
    # a file ingest cannot read: the job fails with a Swedish explanation, the document stays
    csrf, token = stage(b"%PDF-1.4 trasig", "trasig.pdf")
    response = fou_client.post(f"/dokument/{doc}/ersatt/bekrafta",
                               data={"csrf_token": csrf, "token": token, "bekrafta": "ja"})
    assert response.status_code == 303
    # the same file again while it waits: refused, not queued twice
    csrf, token = stage(b"%PDF-1.4 trasig", "trasig.pdf")
    again = fou_client.post(f"/dokument/{doc}/ersatt/bekrafta",
                            data={"csrf_token": csrf, "token": token, "bekrafta": "ja"})
    assert again.status_code == 400 and "Filen väntar redan på bearbetning (jobb " in \
        again.get_data(as_text=True)
    assert Worker(kb).run(until_empty=True) == 1
    job = fou_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Misslyckades" in job and "Originalet ersattes inte; dokumentet är oförändrat." in job
    assert "PDF" in re.search(r'<span class="file-error">([^<]+)</span>', job).group(1)
    assert kb.catalog.get_document(doc).sha256 == old.sha256 and kb.trash.list() == []
    assert kb.audit.for_document(doc) == [] and doc in hit_ids(fou_client, "utvecklingsmedel")


def test_admin_empties_the_trash_after_confirming(client, reports, kb, make_user, login,
                                                  csrf_token_in):
    kb.delete_document(reports.r2018, username="fou-per")
    make_user("fou-per", role="fou")
    login(client, "fou-per")
    assert client.get("/admin/papperskorg").status_code == 403  # fou may delete, not purge
    client.post("/logga-ut", data={"csrf_token": csrf_token_in(client.get("/").data)})
    make_user("admin-eva", role="admin")
    login(client, "admin-eva")
    page = client.get("/admin/papperskorg").get_data(as_text=True)
    assert "<td>Redovisning utvecklingsmedel 2018.txt</td>" in page
    assert "<td>fou-per</td>" in page and "<td>Borttaget</td>" in page
    token = token_of(page)
    bad = client.post("/admin/papperskorg", data={"csrf_token": token, "dagar": "en vecka"})
    assert bad.status_code == 400 and "Ange antal dagar som ett heltal" in bad.get_data(
        as_text=True)
    ask = client.post("/admin/papperskorg", data={"csrf_token": token, "dagar": ""})
    assert "<strong>Är du säker?</strong> Alla 1 original" in ask.get_data(as_text=True)
    assert len(kb.trash.list()) == 1
    kept = client.post("/admin/papperskorg", data={"csrf_token": token, "dagar": "30",
                                                   "bekrafta": "ja"})
    assert kept.status_code == 303 and len(kb.trash.list()) == 1  # deleted just now
    done = client.post("/admin/papperskorg", data={"csrf_token": token, "dagar": "",
                                                   "bekrafta": "ja"})
    assert "1 original är borttaget för gott." in client.get(
        done.headers["Location"]).get_data(as_text=True)
    assert kb.trash.list() == []
