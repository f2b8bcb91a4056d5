"""Data: what the results were computed from: imports with their rejected rows (the
snapshot of the import log), data quality and coverage, and the analysis runs."""

from __future__ import annotations

from typing import Any

from clientlens.web.pages.base import Page, PageContext

SHOWN_REJECTS = 200


def data_extra(ctx: PageContext) -> dict[str, Any]:
    from clientlens.web.customers import records

    out: dict[str, Any] = {
        "catalog": records(ctx.results.catalog()),
        "runs": records(ctx.results.runs()),
    }
    quality = (
        records(ctx.results.table("data_quality").to_pandas()) if ctx.has("data_quality") else []
    )
    out["quality"] = quality[0] if quality else {}
    imports = ctx.data.snapshot_table("imports")
    out["imports"] = records(imports.to_pandas()) if imports is not None else []
    rejects = ctx.data.snapshot_table("rejects")
    if rejects is None:
        out["rejects"] = []
    else:
        if ctx.masked:  # a rejected cell may be a phone number or a name
            rejects = rejects.drop("value")
        out["rejects"] = records(rejects.limit(SHOWN_REJECTS).to_pandas())
    return out


PAGE = Page(
    key="data",
    api="data",
    tables={"data_quality": None, "data_coverage": None},
    extra=data_extra,
)
