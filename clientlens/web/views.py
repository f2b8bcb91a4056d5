"""Page data, shared by a page and its API route: the result tables a page declares (date
range applied, one page of rows each), its extra data and its report sections."""

from __future__ import annotations

from typing import Any

from clientlens.web.customers import customer_page, records
from clientlens.web.filters import Filters, in_range
from clientlens.web.pages.base import Page, PageContext, cached
from clientlens.web.pages.sections import built_sections

API_PAGE_SIZE = 1000


def table_rows(
    ctx: PageContext, name: str, date_column: str | None, page: int
) -> dict[str, Any] | None:
    if not ctx.has(name):
        return None
    t = ctx.results.table(name)
    if date_column is not None and date_column in t.columns:
        t = in_range(t, date_column, ctx.filters)
    total = int(t.count().execute())
    rows = t.limit(API_PAGE_SIZE, offset=(page - 1) * API_PAGE_SIZE).to_pandas()
    return {"total": total, "page": page, "page_size": API_PAGE_SIZE, "rows": records(rows)}


def list_filters(page: Page, filters: Filters) -> Filters:
    """The page's fixed customer-list filters (win-back: high risk) over the request's."""
    fixed = dict(page.customer_list or {})
    if not fixed:
        return filters
    from dataclasses import replace

    changes: dict[str, Any] = {}
    if "risk_band" in fixed and filters.risk_band is None:
        changes["risk_band"] = fixed["risk_band"]
    if "sort" in fixed and filters.sort == "revenue":
        changes["sort"] = fixed["sort"]
    return replace(filters, **changes)


def api_data(page: Page, ctx: PageContext, *, tables: bool = True) -> dict[str, Any]:
    """A page's data for ``/api/v1/<api>`` (kept per run, filters and masking)."""
    snapshot = ctx.data.has_snapshot()
    key = (
        ctx.run_key(),
        "api",
        page.key,
        ctx.filters,
        ctx.masked,
        tables,
        ctx.page_size,
        snapshot,
    )
    return dict(cached(key, lambda: _api_data(page, ctx, tables=tables)))


def subset_state(ctx: PageContext) -> dict[str, Any] | None:
    """Where the filters' subset stands: None without one; ``status`` ready (with its run
    and customer count), else the background build's (queued, building, failed)."""
    subset = ctx.filters.subset
    if subset is None or ctx.subset_key is None:
        return None
    if ctx.pending:
        build = ctx.build()
        if build is None:
            return {"status": "failed", "error": "subsets are not built by this server"}
        return dict(build.as_dict(), subset=subset.as_dict())
    from clientlens.subsets import MEMBERS

    results = ctx.results
    count = cached((ctx.run_key(), "members"), lambda: results.row_count(MEMBERS))
    return {
        "status": "ready",
        "key": ctx.subset_key,
        "run_id": results.run_id,
        "customers": int(count),
        "subset": subset.as_dict(),
    }


def pending_data(page: Page, ctx: PageContext) -> dict[str, Any]:
    """A page's data while its subset is built: the build's state and the customer list
    (filtered in the engine from the latest run), nothing that needs the subset's run."""
    out: dict[str, Any] = {
        "run_id": None,
        "observation_end": str(ctx.observation_end),
        "filters": ctx.filters.as_dict(),
        "subset": subset_state(ctx),
        "tables": {},
    }
    if page.customer_list is not None and ctx.data.has("rfm_scores"):
        out["customers"] = customer_page(
            ctx.data, list_filters(page, ctx.filters), masked=ctx.masked, size=ctx.page_size
        )
    return out


def _api_data(page: Page, ctx: PageContext, *, tables: bool = True) -> dict[str, Any]:
    """A page's data for ``/api/v1/<api>``: declared result columns only (the HTML page
    leaves out the raw ``tables``: its sections show them)."""
    out: dict[str, Any] = {
        "run_id": ctx.results.run_id,
        "observation_end": str(ctx.observation_end),
        "filters": ctx.filters.as_dict(),
        "subset": subset_state(ctx),
        "tables": {},
    }
    for name, column in page.tables.items() if tables else ():
        rows = table_rows(ctx, name, column, ctx.filters.page)
        if rows is not None:
            out["tables"][name] = rows
    if page.extra is not None:
        out.update(page.extra(ctx))
    if page.customer_list is not None and ctx.data.has("rfm_scores"):
        out["customers"] = customer_page(
            ctx.data, list_filters(page, ctx.filters), masked=ctx.masked, size=ctx.page_size
        )
    return out


def page_data(page: Page, ctx: PageContext) -> dict[str, Any]:
    """A page's HTML data: its API data plus the sections' words, charts and drill map."""
    if ctx.pending:
        return dict(pending_data(page, ctx), sections=[], drill={})
    out = api_data(page, ctx, tables=False)
    out["sections"] = built_sections(ctx, page.sections)
    out["drill"] = page.drill(ctx) if page.drill is not None else {}
    return out
