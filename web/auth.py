"""Staff sign-in: Flask-Login sessions over the catalog's users, CSRF on every form (Flask-WTF),
a rate limit on failed sign-ins, and `role_required` for the staff pages.

Reading is open unless the setting `require_login` (KUNSKAPSBANK_REQUIRE_LOGIN=1) is on; then
every page but the sign-in page needs a signed-in user, and the API answers 401 in JSON.
"""
from __future__ import annotations

import logging
from functools import wraps
from urllib.parse import urlsplit

from flask import (Blueprint, Flask, abort, current_app, jsonify, redirect, render_template,
                   request, url_for)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from kunskapsbank.users import (FAILURE_WINDOW_S, MAX_PASSWORD_LENGTH, ROLE_NAMES_SV, User,
                                Users)

from . import get_kb

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()

LOGIN_REQUIRED_SV = "Logga in för att använda Kunskapsbanken."
CSRF_TITLE_SV = "Formuläret kunde inte skickas"
CSRF_TEXT_SV = ("Formuläret saknade säkerhetskod eller var för gammalt. Gå tillbaka, ladda om "
                "sidan och försök igen.")
# Pages anyone may open even when reading requires sign-in.
_OPEN_ENDPOINTS = {"auth.login", "static"}


class StaffUser(UserMixin):
    """The signed-in user as Flask-Login sees it: `username`, `role`, `has_role()`."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.id = user.id
        self.username = user.username
        self.role = user.role

    @property
    def role_sv(self) -> str:
        return ROLE_NAMES_SV.get(self.role, self.role)

    def has_role(self, *roles: str) -> bool:
        return self.user.has_role(*roles)

    def get_id(self) -> str:
        # the id with a token of the password hash: changing the password ends old sessions
        return f"{self.user.id}:{self.user.session_token}"


def users() -> Users:
    return Users(get_kb().catalog)


def _load_user(session_id: str) -> StaffUser | None:
    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit():
        return None
    user = users().get_by_id(int(user_id))
    if user is None or user.session_token != token:
        return None
    return StaffUser(user)


def _is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _unauthorized():
    if _is_api():
        return jsonify({"error": LOGIN_REQUIRED_SV}), 401
    target = request.full_path if request.method == "GET" else request.path
    return redirect(url_for("auth.login", nasta=target.rstrip("?")))


def role_required(*roles: str):
    """The view needs a signed-in user with one of `roles` (admin may do everything); with no
    roles, any signed-in user. Not signed in: to the sign-in page (API: 401); wrong role: 403."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _unauthorized()
            if roles and not current_user.has_role(*roles):
                log.warning("user %s (role %s) refused %s %s", current_user.username,
                            current_user.role, request.method, request.path)
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _require_login_for_reading():
    if (current_app.config["KUNSKAPSBANK_CONFIG"].require_login
            and request.endpoint not in _OPEN_ENDPOINTS and not current_user.is_authenticated):
        return _unauthorized()
    return None


def _csrf_error(err: CSRFError):
    log.warning("CSRF check failed for %s %s: %s", request.method, request.path,
                err.description)
    if _is_api():
        return jsonify({"error": CSRF_TEXT_SV}), 400
    return render_template("error.html", status=400, title=CSRF_TITLE_SV,
                           text=CSRF_TEXT_SV), 400


def init_app(app: Flask) -> None:
    config = app.config["KUNSKAPSBANK_CONFIG"]
    app.config.setdefault("SESSION_COOKIE_SECURE", config.secure_cookies)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", config.secure_cookies)
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)  # a working day on one form
    manager = LoginManager()
    manager.user_loader(_load_user)
    manager.unauthorized_handler(_unauthorized)
    manager.init_app(app)
    csrf.init_app(app)
    app.register_error_handler(CSRFError, _csrf_error)
    app.before_request(_require_login_for_reading)
    app.register_blueprint(bp)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no //) is followed after sign-in."""
    target = (target or "").strip()
    parts = urlsplit(target)
    if (not target.startswith("/") or target.startswith("//") or "\\" in target
            or parts.scheme or parts.netloc):
        return url_for("search.index")
    return target


@bp.route("/logga-in", methods=["GET", "POST"])
def login():
    next_url = request.values.get("nasta", "")
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(_safe_next(next_url))
        return render_template("login.html", nasta=next_url, username="", error=None,
                               notice=LOGIN_REQUIRED_SV if next_url else None)
    username = request.form.get("username", "").strip()[:200]
    password = request.form.get("password", "")
    ip = request.remote_addr or "?"
    store = users()
    if not username or not password:
        return render_template("login.html", nasta=next_url, username=username,
                               error="Fyll i både användarnamn och lösenord.",
                               ), 400
    if store.locked_out(username, ip):
        log.warning("sign-in refused for %r from %s: too many failures", username, ip)
        return render_template(
            "login.html", nasta=next_url, username=username,
            error=f"För många misslyckade inloggningsförsök. Vänta {FAILURE_WINDOW_S // 60} "
                  "minuter och försök igen, eller be en administratör om ett nytt lösenord."), 429
    user = store.authenticate(username, password[:MAX_PASSWORD_LENGTH + 1])
    if user is None:
        store.record_failure(username, ip)
        log.warning("failed sign-in for %r from %s", username, ip)
        return render_template("login.html", nasta=next_url, username=username,
                               error="Fel användarnamn eller lösenord."), 401
    store.clear_failures(username, ip)
    login_user(StaffUser(user))
    log.info("user %s signed in from %s", user.username, ip)
    return redirect(_safe_next(next_url), code=303)


@bp.post("/logga-ut")
def logout():
    if current_user.is_authenticated:
        log.info("user %s signed out", current_user.username)
    logout_user()
    return redirect(url_for("search.index"), code=303)
