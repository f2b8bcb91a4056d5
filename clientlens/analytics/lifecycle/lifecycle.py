"""Lifecycle result tables: latest stage per customer, monthly transitions and stage counts.

The stage rule is in :mod:`clientlens.analytics.lifecycle.lifecycle_rules` (and in the tables'
descriptions in docs/analyses.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, to_date
from clientlens.analytics.lifecycle.lifecycle_rules import (
    AT_RISK_DAYS,
    CHURNED_DAYS,
    CODE,
    DORMANT_DAYS,
    NONE,
    STAGE_CODES,
    WINDOWS,
    lifecycle_movements,
    lifecycle_stages,
)
from clientlens.analytics.periods import (
    last_complete_month_index,
    month_start_of_index,
    python_month_index,
)
from clientlens.lazy import ibis, ir

__all__ = ["lifecycle_stages", "lifecycle_summary", "lifecycle_transitions"]


def _stage_labels(prefix: str = "", *, with_none: bool = False) -> ir.Table:
    codes = ([NONE] if with_none else []) + list(STAGE_CODES)
    return ibis.memtable(
        {f"{prefix}stage": codes, f"{prefix}stage_order": [CODE[c] for c in codes]}
    )


def lifecycle_transitions(
    orders: Any,
    *,
    observation_end: Any,
    at_risk_days: int = AT_RISK_DAYS.default,
    dormant_days: int = DORMANT_DAYS.default,
    churned_days: int = CHURNED_DAYS.default,
) -> ir.Table:
    """From-stage → to-stage counts between consecutive month ends, with row shares.

    A customer's first month is counted as a move from ``none`` to ``new``. ``share``
    is the share of the from-stage's customers that moved to the to-stage, so each
    month's shares per from-stage add up to 1. Arguments as :func:`lifecycle_stages`.
    """
    moves = lifecycle_movements(
        orders,
        observation_end=observation_end,
        at_risk_days=at_risk_days,
        dormant_days=dormant_days,
        churned_days=churned_days,
    )
    from_total = moves.customers.sum().over(group_by=[moves._month, moves.previous_stage])
    moves = moves.mutate(share=moves.customers.cast("float64") / from_total.cast("float64"))
    src = _stage_labels("from_", with_none=True)
    dst = _stage_labels("to_")
    j = moves.join(src, moves.previous_stage == src.from_stage_order).join(
        dst, moves.stage == dst.to_stage_order
    )
    end = to_date(observation_end)
    return j.select(
        month=month_start_of_index(j._month),
        month_complete=j._month <= last_complete_month_index(end),
        is_latest_month=j._month == python_month_index(end),
        from_stage=j.from_stage,
        to_stage=j.to_stage,
        customers=j.customers,
        share=j.share,
    )


def lifecycle_summary(transitions: ir.Table) -> ir.Table:
    """Customers in each stage at each month end, and their share of that month's customers.

    ``transitions`` is :func:`lifecycle_transitions`' result. Every month has all six
    stages (0 when nobody is in one), so charts and comparisons need no gap filling.
    """
    counts = transitions.group_by(["month", "month_complete", "to_stage"]).agg(
        customers=transitions.customers.sum()
    )
    months = counts.select("month", "month_complete").distinct()
    grid = months.cross_join(_stage_labels())
    g = grid.left_join(counts, [grid.month == counts.month, grid.stage == counts.to_stage])
    g = g.select(
        grid.month,
        grid.month_complete,
        grid.stage,
        grid.stage_order,
        customers=counts.customers.fill_null(0).cast("int64"),
    )
    total = g.customers.sum().over(group_by=g.month)
    return g.mutate(
        stage_order=g.stage_order.cast("int64"),
        customer_share=g.customers.cast("float64") / total.cast("float64"),
    )


def _windows(ctx: AnalysisContext) -> dict[str, Any]:
    return {
        "observation_end": ctx.observation_end,
        "at_risk_days": ctx.setting("lifecycle_at_risk_days"),
        "dormant_days": ctx.setting("lifecycle_dormant_days"),
        "churned_days": ctx.setting("lifecycle_churned_days"),
    }


def _build_stages(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return lifecycle_stages(inputs["orders"], **_windows(ctx))


def _build_transitions(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return lifecycle_transitions(inputs["orders"], **_windows(ctx))


def _build_summary(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return lifecycle_summary(inputs["lifecycle_transitions"])


_STAGE_WORDS = "new, active, at_risk, dormant, churned or reactivated"
_STAGE_WORDS_ZH = (
    "new 新客、active 活跃、at_risk 预警、dormant 沉睡、churned 流失或 reactivated 回流"
)
_RULE = (
    "A customer is judged on each month's last day (the observation end for its own "
    "month) by the days since their last completed order: new in the month of their "
    "first order; reactivated when they bought in the month after having gone at least "
    "lifecycle_dormant_days without a purchase at the previous month end; otherwise "
    "active below lifecycle_at_risk_days, at risk below lifecycle_dormant_days, dormant "
    "below lifecycle_churned_days, churned from then on (defaults "
    f"{' / '.join(str(w.default) for w in WINDOWS)} days)."
)

ANALYSES = [
    Analysis(
        name="lifecycle_stages",
        requires=("orders",),
        build=_build_stages,
        settings=WINDOWS,
        description="Each customer's lifecycle stage (新客 new, 活跃 active, 预警 at risk, "
        "沉睡 dormant, 流失 churned, 回流 reactivated) at the observation end, and at the "
        "month end before it. " + _RULE + " One row per customer (the latest month); "
        "the monthly history is in lifecycle_summary and lifecycle_transitions.",
        columns={
            "customer_id": Column("string", "Customer.", "客户编号。"),
            "month": Column(
                "date",
                "First day of the observation end's month (the stage is judged on "
                "the observation end).",
                "观察截止日所在月的第一天（阶段按观察截止日判定）。",
            ),
            "stage": Column(
                "string",
                f"Lifecycle stage code at the observation end: {_STAGE_WORDS}.",
                f"观察截止日的生命周期阶段代码：{_STAGE_WORDS_ZH}。",
            ),
            "previous_stage": Column(
                "string",
                "Stage at the end of the previous month; none when this is "
                "the customer's first month.",
                "上月末的阶段；本月是客户的第一个月时为 none。",
            ),
            "days_since_last_purchase": Column(
                "int64",
                "Days from the last completed order to the observation end.",
                "最后一个已完成订单到观察截止日的天数。",
                unit="days",
            ),
            "purchased_in_month": Column(
                "boolean",
                "True when the customer bought in this month.",
                "客户本月有购买时为 True。",
            ),
        },
    ),
    Analysis(
        name="lifecycle_transitions",
        requires=("orders",),
        build=_build_transitions,
        settings=WINDOWS,
        description="Month-over-month lifecycle stage transitions: how many customers moved "
        "from each stage at the previous month end to each stage at this month end, for "
        "every month (the latest month flagged). " + _RULE,
        columns={
            "month": Column(
                "date",
                "First day of the month the customers moved into (to_stage at its end).",
                "客户转入的月份的第一天（to_stage 是该月末的阶段）。",
            ),
            "month_complete": Column(
                "boolean",
                "True when the month ended on or before the observation end.",
                "该月在观察截止日或之前结束时为 True。",
            ),
            "is_latest_month": Column(
                "boolean",
                "True for the month of the observation end (the latest matrix).",
                "观察截止日所在的月份为 True（最新的转移矩阵）。",
            ),
            "from_stage": Column(
                "string",
                f"Stage code at the end of the previous month: {_STAGE_WORDS}, "
                "or none in a customer's first month (then to_stage is new).",
                f"上月末的阶段代码：{_STAGE_WORDS_ZH}；客户的第一个月为 none"
                "（此时 to_stage 为 new）。",
            ),
            "to_stage": Column(
                "string",
                f"Stage code at the end of this month: {_STAGE_WORDS}.",
                f"本月末的阶段代码：{_STAGE_WORDS_ZH}。",
            ),
            "customers": Column(
                "int64",
                "Customers who made this move (pairs nobody made are left out).",
                "发生这一转移的客户数（没有人发生的组合不列出）。",
                unit="count",
            ),
            "share": Column(
                "float64",
                "customers / all customers in from_stage at the previous month end "
                "(row share; each from-stage's shares add up to 1 in a month).",
                "customers / 上月末处于 from_stage 的全部客户（行占比；每月每个转出阶段的"
                "占比之和为 1）。",
                unit="share",
            ),
        },
    ),
    Analysis(
        name="lifecycle_summary",
        requires=("lifecycle_transitions",),
        build=_build_summary,
        description="Customers in each lifecycle stage at each month end, with shares "
        "(every month has all six stages).",
        columns={
            "month": Column(
                "date",
                "First day of the month (stages judged at its end, or on the "
                "observation end for its own month).",
                "月份的第一天（阶段按月末判定；观察截止日所在月按观察截止日判定）。",
            ),
            "month_complete": Column(
                "boolean",
                "True when the month ended on or before the observation end.",
                "该月在观察截止日或之前结束时为 True。",
            ),
            "stage": Column(
                "string",
                f"Lifecycle stage code: {_STAGE_WORDS}.",
                f"生命周期阶段代码：{_STAGE_WORDS_ZH}。",
            ),
            "stage_order": Column(
                "int64",
                "Display order of the stage (1 = new … 6 = reactivated).",
                "阶段的列示顺序（1 = 新客 … 6 = 回流）。",
            ),
            "customers": Column(
                "int64",
                "Customers in the stage at the month end (0 when none).",
                "月末处于该阶段的客户数（没有则为 0）。",
                unit="count",
            ),
            "customer_share": Column(
                "float64",
                "customers / all customers acquired by that month end.",
                "customers / 截至该月末已获取的全部客户。",
                unit="share",
            ),
        },
    ),
]
