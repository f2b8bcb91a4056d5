"""生命周期与留存 / Lifecycle and retention: how acquisition cohorts hold on, and where
customers stand in their lifecycle.

Reads ``cohort_retention`` (``grain``, ``cohort``, ``period_index``, ``period_complete``,
``cohort_size``, ``active_customers``, ``retention_rate``) and, when present,
``lifecycle_summary`` (``month``, ``month_complete``, ``stage``, ``stage_order``,
``customers``, ``customer_share``; stage names from the text catalog).

The finding compares the second-month retention (period 1) of the latest cohort whose
second month is complete with the pooled rate of the cohorts before it
(``retention_baseline``), by a two-proportion z-test on the cohort sizes.
"""

from __future__ import annotations

import pandas as pd

from clientlens.report import charts
from clientlens.report.context import ReportContext, month_end, month_start, previous_period
from clientlens.report.insights import Fact, Finding, Source, assess_change, change_word
from clientlens.report.sections.base import Chart, Section, SectionResult, Sheet

COHORTS = "cohort_retention"
STAGES = "lifecycle_summary"
NEEDS = {
    COHORTS: (
        "grain",
        "cohort",
        "period_index",
        "period_complete",
        "cohort_size",
        "active_customers",
        "retention_rate",
    )
}
STAGE_COLUMNS = (
    "month",
    "month_complete",
    "stage",
    "stage_order",
    "customers",
    "customer_share",
)
TRANSITIONS = "lifecycle_transitions"
TRANSITION_COLUMNS = ("month", "month_complete", "from_stage", "to_stage", "customers", "share")
BASELINE = "retention_baseline"
BASELINE_COLUMNS = (
    "cohort",
    "cohort_size",
    "retention_rate",
    "baseline_cohorts",
    "baseline_size",
    "baseline_rate",
    "baseline_window",
)
BASE = "customer_base"
HEATMAP_COHORTS = 12
HEATMAP_PERIODS = 12


def _per_customer(ctx: ReportContext) -> float:
    """Mean revenue per customer to date (``customer_base``), 0 when unknown."""
    if not ctx.has(BASE, "revenue_per_customer"):
        return 0.0
    value = ctx.frame(BASE, ("revenue_per_customer",))["revenue_per_customer"].iloc[0]
    return 0.0 if pd.isna(value) else float(value)


def _retention_finding(ctx: ReportContext) -> Finding | None:
    frame = ctx.frame(BASELINE, BASELINE_COLUMNS)
    cohorts = frame[pd.to_datetime(frame["cohort"]).dt.date <= month_end(ctx.period)]
    if cohorts.empty:
        return None
    latest = cohorts.sort_values("cohort").iloc[-1]
    if int(latest["baseline_cohorts"]) < 1:
        return None
    pooled = float(latest["baseline_rate"])
    cohort = pd.Timestamp(latest["cohort"])
    fact = Fact(
        "lifecycle.m1_retention",
        float(latest["retention_rate"]),
        "rate",
        Source(BASELINE, "retention_rate", {"cohort": cohort.date()}),
        previous=pooled,
        n=float(latest["cohort_size"]),
        n_previous=float(latest["baseline_size"]),
    )
    direction = change_word(assess_change(fact, "previous", ctx.rules))
    per_customer = _per_customer(ctx)
    return Finding(
        f"lifecycle.m1.{direction}",
        "lifecycle",
        [fact],
        {
            "cohort": ctx.fmt.month(cohort.strftime("%Y-%m")),
            "value": (fact.value, "rate"),
            "base": (pooled, "rate"),
            "n": int(latest["baseline_cohorts"]),
            "size": ctx.fmt.pp(fact.value - pooled),
        },
        # Customers kept (or lost) against the usual rate, at the mean revenue per customer.
        impact=abs(fact.value - pooled) * fact.n * per_customer if fact.n else 0.0,
        tone={"up": "good", "down": "bad"}.get(direction, "neutral"),
        headline=direction in {"up", "down"},
    )


def _slipping(ctx: ReportContext) -> Finding | None:
    """Share of last month's active customers who became at risk this month, against the
    month before (two-proportion z-test on the active counts)."""
    frame = ctx.frame(TRANSITIONS, TRANSITION_COLUMNS)
    frame = frame.assign(label=pd.to_datetime(frame["month"]).dt.strftime("%Y-%m"))
    moves = frame[(frame["from_stage"] == "active") & (frame["to_stage"] == "at_risk")]

    def month(label: str) -> tuple[float, float] | None:
        row = moves[moves["label"] == label]
        if row.empty or not row["share"].iloc[0]:
            return None
        customers, share = float(row["customers"].iloc[0]), float(row["share"].iloc[0])
        return customers, customers / share  # movers, and all active customers before

    now, before = month(ctx.period), month(previous_period(ctx.period))
    if now is None:
        return None
    fact = Fact(
        "lifecycle.active_to_at_risk",
        now[0] / now[1],
        "rate",
        Source(
            TRANSITIONS,
            "share",
            {"month": month_start(ctx.period), "from_stage": "active", "to_stage": "at_risk"},
        ),
        previous=None if before is None else before[0] / before[1],
        n=now[1],
        n_previous=None if before is None else before[1],
    )
    word = change_word(assess_change(fact, "previous", ctx.rules))
    per_customer = _per_customer(ctx)
    return Finding(
        f"lifecycle.slipping.{word}",
        "lifecycle",
        [fact],
        {
            "customers": (now[0], "count"),
            "share": (fact.value, "rate"),
            "previous": ctx.fmt.pct(fact.previous) if fact.previous is not None else "—",
        },
        # The customers slipping this month, at the mean revenue per customer per year.
        impact=now[0] * per_customer / ctx.history_years,
        tone="bad" if word == "up" else "good" if word == "down" else "neutral",
        headline=word in {"up", "down"},
    )


def _stages(ctx: ReportContext, result: SectionResult) -> None:
    frame = ctx.frame(STAGES, STAGE_COLUMNS)
    end = month_end(ctx.period)
    frame = frame[pd.to_datetime(frame["month"]).dt.date <= end]
    if frame.empty:
        return
    months = sorted(pd.to_datetime(frame["month"]).unique())[-12:]
    recent = frame[pd.to_datetime(frame["month"]).isin(months)].copy()
    name = "stage_name"
    recent[name] = [ctx.name("stage", s) for s in recent["stage"]]
    recent["label"] = pd.to_datetime(recent["month"]).dt.strftime("%Y-%m")
    order = list(recent.sort_values("stage_order")[name].drop_duplicates())
    result.charts.append(
        Chart(
            "lifecycle_stages",
            ctx.t("lifecycle.chart.stages"),
            charts.stacked_bar(
                recent,
                "label",
                "customers",
                "stage_name",
                ctx.t("axis.month"),
                ctx.t("axis.customers"),
                order=order,
            ),
        )
    )
    last = recent[recent["label"] == recent["label"].max()].sort_values("stage_order")
    parts = [
        ctx.t("lifecycle.stage_part", stage=r[name], customers=(r["customers"], "count"))
        for _, r in last.iterrows()
    ]
    label = str(last["label"].iloc[0])
    joined = ctx.t("list_sep").join(parts)
    if month_end(label) > ctx.observation_end:  # the month is not over: say the day instead
        day = ctx.fmt.date(ctx.observation_end)
        result.paragraphs.append(ctx.t("lifecycle.stages_partial", day=day, parts=joined))
    else:
        month = ctx.fmt.month(label)
        result.paragraphs.append(ctx.t("lifecycle.stages", month=month, parts=joined))


def build(ctx: ReportContext) -> SectionResult | None:
    frame = ctx.frame(COHORTS, NEEDS[COHORTS])
    monthly = frame[frame["grain"] == "month"].copy()
    monthly = monthly[pd.to_datetime(monthly["cohort"]).dt.date <= month_end(ctx.period)]
    if monthly.empty:
        return None
    result = SectionResult("lifecycle", ctx.t("section.lifecycle"))
    if ctx.has(BASELINE, *BASELINE_COLUMNS):
        finding = _retention_finding(ctx)
        if finding is not None:
            result.findings.append(finding)

    cohorts = sorted(monthly["cohort"].unique())[-HEATMAP_COHORTS:]
    grid = monthly[
        monthly["cohort"].isin(cohorts)
        & (monthly["period_index"] < HEATMAP_PERIODS)
        & monthly["period_complete"].astype(bool)
    ].copy()
    grid["cohort_label"] = pd.to_datetime(grid["cohort"]).dt.strftime("%Y-%m")
    if grid["period_index"].nunique() >= 2:
        result.charts.append(
            Chart(
                "cohort_heatmap",
                ctx.t("lifecycle.chart.cohorts"),
                charts.heatmap(
                    grid[["cohort_label", "period_index", "retention_rate"]],
                    "period_index",
                    "cohort_label",
                    "retention_rate",
                    ctx.t("lifecycle.axis.months_since"),
                    ctx.t("lifecycle.axis.cohort"),
                    ctx.t("kpi.retention_rate"),
                    y_sort=sorted(grid["cohort_label"].unique()),
                ),
                caption=ctx.t("lifecycle.caption"),
            )
        )
    if ctx.has(STAGES, *STAGE_COLUMNS):
        _stages(ctx, result)
    if ctx.has(TRANSITIONS, *TRANSITION_COLUMNS):
        finding = _slipping(ctx)
        if finding is not None:
            result.findings.append(finding)
    # A cohort is a month: written as one (2024-06), as the heatmap labels it.
    cohorts_sheet = monthly.drop(columns=["grain"]).sort_values(["cohort", "period_index"])
    cohorts_sheet["cohort"] = pd.to_datetime(cohorts_sheet["cohort"]).dt.strftime("%Y-%m")
    result.sheets[ctx.t("sheet.cohorts")] = Sheet(COHORTS, cohorts_sheet.reset_index(drop=True))
    if ctx.has(BASELINE, *BASELINE_COLUMNS):
        window = ctx.frame(BASELINE, BASELINE_COLUMNS)["baseline_window"]
        if not window.empty:
            result.methods.append(ctx.t("lifecycle.method", n=int(window.iloc[0])))
    return result


SECTION = Section("lifecycle", NEEDS, build)
