"""Admin routes: users and the audit log, as pages (``/admin/...``) and API
(``/api/v1/admin/...``); admins only (403 for every other role)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from clientlens.web.auth import Principal, client_address, csrf_protect, require_role
from clientlens.web.deps import page_context
from clientlens.web.routes_pages import render

admin = require_role("admin")
router = APIRouter()


class NewUser(BaseModel):
    username: str
    password: str
    role: str


@router.get("/api/v1/admin/users", tags=["admin"])
def list_users(request: Request, principal: Annotated[Principal, Depends(admin)]) -> dict[str, Any]:
    users = request.app.state.web.users.list()
    return {
        "users": [
            {"username": u.username, "role": u.role, "created_at": u.created_at} for u in users
        ]
    }


@router.post(
    "/api/v1/admin/users", tags=["admin"], status_code=201, dependencies=[Depends(csrf_protect)]
)
def add_user(
    request: Request, body: NewUser, principal: Annotated[Principal, Depends(admin)]
) -> Any:
    web = request.app.state.web
    web.users.add(body.username, body.role, body.password)
    web.users.audit(
        "user_added",
        principal.user.username,
        client_address(request),
        user=body.username,
        role=body.role,
    )
    return JSONResponse({"username": body.username, "role": body.role}, status_code=201)


@router.delete(
    "/api/v1/admin/users/{username}", tags=["admin"], dependencies=[Depends(csrf_protect)]
)
def remove_user(
    request: Request, username: str, principal: Annotated[Principal, Depends(admin)]
) -> dict[str, str]:
    web = request.app.state.web
    web.users.remove(username)
    web.users.audit("user_removed", principal.user.username, client_address(request), user=username)
    return {"removed": username}


@router.get("/api/v1/admin/audit", tags=["admin"])
def audit(
    request: Request, principal: Annotated[Principal, Depends(admin)], page: int = 1
) -> dict[str, Any]:
    size = 100
    total, rows = request.app.state.web.users.audit_log(
        limit=size, offset=(max(page, 1) - 1) * size
    )
    return {"total": total, "page": page, "page_size": size, "rows": rows}


@router.get("/admin/users", response_class=HTMLResponse, include_in_schema=False)
def users_page(request: Request, principal: Annotated[Principal, Depends(admin)]) -> Response:
    ctx = page_context(request, principal)
    return render(request, ctx, "admin_users.html", users=request.app.state.web.users.list())


@router.get("/admin/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request, principal: Annotated[Principal, Depends(admin)], page: int = 1
) -> Response:
    ctx = page_context(request, principal)
    total, rows = request.app.state.web.users.audit_log(limit=100, offset=(max(page, 1) - 1) * 100)
    return render(request, ctx, "admin_audit.html", total=total, rows=rows, page=page)
