"""Login and logout: the form (``/login``) and the API (``POST /api/v1/session``).

Failed logins are counted per user name and address (:class:`~clientlens.web.auth.Throttle`)
and audited, as are successful ones.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from clientlens.web.app import HERE, LANG_COOKIE, language, t
from clientlens.web.auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    CsrfFailed,
    Principal,
    client_address,
    csrf_protect,
    current_principal,
)
from clientlens.web.users import User

router = APIRouter()


class Credentials(BaseModel):
    username: str
    password: str


class SessionOut(BaseModel):
    username: str
    role: str
    csrf_token: str


def safe_next(target: str | None) -> str:
    """A local path to go to after login (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/overview"
    return target


def _login(request: Request, username: str, password: str) -> User | None:
    web = request.app.state.web
    address = client_address(request)
    web.throttle.check(username, address)
    user = web.users.verify(username, password)
    if user is None:
        web.throttle.failed(username, address)
        web.users.audit("login_failed", username[:64], address)
        return None
    web.throttle.succeeded(username, address)
    web.users.audit("login", user.username, address)
    return user


def _set_session(request: Request, response: Response, user: User) -> str:
    web = request.app.state.web
    value, csrf = web.sessions.issue(user)
    response.set_cookie(SESSION_COOKIE, value, **web.sessions.cookie_args())
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return csrf


def _login_page(
    request: Request, *, error: str = "", status: int = 200, next_: str = "/overview"
) -> Response:
    web = request.app.state.web
    lang = language(request)
    token, cookie = web.sessions.login_token()
    style = (HERE / "static" / "app.css").read_text(encoding="utf-8")  # no session: inlined
    response = web.templates.TemplateResponse(
        request,
        "login.html",
        {
            "lang": lang,
            "t": lambda k, **p: t(lang, k, **p),
            "token": token,
            "error": error,
            "next": next_,
            "style": style,
        },
        status_code=status,
    )
    response.set_cookie(LOGIN_COOKIE, cookie, **{**web.sessions.cookie_args(), "max_age": 3600})
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, next_=safe_next(next))


@router.post("/login", include_in_schema=False)
def login_submit(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/overview"),
) -> Response:
    web = request.app.state.web
    if not web.sessions.login_token_ok(request.cookies.get(LOGIN_COOKIE), csrf_token):
        raise CsrfFailed()
    user = _login(request, username, password)
    if user is None:
        return _login_page(
            request,
            error=t(language(request), "web.login.failed"),
            status=401,
            next_=safe_next(next),
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    _set_session(request, response, user)
    return response


@router.post("/logout", include_in_schema=False, dependencies=[Depends(csrf_protect)])
def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/api/v1/session", response_model=SessionOut, tags=["session"])
def api_login(request: Request, body: Credentials) -> Any:
    """Log in: sets the session cookie; send ``csrf_token`` as ``X-CSRF-Token`` on unsafe calls."""
    user = _login(request, body.username, body.password)
    if user is None:
        return JSONResponse(
            {"error": "login_failed", "message": t(language(request), "web.login.failed")},
            status_code=401,
        )
    response = JSONResponse({})
    csrf = _set_session(request, response, user)
    response.body = response.render(
        {"username": user.username, "role": user.role, "csrf_token": csrf}
    )
    response.headers["content-length"] = str(len(response.body))
    return response


@router.get("/api/v1/session", response_model=SessionOut, tags=["session"])
def api_whoami(principal: Annotated[Principal, Depends(current_principal)]) -> Any:
    return {
        "username": principal.user.username,
        "role": principal.role,
        "csrf_token": principal.csrf,
    }


@router.delete("/api/v1/session", tags=["session"], dependencies=[Depends(csrf_protect)])
def api_logout() -> Response:
    response = JSONResponse({"status": "logged out"})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}", include_in_schema=False, dependencies=[Depends(current_principal)])
def set_language(request: Request, code: str, next: str | None = None) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    remember_language(response, code)
    return response


def remember_language(response: Response, code: str | None) -> None:
    """Keep ``code`` (zh or en) as the reader's language in the language cookie."""
    if code in ("zh", "en"):
        response.set_cookie(
            LANG_COOKIE, code, httponly=True, samesite="strict", max_age=365 * 86400, path="/"
        )
