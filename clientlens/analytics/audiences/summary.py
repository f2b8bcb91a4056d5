"""``audience_summary``: per action list, how its customers were chosen and what acting on
them should bring and cost, and a row ``all`` that adds the lists up (the rules, the
priority and the formulas are in :mod:`clientlens.analytics.audiences.audiences`)."""

from __future__ import annotations

from typing import Any

from clientlens.analytics.audiences.columns import SUMMARY_COLUMNS
from clientlens.analytics.audiences.rules import (
    GONE,
    KEPT,
    LOW_VALUE,
    LOYALTY,
    VIP_VALUE_SHARE,
    WIN_BACK,
    assigned,
    present,
    vip_revenue_cut,
)
from clientlens.analytics.audiences.settings import AudienceSettings
from clientlens.analytics.base import as_table
from clientlens.lazy import ibis, ir

ONE_ORDER = "audience_order_value"
REPEAT_SPEND = "repeat_buyer_spend"
RECOVERED = "recovered_value"
PRIORITY_RANK = {
    "vip_at_risk": 1,
    "churn_winback": 1,
    "win_back": 2,
    "second_purchase": 3,
    "loyalty": 4,
}
ALL = "all"
ALL_ORDER = 5

# rfm_segments, p_alive_below, value_top_share, max_age_days, max_orders, impact basis;
# -1 and "" stand for "does not apply" (no None in a memtable: Spark turns a nullable
# column into all nulls) and become nulls below
_RULE_PARAMETERS: dict[str, tuple[str, float, float, int, int, str]] = {
    "vip_at_risk": ("", -1.0, VIP_VALUE_SHARE, -1, -1, ONE_ORDER),
    "churn_winback": ("", -1.0, -1.0, -1, -1, RECOVERED),
    "win_back": (",".join(WIN_BACK), -1.0, -1.0, -1, -1, ONE_ORDER),
    "second_purchase": ("", -1.0, -1.0, -1, 1, REPEAT_SPEND),
    "loyalty": (",".join(LOYALTY), -1.0, -1.0, -1, -1, ONE_ORDER),
}


def _rules(codes: list[str], cfg: AudienceSettings, *, has_clv: bool) -> ir.Table:
    """One row per present audience: its priority, economics and rule parameters."""
    p = {c: _RULE_PARAMETERS[c] for c in codes}
    t = ibis.memtable(
        {
            "audience": codes,
            "audience_order": [PRIORITY_RANK[c] for c in codes],
            "rfm_segments": [p[c][0] for c in codes],
            "p_alive_below": [cfg.vip_p_alive if c == "vip_at_risk" else -1.0 for c in codes],
            "value_top_share": [float(p[c][2]) for c in codes],
            "max_age_days": [cfg.new_buyer_days if c == "second_purchase" else -1 for c in codes],
            "max_orders": [int(p[c][4]) for c in codes],
            "impact_basis": [p[c][5] for c in codes],
            "response_rate": [cfg.economics(c).response_rate for c in codes],
            "offer_cost": [cfg.economics(c).offer_cost for c in codes],
            "min_p_alive": [cfg.min_p_alive if has_clv else -1.0 for c in codes],
            "min_value": [cfg.min_value(c) if has_clv else -1.0 for c in codes],
        },
        schema={
            "audience": "string",
            "audience_order": "int64",
            "rfm_segments": "string",
            "p_alive_below": "float64",
            "value_top_share": "float64",
            "max_age_days": "int64",
            "max_orders": "int64",
            "impact_basis": "string",
            "response_rate": "float64",
            "offer_cost": "float64",
            "min_p_alive": "float64",
            "min_value": "float64",
        },
    )

    def null_if_negative(col: ir.NumericValue, kind: str) -> ir.Value:
        return ibis.ifelse(col >= 0, col, ibis.null(kind))

    return t.mutate(
        rfm_segments=t.rfm_segments.nullif(""),
        p_alive_below=null_if_negative(t.p_alive_below, "float64"),
        value_top_share=null_if_negative(t.value_top_share, "float64"),
        max_age_days=null_if_negative(t.max_age_days, "int64"),
        max_orders=null_if_negative(t.max_orders, "int64"),
        min_p_alive=null_if_negative(t.min_p_alive, "float64"),
        min_value=null_if_negative(t.min_value, "float64"),
    )


def _counts(a: ir.Table, codes: list[str]) -> ir.Table:
    """Per audience: who meets the rule, who was given it, left out or kept, and the kept
    customers' figures."""
    parts = []
    for code in codes:
        given = a.audience == code
        kept = given & (a.outcome == KEPT)
        parts.append(
            a.aggregate(
                _code=ibis.literal(code, "string"),
                rule_customers=a.count(where=a[f"meets_{code}"]),
                _rule_revenue=a.revenue.sum(where=a[f"meets_{code}"]),
                _given=a.count(where=given),
                left_out_gone=a.count(where=given & (a.outcome == GONE)),
                left_out_low_value=a.count(where=given & (a.outcome == LOW_VALUE)),
                customers=a.count(where=kept),
                _revenue=a.revenue.sum(where=kept),
                _orders=a.orders.sum(where=kept),
                _clv=a.clv_12m.sum(where=kept),
                _recency=a.recency_days.cast("float64").mean(where=kept),
                _recovered=a.recovered.mean(where=kept),
            )
        )
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def audience_summary(
    customer_summary: Any,
    *,
    clv: Any = None,
    rfm_scores: Any = None,
    churn_scores: Any = None,
    winback: Any = None,
    winback_summary: Any = None,
    settings: AudienceSettings | None = None,
) -> ir.Table:
    """Per present audience in priority order, then ``all``: how many meet its rule, how
    many a list above took, how many were left out and why, who is listed, and the
    expected impact, cost and ROI of acting on them.

    Built from the same inputs as :func:`~clientlens.analytics.audiences.audiences.audiences`
    (``winback_summary`` gives ``churn_winback`` its value threshold).
    """
    cfg = settings or AudienceSettings()
    s = as_table(customer_summary)
    a = assigned(
        s,
        clv=clv,
        rfm_scores=rfm_scores,
        churn_scores=churn_scores,
        winback=winback,
        settings=cfg,
    )
    churn_model = churn_scores is not None and winback is not None
    codes = present(clv=clv is not None, rfm_scores=rfm_scores is not None, churn_model=churn_model)
    rules = _rules(codes, cfg, has_clv=clv is not None)
    counts = _counts(a, codes)
    j = rules.join(counts, rules.audience == counts._code)
    customers = j.customers.cast("int64")
    revenue = j._revenue.fill_null(0.0).cast("float64")
    orders = j._orders.fill_null(0).cast("int64")
    all_customers = s.count().as_scalar().cast("float64")
    all_revenue = s.total_amount.sum().as_scalar().cast("float64")
    repeat_spend = s.monetary_value.cast("float64").mean(where=s.frequency > 0).as_scalar()
    order_value = ibis.cases(
        (j.impact_basis == REPEAT_SPEND, repeat_spend),
        (j.impact_basis == RECOVERED, j._recovered.cast("float64")),
        else_=revenue / orders.cast("float64").nullif(0.0),
    )
    impact = ibis.ifelse(
        customers > 0, customers.cast("float64") * j.response_rate * order_value, 0.0
    )
    cost = customers.cast("float64") * j.offer_cost
    min_value = j.min_value
    if churn_model and winback_summary is not None and clv is not None:
        w = as_table(winback_summary)
        min_value = ibis.ifelse(
            j.audience == "churn_winback", w.min_clv_12m.cast("float64").as_scalar(), min_value
        )
    min_revenue = vip_revenue_cut(s, clv) if "vip_at_risk" in codes else ibis.null("float64")
    lists = j.select(
        audience=j.audience,
        audience_order=j.audience_order,
        rule_customers=j.rule_customers.cast("int64"),
        rule_customer_share=ibis.ifelse(
            all_customers > 0,
            j.rule_customers.cast("float64") / all_customers,
            ibis.null("float64"),
        ),
        rule_revenue_share=ibis.ifelse(
            all_revenue != 0,
            j._rule_revenue.fill_null(0.0).cast("float64") / all_revenue,
            ibis.null("float64"),
        ),
        higher_priority=(j.rule_customers - j._given).cast("int64"),
        left_out_gone=j.left_out_gone.cast("int64"),
        left_out_low_value=j.left_out_low_value.cast("int64"),
        customers=customers,
        customer_share=ibis.ifelse(
            all_customers > 0, customers.cast("float64") / all_customers, ibis.null("float64")
        ),
        revenue=revenue,
        revenue_share=ibis.ifelse(all_revenue != 0, revenue / all_revenue, ibis.null("float64")),
        orders=orders,
        clv_12m=ibis.ifelse(customers > 0, j._clv, ibis.null("float64")).cast("float64"),
        mean_recency_days=j._recency.cast("float64"),
        order_value=order_value.cast("float64"),
        impact_basis=j.impact_basis,
        response_rate=j.response_rate,
        expected_impact=impact.cast("float64"),
        offer_cost=j.offer_cost,
        cost=cost.cast("float64"),
        roi=ibis.ifelse(cost > 0, (impact - cost) / cost, ibis.null("float64")).cast("float64"),
        min_p_alive=j.min_p_alive,
        min_value=min_value.cast("float64"),
        rfm_segments=j.rfm_segments,
        p_alive_below=j.p_alive_below,
        value_top_share=j.value_top_share,
        min_revenue=ibis.ifelse(
            j.audience == "vip_at_risk", min_revenue, ibis.null("float64")
        ).cast("float64"),
        max_age_days=j.max_age_days,
        max_orders=j.max_orders,
    )
    return ibis.union(lists, _total(lists, a)).select(*SUMMARY_COLUMNS)


def _total(lists: ir.Table, a: ir.Table) -> ir.Table:
    """The row ``all``: the lists' sums (no customer is on two lists, so they add up)."""
    kept = a.outcome == KEPT
    mean_recency = a.recency_days.cast("float64").mean(where=kept).as_scalar()
    t = lists.aggregate(
        left_out_gone=lists.left_out_gone.sum(),
        left_out_low_value=lists.left_out_low_value.sum(),
        customers=lists.customers.sum(),
        customer_share=lists.customer_share.sum(),
        revenue=lists.revenue.sum(),
        revenue_share=lists.revenue_share.sum(),
        orders=lists.orders.sum(),
        clv_12m=lists.clv_12m.sum(),
        expected_impact=lists.expected_impact.sum(),
        cost=lists.cost.sum(),
    )
    none_f, none_i, none_s = ibis.null("float64"), ibis.null("int64"), ibis.null("string")
    # rule_customers − higher_priority summed over the lists is every customer given a list:
    # the customers meeting at least one rule
    given = (lists.rule_customers - lists.higher_priority).sum().as_scalar()
    return t.select(
        audience=ibis.literal(ALL, "string"),
        audience_order=ibis.literal(ALL_ORDER, "int64"),
        rule_customers=given.cast("int64"),
        rule_customer_share=none_f,
        rule_revenue_share=none_f,
        higher_priority=ibis.literal(0, "int64"),
        left_out_gone=t.left_out_gone.cast("int64"),
        left_out_low_value=t.left_out_low_value.cast("int64"),
        customers=t.customers.cast("int64"),
        customer_share=t.customer_share.cast("float64"),
        revenue=t.revenue.cast("float64"),
        revenue_share=t.revenue_share.cast("float64"),
        orders=t.orders.cast("int64"),
        clv_12m=t.clv_12m.cast("float64"),
        mean_recency_days=mean_recency.cast("float64"),
        order_value=none_f,
        impact_basis=none_s,
        response_rate=none_f,
        expected_impact=t.expected_impact.cast("float64"),
        offer_cost=none_f,
        cost=t.cost.cast("float64"),
        roi=ibis.ifelse(
            t.cost > 0, (t.expected_impact - t.cost) / t.cost, ibis.null("float64")
        ).cast("float64"),
        min_p_alive=none_f,
        min_value=none_f,
        rfm_segments=none_s,
        p_alive_below=none_f,
        value_top_share=none_f,
        min_revenue=none_f,
        max_age_days=none_i,
        max_orders=none_i,
    )
