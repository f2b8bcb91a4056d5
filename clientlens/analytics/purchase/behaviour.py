"""Purchase behaviour: how often, how far apart, when, and what customers buy.

* ``purchase_order_counts`` — customers by number of completed orders (1, 2, …, 10+);
* ``purchase_intervals`` — inter-purchase days (GLOSSARY ``interpurchase_days``: days
  between consecutive purchase *days* of one customer, so two orders on one day are one
  purchase day) in bins;
* ``purchase_cycle`` — each customer's purchase cycle (GLOSSARY ``purchase_cycle_days``:
  the median inter-purchase time; null with fewer than 2 purchase days);
* ``purchase_heatmap`` — orders and revenue by day of week × hour of the order time;
* ``category_mix`` — revenue by product category overall, per RFM segment and each
  customer's top category (in :mod:`clientlens.analytics.purchase.category_mix`).

The purchase trend with 环比/同比 and time to second purchase are in
:mod:`clientlens.analytics.purchase.trends`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir

from clientlens.analytics.base import Analysis, AnalysisContext
from clientlens.analytics.lifecycle.cohorts import completed_orders

ORDER_COUNT_CAP = 10
"""Customers with this many orders or more share the last row (``10+``)."""

INTERVAL_BINS: tuple[tuple[int, int | None], ...] = (
    (1, 7),
    (8, 14),
    (15, 30),
    (31, 60),
    (61, 90),
    (91, 180),
    (181, 365),
    (366, None),
)
"""Day ranges (inclusive; ``None`` = open) for inter-purchase and time-to-second-purchase days."""


def bins_table(bins: tuple[tuple[int, int | None], ...] = INTERVAL_BINS) -> ir.Table:
    """The day bins as a small table: bin_order, days_bin label, min_days, max_days."""
    # no None in the memtable: Spark turns a nullable integer column into all nulls
    t = ibis.memtable(
        {
            "bin_order": list(range(1, len(bins) + 1)),
            "days_bin": [f"{lo}-{hi}" if hi is not None else f"{lo}+" for lo, hi in bins],
            "min_days": [lo for lo, _ in bins],
            "max_days": [hi if hi is not None else -1 for _, hi in bins],
        },
        schema={
            "bin_order": "int64",
            "days_bin": "string",
            "min_days": "int64",
            "max_days": "int64",
        },
    )
    return t.mutate(max_days=ibis.ifelse(t.max_days >= 0, t.max_days, ibis.null("int64")))


def bin_order_of(
    days: ir.IntegerValue, bins: tuple[tuple[int, int | None], ...] = INTERVAL_BINS
) -> ir.IntegerValue:
    """The ``bin_order`` of a number of days (days below the first bin go to the first)."""
    cases = [(days <= hi, i) for i, (_, hi) in enumerate(bins, start=1) if hi is not None]
    return ibis.cases(*cases, else_=len(bins))


def purchase_days(orders: Any, observation_end: Any) -> ir.Table:
    """One row per customer and purchase day: ``customer_id, day`` (epoch days), orders, revenue."""
    t = completed_orders(orders, observation_end, who="purchase behaviour")
    t = t.mutate(_day=t.order_date.cast("date").epoch_days())
    return t.group_by(["customer_id", "_day"]).agg(orders=t.count(), revenue=t.amount.sum())


def interpurchase_days(orders: Any, observation_end: Any) -> ir.Table:
    """``customer_id, gap`` — days since the customer's previous purchase day (one row per
    purchase day after the first)."""
    d = purchase_days(orders, observation_end)
    previous = d._day.lag().over(ibis.window(group_by=d.customer_id, order_by=d._day))
    d = d.select("customer_id", gap=(d._day - previous).cast("int64"))
    return d.filter(d.gap.notnull())


def purchase_order_counts(orders: Any, *, observation_end: Any) -> ir.Table:
    """Customers by number of completed orders: 1, 2, …, 9 and 10+ (every row present).

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [1.0, 2.0, 5.0],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-05"])})
    >>> r = purchase_order_counts(o, observation_end="2024-01-31").order_by("order_count")
    >>> r.to_pandas()[["customers", "customer_share", "revenue_share"]].head(2).values.tolist()
    [[1.0, 0.5, 0.625], [1.0, 0.5, 0.375]]
    """
    t = completed_orders(orders, observation_end, who="purchase_order_counts")
    per = t.group_by("customer_id").agg(n=t.count(), revenue=t.amount.sum())
    per = per.mutate(order_count=ibis.least(per.n, ORDER_COUNT_CAP).cast("int64"))
    counts = per.group_by("order_count").agg(
        customers=per.count(), orders=per.n.sum(), revenue=per.revenue.sum()
    )
    labels = ibis.memtable(
        {
            "order_count": list(range(1, ORDER_COUNT_CAP + 1)),
            "order_count_label": [str(i) for i in range(1, ORDER_COUNT_CAP)]
            + [f"{ORDER_COUNT_CAP}+"],
        },
        schema={"order_count": "int64", "order_count_label": "string"},
    )
    g = labels.left_join(counts, labels.order_count == counts.order_count).select(
        labels.order_count,
        labels.order_count_label,
        customers=counts.customers.fill_null(0).cast("int64"),
        orders=counts.orders.fill_null(0).cast("int64"),
        revenue=counts.revenue.fill_null(0.0).cast("float64"),
    )
    all_customers = g.customers.sum().over()
    all_revenue = g.revenue.sum().over()
    return g.mutate(
        customer_share=g.customers.cast("float64") / all_customers.cast("float64"),
        revenue_share=ibis.ifelse(all_revenue != 0, g.revenue / all_revenue, ibis.null("float64")),
    )


def purchase_intervals(orders: Any, *, observation_end: Any) -> ir.Table:
    """Inter-purchase days of all customers in bins (1-7, 8-14, …, 366+), every bin present."""
    gaps = interpurchase_days(orders, observation_end)
    gaps = gaps.mutate(bin_order=bin_order_of(gaps.gap))
    counts = gaps.group_by("bin_order").agg(intervals=gaps.count())
    bins = bins_table()
    g = bins.left_join(counts, bins.bin_order == counts.bin_order).select(
        bins.bin_order,
        bins.days_bin,
        bins.min_days,
        bins.max_days,
        intervals=counts.intervals.fill_null(0).cast("int64"),
    )
    total = g.intervals.sum().over().cast("float64")
    share = g.intervals.cast("float64") / total
    cumulative = g.intervals.sum().over(ibis.cumulative_window(order_by=g.bin_order))
    return g.mutate(
        interval_share=ibis.ifelse(total > 0, share, ibis.null("float64")),
        cumulative_share=ibis.ifelse(
            total > 0, cumulative.cast("float64") / total, ibis.null("float64")
        ),
    )


def purchase_cycle(orders: Any, *, observation_end: Any) -> ir.Table:
    """Each customer's purchase days, median (purchase cycle) and mean inter-purchase days.

    The median is exact and engine-independent: the middle one or two gaps by rank
    (``row_number`` over the sorted gaps), not an approximate percentile.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"customer_id": ["a"] * 4 + ["b"], "amount": [1.0] * 5,
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-13",
    ...                                   "2024-01-14", "2024-01-02"])})
    >>> r = purchase_cycle(o, observation_end="2024-01-31").order_by("customer_id").to_pandas()
    >>> r[["purchase_days", "purchase_cycle_days", "mean_interpurchase_days"]].values.tolist()
    [[4.0, 2.0, 4.333333333333333], [1.0, nan, nan]]
    """
    d = purchase_days(orders, observation_end)
    previous = d._day.lag().over(ibis.window(group_by=d.customer_id, order_by=d._day))
    d = d.select("customer_id", gap=(d._day - previous).cast("int64"))
    # one pass: the first purchase day (no gap) ranks 0 and gaps rank 1..n; ordering by
    # coalesce() avoids NULLS FIRST/LAST, which DuckDB and Spark default differently
    w = ibis.window(group_by=d.customer_id, order_by=d.gap.fill_null(-1), rows=(None, None))
    ranked = d.mutate(_rank=ibis.row_number().over(w), _n=d.gap.count().over(w))
    middle = (ranked._rank == 1 + (ranked._n - 1) // 2) | (ranked._rank == 1 + ranked._n // 2)
    gap = ranked.gap.cast("float64")
    return ranked.group_by("customer_id").agg(
        purchase_days=ranked.count().cast("int64"),
        purchase_cycle_days=gap.mean(where=middle & ranked.gap.notnull()),
        mean_interpurchase_days=gap.mean(),
    )


def purchase_heatmap(orders: Any, *, observation_end: Any) -> ir.Table:
    """Orders and revenue by day of week (Monday = 0) × hour of day, all 168 cells present.

    Order times without a time of day count at hour 0.
    """
    t = completed_orders(orders, observation_end, who="purchase_heatmap")
    t = t.mutate(
        day_of_week=t.order_date.cast("timestamp").day_of_week.index().cast("int64"),
        hour=t.order_date.cast("timestamp").hour().cast("int64"),
    )
    counts = t.group_by(["day_of_week", "hour"]).agg(orders=t.count(), revenue=t.amount.sum())
    days = ibis.memtable({"day_of_week": list(range(7))}, schema={"day_of_week": "int64"})
    hours = ibis.memtable({"hour": list(range(24))}, schema={"hour": "int64"})
    grid = days.cross_join(hours)
    g = grid.left_join(
        counts, [grid.day_of_week == counts.day_of_week, grid.hour == counts.hour]
    ).select(
        grid.day_of_week,
        grid.hour,
        orders=counts.orders.fill_null(0).cast("int64"),
        revenue=counts.revenue.fill_null(0.0).cast("float64"),
    )
    total = g.orders.sum().over().cast("float64")
    return g.mutate(order_share=g.orders.cast("float64") / total)


def _end(ctx: AnalysisContext) -> dict[str, Any]:
    return {"observation_end": ctx.observation_end}


def _build_counts(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return purchase_order_counts(inputs["orders"], **_end(ctx))


def _build_intervals(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return purchase_intervals(inputs["orders"], **_end(ctx))


def _build_cycle(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return purchase_cycle(inputs["orders"], **_end(ctx))


def _build_heatmap(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return purchase_heatmap(inputs["orders"], **_end(ctx))


_BIN_COLUMNS = {
    "bin_order": "Order of the bin (1 = shortest).",
    "days_bin": "Day range of the bin, inclusive (366+ = 366 days or more).",
    "min_days": "First day count in the bin.",
    "max_days": "Last day count in the bin (empty for the open last bin).",
}

ANALYSES = [
    Analysis(
        name="purchase_order_counts",
        requires=("orders",),
        build=_build_counts,
        description="Customers by number of completed orders (1, 2, …, 9, 10+), with their "
        "share of customers and of revenue.",
        columns={
            "order_count": "Completed orders per customer (10 = 10 or more).",
            "order_count_label": "Display label: 1 … 9, 10+.",
            "customers": "Customers with that many orders (0 when none).",
            "orders": "Their completed orders.",
            "revenue": "Their revenue.",
            "customer_share": "customers / all customers with a completed order.",
            "revenue_share": "revenue / all revenue (empty when revenue is 0).",
        },
    ),
    Analysis(
        name="purchase_intervals",
        requires=("orders",),
        build=_build_intervals,
        description="Distribution of inter-purchase time (购买间隔): days between consecutive "
        "purchase days of the same customer, all customers together, in bins.",
        columns={
            **_BIN_COLUMNS,
            "intervals": "Inter-purchase intervals in the bin.",
            "interval_share": "intervals / all intervals (empty when nobody bought twice).",
            "cumulative_share": "Share of intervals in this bin or a shorter one.",
        },
    ),
    Analysis(
        name="purchase_cycle",
        requires=("orders",),
        build=_build_cycle,
        description="Each customer's purchase cycle (购买周期): the median of their "
        "inter-purchase days; empty for customers with fewer than two purchase days.",
        columns={
            "customer_id": "Customer.",
            "purchase_days": "Days with at least one completed order.",
            "purchase_cycle_days": "Median days between consecutive purchase days (exact "
            "median; the mean of the middle two for an even count).",
            "mean_interpurchase_days": "Mean days between consecutive purchase days.",
        },
    ),
    Analysis(
        name="purchase_heatmap",
        requires=("orders",),
        build=_build_heatmap,
        description="Orders and revenue by day of week × hour of day of the order time "
        "(all 7 × 24 cells; dates without a time count at hour 0).",
        columns={
            "day_of_week": "Day of week, 0 = Monday … 6 = Sunday.",
            "hour": "Hour of day of the order time, 0–23.",
            "orders": "Completed orders in the cell (0 when none).",
            "revenue": "Their revenue.",
            "order_share": "orders / all completed orders.",
        },
    ),
]
