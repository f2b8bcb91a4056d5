"""The customer base in one row (``customer_base``): how many customers, what they bought,
how many bought only once, and how long the history is.

Every figure is over the customers in ``customer_summary`` (customers with a completed
order up to the observation end):

* ``aov`` = revenue / orders, ``orders_per_customer`` = orders / customers,
  ``revenue_per_customer`` = revenue / customers;
* one-time buyers have exactly one completed order; ``repeat_share`` is the share of
  customers with two or more (the ever-repeat share of the glossary's repeat rate);
* ``mean_repeat_spend`` is the mean, over repeat buyers (``frequency > 0``), of their
  mean repeat-purchase-day spend (``monetary_value``): what a customer's next purchase
  is worth once they come back;
* ``history_years`` = the oldest customer's age (``T``, days) / 365.25, at least 1: it
  turns revenue to date into revenue per year.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, as_table
from clientlens.errors import DataContractError
from clientlens.lazy import ibis, ir

DAYS_PER_YEAR = 365.25
REQUIRED = ("n_orders", "total_amount", "frequency", "monetary_value", "T")


def customer_base(customer_summary: Any) -> ir.Table:
    """One row of totals and shares over the per-customer summary.

    Parameters
    ----------
    customer_summary
        The ``customer_summary`` result: ``n_orders``, ``total_amount``, ``frequency``,
        ``monetary_value``, ``T`` per customer.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"customer_id": ["a", "b"], "n_orders": [1, 3],
    ...     "total_amount": [10.0, 30.0], "frequency": [0.0, 2.0],
    ...     "monetary_value": [0.0, 12.0], "T": [100.0, 800.0]})
    >>> r = customer_base(s).to_pandas().iloc[0]
    >>> int(r.one_time_buyers), float(r.one_time_revenue_share), float(r.history_years)
    (1, 0.25, 2.190280629705681)
    """
    t = as_table(customer_summary)
    missing = [c for c in REQUIRED if c not in t.columns]
    if missing:
        raise DataContractError(
            f"customer_base needs the customer_summary columns {missing}; "
            f"the table has {list(t.columns)}."
        )
    one_time = t.n_orders == 1
    agg = t.aggregate(
        customers=t.count().cast("int64"),
        orders=t.n_orders.sum().fill_null(0).cast("int64"),
        revenue=t.total_amount.sum().fill_null(0.0).cast("float64"),
        one_time_buyers=one_time.sum().fill_null(0).cast("int64"),
        one_time_revenue=one_time.ifelse(t.total_amount, 0.0).sum().fill_null(0.0).cast("float64"),
        mean_repeat_spend=t.monetary_value.cast("float64").mean(where=t.frequency > 0),
        history_days=t["T"].max().cast("float64"),
    )
    customers = agg.customers.cast("float64").nullif(0.0)
    return agg.select(
        "customers",
        "orders",
        "revenue",
        orders_per_customer=agg.orders.cast("float64") / customers,
        aov=agg.revenue / agg.orders.cast("float64").nullif(0.0),
        revenue_per_customer=agg.revenue / customers,
        one_time_buyers=agg.one_time_buyers,
        one_time_share=agg.one_time_buyers.cast("float64") / customers,
        repeat_buyers=(agg.customers - agg.one_time_buyers).cast("int64"),
        repeat_share=(agg.customers - agg.one_time_buyers).cast("float64") / customers,
        one_time_revenue=agg.one_time_revenue,
        one_time_revenue_share=ibis.ifelse(
            agg.revenue != 0, agg.one_time_revenue / agg.revenue, ibis.literal(0.0)
        ),
        mean_repeat_spend=agg.mean_repeat_spend,
        history_days=agg.history_days,
        history_years=ibis.greatest(
            agg.history_days.fill_null(0.0) / DAYS_PER_YEAR, ibis.literal(1.0)
        ),
    )


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return customer_base(inputs["customer_summary"])


ANALYSES = [
    Analysis(
        name="customer_base",
        requires=("customer_summary",),
        build=_build,
        description="The customer base in one row: customers, orders and revenue, one-time "
        "and repeat buyers with their shares, the repeat buyers' mean spend, and the years "
        "of history.",
        columns={
            "customers": Column(
                "int64", "Customers with a completed order.", "有订单的客户数", "count"
            ),
            "orders": Column("int64", "Their completed orders.", "已完成订单数", "count"),
            "revenue": Column("float64", "Their revenue.", "销售额", "currency"),
            "orders_per_customer": Column("float64", "orders / customers.", "人均订单数", "ratio"),
            "aov": Column(
                "float64", "Average order value: revenue / orders.", "客单价", "currency"
            ),
            "revenue_per_customer": Column(
                "float64", "revenue / customers.", "人均销售额", "currency"
            ),
            "one_time_buyers": Column(
                "int64",
                "Customers with exactly one completed order.",
                "只购买过一次的客户数",
                "count",
            ),
            "one_time_share": Column(
                "float64", "one_time_buyers / customers.", "一次性购买客户占比", "share"
            ),
            "repeat_buyers": Column(
                "int64", "Customers with two or more completed orders.", "复购客户数", "count"
            ),
            "repeat_share": Column(
                "float64", "repeat_buyers / customers.", "复购客户占比", "share"
            ),
            "one_time_revenue": Column(
                "float64", "Revenue of the one-time buyers.", "一次性购买客户的销售额", "currency"
            ),
            "one_time_revenue_share": Column(
                "float64",
                "one_time_revenue / revenue (0 when revenue is 0).",
                "一次性购买客户的销售额占比",
                "share",
            ),
            "mean_repeat_spend": Column(
                "float64",
                "Mean over repeat buyers of their mean repeat-purchase-day spend "
                "(customer_summary.monetary_value); empty without repeat buyers.",
                "复购客户的平均复购消费金额",
                "currency",
            ),
            "history_days": Column(
                "float64",
                "Age of the oldest customer: days from their first purchase to the "
                "observation end.",
                "最早客户的客龄（天）",
                "days",
            ),
            "history_years": Column(
                "float64",
                "history_days / 365.25, at least 1: years of order history.",
                "订单历史年数（至少 1 年）",
                "years",
            ),
        },
    )
]
