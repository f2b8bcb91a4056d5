"""Customers by number of completed orders in the report's buckets (``purchase_order_buckets``).

The buckets are 1, 2, 3, 4, 5, 6-10 and 11+ orders: one bar per small count, where
most customers are, and two for the long tail. ``purchase_order_counts`` keeps the
finer 1 … 9, 10+ rows; this table is the one the report charts, so the chart and its
table cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, as_table
from clientlens.analytics.common import ratio
from clientlens.lazy import ibis, ir

BUCKETS: tuple[tuple[int, int | None], ...] = (
    (1, 1),
    (2, 2),
    (3, 3),
    (4, 4),
    (5, 5),
    (6, 10),
    (11, None),
)
"""Order-count ranges, inclusive; ``None`` = open."""


def _label(lo: int, hi: int | None) -> str:
    if hi is None:
        return f"{lo}+"
    return str(lo) if lo == hi else f"{lo}-{hi}"


def purchase_order_buckets(customer_summary: Any) -> ir.Table:
    """Customers, orders and revenue per order-count bucket, every bucket present.

    Parameters
    ----------
    customer_summary
        The ``customer_summary`` result (``n_orders``, ``total_amount`` per customer).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"n_orders": [1, 1, 7, 12], "total_amount": [1.0, 2.0, 3.0, 4.0]})
    >>> r = purchase_order_buckets(s).order_by("bucket_order").to_pandas()
    >>> r[["bucket", "customers"]].values.tolist()
    [['1', 2], ['2', 0], ['3', 0], ['4', 0], ['5', 0], ['6-10', 1], ['11+', 1]]
    """
    t = as_table(customer_summary)
    cases = [(t.n_orders <= hi, i) for i, (_, hi) in enumerate(BUCKETS, start=1) if hi is not None]
    t = t.mutate(_bucket=ibis.cases(*cases, else_=len(BUCKETS)))
    counts = t.group_by("_bucket").agg(
        _customers=t.count(), _orders=t.n_orders.sum(), _revenue=t.total_amount.sum()
    )
    # no None in the memtable: Spark turns a nullable integer column into all nulls
    buckets = ibis.memtable(
        {
            "bucket_order": list(range(1, len(BUCKETS) + 1)),
            "bucket": [_label(lo, hi) for lo, hi in BUCKETS],
            "min_orders": [lo for lo, _ in BUCKETS],
            "max_orders": [hi if hi is not None else -1 for _, hi in BUCKETS],
        },
        schema={
            "bucket_order": "int64",
            "bucket": "string",
            "min_orders": "int64",
            "max_orders": "int64",
        },
    )
    g = buckets.left_join(counts, buckets.bucket_order == counts._bucket).select(
        buckets.bucket,
        buckets.bucket_order,
        buckets.min_orders,
        max_orders=ibis.ifelse(buckets.max_orders >= 0, buckets.max_orders, ibis.null("int64")),
        customers=counts._customers.fill_null(0).cast("int64"),
        orders=counts._orders.fill_null(0).cast("int64"),
        revenue=counts._revenue.fill_null(0.0).cast("float64"),
    )
    all_customers = g.customers.sum().over().cast("float64")
    all_revenue = g.revenue.sum().over()
    return g.mutate(
        customer_share=ratio(g.customers, all_customers),
        revenue_share=ratio(g.revenue, all_revenue),
    )


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return purchase_order_buckets(inputs["customer_summary"])


ANALYSES = [
    Analysis(
        name="purchase_order_buckets",
        requires=("customer_summary",),
        build=_build,
        description="Customers by number of completed orders in the report's buckets "
        "(1, 2, 3, 4, 5, 6-10, 11+), with their orders, revenue and shares.",
        columns={
            "bucket": Column("string", "Orders per customer: 1 … 5, 6-10 or 11+.", "订单数分组"),
            "bucket_order": Column(
                "int64", "Display order of the bucket (1 = one order).", "显示顺序"
            ),
            "min_orders": Column("int64", "Fewest orders in the bucket.", "最少订单数", "count"),
            "max_orders": Column(
                "int64", "Most orders in the bucket (empty for 11+).", "最多订单数", "count"
            ),
            "customers": Column(
                "int64", "Customers with that many orders (0 when none).", "客户数", "count"
            ),
            "orders": Column("int64", "Their completed orders.", "订单数", "count"),
            "revenue": Column("float64", "Their revenue.", "销售额", "currency"),
            "customer_share": Column(
                "float64", "customers / all customers with an order.", "客户占比", "share"
            ),
            "revenue_share": Column(
                "float64", "revenue / all revenue (empty when revenue is 0).", "销售额占比", "share"
            ),
        },
    )
]
