"""Recommendations and their target lists, phrased from the ``audiences`` results.

Who is on an action list (each customer on one at most, by priority), who was left out
and why, how big and valuable a list is and what acting on it should bring and cost are
computed by the ``audiences`` and ``audience_summary`` analyses; this module only picks
an audience's rows, shows the columns its list has always shown, writes the
recommendation's words (owner, timing, KPI, cost and ROI, who was left out) and lays out
the lists side by side (:func:`plan_tables`), whose total row is ``audience_summary``'s
``all``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from clientlens.report import winback
from clientlens.report.context import ReportContext
from clientlens.report.sections.base import Recommendation, Sheet, TableBlock, TargetList

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
    "audience_order",
    "rule_customers",
    "rule_customer_share",
    "rule_revenue_share",
    "higher_priority",
    "left_out_gone",
    "left_out_low_value",
    "customers",
    "customer_share",
    "revenue",
    "revenue_share",
    "orders",
    "clv_12m",
    "mean_recency_days",
    "order_value",
    "impact_basis",
    "response_rate",
    "expected_impact",
    "offer_cost",
    "cost",
    "roi",
    "min_p_alive",
    "min_value",
    "rfm_segments",
    "p_alive_below",
    "max_age_days",
)
ALL = "all"


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
    "recovered_value": ("rec.assumption.winback", ""),
}


def audience(ctx: ReportContext, code: str) -> pd.Series | None:
    """The ``audience_summary`` row of ``code``, or None when the audience was not built."""
    if not ctx.has(SUMMARY, *SUMMARY_COLUMNS):
        return None
    rows = ctx.frame(SUMMARY, SUMMARY_COLUMNS)
    rows = rows[rows["audience"] == code]
    return None if rows.empty else rows.iloc[0]


def value_tested(row: pd.Series) -> bool:
    """Whether the list was tested for value (the purchase model's results were there)."""
    return not pd.isna(row["min_p_alive"])


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
    """The recommendation for an audience: its size, value, expected impact, cost and ROI,
    who was left out, and the plan."""
    plan = PLANS[code]
    key, value_param = ASSUMPTIONS[str(row["impact_basis"])]
    customers = int(row["customers"])
    impact = float(row["expected_impact"])
    values = {value_param: (float(row["order_value"]), "money")} if value_param else {}
    return Recommendation(
        key=code,
        text=text,
        segment=segment,
        customers=customers,
        value=float(row["revenue"]),
        expected_impact=impact,
        assumption=ctx.t(
            key,
            rate=(float(row["response_rate"]), "rate"),
            customers=(customers, "count"),
            impact=(impact, "money"),
            **values,
        ),
        target_list=code,
        owner=ctx.t(plan.owner),
        when=ctx.t(plan.when),
        kpi=ctx.t(plan.kpi),
        cost=float(row["cost"]),
        economics=economics(ctx, row),
        left_out=left_out(ctx, row),
    )


def economics(ctx: ReportContext, row: pd.Series) -> str:
    """Cost and ROI of acting on a list, with the offer cost they come from."""
    setting = f"audience_{row['audience']}_offer_cost"
    if pd.isna(row["roi"]):
        return ctx.t("rec.economics_free", setting=setting)
    return ctx.t(
        "rec.economics",
        customers=(int(row["customers"]), "count"),
        offer=(float(row["offer_cost"]), "money"),
        cost=(float(row["cost"]), "money"),
        roi=(float(row["roi"]), "rate"),
        setting=setting,
    )


def left_out(ctx: ReportContext, row: pd.Series) -> str:
    """Who meets the list's rule but is not on it, and why (empty when nobody)."""
    higher = int(row["higher_priority"])
    gone, low = int(row["left_out_gone"]), int(row["left_out_low_value"])
    parts = []
    if higher:
        parts.append(ctx.t("rec.left_out_higher", customers=(higher, "count")))
    if gone:
        parts.append(
            ctx.t(
                "rec.left_out_gone",
                customers=(gone, "count"),
                min_p_alive=ctx.fmt.pct(float(row["min_p_alive"]), 0),
            )
        )
    if low:
        parts.append(
            ctx.t(
                "rec.left_out_low_value",
                customers=(low, "count"),
                min_value=ctx.fmt.money(float(row["min_value"])),
            )
        )
    if not parts:
        return ""
    return ctx.t(
        "rec.left_out",
        rule=(int(row["rule_customers"]), "count"),
        reasons=ctx.t("list_sep").join(parts),
    )


def plan_tables(ctx: ReportContext) -> tuple[list[str], list[TableBlock], Sheet | None]:
    """The action lists side by side, in priority order with their total: who is on each
    (and who was left out), and what acting on each should bring and cost; the paragraph
    that states the priority, the value test and the formulas; and the summary rows as a
    workbook sheet. Nothing when the audiences were not built."""
    if not ctx.has(SUMMARY, *SUMMARY_COLUMNS):
        return [], [], None
    rows = ctx.frame(SUMMARY, SUMMARY_COLUMNS).sort_values("audience_order")
    lists = rows[rows["audience"] != ALL]
    if lists.empty:
        return [], [], None
    fmt = ctx.fmt
    names = [ctx.t("plan.all") if a == ALL else ctx.t(f"list.{a}") for a in rows["audience"]]
    number = [
        "" if a == ALL else str(int(o))
        for a, o in zip(rows["audience"], rows["audience_order"], strict=True)
    ]
    tested = value_tested(lists.iloc[0])
    who = {
        ctx.t("plan.col.priority"): number,
        ctx.t("plan.col.list"): names,
        ctx.t("plan.col.rule"): [fmt.count(v) for v in rows["rule_customers"]],
        ctx.t("plan.col.higher"): [fmt.count(v) for v in rows["higher_priority"]],
    }
    if tested:
        who[ctx.t("plan.col.gone", min_p_alive=fmt.pct(float(lists["min_p_alive"].iloc[0]), 0))] = [
            fmt.count(v) for v in rows["left_out_gone"]
        ]
        who[ctx.t("plan.col.min_value")] = [_money(ctx, v) for v in rows["min_value"]]
        who[ctx.t("plan.col.low_value")] = [fmt.count(v) for v in rows["left_out_low_value"]]
    who[ctx.t("plan.col.listed")] = [fmt.count(v) for v in rows["customers"]]
    money = {
        ctx.t("plan.col.priority"): number,
        ctx.t("plan.col.list"): names,
        ctx.t("plan.col.listed"): [fmt.count(v) for v in rows["customers"]],
        ctx.t("plan.col.rate"): [
            "" if pd.isna(v) else fmt.pct(v, 0) for v in rows["response_rate"]
        ],
        ctx.t("plan.col.response"): [_money(ctx, v) for v in rows["order_value"]],
        ctx.t("plan.col.impact"): [fmt.money(v) for v in rows["expected_impact"]],
        ctx.t("plan.col.offer"): [_money(ctx, v) for v in rows["offer_cost"]],
        ctx.t("plan.col.cost"): [fmt.money(v) for v in rows["cost"]],
        ctx.t("plan.col.roi"): [fmt.pct(v, 0) for v in rows["roi"]],
    }
    order = ctx.t("plan.order_sep").join(ctx.t(f"list.{a}") for a in lists["audience"])
    total = rows[rows["audience"] == ALL].iloc[0]
    notes = [ctx.t("plan.priority", order=order)]
    if tested:
        notes.append(
            ctx.t(
                "plan.value_test",
                min_p_alive=fmt.pct(float(lists["min_p_alive"].iloc[0]), 0),
                gone=(int(total["left_out_gone"]), "count"),
                low_value=(int(total["left_out_low_value"]), "count"),
            )
        )
        if "churn_winback" in set(lists["audience"]):
            notes.append(ctx.t("plan.churn_threshold"))
    else:
        notes.append(ctx.t("plan.no_value_test"))
    notes.append(ctx.t("plan.formula"))
    tables = [
        TableBlock(ctx.t("plan.who"), pd.DataFrame(who)),
        TableBlock(ctx.t("plan.money"), pd.DataFrame(money)),
    ]
    return notes, tables, plan_sheet(ctx, rows, names, tested)


PLAN_SHEET = {
    "rule_customers": "plan.col.rule",
    "higher_priority": "plan.col.higher",
    "left_out_gone": "plan.col.gone",
    "min_value": "plan.col.min_value",
    "left_out_low_value": "plan.col.low_value",
    "customers": "plan.col.listed",
    "response_rate": "plan.col.rate",
    "order_value": "plan.col.response",
    "expected_impact": "plan.col.impact",
    "offer_cost": "plan.col.offer",
    "cost": "plan.col.cost",
    "roi": "plan.col.roi",
}
"""The plan sheet's columns of ``audience_summary`` and their headers (the plan tables')."""


def plan_sheet(ctx: ReportContext, rows: pd.DataFrame, names: list[str], tested: bool) -> Sheet:
    """Both plan tables as one workbook sheet of numbers, the lists by name."""
    columns = [
        c
        for c in PLAN_SHEET
        if tested or c not in {"left_out_gone", "min_value", "left_out_low_value"}
    ]
    frame = rows[columns].reset_index(drop=True)
    frame.insert(0, "audience", names)
    lists = rows[rows["audience"] != ALL]
    gone = {"min_p_alive": ctx.fmt.pct(float(lists["min_p_alive"].iloc[0]), 0)}
    headers = {"audience": ctx.t("plan.col.list")}
    headers |= {c: ctx.t(PLAN_SHEET[c], **(gone if c == "left_out_gone" else {})) for c in columns}
    return Sheet(SUMMARY, frame, headers=headers)


def _money(ctx: ReportContext, value: float) -> str:
    """An amount, or nothing where the row has none (the total's offer cost)."""
    return "" if pd.isna(value) else ctx.fmt.money(float(value))
