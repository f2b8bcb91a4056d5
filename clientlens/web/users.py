"""Dashboard users and the audit log, in ``<workspace>/web/users.sqlite``.

Why SQLite and not the workspace's DuckDB file: DuckDB lets one process write a file
only while no other process has it open, so a dashboard holding the workspace file
would lock out every ``import`` and ``analyze`` (docs/architecture.md). Logins and audit
rows are tiny and written by the dashboard alone, so they get their own file, which
SQLite lets the server's threads and the ``clientlens user`` command share (WAL mode).

Passwords are stored as argon2id hashes (``argon2-cffi``'s defaults), never as text.

>>> import tempfile, pathlib
>>> store = UserStore(pathlib.Path(tempfile.mkdtemp()))
>>> store.add("ana", "analyst", "a long password")
>>> store.verify("ana", "a long password").role, store.verify("ana", "wrong")
('analyst', None)
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clientlens.errors import ConfigError, require

ROLES = ("admin", "analyst", "viewer")
"""admin manages users and reads the audit log; analyst sees everything else; viewer sees
personal data masked everywhere."""
WEB_DIR = "web"
USERS_FILE = "users.sqlite"
MIN_PASSWORD = 8
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    generation INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    username TEXT,
    action TEXT NOT NULL,
    address TEXT,
    detail TEXT
);
"""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    generation: int
    """Raised by every password change: sessions issued before it stop working."""
    created_at: str = ""


def _hasher() -> Any:
    argon2 = require("argon2", extra="web", feature="Dashboard logins")
    return argon2.PasswordHasher()


def check_name(username: str) -> str:
    if not _NAME.match(username):
        raise ConfigError(
            f"User name {username!r}: use 1 to 64 letters, digits or . _ @ - (no spaces)."
        )
    return username


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ConfigError(f"--role {role!r}: choose admin, analyst or viewer.")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"The password is too short: use at least {MIN_PASSWORD} characters.")
    return password


class UserStore:
    """Users and audit rows of one workspace (``workspace/web/users.sqlite``)."""

    def __init__(self, workspace: Path):
        self.directory = Path(workspace) / WEB_DIR
        self.file = self.directory / USERS_FILE
        self._lock = threading.Lock()
        self._ready = False

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self.directory.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.file, timeout=10)
        try:
            if not self._ready:
                with self._lock:
                    con.execute("PRAGMA journal_mode=WAL")
                    con.executescript(_SCHEMA)
                    self.file.chmod(0o600)
                    self._ready = True
            with con:
                yield con
        finally:
            con.close()

    # -- users ----------------------------------------------------------------------------
    def add(self, username: str, role: str, password: str) -> None:
        check_name(username), check_role(role), check_password(password)
        digest = _hasher().hash(password)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._db() as con:
            try:
                con.execute(
                    "INSERT INTO users (username, role, password_hash, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    (username, role, digest, now),
                )
            except sqlite3.IntegrityError:
                raise ConfigError(
                    f"User {username!r} exists already; change the password with "
                    f"`clientlens user passwd {username}`."
                ) from None

    def remove(self, username: str) -> None:
        with self._db() as con:
            if con.execute("DELETE FROM users WHERE username = ?", (username,)).rowcount == 0:
                raise ConfigError(f"No user {username!r}; `clientlens user list` shows them.")

    def passwd(self, username: str, password: str) -> None:
        check_password(password)
        digest = _hasher().hash(password)
        with self._db() as con:
            changed = con.execute(
                "UPDATE users SET password_hash = ?, generation = generation + 1 "
                "WHERE username = ?",
                (digest, username),
            ).rowcount
            if changed == 0:
                raise ConfigError(f"No user {username!r}; `clientlens user list` shows them.")

    def list(self) -> list[User]:
        with self._db() as con:
            rows = con.execute(
                "SELECT username, role, generation, created_at FROM users ORDER BY username"
            ).fetchall()
        return [User(*row) for row in rows]

    def get(self, username: str) -> User | None:
        with self._db() as con:
            row = con.execute(
                "SELECT username, role, generation, created_at FROM users WHERE username = ?",
                (username,),
            ).fetchone()
        return User(*row) if row else None

    def verify(self, username: str, password: str) -> User | None:
        """The user when ``password`` is theirs, else None (unknown names cost a hash too,
        so the answer's timing does not tell which names exist)."""
        argon2 = require("argon2", extra="web", feature="Dashboard logins")
        with self._db() as con:
            row = con.execute(
                "SELECT username, role, generation, created_at, password_hash FROM users "
                "WHERE username = ?",
                (username,),
            ).fetchone()
        hasher = _hasher()
        if row is None:
            hasher.hash(password)
            return None
        try:
            hasher.verify(row[4], password)
        except argon2.exceptions.VerificationError:
            return None
        except argon2.exceptions.InvalidHashError:
            return None
        return User(*row[:4])

    # -- audit ----------------------------------------------------------------------------
    def audit(self, action: str, username: str | None, address: str | None, **detail: Any) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._db() as con:
            con.execute(
                "INSERT INTO audit (at, username, action, address, detail) VALUES (?, ?, ?, ?, ?)",
                (now, username, action, address, json.dumps(detail, ensure_ascii=False)),
            )

    def audit_log(
        self, *, limit: int = 100, offset: int = 0
    ) -> tuple[int, builtins.list[dict[str, Any]]]:
        with self._db() as con:
            total = int(con.execute("SELECT count(*) FROM audit").fetchone()[0])
            rows = con.execute(
                "SELECT id, at, username, action, address, detail FROM audit "
                "ORDER BY id DESC LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        keys = ("id", "at", "username", "action", "address", "detail")
        return total, [dict(zip(keys, row, strict=True)) for row in rows]
