"""Acquisition cohorts: customer retention, revenue retention and LTV by cohort.

A customer's cohort is the calendar month (or ISO week) of their first completed order;
period ``k`` of a cohort is the k-th month (week) after it, ``k = 0`` being the cohort's
own month. For every cohort and every period up to the one containing
``observation_end`` (periods without a single order included, as zeros):

* ``active_customers``: cohort members with ≥ 1 completed order in period k;
* ``retention_rate`` = active_customers / cohort_size (GLOSSARY, cohort view);
* ``revenue``: the cohort's completed-order revenue in period k;
* ``revenue_retention`` = revenue_k / revenue_0 (null when revenue_0 is 0);
* ``cumulative_revenue_per_customer``: revenue in periods 0..k / cohort_size — the
  cohort's historical LTV curve.

The last period is usually only partly observed; ``period_complete`` says so, because
its retention is not comparable with full periods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, to_date
from clientlens.analytics.common import completed_orders
from clientlens.analytics.periods import (
    GRAINS,
    last_complete_period_index,
    period_index,
    period_start_of_index,
    python_period_index,
)
from clientlens.errors import ConfigError
from clientlens.lazy import ibis, ir


def cohort_retention(
    orders: Any, *, observation_end: Any, grains: Sequence[str] = GRAINS
) -> ir.Table:
    """Retention, revenue retention and cumulative revenue per customer by cohort.

    Parameters
    ----------
    orders
        Completed orders (Ibis table or pandas frame). Required columns:
        ``customer_id``, ``order_date`` (date or timestamp), ``amount``.
    observation_end
        Last day of data used; later orders are left out.
    grains
        ``"month"`` and/or ``"week"`` (ISO weeks, Monday to Sunday).

    Returns
    -------
    ibis.Table
        One row per grain × cohort × period index, columns as in :data:`ANALYSES`.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [10.0, 5.0, 20.0],
    ...     "order_date": pd.to_datetime(["2024-01-03", "2024-02-10", "2024-01-20"])})
    >>> r = cohort_retention(orders, observation_end="2024-02-29", grains=["month"])
    >>> r.order_by("period_index").to_pandas()[["active_customers", "retention_rate",
    ...     "revenue_retention", "cumulative_revenue_per_customer"]].values.tolist()
    [[2.0, 1.0, 1.0, 15.0], [1.0, 0.5, 0.16666666666666666, 17.5]]
    """
    unknown = [g for g in grains if g not in GRAINS]
    if unknown or not grains:
        raise ConfigError(f"cohort grains must be among {', '.join(GRAINS)}; got {list(grains)}.")
    end = to_date(observation_end)
    t = completed_orders(orders, end, who="cohort_retention")
    # one first-purchase lookup and one join serve both grains
    first = t.group_by("customer_id").agg(_first=t.order_date.min())
    j = t.join(first, "customer_id")
    indexed = j.select(
        "customer_id",
        "amount",
        **{f"_p_{g}": period_index(j.order_date, g) for g in grains},
        **{f"_c_{g}": period_index(j._first, g) for g in grains},
    )
    sizes = first.select(**{f"_c_{g}": period_index(first._first, g) for g in grains})
    parts = [_one_grain(indexed, sizes, grain, end) for grain in grains]
    out = parts[0]
    for part in parts[1:]:
        out = out.union(part)
    return out


def _one_grain(indexed: ir.Table, firsts: ir.Table, grain: str, end: Any) -> ir.Table:
    o = indexed.select(
        "customer_id", "amount", _p=indexed[f"_p_{grain}"], _cohort=indexed[f"_c_{grain}"]
    )
    sizes = firsts.group_by(_cohort=firsts[f"_c_{grain}"]).agg(cohort_size=firsts.count())
    activity = o.group_by(["_cohort", "_p"]).agg(
        active_customers=o.customer_id.nunique(), revenue=o.amount.sum()
    )
    end_index = python_period_index(end, grain)
    # every period of every cohort, so months nobody bought in show as zeros
    grid = sizes.mutate(_k=ibis.range(0, end_index - sizes._cohort + 1).unnest())
    g = grid.left_join(
        activity,
        [grid._cohort == activity._cohort, (grid._cohort + grid._k) == activity._p],
    ).select(
        grid._cohort,
        grid._k,
        grid.cohort_size,
        active_customers=activity.active_customers.fill_null(0),
        revenue=activity.revenue.fill_null(0.0).cast("float64"),
    )
    first_revenue = ibis.ifelse(g._k == 0, g.revenue, 0.0).sum().over(group_by=g._cohort)
    cumulative = g.revenue.sum().over(ibis.cumulative_window(group_by=g._cohort, order_by=g._k))
    g = g.mutate(_rev0=first_revenue, cumulative_revenue=cumulative)
    size = g.cohort_size.cast("float64")
    return g.select(
        grain=ibis.literal(grain),
        cohort=period_start_of_index(g._cohort, grain),
        period_index=g._k.cast("int64"),
        period_start=period_start_of_index(g._cohort + g._k, grain),
        period_complete=(g._cohort + g._k) <= last_complete_period_index(end, grain),
        cohort_size=g.cohort_size.cast("int64"),
        active_customers=g.active_customers.cast("int64"),
        retention_rate=g.active_customers.cast("float64") / size,
        revenue=g.revenue,
        revenue_retention=ibis.ifelse(g._rev0 != 0, g.revenue / g._rev0, ibis.null("float64")),
        cumulative_revenue=g.cumulative_revenue,
        cumulative_revenue_per_customer=g.cumulative_revenue / size,
    )


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return cohort_retention(inputs["orders"], observation_end=ctx.observation_end)


ANALYSES = [
    Analysis(
        name="cohort_retention",
        requires=("orders",),
        build=_build,
        description="Monthly and weekly acquisition cohorts: how many of each cohort buy "
        "again k months (weeks) later, their revenue, and cumulative revenue per customer "
        "(historical LTV by cohort).",
        columns={
            "grain": Column(
                "string",
                "Cohort grain: month (calendar months) or week (ISO weeks, Monday first).",
                "同期群粒度：month（自然月）或 week（ISO 周，周一为第一天）。",
            ),
            "cohort": Column(
                "date",
                "First day of the month / ISO week of the customers' first completed order.",
                "获客批次：客户首个已完成订单所在月 / ISO 周的第一天。",
            ),
            "period_index": Column(
                "int64",
                "Periods (months or weeks) since the cohort's own period (0 = it).",
                "距批次自身周期的周期数（月或周；0 = 批次自身的周期）。",
                unit="count",
            ),
            "period_start": Column("date", "First day of that period.", "该周期的第一天。"),
            "period_complete": Column(
                "boolean",
                "True when the period ended on or before the observation end; "
                "the last period is usually only partly observed.",
                "周期在观察截止日或之前结束时为 True；最后一个周期通常只观察到一部分。",
            ),
            "cohort_size": Column(
                "int64",
                "Customers whose first completed order fell in the cohort period.",
                "首个已完成订单落在批次周期内的客户数。",
                unit="count",
            ),
            "active_customers": Column(
                "int64",
                "Cohort customers with at least one completed order in the period.",
                "该周期内至少有一个已完成订单的批次客户数。",
                unit="count",
            ),
            "retention_rate": Column(
                "float64",
                "active_customers / cohort_size (留存率).",
                "留存率：active_customers / cohort_size。",
                unit="share",
            ),
            "revenue": Column(
                "float64",
                "Revenue of the cohort's completed orders in the period (0 if none).",
                "批次客户在该周期已完成订单的销售额（没有则为 0）。",
                unit="currency",
            ),
            "revenue_retention": Column(
                "float64",
                "Revenue in the period / revenue in period 0 (收入留存率); "
                "empty when period 0 had no revenue.",
                "收入留存率：该周期销售额 / 第 0 期销售额；第 0 期没有销售额时为空。",
                unit="ratio",
            ),
            "cumulative_revenue": Column(
                "float64",
                "Cohort revenue from period 0 through this period.",
                "批次从第 0 期到本期的累计销售额。",
                unit="currency",
            ),
            "cumulative_revenue_per_customer": Column(
                "float64",
                "cumulative_revenue / cohort_size: historical "
                "LTV per customer of the cohort after this many periods.",
                "cumulative_revenue / cohort_size：批次客户经过这么多周期后的人均历史 LTV。",
                unit="currency",
            ),
        },
    )
]
