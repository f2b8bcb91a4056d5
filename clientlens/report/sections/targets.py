"""Recommendations and their target lists, phrased from the ``audiences`` results.

Who is in an audience, how big and valuable it is and what acting should bring are
computed by the ``audiences`` and ``audience_summary`` analyses; this module only picks
an audience's rows, shows the columns its list has always shown, and writes the
recommendation's words (owner, timing, KPI).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from clientlens.report import winback
from clientlens.report.context import ReportContext
from clientlens.report.sections.base import Recommendation, TargetList

MEMBERS = "audiences"
SUMMARY = "audience_summary"
MEMBER_COLUMNS = (
    "audience",
    "customer_id",
    "audience_rank",
    "revenue",
    "orders",
    "first_purchase",
    "last_purchase",
    "age_days",
    "recency_days",
    "clv_12m",
    "p_alive",
    "rfm_segment",
    "lifecycle_stage",
)
SUMMARY_COLUMNS = (
    "audience",
    "customers",
    "customer_share",
    "revenue",
    "revenue_share",
    "orders",
    "clv_12m",
    "mean_recency_days",
    "order_value",
    "impact_basis",
    "conversion_rate",
    "expected_impact",
    "rfm_segments",
    "p_alive_below",
    "max_age_days",
)


@dataclass(frozen=True)
class Plan:
    """Who acts on an audience, when, and which KPI shows it worked."""

    owner: str
    when: str
    kpi: str
    columns: tuple[str, ...]
    """The list's columns, in order (``segment_name`` is the RFM segment's name)."""


PLANS = {
    "vip_at_risk": Plan(
        "owner.key_accounts",
        "when.within_30",
        "kpi.p_alive",
        (
            "customer_id",
            "clv_12m",
            "p_alive",
            "last_purchase",
            "revenue",
            "orders",
            "rfm_segment",
            "lifecycle_stage",
        ),
    ),
    "second_purchase": Plan(
        "owner.crm",
        "when.within_30",
        "kpi.repeat_rate",
        ("customer_id", "first_purchase", "revenue", "age_days"),
    ),
    "win_back": Plan(
        "owner.crm",
        "when.within_30",
        "kpi.reactivated",
        ("customer_id", "segment", "segment_name", "recency_days", "orders", "revenue"),
    ),
    "loyalty": Plan(
        "owner.key_accounts",
        "when.this_quarter",
        "kpi.best_share",
        ("customer_id", "segment", "segment_name", "recency_days", "orders", "revenue"),
    ),
    # the churn model's win-back list (the winback result, in words): its recommendation
    # is phrased in churn_model.py
    "churn_winback": Plan("owner.key_accounts", "when.within_30", "kpi.winback", winback.SHOWN),
}
ASSUMPTIONS = {
    "audience_order_value": ("rec.assumption.one_order", "aov"),
    "repeat_buyer_spend": ("rec.assumption.conversion", "spend"),
}


def audience(ctx: ReportContext, code: str) -> pd.Series | None:
    """The ``audience_summary`` row of ``code``, or None when the audience was not built."""
    if not ctx.has(SUMMARY, *SUMMARY_COLUMNS):
        return None
    rows = ctx.frame(SUMMARY, SUMMARY_COLUMNS)
    rows = rows[rows["audience"] == code]
    return None if rows.empty else rows.iloc[0]


def actionable(ctx: ReportContext, row: pd.Series) -> bool:
    """An audience with customers, a known expected impact and its member list."""
    return (
        int(row["customers"]) > 0
        and not pd.isna(row["expected_impact"])
        and ctx.has(MEMBERS, *MEMBER_COLUMNS)
    )


def rule_segments(ctx: ReportContext, row: pd.Series) -> str:
    """The names of the RFM segments an audience is made of, joined with "and"."""
    codes = str(row["rfm_segments"]).split(",")
    return ctx.t("and").join(ctx.name("segment.rfm11", c) for c in codes)


def target_list(ctx: ReportContext, code: str, title_key: str) -> TargetList:
    """The audience's members, highest revenue first, in the columns its list shows."""
    members = ctx.frame(MEMBERS, MEMBER_COLUMNS)
    frame = members[members["audience"] == code].sort_values("audience_rank")
    frame = frame.rename(columns={"rfm_segment": "segment"}).reset_index(drop=True)
    columns = list(PLANS[code].columns)
    if "segment_name" in columns:
        frame["segment_name"] = frame["segment"].map(
            lambda c: ctx.name("segment.rfm11", c), "ignore"
        )
    if "rfm_segment" in columns:
        frame["rfm_segment"] = frame["segment"].map(
            lambda c: ctx.name("segment.rfm11", c), "ignore"
        )
    if "lifecycle_stage" in columns:
        frame["lifecycle_stage"] = frame["lifecycle_stage"].map(
            lambda c: ctx.name("stage", c), "ignore"
        )
    # A column the audience's inputs did not provide (no RFM scores, no lifecycle
    # stages) is left out rather than shown empty.
    shown = [c for c in columns if c == "customer_id" or frame[c].notna().any()]
    return TargetList(code, ctx.t(title_key), frame[shown].reset_index(drop=True), MEMBERS)


def recommendation(
    ctx: ReportContext, code: str, row: pd.Series, *, text: str, segment: str
) -> Recommendation:
    """The recommendation for an audience: its size, value, expected impact and plan."""
    plan = PLANS[code]
    key, value_param = ASSUMPTIONS[str(row["impact_basis"])]
    customers = int(row["customers"])
    impact = float(row["expected_impact"])
    return Recommendation(
        key=code,
        text=text,
        segment=segment,
        customers=customers,
        value=float(row["revenue"]),
        expected_impact=impact,
        assumption=ctx.t(
            key,
            rate=(float(row["conversion_rate"]), "rate"),
            customers=(customers, "count"),
            impact=(impact, "money"),
            **{value_param: (float(row["order_value"]), "money")},
        ),
        target_list=code,
        owner=ctx.t(plan.owner),
        when=ctx.t(plan.when),
        kpi=ctx.t(plan.kpi),
    )
