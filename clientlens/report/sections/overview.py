"""经营概览 / Business overview: the month's KPIs against last month and last year.

Reads the ``kpis`` result (one row per month × KPI: ``period_label``, ``kpi``, ``unit``,
``value``, ``previous_value``, ``last_year_value``, ``is_complete``). Each KPI change is
judged by :func:`clientlens.report.insights.assess_change` with the sample sizes the KPI
pack also holds: active customers behind the repeat and churn rates, the previous
month's active customers behind the retention rate, the response counts behind CSAT
and NPS. The NPS standard error uses the largest possible variance of a promoter /
detractor split (p = d = ½), 100 / √n, because the pack does not hold the shares; this
can only make the report claim fewer changes.

Impact, for ranking the executive summary, is the change expressed in revenue per year:
twelve times the revenue change itself, or a change in customers, orders or rates times
this month's revenue per active customer (or per order).
"""

from __future__ import annotations

import math

import pandas as pd

from clientlens.analytics.kpis.kpis import UNITS as KPI_UNITS
from clientlens.report import charts
from clientlens.report.context import ReportContext, previous_period
from clientlens.report.insights import (
    Change,
    Fact,
    Finding,
    Source,
    assess_change,
    change_word,
)
from clientlens.report.sections import month as month_parts
from clientlens.report.sections.base import Chart, Section, SectionResult, Sheet, TableBlock

TABLE = "kpis"
NEEDS = {
    TABLE: (
        "period_label",
        "is_complete",
        "kpi",
        "unit",
        "value",
        "previous_value",
        "last_year_value",
    )
}
SHOWN = (
    "revenue",
    "active_customers",
    "new_customers",
    "returning_customers",
    "orders",
    "aov",
    "purchase_frequency",
    "repeat_rate",
    "retention_rate",
    "churn_rate",
    "historical_clv",
    "cac",
    "clv_cac_ratio",
)
"""NPS and CSAT belong to the satisfaction section."""
CHANGES = ("mom", "yoy", "mom_pp", "yoy_pp")
"""The change columns of ``kpis`` the workbook's KPI sheet shows for the report month."""
SHEET_MONTHS = 13
"""Months on the KPI sheet: the report month and the twelve before it, so both bases of
its MoM and YoY columns (last month, the same month a year ago) stand on the sheet."""
DERIVED = {"returning_customers", "purchase_frequency"}
KIND = {"count": "count", "currency": "money", "score": "score"}
SHARES = {"repeat_rate", "retention_rate", "churn_rate", "csat"}
LOWER_IS_BETTER = {"churn_rate", "cac"}
# The customers (or responses) a rate or score is measured on, per KPI.
SAMPLE = {
    "repeat_rate": "active_customers",
    "churn_rate": "active_customers",
    "csat": "csat_responses",
    "nps": "nps_responses",
}


def _kind(kpi: str, unit: str) -> str:
    if kpi in SHARES:
        return "rate"
    return KIND.get(unit, "number")


def kpi_value(frame: pd.DataFrame, period: str, kpi: str) -> float | None:
    row = frame[(frame["period_label"] == period) & (frame["kpi"] == kpi)]
    if row.empty or pd.isna(row["value"].iloc[0]):
        return None
    return float(row["value"].iloc[0])


def kpi_fact(frame: pd.DataFrame, period: str, kpi: str) -> Fact | None:
    """The KPI of ``period`` with its bases and sample sizes, or None when it has no value."""
    row = frame[(frame["period_label"] == period) & (frame["kpi"] == kpi)]
    if row.empty or pd.isna(row["value"].iloc[0]):
        return None
    r = row.iloc[0]
    prev_period = previous_period(period)
    year_ago = previous_period(period, 12)
    n = n_prev = n_ly = None
    if kpi in SAMPLE:
        n = kpi_value(frame, period, SAMPLE[kpi])
        n_prev = kpi_value(frame, prev_period, SAMPLE[kpi])
        n_ly = kpi_value(frame, year_ago, SAMPLE[kpi])
    elif kpi == "retention_rate":  # measured on the month before's active customers
        n = kpi_value(frame, prev_period, "active_customers")
        n_prev = kpi_value(frame, previous_period(period, 2), "active_customers")
        n_ly = kpi_value(frame, previous_period(period, 13), "active_customers")
    extra = {}
    if kpi == "nps":
        # Largest-variance split: SE = 100 / sqrt(n) (see module docstring).
        extra = {"promoters": 0.5, "detractors": 0.5}
        extra |= {"promoters_previous": 0.5, "detractors_previous": 0.5}
    # A partial month against full ones always looks like a fall: no comparison for it.
    complete = bool(r["is_complete"])
    return Fact(
        key=f"kpi.{kpi}",
        value=float(r["value"]),
        kind=_kind(kpi, str(r["unit"])),
        source=Source(TABLE, "value", {"period_label": period, "kpi": kpi}),
        previous=None
        if pd.isna(r["previous_value"]) or not complete
        else float(r["previous_value"]),
        last_year=None
        if pd.isna(r["last_year_value"]) or not complete
        else float(r["last_year_value"]),
        n=n,
        n_previous=n_prev,
        n_last_year=n_ly,
        extra=extra,
    )


def _change_text(ctx: ReportContext, fact: Fact, change: Change | None, base: str) -> str:
    """``环比上升 12.3%`` / ``同比下降 1.2个百分点`` / ``环比基本持平`` / empty."""
    if change is None:
        return ""
    if fact.kind == "rate":
        size = ctx.fmt.pp(change.absolute)
    elif fact.kind == "score":
        size = ctx.t("unit.points", n=ctx.fmt.number(abs(change.absolute), 2))
    else:
        size = ctx.fmt.pct(abs(change.relative)) if change.relative is not None else ""
    return ctx.t(f"change.{base}.{change_word(change)}", size=size)


def _impact(key: str, fact: Fact, change: Change, month: dict[str, float]) -> float:
    """The change in revenue terms (see the module docstring); 0 when it has none."""
    per_customer = month["revenue"] / month["active"] if month["active"] else 0.0
    if key == "revenue":
        return change.absolute
    if key in {"active_customers", "new_customers", "returning_customers"}:
        return change.absolute * per_customer
    if key == "orders":
        return change.absolute * month["aov"]
    if key == "aov":
        return change.absolute * month["orders"]
    if key == "purchase_frequency":
        return change.absolute * month["active"] * month["aov"]
    if key == "cac":
        return change.absolute * month["new"]
    if fact.kind == "rate":
        return change.absolute * month["active"] * per_customer
    if fact.kind == "score":
        return change.absolute / 100 * month["active"] * per_customer
    return 0.0


def build(ctx: ReportContext) -> SectionResult | None:
    frame = ctx.frame(TABLE, NEEDS[TABLE])
    month = frame[frame["period_label"] == ctx.period]
    if month.empty:
        return None
    month_figures = {
        "revenue": kpi_value(frame, ctx.period, "revenue") or 0.0,
        "active": kpi_value(frame, ctx.period, "active_customers") or 0.0,
        "orders": kpi_value(frame, ctx.period, "orders") or 0.0,
        "new": kpi_value(frame, ctx.period, "new_customers") or 0.0,
    }
    month_figures["aov"] = (
        month_figures["revenue"] / month_figures["orders"] if month_figures["orders"] else 0.0
    )

    result = SectionResult("overview", ctx.t("section.overview"))
    peak = month_parts.after_peak(ctx)
    goals = month_parts.targets(ctx)
    goal: dict[str, pd.Series] = (
        {} if goals is None else {str(r["kpi"]): r for _, r in goals.iterrows()}
    )
    rows = []
    # With one day of orders nobody can have repeated, been retained or churned yet.
    over_time = {"repeat_rate", "retention_rate", "churn_rate"}
    shown = [k for k in SHOWN if not (ctx.one_day_history and k in over_time)]
    for kpi in shown:
        fact = kpi_fact(frame, ctx.period, kpi)
        if fact is None:
            continue
        mom = assess_change(fact, "previous", ctx.rules)
        yoy = assess_change(fact, "last_year", ctx.rules)
        row = {
            ctx.t("col.metric"): ctx.t(f"kpi.{kpi}"),
            ctx.t("col.this_month"): ctx.fmt.value(fact.value, fact.kind),
            ctx.t("col.mom"): _change_text(ctx, fact, mom, "mom") or "—",
            ctx.t("col.yoy"): _change_text(ctx, fact, yoy, "yoy") or "—",
        }
        g = goal.get(kpi)
        target_worth = 0.0
        if goal:
            row[ctx.t("col.target")] = (
                month_parts.target_text(ctx, g, fact.kind) if g is not None else "—"
            )
        if g is not None and not pd.isna(g["gap"]):
            gap = Change("up", float(g["gap"]), None, True, True, None)
            target_worth = 12 * abs(_impact(kpi, fact, gap, month_figures))
        target = month_parts.target_clause(ctx, g, fact.kind)
        rows.append(row)
        stated = mom is not None and mom.stated
        if not stated and kpi != "revenue":
            if target and g is not None:  # the gap is the finding when the change is not
                result.findings.append(
                    month_parts.target_finding(ctx, g, fact.kind, impact=target_worth)
                )
            continue  # a change that is noise or immaterial is not a finding
        good_up = kpi not in LOWER_IS_BETTER
        tone = "neutral"
        if mom is not None and mom.stated:
            tone = "good" if (mom.direction == "up") == good_up else "bad"
        yoy_text = _change_text(ctx, fact, yoy, "yoy")
        impact = (
            _impact(kpi, fact, mom, month_figures) if mom is not None else month_figures["revenue"]
        )
        worth = max(12 * abs(impact) if not math.isnan(impact) else 0.0, target_worth)
        if kpi == "revenue" and peak is not None:
            # after a seasonal peak the fall from it is the season's: year on year first
            result.findings.append(month_parts.peak_finding(ctx, peak, worth, target))
            continue
        result.findings.append(
            Finding(
                "kpi.finding" if fact.previous is not None else "kpi.finding_alone",
                "overview",
                [fact],
                {
                    "metric": ctx.t(f"kpi.{kpi}"),
                    "value": (fact.value, fact.kind),
                    "mom": _change_text(ctx, fact, mom, "mom") or ctx.t("change.mom.none"),
                    "previous": ctx.fmt.value(fact.previous, fact.kind)
                    if fact.previous is not None
                    else "—",
                    "yoy": ctx.t("sep") + yoy_text if yoy_text else "",
                    "note": ctx.t("kpi.partial", end=ctx.fmt.date(ctx.observation_end))
                    if ctx.partial_period
                    else "",
                    "target": target,
                },
                # A month's change, if it lasts, is worth twelve times as much in a year;
                # a gap to a target, as much as the gap.
                impact=worth,
                tone=tone,
                # Derived counts repeat what active and new customers already say.
                headline=kpi not in DERIVED,
                pinned=kpi == "revenue",
            )
        )
    if not rows:
        return None
    result.paragraphs.append(ctx.t("overview.intro", period=ctx.fmt.month(ctx.period)))
    if goals is not None and not goal:
        result.paragraphs.append(ctx.t("target.none"))
    result.tables.append(TableBlock(ctx.t("overview.table"), pd.DataFrame(rows)))

    trend = frame[(frame["kpi"] == "revenue") & frame["is_complete"].astype(bool)]
    trend = trend[trend["period_label"] <= ctx.period].tail(24)
    trend = trend[["period_label", "value"]].dropna()
    if len(trend) >= 3:
        result.charts.append(
            Chart(
                "revenue_trend",
                ctx.t("overview.chart.revenue"),
                charts.line(
                    trend,
                    "period_label",
                    "value",
                    ctx.t("axis.month"),
                    ctx.t("axis.revenue"),
                    lang=ctx.lang,
                    kind="money",
                    symbol=ctx.fmt.symbol,
                ),
            )
        )
    kinds = frame[frame["kpi"].isin(["active_customers", "new_customers"])]
    kinds = kinds[kinds["is_complete"].astype(bool) & (kinds["period_label"] <= ctx.period)]
    kinds = kinds[kinds["period_label"].isin(trend["period_label"])][
        ["period_label", "kpi", "value"]
    ].dropna()
    if len(kinds) >= 6:
        kinds = kinds.assign(kpi=[ctx.t(f"kpi.{k}") for k in kinds["kpi"]])
        result.charts.append(
            Chart(
                "customer_trend",
                ctx.t("overview.chart.customers"),
                charts.line(
                    kinds,
                    "period_label",
                    "value",
                    ctx.t("axis.month"),
                    ctx.t("axis.customers"),
                    lang=ctx.lang,
                    color="kpi",
                ),
            )
        )
    month_parts.explain(ctx, result)
    result.sheets[ctx.t("sheet.kpis")] = kpi_sheet(ctx, frame)
    return result


def kpi_sheet(ctx: ReportContext, frame: pd.DataFrame) -> Sheet:
    """The KPI pack wide: one row per KPI, one column per month of the last
    :data:`SHEET_MONTHS`, then the report month's MoM (环比) and YoY (同比) — the ``mom``,
    ``yoy``, ``mom_pp`` and ``yoy_pp`` columns of ``kpis`` — when the run has them.

    A partial report month is shown but not compared (as in the text: a partial month
    against full ones always looks like a fall)."""
    first = previous_period(ctx.period, SHEET_MONTHS - 1)
    months = sorted(m for m in frame["period_label"].unique() if first <= m <= ctx.period)
    changes = list(CHANGES) if ctx.has(TABLE, *CHANGES) else []
    rows = ctx.frame(TABLE, (*NEEDS[TABLE], *changes)) if changes else frame
    rows = rows[rows["period_label"].isin(months)]
    order = [k for k in KPI_UNITS if k in set(rows["kpi"])]
    order += sorted(set(rows["kpi"]) - set(order))
    wide = rows.pivot(index="kpi", columns="period_label", values="value")
    wide = wide.reindex(index=order, columns=months)
    wide = wide[wide.notna().any(axis=1)]
    units = rows.drop_duplicates("kpi").set_index("kpi")["unit"]
    out = pd.DataFrame(
        {
            "kpi": [ctx.name("kpi", k) for k in wide.index],
            "unit": ["share" if k in SHARES else str(units[k]) for k in wide.index],
        }
    )
    for month in months:
        out[month] = wide[month].to_numpy()
    headers = {m: m for m in months}
    month = rows[rows["period_label"] == ctx.period].set_index("kpi")
    complete = not month.empty and bool(month["is_complete"].astype(bool).all())
    if not complete:
        headers[ctx.period] = ctx.t("xlsx.partial_month", month=ctx.period)
        changes = []
    for change in changes:
        values = month[change].reindex(wide.index)
        if values.notna().any():  # mom_pp and yoy_pp exist for rates and NPS only
            out[change] = values.to_numpy()
    return Sheet(
        TABLE,
        out,
        headers=headers,
        units=dict.fromkeys(months, "per_row"),
        row_unit="unit",
    )


SECTION = Section("overview", NEEDS, build)
