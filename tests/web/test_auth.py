"""Staff sign-in against the real app and catalog: sessions, CSRF, the rate limit, roles and the
setting that requires sign-in for reading."""
from __future__ import annotations

import dataclasses

import pytest

from kunskapsbank.users import MAX_FAILURES, Users
from web import close_app, create_app
from web.auth import role_required



def test_sign_in_shows_who_and_sign_out(client, make_user, login, csrf_token_in):
    make_user("anna", role="fou")
    page = client.get("/logga-in").get_data(as_text=True)
    assert 'autocomplete="username"' in page and 'autocomplete="current-password"' in page
    assert '<label for="username">Användarnamn</label>' in page
    assert '<label for="password">Lösenord</label>' in page
    assert "Logga in (personal)" in client.get("/").get_data(as_text=True)

    response = login(client, "anna")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Inloggad som <strong>anna</strong> (FoU-personal)" in home
    response = client.post("/logga-ut", data={"csrf_token": csrf_token_in(home)})
    assert response.status_code == 303
    assert "Inloggad som" not in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_in_swedish_and_tied_to_the_fields(client, make_user, login):
    make_user("anna")
    response = login(client, "anna", "fel lösenord")
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert 'id="inloggning-fel" role="alert">Fel användarnamn eller lösenord.' in page
    assert page.count('aria-describedby="inloggning-fel"') == 2
    assert page.count('aria-invalid="true"') == 2
    assert 'value="anna"' in page  # the name is kept, the password is not
    assert "fel lösenord" not in page
    assert "Inloggad som" not in client.get("/").get_data(as_text=True)
    # an unknown user gets the very same answer (no telling which names exist)
    other = login(client, "okand", "fel lösenord")
    assert other.status_code == 401 and "Fel användarnamn eller lösenord." in other.get_data(
        as_text=True)
    empty = login(client, "anna", "")
    assert empty.status_code == 400 and "Fyll i både användarnamn och lösenord." in \
        empty.get_data(as_text=True)


def test_sign_in_attempts_are_rate_limited_per_name_and_address(
        client, app, make_user, login, staff_password):
    make_user("anna")
    for _ in range(MAX_FAILURES):
        assert login(client, "anna", "gissning").status_code == 401
    # now even the right password is refused, from this address
    response = login(client, "anna", staff_password)
    assert response.status_code == 429
    assert "För många misslyckade inloggningsförsök. Vänta 15 minuter" in response.get_data(
        as_text=True)
    assert "Inloggad som" not in client.get("/").get_data(as_text=True)
    # from another address the right password works (and clears nothing for the first)
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert login(other, "anna").status_code == 303
    assert login(client, "anna").status_code == 429


def test_a_form_without_a_valid_csrf_token_gets_a_swedish_400(
        client, make_user, login, staff_password):
    make_user("anna")
    client.get("/logga-in")  # a session exists, but the token is not sent
    for data in ({"username": "anna", "password": staff_password},
                 {"username": "anna", "password": staff_password, "csrf_token": "förfalskad"}):
        response = client.post("/logga-in", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Formuläret kunde inte skickas" in page and "säkerhetskod" in page
        assert "Traceback" not in page and "CSRF" not in page
        assert '<html lang="sv">' in page
    assert "Inloggad som" not in client.get("/").get_data(as_text=True)
    # signing out needs the token too
    login(client, "anna")
    assert client.post("/logga-ut").status_code == 400
    assert "Inloggad som" in client.get("/").get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user, login):
    make_user("anna")
    response = login(client, "anna")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on localhost by default (see README)


def test_secure_cookies_setting(config, login, staff_password):
    app = create_app(dataclasses.replace(config, secure_cookies=True), {"TESTING": True})
    try:
        Users(app.extensions["kunskapsbank"].catalog).add("anna", staff_password, "fou")
        client = app.test_client()
        response = login(client, "anna")
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        close_app(app)


def test_after_sign_in_back_to_the_page_asked_for_but_never_off_site(
        client, make_user, csrf_token_in, staff_password):
    make_user("anna")
    token = csrf_token_in(client.get("/logga-in?nasta=/projekt").data)
    response = client.post("/logga-in", data={"csrf_token": token, "username": "anna",
                                              "password": staff_password, "nasta": "/projekt"})
    assert response.headers["Location"] == "/projekt"
    client.post("/logga-ut", data={"csrf_token": csrf_token_in(client.get("/").data)})
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        token = csrf_token_in(client.get("/logga-in").data)
        response = client.post("/logga-in", data={"csrf_token": token, "username": "anna",
                                                  "password": staff_password, "nasta": evil})
        assert response.headers["Location"] == "/", evil
        client.post("/logga-ut", data={"csrf_token": csrf_token_in(client.get("/").data)})


def test_password_change_or_removal_ends_sessions(client, kb, make_user, login):
    make_user("anna")
    login(client, "anna")
    assert "Inloggad som" in client.get("/").get_data(as_text=True)
    Users(kb.catalog).set_password("anna", "ett helt nytt lösenord")
    assert "Inloggad som" not in client.get("/").get_data(as_text=True)
    login(client, "anna", "ett helt nytt lösenord")
    assert "Inloggad som" in client.get("/").get_data(as_text=True)
    Users(kb.catalog).remove("anna")
    assert "Inloggad som" not in client.get("/").get_data(as_text=True)


@pytest.fixture
def guarded_app(config, staff_password):
    """The app with two views of this test's own behind role_required."""
    app = create_app(config, {"TESTING": True})
    app.add_url_rule("/test-fou", "test_fou", role_required("fou")(lambda: "fou ok"))
    app.add_url_rule("/test-admin", "test_admin", role_required("admin")(lambda: "admin ok"))
    Users(app.extensions["kunskapsbank"].catalog).add("fou1", staff_password, "fou")
    Users(app.extensions["kunskapsbank"].catalog).add("admin1", staff_password, "admin")
    yield app
    close_app(app)


def test_role_required(guarded_app, login):
    reader = guarded_app.test_client()
    response = reader.get("/test-fou")
    assert response.status_code == 302
    assert response.headers["Location"] == "/logga-in?nasta=/test-fou"
    assert "Logga in för att använda Kunskapsbanken." in reader.get(
        response.headers["Location"]).get_data(as_text=True)

    fou = guarded_app.test_client()
    login(fou, "fou1")
    assert fou.get("/test-fou").get_data(as_text=True) == "fou ok"
    refused = fou.get("/test-admin")
    assert refused.status_code == 403 and "Åtkomst nekad" in refused.get_data(as_text=True)

    admin = guarded_app.test_client()
    login(admin, "admin1")
    assert admin.get("/test-fou").get_data(as_text=True) == "fou ok"  # admin implies fou
    assert admin.get("/test-admin").get_data(as_text=True) == "admin ok"


def test_reading_open_by_default(client):
    assert client.get("/?q=Kristeamet").status_code == 200
    assert client.get("/api/search?q=Kristeamet").status_code == 200


def test_setting_requires_sign_in_for_reading(
        config, tmp_path, ingest_sample, monkeypatch, login, staff_password):
    monkeypatch.setenv("KUNSKAPSBANK_REQUIRE_LOGIN", "1")
    from kunskapsbank.config import Config
    strict = Config.from_env(config.home)
    assert strict.require_login
    app = create_app(strict, {"TESTING": True})
    try:
        kb = app.extensions["kunskapsbank"]
        docs = ingest_sample(kb, tmp_path / "in")
        Users(kb.catalog).add("anna", staff_password, "fou")
        client = app.test_client()
        for path in ("/", "/?q=Kristeamet", f"/dokument/{docs['kris'].id}", "/projekt"):
            response = client.get(path)
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/logga-in?nasta=")
        api = client.get("/api/search?q=Kristeamet")
        assert api.status_code == 401
        assert api.get_json() == {"error": "Logga in för att använda Kunskapsbanken."}
        assert client.get("/logga-in").status_code == 200
        assert client.get("/static/style.css").status_code == 200
        login(client, "anna")
        assert client.get("/?q=Kristeamet").status_code == 200
        assert client.get("/api/search?q=Kristeamet").get_json()["total"] == 2
    finally:
        close_app(app)
