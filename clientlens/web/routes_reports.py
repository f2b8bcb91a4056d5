"""Reports: generate in the background (form and API), follow progress, list, download.
Downloads are audited and resolved inside the workspace's reports directory only."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from clientlens.web.auth import Principal, client_address, csrf_protect, current_principal
from clientlens.web.deps import page_context
from clientlens.web.reports import FORMATS
from clientlens.web.routes_pages import render

router = APIRouter()


class ReportRequest(BaseModel):
    lang: str = "zh"
    period: str | None = None
    formats: list[str] = ["html", "xlsx"]


def _start(
    request: Request, principal: Principal, lang: str, period: str | None, formats: list[str]
) -> Any:
    from clientlens.errors import ConfigError

    if lang not in ("zh", "en"):
        raise ConfigError(f"lang {lang!r}: zh or en.")
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ConfigError(f"formats {formats}: choose from {', '.join(FORMATS)}.")
    return request.app.state.web.reports.start(
        lang=lang, period=period or None, formats=formats, user=principal.user.username
    )


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def reports_page(
    request: Request, principal: Annotated[Principal, Depends(current_principal)]
) -> Response:
    ctx = page_context(request, principal)
    return render(
        request, ctx, "reports.html", jobs=request.app.state.web.reports.list(), formats=FORMATS
    )


@router.post("/reports", include_in_schema=False, dependencies=[Depends(csrf_protect)])
async def reports_submit(
    request: Request, principal: Annotated[Principal, Depends(current_principal)]
) -> Response:
    form = await request.form()
    formats = [str(f) for f in form.getlist("formats")]
    _start(
        request,
        principal,
        str(form.get("report_lang", "zh")),
        str(form.get("period") or "") or None,
        formats,
    )
    return RedirectResponse("/reports", status_code=303)


@router.get("/api/v1/reports", tags=["reports"])
def list_reports(
    request: Request, principal: Annotated[Principal, Depends(current_principal)]
) -> dict[str, Any]:
    return {"reports": [asdict(j) for j in request.app.state.web.reports.list()]}


@router.post(
    "/api/v1/reports", tags=["reports"], status_code=202, dependencies=[Depends(csrf_protect)]
)
def create_report(
    request: Request,
    body: ReportRequest,
    principal: Annotated[Principal, Depends(current_principal)],
) -> Any:
    job = _start(request, principal, body.lang, body.period, body.formats)
    return JSONResponse(asdict(job), status_code=202)


@router.get("/api/v1/reports/{job_id}", tags=["reports"])
def report_status(
    request: Request, job_id: str, principal: Annotated[Principal, Depends(current_principal)]
) -> Any:
    job = request.app.state.web.reports.get(job_id)
    if job is None:
        return JSONResponse({"error": "not_found", "message": "No such report."}, status_code=404)
    return asdict(job)


@router.get("/reports/{job_id}/{name}", tags=["reports"])
def download(
    request: Request,
    job_id: str,
    name: str,
    principal: Annotated[Principal, Depends(current_principal)],
) -> Response:
    """A file of a finished report (inside the workspace's reports directory only)."""
    web = request.app.state.web
    path = web.reports.file(job_id, name)
    if path is None:
        return JSONResponse(
            {"error": "not_found", "message": "No such report file."}, status_code=404
        )
    web.users.audit(
        "report_download", principal.user.username, client_address(request), job=job_id, file=name
    )
    return FileResponse(path, filename=name)
