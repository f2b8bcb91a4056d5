"""The dashboard's HTML pages: one route per page of :data:`~clientlens.web.pages.PAGES`,
the customer 360 page, the static assets and the API docs, each behind a session."""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clientlens.text import value_text
from clientlens.web.app import HERE, LANG_COOKIE, t
from clientlens.web.auth import Principal, current_principal
from clientlens.web.customers import customer_360, filter_values
from clientlens.web.deps import page_context
from clientlens.web.pages import PAGES
from clientlens.web.pages.base import Page, PageContext, cached
from clientlens.web.views import list_filters, page_data

router = APIRouter(include_in_schema=False)
_ASSET = re.compile(r"^[a-z0-9_-]{1,40}\.(css|js)$")
MEDIA = {"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"}


UNIT_KINDS = {
    "currency": "money",
    "count": "count",
    "ratio": "rate",
    "share": "rate",
    "score": "score",
}


def _segment_options(lang: str) -> list[tuple[str, str]]:
    from clientlens.analytics.segments.segments_catalog import SCHEMES
    from clientlens.text import catalog

    c = catalog(lang)
    return [
        (s.code, c.name(f"segment.{scheme}", s.code))
        for scheme, members in SCHEMES.items()
        for s in members
    ]


def subset_label(lang: str, values: dict[str, str]) -> str:
    """A subset in the reader's words: ``Segment: Champions · Region: Guangdong``."""
    names = dict(_segment_options(lang))
    kinds = {"region": "province", "channel": "acquisition_channel"}
    colon = "：" if lang == "zh" else ": "
    return " · ".join(
        t(lang, f"web.filters.{key}")
        + colon
        + str(
            names.get(value, value)
            if key == "segment"
            else value_text(lang, value, kind=kinds[key])
        )
        for key, value in values.items()
    )


def _meaning(lang: str, table: str, column: str) -> str:
    """What a result column means, in ``lang``, from the result contract."""
    from clientlens.analytics.registry import declared_columns

    col = declared_columns().get(table, {}).get(column)
    return column if col is None else str(col.zh if lang == "zh" else col.en)


def render(request: Request, ctx: PageContext, template: str, **values: Any) -> Response:
    """The page; a ``?lang=`` in its address becomes the reader's language for the next
    pages too (the filter form and the menu links do not repeat it)."""
    from clientlens.web.routes_auth import remember_language

    web = request.app.state.web
    response = web.templates.TemplateResponse(
        request, template, template_values(request, ctx, **values)
    )
    asked = request.query_params.get("lang")
    if asked is not None and asked != request.cookies.get(LANG_COOKIE):
        remember_language(response, asked)
    return response


def template_values(request: Request, ctx: PageContext, **values: Any) -> dict[str, Any]:
    from clientlens.analytics.churn.reasons import reason_text
    from clientlens.report.fmt import Formatter

    web = request.app.state.web
    lang = ctx.lang
    fmt = Formatter(lang, str(web.config.currency))

    def change(x: float | None) -> str:
        return "–" if x is None else ("+" if x > 0 else "") + fmt.pct(x, 1)

    return {
        "lang": lang,
        "t": lambda k, **p: t(lang, k, **p),
        "pages": [p for p in PAGES if available(p, ctx)],
        "principal": ctx.principal,
        "filters": ctx.filters,
        "path": request.url.path,
        "query": request.url.query,
        "observation_end": ctx.observation_end,
        "fmt": fmt,
        "change": change,
        "unit_kind": lambda unit: UNIT_KINDS.get(str(unit), "number"),
        "reason": lambda code, value: reason_text(lang, str(code), float(value or 0)),
        "segment_options": _segment_options(lang),
        "dv": lambda value, kind: value_text(lang, value, kind=kind),
        "meaning": lambda table, column: _meaning(lang, table, column),
        "subset_label": lambda values: subset_label(lang, dict(values)),
        "filter_values": lambda: filter_values(ctx.data),
        **values,
    }


def available(page: Page, ctx: PageContext) -> bool:
    return not page.needs_any or any(ctx.has(n) for n in page.needs_any)


@router.get("/")
def home(principal: Annotated[Principal, Depends(current_principal)]) -> Response:
    return RedirectResponse("/overview", status_code=303)


def page_body(request: Request, ctx: PageContext, page: Page) -> str:
    """A page's body HTML, rendered once per run, language, filters and masking (the
    frame around it, with the user's name and CSRF token, is rendered per request)."""
    key = (
        ctx.run_key(),
        "html",
        page.key,
        ctx.lang,
        ctx.filters,
        ctx.masked,
        ctx.data.has_snapshot(),
    )

    def build() -> str:
        data = page_data(page, ctx)
        listed = list_filters(page, ctx.filters) if page.customer_list is not None else None
        values = template_values(request, ctx, page=page, data=data, listed=listed)
        return str(request.app.state.web.templates.get_template("page_body.html").render(values))

    if ctx.pending:  # the build's progress changes with every request: not kept
        return build()
    return str(cached(key, build))


def _page_route(page: Page) -> Any:
    def view(request: Request, ctx: Annotated[PageContext, Depends(page_context)]) -> Response:
        if not ctx.results.exists:
            return render(request, ctx, "empty.html", page=page)
        return render(request, ctx, "shell.html", page=page, body=page_body(request, ctx, page))

    view.__name__ = f"page_{page.key}"
    return view


for _page in PAGES:
    router.add_api_route(
        f"/{_page.key}", _page_route(_page), methods=["GET"], response_class=HTMLResponse
    )


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(
    request: Request, customer_id: str, ctx: Annotated[PageContext, Depends(page_context)]
) -> Response:
    if not ctx.results.exists:
        return render(request, ctx, "empty.html", page=PAGES[1])
    data = customer_360(ctx.data, customer_id, masked=ctx.masked)
    if data is None:
        response = render(request, ctx, "customer.html", customer=None, customer_id=customer_id)
        response.status_code = 404
        return response
    return render(request, ctx, "customer.html", customer=data, customer_id=customer_id)


@cache
def _vega_bundle() -> str:
    from clientlens.report.charts import javascript_bundle

    return javascript_bundle()


@router.get("/static/{name}")
def asset(name: str, principal: Annotated[Principal, Depends(current_principal)]) -> Response:
    """The page's own script and style, and Vega / Vega-Lite / vega-embed from the
    installed vl-convert package (nothing from a CDN)."""
    headers = {"Cache-Control": "private, max-age=3600"}
    if name == "vega-bundle.js":
        return Response(_vega_bundle(), media_type=MEDIA["js"], headers=headers)
    path = HERE / "static" / name
    if not _ASSET.match(name) or not path.is_file():
        return Response(status_code=404)
    return Response(path.read_bytes(), media_type=MEDIA[name.rsplit(".", 1)[1]], headers=headers)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(
    request: Request, principal: Annotated[Principal, Depends(current_principal)]
) -> Response:
    """The OpenAPI contract rendered here, from the app's own schema (no CDN assets)."""
    ctx = page_context(request, principal)
    return render(request, ctx, "api_docs.html", schema=request.app.openapi())
