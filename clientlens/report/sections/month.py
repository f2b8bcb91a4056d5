"""The month explained and the KPIs against their targets, for the business overview.

Reads ``revenue_bridge`` (why revenue moved: active customers × orders per customer ×
order value, new and returning customers, the seasonal context) and ``kpi_targets``
(each KPI against its monthly target), both optional: the overview works without them.

After a seasonal peak (``after_peak``: last month was the highest of its twelve and well
above their mean) a fall from it is the season's, so the revenue finding leads with the
year-on-year change and says why, and compares the fall with last year's after the same
peak. Targets give findings of their own (a gap to the target is a finding like a change),
and the KPI table gains target columns; without targets the section says none are set.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from clientlens.report import charts
from clientlens.report.context import ReportContext
from clientlens.report.insights import Fact, Finding, Source
from clientlens.report.sections.base import Chart, SectionResult

BRIDGE = "revenue_bridge"
BRIDGE_COLUMNS = (
    "period_label",
    "is_complete",
    "comparison",
    "base_period_label",
    "revenue",
    "base_revenue",
    "change",
    "change_relative",
    "customers_effect",
    "frequency_effect",
    "aov_effect",
    "new_change",
    "returning_change",
    "after_peak",
    "last_year_change",
)
TARGETS = "kpi_targets"
TARGET_COLUMNS = ("period_label", "kpi", "value", "target", "gap", "gap_relative", "met")
EFFECTS = ("customers_effect", "frequency_effect", "aov_effect", "new_change", "returning_change")


def bridge_row(ctx: ReportContext, comparison: str) -> dict[str, Any] | None:
    """The bridge of the report month against ``comparison`` (mom / yoy), or None when the
    month is partial, has nothing to compare with, or the result is absent."""
    if not ctx.has(BRIDGE, *BRIDGE_COLUMNS) or ctx.partial_period:
        return None
    frame = ctx.frame(BRIDGE, BRIDGE_COLUMNS)
    rows = frame[(frame["period_label"] == ctx.period) & (frame["comparison"] == comparison)]
    if rows.empty or pd.isna(rows["base_revenue"].iloc[0]) or not bool(rows["is_complete"].iloc[0]):
        return None
    return dict(rows.iloc[0])


def signed_money(ctx: ReportContext, value: Any) -> str:
    if value is None or pd.isna(value):
        return "—"
    return ("+" if value > 0 else "−" if value < 0 else "") + ctx.fmt.money(abs(float(value)))


def _direction_text(ctx: ReportContext, relative: Any, base: str) -> str:
    """``down 11.0% month over month`` / ``同比上升 44.9%``."""
    if relative is None or pd.isna(relative) or relative == 0:
        return ctx.t(f"change.{base}.flat")
    word = "up" if relative > 0 else "down"
    return ctx.t(f"change.{base}.{word}", size=ctx.fmt.pct(abs(float(relative))))


def after_peak(ctx: ReportContext) -> dict[str, Any] | None:
    """The report month's mom and yoy bridge rows when last month was a seasonal peak."""
    mom, yoy = bridge_row(ctx, "mom"), bridge_row(ctx, "yoy")
    if mom is None or yoy is None or not bool(mom["after_peak"]):
        return None
    return {"mom": mom, "yoy": yoy}


def target_clause(ctx: ReportContext, row: pd.Series | None, kind: str) -> str:
    """``; target ¥2.20M (5.5% below): missed`` for a KPI finding; empty without a target."""
    if row is None or pd.isna(row["gap"]):
        return ""
    met = ctx.t("target.met" if bool(row["met"]) else "target.missed")
    return ctx.t("target.clause", target=target_text(ctx, row, kind), met=met)


def peak_finding(
    ctx: ReportContext, rows: dict[str, Any], impact: float, target: str = ""
) -> Finding:
    """The month's revenue after a seasonal peak: year on year first, and why."""
    mom, yoy = rows["mom"], rows["yoy"]
    fact = Fact(
        "kpi.revenue",
        float(yoy["revenue"]),
        "money",
        Source(BRIDGE, "revenue", {"period_label": ctx.period, "comparison": "yoy"}),
        previous=float(mom["base_revenue"]),
        last_year=float(yoy["base_revenue"]),
    )
    ly = mom["last_year_change"]
    return Finding(
        "bridge.after_peak" if not pd.isna(ly) else "bridge.after_peak_alone",
        "overview",
        [fact],
        {
            "value": (fact.value, "money"),
            "yoy": _direction_text(ctx, yoy["change_relative"], "yoy"),
            "peak": ctx.fmt.month(str(mom["base_period_label"])),
            "mom": ctx.fmt.pct(abs(float(mom["change_relative"]))),
            "mom_word": ctx.t("bridge.fell" if mom["change"] < 0 else "bridge.rose"),
            "last_year": ctx.fmt.pct(abs(float(ly))) if not pd.isna(ly) else "",
            "ly_word": ctx.t("bridge.fell" if not pd.isna(ly) and ly < 0 else "bridge.rose"),
            "target": target,
        },
        impact=impact,
        tone="good" if yoy["change"] >= 0 else "bad",
        pinned=True,
        compared=True,
    )


def explain(ctx: ReportContext, result: SectionResult) -> None:
    """The bridge of the month against last month (and last year): a finding, a
    paragraph for each comparison and a chart of the parts."""
    rows = {c: bridge_row(ctx, c) for c in ("mom", "yoy")}
    for comparison, row in rows.items():
        if row is None:
            continue
        params = {
            "base": ctx.fmt.month(str(row["base_period_label"])),
            "change": _direction_text(ctx, row["change_relative"], comparison),
            "from": ctx.fmt.money(float(row["base_revenue"])),
            "to": ctx.fmt.money(float(row["revenue"])),
            **{k.split("_")[0]: signed_money(ctx, row[k]) for k in EFFECTS},
        }
        fact = Fact(
            f"bridge.{comparison}",
            float(row["revenue"]),
            "money",
            Source(BRIDGE, "change", {"period_label": ctx.period, "comparison": comparison}),
            previous=float(row["base_revenue"]),
        )
        key = "bridge.why" if not pd.isna(row["customers_effect"]) else "bridge.why_split"
        finding = Finding(
            f"{key}.{comparison}",
            "overview",
            [fact],
            params,
            # the month's change, if it lasts, is worth twelve times as much in a year
            impact=12 * abs(float(row["change"])) * (1.0 if comparison == "mom" else 0.5),
            tone="good" if row["change"] >= 0 else "bad",
            headline=comparison == "mom",
            compared=True,
        )
        result.findings.append(finding)
    mom = rows["mom"]
    if mom is not None and not pd.isna(mom["customers_effect"]):
        parts = pd.DataFrame(
            {
                "part": [ctx.t(f"bridge.part.{k}") for k in EFFECTS[:3]],
                "value": [float(mom[k]) for k in EFFECTS[:3]],
            }
        )
        result.charts.append(
            Chart(
                "revenue_bridge",
                ctx.t("bridge.chart", base=ctx.fmt.month(str(mom["base_period_label"]))),
                charts.bar(
                    parts,
                    "part",
                    "value",
                    ctx.t("bridge.axis.part"),
                    ctx.t("bridge.axis.value"),
                    lang=ctx.lang,
                    kind="money",
                    symbol=ctx.fmt.symbol,
                    horizontal=True,
                ),
                caption=ctx.t("bridge.caption"),
            )
        )


def targets(ctx: ReportContext) -> pd.DataFrame | None:
    """The report month's KPIs with targets (kpi, value, target, gap, met); None when the
    result is absent, an empty frame when no targets are set."""
    if not ctx.has(TARGETS, *TARGET_COLUMNS):
        return None
    frame = ctx.frame(TARGETS, TARGET_COLUMNS)
    return frame[frame["period_label"] == ctx.period]


def target_text(ctx: ReportContext, row: pd.Series, kind: str) -> str:
    """``¥2.20M (5.5% below)`` / ``45.0% (7.8 pp below)``: the target and the gap."""
    if pd.isna(row["gap"]):
        return ctx.t("target.cell_unknown", target=ctx.fmt.value(float(row["target"]), kind))
    gap = float(row["gap"])
    if kind == "rate":
        size = ctx.fmt.pp(gap)
    elif kind == "score":
        size = ctx.t("unit.points", n=ctx.fmt.number(abs(gap), 2))
    else:
        size = (
            ctx.fmt.pct(abs(float(row["gap_relative"]))) if not pd.isna(row["gap_relative"]) else ""
        )
    word = "above" if gap > 0 else "below" if gap < 0 else "on"
    return ctx.t(f"target.cell_{word}", target=ctx.fmt.value(float(row["target"]), kind), size=size)


def target_finding(ctx: ReportContext, row: pd.Series, kind: str, impact: float) -> Finding:
    met = bool(row["met"])
    return Finding(
        "target.finding",
        "overview",
        [
            Fact(
                f"kpi.{row['kpi']}",
                float(row["value"]),
                kind,
                Source(TARGETS, "value", {"period_label": ctx.period, "kpi": row["kpi"]}),
            )
        ],
        {
            "metric": ctx.t(f"kpi.{row['kpi']}"),
            "value": (float(row["value"]), kind),
            "target": target_text(ctx, row, kind),
            "met": ctx.t("target.met" if met else "target.missed"),
        },
        impact=impact,
        tone="good" if met else "bad",
        compared=True,
    )
