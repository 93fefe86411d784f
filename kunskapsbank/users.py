"""Staff accounts in the catalog: usernames, scrypt password hashes, roles, and the record of
failed sign-ins that rate-limits guessing.

Roles: `fou` may upload, edit and delete documents; `admin` may also re-index and manage users
(an admin can do everything a `fou` user can).
"""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from werkzeug.security import check_password_hash, generate_password_hash

from .catalog import Catalog

ROLES = ("fou", "admin")
ROLE_NAMES_SV = {"fou": "FoU-personal", "admin": "administratör"}
# scrypt (werkzeug's default KDF: n=2**15, r=8, p=1); the parameters are stored in each hash,
# so they can be raised later without breaking existing accounts.
HASH_METHOD = "scrypt"
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # a KDF over megabytes of input is a denial of service
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{1,63}")
# Sign-in rate limit: this many failures for one username from one address within the window
# refuse further attempts until the oldest failure leaves the window.
MAX_FAILURES = 5
FAILURE_WINDOW_S = 15 * 60
# ... and one address guessing many usernames is stopped too
MAX_FAILURES_PER_ADDRESS = 50
# Checked against when the username is unknown, so that an unknown name costs as much time as a
# wrong password (no user enumeration by timing).
_DUMMY_HASH = generate_password_hash("no such user: timing equaliser", method=HASH_METHOD)


class UserError(ValueError):
    """Bad input for an account; `message_sv` is for the user, str() is English."""

    def __init__(self, message_sv: str, reason: str) -> None:
        super().__init__(reason)
        self.message_sv = message_sv


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    created_at: str
    password_changed_at: str
    password_hash: str = ""

    @property
    def session_token(self) -> str:
        """Changes when the password changes, so sessions made before a change end."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def has_role(self, *roles: str) -> bool:
        """True when the user may act in one of `roles`; admin implies every role."""
        return self.role == "admin" or self.role in roles


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def check_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME.fullmatch(username):
        raise UserError("Användarnamnet ska vara 2–64 tecken: bokstäver a–z, siffror och . _ @ -.",
                        f"invalid username: {username!r}")
    return username


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"Lösenordet måste vara minst {MIN_PASSWORD_LENGTH} tecken långt.",
                        f"password shorter than {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"Lösenordet får vara högst {MAX_PASSWORD_LENGTH} tecken långt.",
                        f"password longer than {MAX_PASSWORD_LENGTH} characters")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError("Rollen ska vara fou eller admin.", f"unknown role: {role!r}")
    return role


class Users:
    """The users and login_attempts tables of one catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    @property
    def db(self):
        return self.catalog.db

    def add(self, username: str, password: str, role: str) -> User:
        username = check_username(username)
        check_password(password)
        check_role(role)
        if self.get(username) is not None:
            raise UserError(f"Användaren {username} finns redan.", f"user exists: {username}")
        now = _now()
        with self.db:
            self.db.execute(
                "INSERT INTO users (username, password_hash, role, created_at,"
                " password_changed_at) VALUES (?, ?, ?, ?, ?)",
                (username, generate_password_hash(password, method=HASH_METHOD), role, now, now))
        return self.get(username)

    def remove(self, username: str) -> bool:
        with self.db:
            return self.db.execute("DELETE FROM users WHERE username=?",
                                   (username,)).rowcount > 0

    def set_password(self, username: str, password: str) -> bool:
        check_password(password)
        with self.db:
            return self.db.execute(
                "UPDATE users SET password_hash=?, password_changed_at=? WHERE username=?",
                (generate_password_hash(password, method=HASH_METHOD), _now(),
                 username)).rowcount > 0

    def set_role(self, username: str, role: str) -> bool:
        check_role(role)
        with self.db:
            return self.db.execute("UPDATE users SET role=? WHERE username=?",
                                   (role, username)).rowcount > 0

    def get(self, username: str) -> User | None:
        row = self.db.execute("SELECT * FROM users WHERE username=?", (username,)).fetchone()
        return User(**dict(row)) if row else None

    def get_by_id(self, user_id: int) -> User | None:
        row = self.db.execute("SELECT * FROM users WHERE id=?", (user_id,)).fetchone()
        return User(**dict(row)) if row else None

    def list(self) -> list[User]:
        return [User(**dict(r)) for r in
                self.db.execute("SELECT * FROM users ORDER BY username COLLATE NOCASE")]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user when the password is right, else None (same cost either way)."""
        user = self.get((username or "").strip()) if username else None
        if password is None or len(password) > MAX_PASSWORD_LENGTH:
            return None
        if user is None:
            check_password_hash(_DUMMY_HASH, password)
            return None
        return user if check_password_hash(user.password_hash, password) else None

    # -- rate limit --------------------------------------------------------------------------
    def failures(self, username: str, ip: str, now: float | None = None) -> int:
        now = time.time() if now is None else now
        return self.db.execute(
            "SELECT count(*) FROM login_attempts WHERE username=? AND ip=? AND at>?",
            ((username or "").strip(), ip, now - FAILURE_WINDOW_S)).fetchone()[0]

    def failures_from(self, ip: str, now: float | None = None) -> int:
        now = time.time() if now is None else now
        return self.db.execute("SELECT count(*) FROM login_attempts WHERE ip=? AND at>?",
                               (ip, now - FAILURE_WINDOW_S)).fetchone()[0]

    def locked_out(self, username: str, ip: str, now: float | None = None) -> bool:
        return (self.failures(username, ip, now) >= MAX_FAILURES
                or self.failures_from(ip, now) >= MAX_FAILURES_PER_ADDRESS)

    def record_failure(self, username: str, ip: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self.db:
            self.db.execute("INSERT INTO login_attempts (username, ip, at) VALUES (?, ?, ?)",
                            ((username or "").strip()[:200], ip, now))
            # failures older than the window no longer count: keep the table small
            self.db.execute("DELETE FROM login_attempts WHERE at<?", (now - FAILURE_WINDOW_S,))

    def clear_failures(self, username: str, ip: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM login_attempts WHERE username=? AND ip=?",
                            ((username or "").strip(), ip))
