"""The admin pages (/admin, /admin/anvandare, /admin/index) against the real app, catalog, index
and job worker."""
from __future__ import annotations

import re

from kunskapsbank.jobs import JobQueue, Worker
from kunskapsbank.users import Users

NEW_PASSWORD = "ett nytt långt lösenord"


def _user_id(kb, username: str) -> int:
    return Users(kb.catalog).get(username).id


def _post(client, page: str, url: str, data: dict, csrf_token_in):
    """POST a form of `page` with that page's CSRF token."""
    token = csrf_token_in(client.get(page).data)
    return client.post(url, data={"csrf_token": token, **data})


def _audit(kb, action: str) -> list[dict]:
    return kb.audit.recent(actions=(action,))


def test_fou_staff_and_visitors_are_refused(fou_client, app, kb, csrf_token_in):
    for url in ("/admin", "/admin/anvandare", "/admin/index", "/admin/anvandare/1"):
        r = fou_client.get(url)
        assert r.status_code == 403, url
        assert 'lang="sv"' in r.text and "behörighet" in r.text
    # the forms are refused too (with a valid CSRF token), and the header has no admin link
    token = csrf_token_in(fou_client.get("/").data)
    me = _user_id(kb, "fou-anna")
    for url, data in [("/admin/index", {"uppgift": "bygg-om"}),
                      ("/admin/anvandare", {"username": "smygare", "role": "admin",
                                            "password": NEW_PASSWORD, "password2": NEW_PASSWORD}),
                      (f"/admin/anvandare/{me}/roll", {"role": "admin"})]:
        assert fou_client.post(url, data={"csrf_token": token, **data}).status_code == 403, url
    assert Users(kb.catalog).get("fou-anna").role == "fou"
    assert Users(kb.catalog).get("smygare") is None
    assert not JobQueue(kb.catalog).recent(kinds=("reindex",))
    assert "/admin" not in fou_client.get("/").text
    anonymous = app.test_client()
    r = anonymous.get("/admin/anvandare")
    assert r.status_code == 302 and "/logga-in" in r.headers["Location"]


def test_overview_links_to_the_admin_pages(admin_client):
    home = admin_client.get("/").text
    assert 'href="/admin"' in home  # in the header
    page = admin_client.get("/admin").text
    for url in ("/admin/anvandare", "/admin/index", "/admin/papperskorg"):
        assert f'href="{url}"' in page


def test_admin_adds_changes_and_removes_a_user_who_can_sign_in(admin_client, app, kb, login,
                                                               csrf_token_in):
    r = _post(admin_client, "/admin/anvandare", "/admin/anvandare",
              {"username": "nya-nora", "role": "fou", "password": NEW_PASSWORD,
               "password2": NEW_PASSWORD}, csrf_token_in)
    assert r.status_code == 303
    page = admin_client.get(r.headers["Location"]).text
    assert "Användaren nya-nora är tillagd som FoU-personal." in page
    assert Users(kb.catalog).get("nya-nora").role == "fou"

    nora = app.test_client()
    assert login(nora, "nya-nora", NEW_PASSWORD).status_code == 303
    assert nora.get("/ladda-upp").status_code == 200
    assert nora.get("/admin").status_code == 403

    user_page = f"/admin/anvandare/{_user_id(kb, 'nya-nora')}"
    assert '<option value="fou" selected>FoU-personal</option>' in admin_client.get(user_page).text
    r = _post(admin_client, user_page, f"{user_page}/roll", {"role": "admin"}, csrf_token_in)
    assert r.status_code == 303
    assert "nya-nora är nu administratör." in admin_client.get(r.headers["Location"]).text
    assert nora.get("/admin").status_code == 200  # her session sees the new role at once

    r = _post(admin_client, user_page, f"{user_page}/losenord",
              {"password": "ännu ett lösenord 9", "password2": "ännu ett lösenord 9"},
              csrf_token_in)
    assert r.status_code == 303
    assert nora.get("/admin").status_code == 302  # a new password ended her session
    assert login(nora, "nya-nora", NEW_PASSWORD).status_code == 401
    assert login(nora, "nya-nora", "ännu ett lösenord 9").status_code == 303

    # removal asks first, and only the confirmed form removes
    r = _post(admin_client, user_page, f"{user_page}/ta-bort", {}, csrf_token_in)
    assert r.status_code == 200 and "Är du säker?" in r.text
    assert Users(kb.catalog).get("nya-nora") is not None
    r = admin_client.post(f"{user_page}/ta-bort",
                          data={"csrf_token": csrf_token_in(r.data), "bekrafta": "ja"})
    assert r.status_code == 303
    assert "Användaren nya-nora är borttagen." in admin_client.get(r.headers["Location"]).text
    assert Users(kb.catalog).get("nya-nora") is None
    assert nora.get("/ladda-upp").status_code == 302  # signed out
    assert login(nora, "nya-nora", "ännu ett lösenord 9").status_code == 401

    # every change is in the audit log with the acting admin
    entries = {(e["action"], e["old_value"], e["new_value"]): e for e in
               kb.audit.recent(actions=("user-add", "user-role", "user-password",
                                        "user-remove"))}
    assert set(entries) == {("user-add", None, "fou"), ("user-role", "fou", "admin"),
                            ("user-password", None, None), ("user-remove", "admin", None)}
    assert {(e["username"], e["subject"]) for e in entries.values()} == {("admin-bo", "nya-nora")}
    history = admin_client.get("/admin/anvandare").text
    assert "Konto borttaget: Roll (nya-nora)" in history and "Nytt lösenord" in history


def test_bad_new_users_are_refused_in_swedish(admin_client, kb, csrf_token_in, make_user):
    make_user("finns-redan")
    cases = [
        ({"username": "ny-person", "role": "fou", "password": NEW_PASSWORD,
          "password2": NEW_PASSWORD + "x"}, "Lösenorden stämmer inte överens."),
        ({"username": "ny-person", "role": "fou", "password": "kort", "password2": "kort"},
         "Lösenordet måste vara minst 10 tecken långt."),
        ({"username": "<b>x y</b>", "role": "fou", "password": NEW_PASSWORD,
          "password2": NEW_PASSWORD}, "Användarnamnet ska vara 2–64 tecken"),
        ({"username": "ny-person", "role": "chef", "password": NEW_PASSWORD,
          "password2": NEW_PASSWORD}, "Rollen ska vara fou eller admin."),
        ({"username": "finns-redan", "role": "fou", "password": NEW_PASSWORD,
          "password2": NEW_PASSWORD}, "Användaren finns-redan finns redan."),
    ]
    for data, message in cases:
        r = _post(admin_client, "/admin/anvandare", "/admin/anvandare", data, csrf_token_in)
        assert r.status_code == 400, data
        assert message in r.text, data
        assert 'aria-invalid="true"' in r.text
    assert "<b>x y</b>" not in r.text
    assert Users(kb.catalog).get("ny-person") is None
    assert not _audit(kb, "user-add")


def test_an_admin_can_neither_remove_nor_demote_themself(admin_client, kb, csrf_token_in):
    me = f"/admin/anvandare/{_user_id(kb, 'admin-bo')}"
    page = admin_client.get(me).text
    assert "Du kan inte ta bort dig själv." in page
    assert f'action="{me}/ta-bort"' not in page and f'action="{me}/roll"' not in page
    r = _post(admin_client, me, f"{me}/ta-bort", {"bekrafta": "ja"}, csrf_token_in)
    assert r.status_code == 400 and "Du kan inte ta bort dig själv." in r.text
    r = _post(admin_client, me, f"{me}/roll", {"role": "fou"}, csrf_token_in)
    assert r.status_code == 400 and "Du kan inte ändra din egen roll." in r.text
    assert Users(kb.catalog).get("admin-bo").role == "admin"
    assert not _audit(kb, "user-remove") and not _audit(kb, "user-role")
    # a new password of one's own keeps one signed in
    r = _post(admin_client, me, f"{me}/losenord",
              {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}, csrf_token_in)
    assert r.status_code == 303
    assert admin_client.get("/admin").status_code == 200


def test_forms_without_csrf_token_are_refused(admin_client, kb, make_user):
    other = make_user("annan-person")
    for url, data in [
        ("/admin/anvandare", {"username": "utan-token", "role": "admin",
                              "password": NEW_PASSWORD, "password2": NEW_PASSWORD}),
        (f"/admin/anvandare/{other.id}/roll", {"role": "admin"}),
        (f"/admin/anvandare/{other.id}/losenord", {"password": NEW_PASSWORD,
                                                   "password2": NEW_PASSWORD}),
        (f"/admin/anvandare/{other.id}/ta-bort", {"bekrafta": "ja"}),
        ("/admin/index", {"uppgift": "bygg-om"}),
    ]:
        r = admin_client.post(url, data=data)
        assert r.status_code == 400, url
        assert "Formuläret kunde inte skickas" in r.text
    assert Users(kb.catalog).get("utan-token") is None
    assert Users(kb.catalog).get("annan-person").role == "fou"
    assert not JobQueue(kb.catalog).recent(kinds=("reindex",))


def test_reindex_runs_in_the_worker_and_search_works_after_it(admin_client, kb, docs,
                                                             csrf_token_in):
    kb.index.delete([d.id for d in docs.values()])  # an index that lost its entries
    assert f'href="/dokument/{docs["kris"].id}?q=' not in admin_client.get("/?q=Kristeamet").text
    page = admin_client.get("/admin/index").text
    assert re.search(r"Dokument i katalogen</dt><dd>3<", page)
    assert re.search(r"Dokument i sökindexet</dt><dd>0<", page)
    report = admin_client.get("/admin/index?kontrollera=1").text
    assert "3 problem hittades" in report and "Dokument saknas i sökindexet: 3" in report

    r = _post(admin_client, "/admin/index", "/admin/index", {"uppgift": "bygg-om"},
              csrf_token_in)
    assert r.status_code == 303
    job_url = r.headers["Location"]
    job_id = int(job_url.rsplit("/", 1)[1])
    page = admin_client.get(job_url).text
    assert "Bygg om sökindexet" in page and "I kö" in page and 'http-equiv="refresh"' in page

    # a second request while the first waits is refused kindly, with a link to the first
    r = _post(admin_client, "/admin/index", "/admin/index", {"uppgift": "bearbeta-inaktuella"},
              csrf_token_in)
    assert r.status_code == 409
    assert "Ett jobb pågår redan." in r.text and f'href="/jobb/{job_id}"' in r.text
    assert len(JobQueue(kb.catalog).recent(kinds=("reindex", "reprocess-stale"))) == 1

    assert Worker(kb).run(until_empty=True) == 1
    page = admin_client.get(job_url).text
    assert "Klar" in page and "Sökindexet byggdes om med 3 dokument." in page
    assert 'http-equiv="refresh"' not in page
    results = admin_client.get("/?q=Kristeamet").text
    assert f'href="/dokument/{docs["kris"].id}?q=' in results
    assert "Inga problem hittades" in admin_client.get("/admin/index?kontrollera=1").text
    # the task is on the admin page, not among the uploads; the request is in the audit log
    assert f'href="/jobb/{job_id}"' in admin_client.get("/admin/index").text
    assert f'href="/jobb/{job_id}"' not in admin_client.get("/jobb").text
    [entry] = _audit(kb, "task")
    assert (entry["username"], entry["subject"]) == ("admin-bo", "reindex")


def test_stale_documents_are_reprocessed_by_the_worker(admin_client, kb, docs, csrf_token_in):
    kb.catalog.db.execute("UPDATE documents SET pipeline_version='ingest-0' WHERE id IN (?, ?)",
                          (docs["kris"].id, docs["pm"].id))
    kb.catalog.db.commit()
    page = admin_client.get("/admin/index").text
    assert re.search(r"Inaktuella dokument[^<]*</dt><dd>2<", page)

    r = _post(admin_client, "/admin/index", "/admin/index", {"uppgift": "bearbeta-inaktuella"},
              csrf_token_in)
    assert r.status_code == 303
    worker = Worker(kb)
    assert worker.run(until_empty=True) == 1
    page = admin_client.get(r.headers["Location"]).text
    assert "Bearbeta inaktuella dokument igen" in page
    assert "2 dokument bearbetades på nytt." in page
    assert re.search(r"Inaktuella dokument[^<]*</dt><dd>0<", admin_client.get("/admin/index").text)
    assert f'href="/dokument/{docs["pm"].id}?q=' in admin_client.get("/?q=promemoria").text

    # with nothing stale, the task says so (and a task can be asked for again once done)
    r = _post(admin_client, "/admin/index", "/admin/index", {"uppgift": "bearbeta-inaktuella"},
              csrf_token_in)
    assert r.status_code == 303
    assert worker.run(until_empty=True) == 1
    assert "Alla dokument var redan aktuella" in admin_client.get(r.headers["Location"]).text


def test_a_reprocessing_stopped_with_its_worker_is_queued_again(admin_client, kb, docs,
                                                                csrf_token_in):
    kb.catalog.db.execute("UPDATE documents SET pipeline_version='ingest-0'")
    kb.catalog.db.commit()
    r = _post(admin_client, "/admin/index", "/admin/index", {"uppgift": "bearbeta-inaktuella"},
              csrf_token_in)
    job_url = r.headers["Location"]
    worker = Worker(kb)
    item = worker.queue.claim()
    worker._stop.set()  # as Worker.stop() does while the task runs
    worker.process(item)
    [task] = JobQueue(kb.catalog).get(int(job_url.rsplit("/", 1)[1]))["files"]
    assert task["status"] == "queued"  # not lost, not failed: the next start does the rest
    assert "I kö" in admin_client.get(job_url).text
    assert Worker(kb).run(until_empty=True) == 1
    assert "3 dokument bearbetades på nytt." in admin_client.get(job_url).text
