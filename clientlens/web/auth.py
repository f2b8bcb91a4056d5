"""Logins, sessions, CSRF tokens, roles and the login throttle.

A session is a cookie signed with the workspace's secret (``web/secret.key``, created
once, readable by its owner only) by ``itsdangerous``: it names the user, the password
generation it was issued for (a password change or a removed user ends every session at
once) and the session's CSRF token. It is HTTP-only, SameSite=Strict, Secure (setting
``web_secure_cookie``) and expires after ``web_session_hours``.

Every form that changes something carries the CSRF token, and every unsafe API call
sends it as ``X-CSRF-Token``; the login form, before any session, carries a token from a
signed pre-login cookie instead.

Roles are dependencies (``Depends(require_role("admin"))``), never an ``if`` in a route.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from clientlens.web.users import WEB_DIR, User

SESSION_COOKIE = "clientlens_session"
LOGIN_COOKIE = "clientlens_login"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """No valid session: pages redirect to the login page, the API answers 401."""


class Forbidden(Exception):
    """A session whose role may not do this: 403."""


class CsrfFailed(Exception):
    """An unsafe request without the session's CSRF token: 403."""


class Throttled(Exception):
    """Too many failed logins: 429."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user and the session's CSRF token."""

    user: User
    csrf: str

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def masked(self) -> bool:
        """Viewers see personal data masked, everywhere."""
        return self.user.role != "admin" and self.user.role != "analyst"


def secret_key(workspace: Path) -> bytes:
    """The workspace's signing secret, created on first use (mode 0600)."""
    path = Path(workspace) / WEB_DIR / "secret.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(secrets.token_bytes(32))
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_bytes()


class Sessions:
    """Signs and reads session and pre-login cookies."""

    def __init__(self, key: bytes, *, hours: float, secure: bool):
        self._session = URLSafeTimedSerializer(key, salt="clientlens.session")
        self._login = URLSafeTimedSerializer(key, salt="clientlens.login")
        self.max_age = int(hours * 3600)
        self.secure = secure

    def issue(self, user: User) -> tuple[str, str]:
        """A new session cookie value for ``user`` and its CSRF token."""
        csrf = secrets.token_urlsafe(24)
        value = self._session.dumps({"u": user.username, "g": user.generation, "c": csrf})
        return value, csrf

    def read(self, value: str | None) -> dict[str, Any] | None:
        if not value:
            return None
        try:
            data = self._session.loads(value, max_age=self.max_age)
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None

    def login_token(self) -> tuple[str, str]:
        """A pre-login CSRF token and the cookie value that vouches for it."""
        token = secrets.token_urlsafe(24)
        return token, self._login.dumps(token)

    def login_token_ok(self, cookie: str | None, token: str | None) -> bool:
        if not cookie or not token:
            return False
        try:
            expected = self._login.loads(cookie, max_age=3600)
        except BadSignature:
            return False
        return isinstance(expected, str) and secrets.compare_digest(expected, token)

    def cookie_args(self) -> dict[str, Any]:
        return {
            "httponly": True,
            "samesite": "strict",
            "secure": self.secure,
            "max_age": self.max_age,
            "path": "/",
        }


class Throttle:
    """Counts failed logins per (user name, address) in a sliding window."""

    def __init__(self, attempts: int, minutes: float):
        self.attempts = max(1, attempts)
        self.window = minutes * 60
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def check(self, username: str, address: str) -> None:
        """Raise :class:`Throttled` while this name and address are locked out."""
        now = time.monotonic()
        with self._lock:
            times = self._recent((username.lower(), address), now)
            if len(times) >= self.attempts:
                raise Throttled(int(self.window - (now - times[0])) + 1)

    def failed(self, username: str, address: str) -> None:
        with self._lock:
            self._failures[(username.lower(), address)].append(time.monotonic())

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username.lower(), address), None)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def current_principal(request: Request) -> Principal:
    """The logged-in user of this request; :class:`LoginRequired` without a valid session."""
    web = request.app.state.web
    data = web.sessions.read(request.cookies.get(SESSION_COOKIE))
    if data is None:
        raise LoginRequired()
    user = web.users.get(str(data.get("u", "")))
    if user is None or user.generation != data.get("g"):
        raise LoginRequired()
    principal = Principal(user=user, csrf=str(data.get("c", "")))
    request.state.principal = principal
    return principal


async def csrf_protect(
    request: Request, principal: Annotated[Principal, Depends(current_principal)]
) -> None:
    """Unsafe methods must carry the session's CSRF token (header or form field)."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        field = form.get(CSRF_FIELD)
        token = field if isinstance(field, str) else None
    if not token or not secrets.compare_digest(token, principal.csrf):
        raise CsrfFailed()


def require_role(*roles: str) -> Any:
    """A dependency that admits the given roles only (403 for the others)."""

    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            raise Forbidden()
        return principal

    return check
