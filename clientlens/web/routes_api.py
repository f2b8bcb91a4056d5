"""The JSON API, ``/api/v1/...``: each page's data (the same reads as the page), the
customer list, one customer, and the customer export. Same filters as the pages."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from clientlens.web.auth import Principal, client_address, current_principal
from clientlens.web.customers import customer_360, customer_page, customer_table, sorted_table
from clientlens.web.deps import page_context
from clientlens.web.pages import PAGES
from clientlens.web.pages.base import Page, PageContext, cached
from clientlens.web.views import api_data, pending_data

router = APIRouter(prefix="/api/v1", tags=["data"])


def json_response(key: tuple[Any, ...], build: Any) -> Response:
    """``build()``'s JSON, serialised once per key (the key holds the run id): a big
    answer is not encoded again for every request."""
    body = cached(key, lambda: json.dumps(build(), ensure_ascii=False, default=str).encode())
    return Response(body, media_type="application/json")


def _key(ctx: PageContext, *parts: Any) -> tuple[Any, ...]:
    return (ctx.run_key(), "json", *parts, ctx.filters, ctx.masked, ctx.data.has_snapshot())


def _api_route(page: Page) -> Any:
    def view(ctx: Annotated[PageContext, Depends(page_context)]) -> Response:
        if ctx.pending:  # 202: the subset's analyses are being built; ask again
            body = json.dumps(pending_data(page, ctx), ensure_ascii=False, default=str)
            headers = {"Retry-After": "2"}
            return Response(body, status_code=202, media_type="application/json", headers=headers)
        return json_response(_key(ctx, "page", page.api), lambda: api_data(page, ctx))

    view.__name__ = f"api_{page.api}"
    view.__doc__ = f"Data of the {page.key} page: result tables {', '.join(page.tables) or '–'}."
    return view


for _page in PAGES:
    router.add_api_route(f"/{_page.api}", _api_route(_page), methods=["GET"])


@router.get("/customers")
def customers(ctx: Annotated[PageContext, Depends(page_context)]) -> Response:
    """The customer list: filters segment, region, channel, risk_band; sort, order, page."""
    return json_response(
        _key(ctx, "customer_list", ctx.page_size),
        lambda: customer_page(ctx.data, ctx.filters, masked=ctx.masked, size=ctx.page_size),
    )


@router.get("/customers/{customer_id}")
def customer(customer_id: str, ctx: Annotated[PageContext, Depends(page_context)]) -> Any:
    """One customer: profile, order timeline, RFM, CLV, churn risk, feedback, tickets."""
    data = customer_360(ctx.data, customer_id, masked=ctx.masked)
    if data is None:
        return JSONResponse(
            {"error": "not_found", "message": f"No customer {customer_id!r} in the results."},
            status_code=404,
        )
    return data


@router.get("/exports/customers.csv")
def export_customers(
    request: Request,
    background: BackgroundTasks,
    ctx: Annotated[PageContext, Depends(page_context)],
) -> Response:
    """The filtered customer list as CSV (personal data masked for viewers); audited."""
    table = sorted_table(customer_table(ctx.data, ctx.filters, masked=ctx.masked), ctx.filters)
    with tempfile.NamedTemporaryFile(prefix="clientlens-export-", suffix=".csv", delete=False) as f:
        path = Path(f.name)
    table.to_pandas().to_csv(path, index=False, encoding="utf-8-sig")
    web = request.app.state.web
    web.users.audit(
        "export",
        ctx.principal.user.username,
        client_address(request),
        table="customers",
        filters=ctx.filters.query(),
        masked=ctx.masked,
    )
    background.add_task(path.unlink, missing_ok=True)
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename="customers.csv")


@router.get("/openapi.json", include_in_schema=False)
def openapi(
    request: Request, principal: Annotated[Principal, Depends(current_principal)]
) -> dict[str, Any]:
    return dict(request.app.openapi())
