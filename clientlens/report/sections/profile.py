"""客户概况 / Customer profile: who the customers are, and which groups bring more than
their share.

Reads ``profile_distribution`` (per ``dimension`` and ``group``: ``group_order``,
``customers``, ``customer_share``, ``revenue``, ``revenue_share``, ``aov``,
``repeat_rate``) and, when present, ``profile_new_customers`` (``month``,
``new_customers``, ``cumulative_customers``).

The finding is the standout group of ``profile_revenue_index``: the group whose revenue
share most exceeds its customer share (revenue index = revenue share / customer share)
among known groups of 5% to under 50% of customers, when its index reaches 1.1.
"""

from __future__ import annotations

import pandas as pd

from clientlens.report import charts
from clientlens.report.context import ReportContext
from clientlens.report.insights import Fact, Finding, Source
from clientlens.report.sections.base import Chart, Section, SectionResult, Sheet

TABLE = "profile_distribution"
INDEX = "profile_revenue_index"
NEW = "profile_new_customers"
NEEDS = {
    TABLE: (
        "dimension",
        "group",
        "group_order",
        "customers",
        "customer_share",
        "revenue",
        "revenue_share",
        "aov",
        "repeat_rate",
    ),
    INDEX: (
        "dimension",
        "group",
        "customer_share",
        "revenue_share",
        "dimension_customers",
        "revenue_index",
        "excess_revenue",
        "standout",
    ),
}
CHARTED = ("age_band", "gender", "province", "acquisition_channel")
TOP_GROUPS = 10
UNKNOWN = "unknown"


def _group_name(ctx: ReportContext, dimension: str, group: str) -> str:
    """Gender codes and 'unknown' in the report's language; other groups are data values
    (English for known Chinese ones in an English report)."""
    key = f"group.{group}"
    if group in {"female", "male", UNKNOWN}:
        return ctx.t(key)
    return str(ctx.data_value(group, kind=dimension))


def _standout(ctx: ReportContext, index: pd.DataFrame) -> Finding | None:
    picked = index[index["standout"].astype(bool)]
    if picked.empty:
        return None
    best = picked.iloc[0]
    where = {"dimension": best["dimension"], "group": best["group"]}
    facts = [
        Fact(
            "profile.customer_share",
            float(best["customer_share"]),
            "rate",
            Source(INDEX, "customer_share", where),
        ),
        Fact(
            "profile.revenue_share",
            float(best["revenue_share"]),
            "rate",
            Source(INDEX, "revenue_share", where),
        ),
    ]
    return Finding(
        "profile.standout",
        "profile",
        facts,
        {
            "dimension": ctx.t(f"dimension.{best['dimension']}"),
            "group": _group_name(ctx, str(best["dimension"]), str(best["group"])),
            "customer_share": (float(best["customer_share"]), "rate"),
            "revenue_share": (float(best["revenue_share"]), "rate"),
            "index": ctx.fmt.number(float(best["revenue_index"]), 2),
        },
        # The revenue the group brings beyond its headcount share, per year.
        impact=float(best["excess_revenue"]) / ctx.history_years,
        tone="neutral",
    )


def _chart(ctx: ReportContext, frame: pd.DataFrame, dimension: str) -> Chart | None:
    rows = frame[frame["dimension"] == dimension]
    if rows["group"].nunique() < 2:
        return None
    if dimension in {"province", "city"}:
        rows = rows.sort_values("customers", ascending=False).head(TOP_GROUPS)
    else:
        rows = rows.sort_values("group_order")
    shown = pd.DataFrame(
        {
            "group": [_group_name(ctx, dimension, g) for g in rows["group"]],
            "customer_share": rows["customer_share"].to_numpy(),
        }
    )
    return Chart(
        f"profile_{dimension}",
        ctx.t("profile.chart", dimension=ctx.t(f"dimension.{dimension}")),
        charts.bar(
            shown,
            "group",
            "customer_share",
            "",
            ctx.t("value.customer_share"),
            lang=ctx.lang,
            kind="rate",
            horizontal=dimension in {"province", "occupation", "city", "acquisition_channel"},
        ),
    )


def build(ctx: ReportContext) -> SectionResult | None:
    frame = ctx.frame(TABLE, NEEDS[TABLE])
    if frame.empty:
        return None
    result = SectionResult("profile", ctx.t("section.profile"))
    dims = [d for d in CHARTED if d in set(frame["dimension"])]
    index = ctx.frame(INDEX, NEEDS[INDEX])
    first = index[index["dimension"] == frame["dimension"].iloc[0]]
    customers = (float(first["dimension_customers"].iloc[0]), "count")
    if dims:
        dimensions = ctx.t("list_sep").join(ctx.t(f"dimension.{d}") for d in dims)
        result.paragraphs.append(
            ctx.t("profile.overview", customers=customers, dimensions=dimensions)
        )
    else:  # orders alone: no attribute to describe the customers by
        result.paragraphs.append(ctx.t("profile.overview_no_dimensions", customers=customers))
    finding = _standout(ctx, index)
    if finding is not None:
        result.findings.append(finding)
    for dim in dims:
        chart = _chart(ctx, frame, dim)
        if chart is not None:
            result.charts.append(chart)
    if ctx.has(NEW, "month", "new_customers"):
        new = ctx.frame(NEW, ("month", "new_customers"))
        new = new[new["month"] <= ctx.period].tail(24)
        if len(new) >= 3:
            result.charts.append(
                Chart(
                    "new_customers",
                    ctx.t("profile.chart.new"),
                    charts.bar(
                        new,
                        "month",
                        "new_customers",
                        ctx.t("axis.month"),
                        ctx.t("kpi.new_customers"),
                        lang=ctx.lang,
                        label_angle=-45,
                    ),
                )
            )
    result.sheets[ctx.t("sheet.profile")] = _sheet(ctx, frame)
    return result


def _sheet(ctx: ReportContext, frame: pd.DataFrame) -> Sheet:
    """Every dimension's groups in words, in their listed order (dimensions as the table
    gives them)."""
    dims = list(dict.fromkeys(frame["dimension"]))
    out = frame.assign(_dim=frame["dimension"].map(dims.index))
    out = out.sort_values(["_dim", "group_order"], kind="stable").reset_index(drop=True)
    out["group"] = [
        _group_name(ctx, d, g) for d, g in zip(out["dimension"], out["group"], strict=True)
    ]
    named = {d: ctx.t(f"dimension.{d}") for d in dims}  # "age band": a sheet's cell starts upper
    out["dimension"] = [named[d][:1].upper() + named[d][1:] for d in out["dimension"]]
    return Sheet(TABLE, out.drop(columns=["_dim", "group_order"]))


SECTION = Section("profile", NEEDS, build)
