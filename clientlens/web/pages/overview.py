"""Overview: the month's KPI cards with 环比 / 同比 (``kpis``) and the written findings
of the report's overview section."""

from __future__ import annotations

from typing import Any

from clientlens.web.pages.base import Page, PageContext

CARDS = (
    "revenue",
    "orders",
    "active_customers",
    "new_customers",
    "aov",
    "repeat_rate",
    "churn_rate",
    "nps",
)


def cards(ctx: PageContext) -> dict[str, Any]:
    """The KPI rows of the month (the date filter's end, else the latest month)."""
    if not ctx.has("kpis"):
        return {"cards": []}
    t = ctx.results.table("kpis")
    if ctx.filters.end is not None:
        month = ctx.filters.end.strftime("%Y-%m")
        t = t.filter(t.period_label == month)
    else:
        t = t.filter(t.is_latest)
    t = t.filter(t.kpi.isin(CARDS))
    from clientlens.web.customers import records

    rows = records(t.to_pandas())
    rows.sort(key=lambda r: CARDS.index(r["kpi"]))
    return {"cards": rows}


PAGE = Page(
    key="overview",
    api="kpis",
    sections=("overview",),
    tables={"kpis": "period", "customer_base": None},
    extra=cards,
)
