"""Upload through the real app: archive first, type by content, duplicates, refusals in Swedish,
the job page, and the worker turning queued files into documents."""
from __future__ import annotations

import dataclasses
import io

import pytest

from kunskapsbank.jobs import JobQueue, Worker
from kunskapsbank.users import Users
from web import close_app, create_app

REPORT = ("Slutrapport\nDnr 4.4-12/2021\n2021-12-01\n\nProjektet Bo kvar i Farsta har "
          "förebyggt vräkningar under året.\n").encode("utf-8")


def _upload(client, csrf_token_in, files, **fields):
    """POST /ladda-upp with [(name, bytes)] and metadata fields, with the form's own token."""
    token = csrf_token_in(client.get("/ladda-upp").data)
    data = {"csrf_token": token, **fields,
            "filer": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/ladda-upp", data=data, content_type="multipart/form-data")


def _archived(kb) -> list[str]:
    return sorted(p.name for p in kb.config.archive_dir.rglob("*") if p.is_file()
                  and not p.name.startswith("."))


def test_upload_queues_returns_at_once_and_the_worker_makes_the_document(
        fou_client, csrf_token_in, kb):
    response = _upload(fou_client, csrf_token_in, [("slutrapport bo kvar.txt", REPORT)],
                       title="Bo kvar – slutrapport", year="2021", dnr="",
                       project="Bo kvar", district="Farsta", category="Boende")
    assert response.status_code == 303
    job_url = response.headers["Location"]
    assert job_url.startswith("/jobb/")
    # the request returned before processing: the file waits in the queue, its original is
    # already archived, and the page reloads itself (no JavaScript)
    page = fou_client.get(job_url).get_data(as_text=True)
    assert "I kö" in page and '<meta http-equiv="refresh" content="3">' in page
    assert "Uppdatera nu" in page
    assert kb.catalog.count_documents() == 0 and len(_archived(kb)) == 1

    assert Worker(kb).run(until_empty=True) == 1
    page = fou_client.get(job_url).get_data(as_text=True)
    assert "Klar" in page and "Tillagd" in page and "http-equiv" not in page
    doc_id = JobQueue(kb.catalog).get(int(job_url.rsplit("/", 1)[1]))["files"][0]["document_id"]
    assert f'href="/dokument/{doc_id}"' in page
    # the metadata given won over extraction and the document is searchable by it
    record = kb.catalog.get_document(doc_id)
    assert record.title == "Bo kvar – slutrapport" and record.dnr == "4.4-12/2021"
    assert kb.catalog.get_metadata(doc_id)["years"] == [2021]
    mention = [m for m in kb.catalog.get_mentions(doc_id) if m["name"] == "Bo kvar"]
    assert mention and mention[0]["district"] == "Farsta" and mention[0]["category"] == "Boende"
    assert doc_id in {h.id for h in kb.search("slutrapport").hits}
    assert "Bo kvar – slutrapport" in fou_client.get(f"/dokument/{doc_id}").get_data(
        as_text=True)
    # the list of jobs
    listing = fou_client.get("/jobb").get_data(as_text=True)
    assert f'href="{job_url}"' in listing and "fou-anna" in listing


def test_many_files_at_once_type_by_content(fou_client, csrf_token_in, kb, sample_docs):
    pdf = (sample_docs / "2018_tjansteutlatande_fou-medel_textlager.pdf").read_bytes()
    response = _upload(fou_client, csrf_token_in, [
        ("a.txt", REPORT), ("beslut.txt", pdf),  # a PDF whatever its name says
        ("b.txt", "PM\n\nEtt annat dokument.\n".encode())])
    assert response.status_code == 303
    job = JobQueue(kb.catalog).get(int(response.headers["Location"].rsplit("/", 1)[1]))
    assert [(f["filename"], f["status"], f["media_type"]) for f in job["files"]] == [
        ("a.txt", "queued", "text/plain"), ("beslut.txt", "queued", "application/pdf"),
        ("b.txt", "queued", "text/plain")]
    assert Worker(kb).run(until_empty=True) == 3
    job = JobQueue(kb.catalog).get(job["id"])
    assert [f["status"] for f in job["files"]] == ["done"] * 3
    assert kb.catalog.get_document(job["files"][1]["document_id"]).page_count == 5


def test_a_pdf_that_is_not_a_pdf_is_refused_in_swedish_but_kept(fou_client, csrf_token_in,
                                                                kb):
    response = _upload(fou_client, csrf_token_in, [("rapport.pdf", b"Detta \xe4r text.\n")])
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "rapport.pdf: Filen heter .pdf men är inte en PDF: innehållet är vanlig text." in page
    assert JobQueue(kb.catalog).recent() == []
    assert len(_archived(kb)) == 1  # nothing a user uploaded is lost
    assert kb.catalog.recent_errors()[0]["reason"] == "name says .pdf but content is text/plain"
    # with a good file beside it, the job is made and the bad one shows why it failed
    response = _upload(fou_client, csrf_token_in, [("rapport.pdf", b"Detta \xe4r text.\n"),
                                                   ("ok.txt", REPORT)])
    assert response.status_code == 303
    page = fou_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Misslyckades" in page and "Filen heter .pdf men är inte en PDF" in page


def test_unsupported_and_empty_files_are_refused(fou_client, csrf_token_in):
    response = _upload(fou_client, csrf_token_in, [("bild.gif", b"GIF89a\x01\x00\x01\x00\x00"
                                                   b"\x00\x00\x00\x00\x00\x00\x00\x00\x00")])
    assert response.status_code == 400
    assert "Filtypen stöds inte" in response.get_data(as_text=True)
    response = _upload(fou_client, csrf_token_in, [("tom.txt", b"")])
    assert response.status_code == 400 and "Filen är tom." in response.get_data(as_text=True)


def test_a_duplicate_links_to_the_existing_document(fou_client, csrf_token_in, kb, docs):
    before = _archived(kb)
    response = _upload(fou_client, csrf_token_in, [("kopia.txt", docs["kris"].data)],
                       title="Ny titel")
    assert response.status_code == 303
    page = fou_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Fanns redan" in page
    assert f'<a href="/dokument/{docs["kris"].id}">Visa det befintliga dokumentet</a>' in page
    assert "har inte lagts till igen" in page
    assert _archived(kb) == before and kb.catalog.count_documents() == 3
    assert Worker(kb).run(until_empty=True) == 0  # nothing was queued
    assert kb.catalog.get_document(docs["kris"].id).title != "Ny titel"
    # the same new file twice in one upload: processed once
    response = _upload(fou_client, csrf_token_in, [("x.txt", REPORT), ("y.txt", REPORT)])
    job = JobQueue(kb.catalog).get(int(response.headers["Location"].rsplit("/", 1)[1]))
    assert [(f["status"], f["outcome"]) for f in job["files"]] == [("queued", None),
                                                                   ("done", "duplicate")]


def test_metadata_errors_are_tied_to_their_fields(fou_client, csrf_token_in, kb):
    response = _upload(fou_client, csrf_token_in, [("a.txt", REPORT)], year="20x1",
                       district="Farsta")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="falt-year-fel">Ange året med fyra siffror, till exempel 2024.' in page
    assert 'aria-describedby="falt-year-fel"' in page
    assert "Ange projektets namn när du anger stadsdel eller kategori." in page
    assert 'value="Farsta"' in page  # what was typed is kept
    assert _archived(kb) == []  # nothing stored when the form itself was wrong
    response = _upload(fou_client, csrf_token_in, [])
    assert response.status_code == 400
    assert "Välj minst en fil att ladda upp." in response.get_data(as_text=True)


def test_readers_cannot_upload(client, kb, make_user, login, csrf_token_in):
    response = client.get("/ladda-upp")
    assert response.status_code == 302 and "/logga-in?nasta=/ladda-upp" in \
        response.headers["Location"]
    response = client.post("/ladda-upp", data={"filer": [(io.BytesIO(REPORT), "a.txt")]},
                           content_type="multipart/form-data")
    assert response.status_code in (302, 400)  # no token, no session: never stored
    assert client.get("/jobb").status_code == 302
    assert client.get("/jobb/1").status_code == 302
    assert "Ladda upp" not in client.get("/").get_data(as_text=True)
    assert _archived(kb) == [] and JobQueue(kb.catalog).recent() == []


def test_upload_without_csrf_token_is_refused(fou_client, kb):
    response = fou_client.post("/ladda-upp", data={"filer": [(io.BytesIO(REPORT), "a.txt")]},
                               content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Formuläret kunde inte skickas" in page
    assert _archived(kb) == [] and JobQueue(kb.catalog).recent() == []


def test_staff_links_in_the_header(fou_client):
    page = fou_client.get("/").get_data(as_text=True)
    assert '<a href="/ladda-upp">Ladda upp</a>' in page
    assert '<a href="/jobb">Uppladdningar</a>' in page


@pytest.fixture
def small_limit_client(config, staff_password, login):
    """A signed-in fou client of an app whose upload limit is 2 000 bytes."""
    app = create_app(dataclasses.replace(config, max_upload_bytes=2000), {"TESTING": True})
    Users(app.extensions["kunskapsbank"].catalog).add("fou1", staff_password, "fou")
    client = app.test_client()
    assert login(client, "fou1").status_code == 303
    yield client, app.extensions["kunskapsbank"]
    close_app(app)


def test_an_oversized_upload_gets_a_swedish_413(small_limit_client, csrf_token_in):
    client, kb = small_limit_client
    response = _upload(client, csrf_token_in, [("stor.txt", b"a" * 5000)])
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Filerna är för stora. Högst 2 kB kan laddas upp åt gången" in page
    assert '<html lang="sv">' in page and 'aria-invalid="true"' in page
    assert _archived(kb) == []
    assert _upload(client, csrf_token_in, [("liten.txt", REPORT)]).status_code == 303


def test_job_page_of_no_job_is_404(fou_client):
    assert fou_client.get("/jobb/999").status_code == 404


def test_job_page_shows_progress_and_failures(fou_client, csrf_token_in, kb):
    response = _upload(fou_client, csrf_token_in, [("a.txt", REPORT), ("b.txt", b"PM\n\nB.\n")])
    job_url = response.headers["Location"]
    queue = JobQueue(kb.catalog)
    first = queue.claim()
    queue.progress(first["id"], 2, 5)
    second = queue.claim()
    queue.finish(second["id"], "failed", message_sv="Filen är skadad.", reason="test")
    page = fou_client.get(job_url).get_data(as_text=True)
    assert "Bearbetas" in page and '<progress max="5" value="2"' in page and "2 av 5" in page
    assert "Misslyckades" in page and "Filen är skadad." in page
    assert 'http-equiv="refresh"' in page  # one file is still running
    listing = fou_client.get("/jobb").get_data(as_text=True)
    assert "0 klara, 1 kvar, 1 misslyckades" in listing
