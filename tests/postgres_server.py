"""A throw-away PostgreSQL server on loopback, for the tests of the postgres engine.

:func:`start` runs Debian's ``initdb`` and ``pg_ctl`` (``/usr/lib/postgresql/<version>/bin``)
on a fresh data directory in a new temporary directory, listening on 127.0.0.1 at a free
port only, with password (SCRAM) authentication for TCP so that the tests exercise a real
password. PostgreSQL refuses to run as root; as root (CI) the server runs as the system
user ``postgres`` that Debian's package creates, and the temporary directory is handed to
it. Durability is switched off (``fsync``, ``synchronous_commit``, ``full_page_writes``):
nothing here outlives the test session.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

USER = "clientlens"
PASSWORD = "s3cret-pw"
SERVER_USER = "postgres"
"""The unprivileged account the server runs under when the tests run as root."""


def bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin directory, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def missing() -> list[str]:
    """What is needed and absent, each with how to install it; [] when a server can start."""
    out = []
    if bin_dir() is None:
        out.append(
            "PostgreSQL's initdb and pg_ctl (no /usr/lib/postgresql/*/bin/initdb): install it "
            "with scripts/system-deps (apt-get install postgresql)"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            out.append(
                f"the system user {SERVER_USER!r} to run the server as (PostgreSQL refuses "
                "root): apt-get install postgresql creates it"
            )
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        out.append(f"the Python package 'psycopg' ({exc}): pip install 'clientlens[postgres]'")
    return out


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running server; :meth:`stop` ends it and removes its directory."""

    root: Path
    port: int
    bin: Path
    _as: dict[str, Any] = field(default_factory=dict)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres", *, password: str = PASSWORD) -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> Any:
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True)

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its name."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with self.connect() as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return name

    def _run(self, *args: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(a) for a in args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=self.root,
            **self._as,
        )

    def stop(self) -> None:
        """End the server (its postmaster by pid should pg_ctl fail), then remove its files."""
        done = self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        pid_file = self.data / "postmaster.pid"
        if done.returncode != 0 and pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError, OSError):
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGQUIT)
        shutil.rmtree(self.root, ignore_errors=True)


def start() -> Server:
    """Initialise and start a server; raises RuntimeError with the server's log on failure."""
    found = bin_dir()
    if found is None:
        raise RuntimeError(missing()[0])
    # Not under pytest's tmp_path: that is private to root, and the server user must
    # reach its data directory.
    root = Path(tempfile.mkdtemp(prefix="clientlens-pg-"))
    run_as: dict[str, Any] = {}
    if os.geteuid() == 0:
        account = pwd.getpwnam(SERVER_USER)
        os.chown(root, account.pw_uid, account.pw_gid)
        run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    server = Server(root, _free_port(), found, run_as)
    pwfile = root / "pwfile"
    pwfile.write_text(PASSWORD + "\n", encoding="utf-8")
    if run_as:
        os.chown(pwfile, run_as["user"], run_as["group"])
    steps = [
        (
            found / "initdb",
            "-D",
            server.data,
            "-U",
            USER,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
        ),
        (
            found / "pg_ctl",
            "-D",
            server.data,
            "-l",
            root / "server.log",
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {server.port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50 "
            "-c TimeZone=UTC",
            "start",
        ),
    ]
    for step in steps:
        done = server._run(*step)
        if done.returncode != 0:
            log = root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(
                f"{Path(step[0]).name} failed ({done.returncode}): {done.stderr.strip()} {tail}"
            )
    return server
