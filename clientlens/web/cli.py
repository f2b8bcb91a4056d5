"""The dashboard's commands: ``clientlens user add|list|remove|passwd`` and
``clientlens serve``. Thin: parse, call :mod:`clientlens.web`, print. FastAPI and
uvicorn are imported inside ``serve`` only, so the CLI starts as fast as before."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

user_app = typer.Typer(help="Dashboard users: add, list, remove, passwd.", no_args_is_help=True)


def _cli() -> Any:
    from clientlens import cli

    return cli


def _store() -> Any:
    from clientlens.web.users import UserStore

    return UserStore(_cli()._workspace().path)


def _password(stdin: bool, name: str) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(
        typer.prompt(
            f"{_cli()._t('ask_password')} ({name})", hide_input=True, confirmation_prompt=True
        )
    )


@user_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name (letters, digits, . _ @ -).")],
    role: Annotated[str, typer.Option("--role", help="admin, analyst or viewer.")] = "viewer",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from standard input (one line) instead of a prompt.",
        ),
    ] = False,
) -> None:
    """Add a dashboard user; the password is asked (or read with --password-stdin)."""
    from clientlens.web.users import check_name, check_role

    check_name(name), check_role(role)
    _store().add(name, role, _password(password_stdin, name))
    _cli().console.print(_cli()._t("user_added", name=name, role=role))


@user_app.command("list")
def list_() -> None:
    """List the dashboard's users and their roles."""
    from rich.table import Table

    users = _store().list()
    if not users:
        _cli().console.print(_cli()._t("user_none"))
        return
    table = Table(header_style="bold")
    for col in ("user", "role", "created"):
        table.add_column(col)
    for u in users:
        table.add_row(u.username, u.role, u.created_at)
    _cli().console.print(table)


@user_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Remove a user; their sessions end at once."""
    _store().remove(name)
    _cli().console.print(_cli()._t("user_removed", name=name))


@user_app.command("passwd")
def passwd(
    name: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the new password from standard input.")
    ] = False,
) -> None:
    """Change a user's password; their sessions end at once."""
    store = _store()
    if store.get(name) is None:
        from clientlens.errors import ConfigError

        raise ConfigError(f"No user {name!r}; `clientlens user list` shows them.")
    store.passwd(name, _password(password_stdin, name))
    _cli().console.print(_cli()._t("user_passwd", name=name))


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
) -> None:
    """Serve the dashboard and JSON API of the workspace (reads published results only)."""
    from clientlens.errors import require

    uvicorn = require("uvicorn", extra="web", feature="The dashboard")
    require("fastapi", extra="web", feature="The dashboard")
    from clientlens.web.app import create_app

    ws = _cli()._workspace()
    app = create_app(ws.path)
    _cli().console.print(_cli()._t("serving", url=f"http://{host}:{port}/", path=ws.path))
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.command("serve")(serve)
