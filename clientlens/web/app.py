"""The dashboard and JSON API: ``create_app(workspace)`` builds the FastAPI app.

Layout (FastAPI's "bigger applications"): one router per area (``routes_auth``,
``routes_pages``, ``routes_api``, ``routes_admin``, ``routes_reports``), sessions and
roles as dependencies (:mod:`clientlens.web.auth`), pages as small units
(:mod:`clientlens.web.pages`). Every route but ``GET /healthz`` and the login routes
needs a session. Errors become short JSON (API) or HTML (pages) answers with a status
code; no response ever carries a traceback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from clientlens.errors import ClientLensError, TableNotFoundError
from clientlens.text import LANGUAGES, catalog
from clientlens.web.auth import (
    CsrfFailed,
    Forbidden,
    LoginRequired,
    Sessions,
    Throttle,
    Throttled,
    secret_key,
)
from clientlens.web.data import WebData
from clientlens.web.filters import FilterError
from clientlens.web.reports import ReportJobs
from clientlens.web.subsets import SubsetBuilds
from clientlens.web.users import UserStore

HERE = Path(__file__).parent
LANG_COOKIE = "clientlens_lang"
log = logging.getLogger("clientlens.web")


@dataclass
class WebState:
    workspace: Path
    config: Any
    users: UserStore
    sessions: Sessions
    throttle: Throttle
    data: WebData
    reports: ReportJobs
    templates: Jinja2Templates
    subsets: SubsetBuilds


def language(request: Request) -> str:
    """The page language: ?lang=, else the language cookie, else the workspace's setting."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return str(candidate)
    lang = str(request.app.state.web.config.language)
    return lang if lang in LANGUAGES else "zh"


def t(lang: str, key: str, **params: Any) -> str:
    """Dashboard text ``key`` from the one catalog."""
    return catalog(lang)(key, **params)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def _error(
    request: Request, status: int, key: str, detail: str = "", headers: dict[str, str] | None = None
) -> Response:
    lang = language(request)
    message = t(lang, f"web.error.{key}")
    if _wants_json(request):
        body: dict[str, Any] = {"error": key, "message": message}
        if detail:
            body["detail"] = detail
        return JSONResponse(body, status_code=status, headers=headers)
    templates: Jinja2Templates = request.app.state.web.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {
            "lang": lang,
            "t": lambda k, **p: t(lang, k, **p),
            "message": message,
            "detail": detail,
            "status": status,
        },
        status_code=status,
        headers=headers,
    )


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if _wants_json(request):
            return _error(request, 401, "login")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _error(request, 403, "forbidden")

    @app.exception_handler(CsrfFailed)
    async def csrf(request: Request, exc: CsrfFailed) -> Response:
        return _error(request, 403, "csrf")

    @app.exception_handler(Throttled)
    async def throttled(request: Request, exc: Throttled) -> Response:
        return _error(request, 429, "throttled", headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(FilterError)
    async def bad_filter(request: Request, exc: FilterError) -> Response:
        return _error(request, 400, "filter", str(exc))

    @app.exception_handler(TableNotFoundError)
    async def not_found(request: Request, exc: TableNotFoundError) -> Response:
        return _error(request, 404, "no_results", str(exc))

    @app.exception_handler(ClientLensError)
    async def library_error(request: Request, exc: ClientLensError) -> Response:
        return _error(request, 409, "library", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        key = {404: "not_found", 405: "method"}.get(exc.status_code, "http")
        return _error(request, exc.status_code, key)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        where = "; ".join(
            ".".join(str(p) for p in e.get("loc", ())) + ": " + str(e.get("msg", ""))
            for e in exc.errors()
        )
        return _error(request, 422, "invalid", where)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return _error(request, 500, "internal")


def when(value: Any) -> Any:
    """An ISO date-time as a reader wants it: ``2024-06-03T00:00:00.000`` → ``2024-06-03``,
    ``2026-12-03T13:25:21.233`` → ``2026-12-03 13:25:21``; anything else unchanged."""
    text = str(value)
    if len(text) >= 19 and text[4] == "-" and text[10] == "T":
        day, time = text[:10], text[11:19]
        return day if time == "00:00:00" else f"{day} {time}"
    return value


def _templates() -> Jinja2Templates:
    import datetime as dt

    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["timestamp"] = lambda s: dt.datetime.fromtimestamp(int(s)).strftime(
        "%Y-%m-%d %H:%M"
    )
    templates.env.filters["when"] = when
    return templates


def create_app(workspace: str | Path, settings: dict[str, Any] | None = None) -> FastAPI:
    """The dashboard of the workspace at ``workspace``."""
    from clientlens.workspace import Workspace

    ws = Workspace(workspace, settings=settings)
    config = ws.config
    path = ws.path
    app = FastAPI(
        title="ClientLens API",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served at /api/v1/openapi.json behind a session (routes_api)
    )
    app.state.web = WebState(
        workspace=path,
        config=config,
        users=UserStore(path),
        sessions=Sessions(
            secret_key(path),
            hours=float(config.web_session_hours),
            secure=bool(config.web_secure_cookie),
        ),
        throttle=Throttle(int(config.web_login_attempts), float(config.web_lockout_minutes)),
        data=WebData(path, settings),
        reports=ReportJobs(path, settings),
        templates=_templates(),
        subsets=SubsetBuilds(path, settings),
    )
    _handlers(app)

    from clientlens.web import routes_admin, routes_api, routes_auth, routes_pages, routes_reports

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(routes_auth.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_reports.router)
    app.include_router(routes_api.router)
    app.include_router(routes_pages.router)
    return app


def route_table(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app answers, routers included (the security test walks it)."""
    from fastapi.routing import APIRoute

    out: list[tuple[str, str]] = []

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                out.extend((m, prefix + route.path) for m in sorted(route.methods or ()))
            elif hasattr(route, "original_router"):  # an included router (FastAPI >= 0.16x)
                walk(route.original_router.routes, prefix + route.include_context.prefix)

    walk(list(app.routes), "")
    return out
