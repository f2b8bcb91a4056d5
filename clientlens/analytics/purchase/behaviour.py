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

from clientlens.analytics.base import Analysis, AnalysisContext, Column
from clientlens.analytics.common import completed_orders, ratio
from clientlens.lazy import ibis, ir

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


def _gaps(orders: Any, observation_end: Any) -> ir.Table:
    """``customer_id, gap``: one row per purchase day, ``gap`` the days since the
    customer's previous purchase day (null on the first)."""
    d = purchase_days(orders, observation_end)
    previous = d._day.lag().over(ibis.window(group_by=d.customer_id, order_by=d._day))
    return d.select("customer_id", gap=(d._day - previous).cast("int64"))


def interpurchase_days(orders: Any, observation_end: Any) -> ir.Table:
    """``customer_id, gap`` — days since the customer's previous purchase day (one row per
    purchase day after the first)."""
    d = _gaps(orders, observation_end)
    return d.filter(d.gap.notnull())


def counts_by_bin(t: ir.Table, days: str, name: str) -> ir.Table:
    """Rows of ``t`` counted by the day bin of ``t[days]``: the :func:`bins_table` columns
    and the count ``name``, every bin present (0 when empty)."""
    counts = t.group_by(_bin=bin_order_of(t[days])).agg(_count=t.count())
    bins = bins_table()
    return bins.left_join(counts, bins.bin_order == counts._bin).select(
        bins.bin_order,
        bins.days_bin,
        bins.min_days,
        bins.max_days,
        **{name: counts._count.fill_null(0).cast("int64")},
    )


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
        revenue_share=ratio(g.revenue, all_revenue),
    )


def purchase_intervals(orders: Any, *, observation_end: Any) -> ir.Table:
    """Inter-purchase days of all customers in bins (1-7, 8-14, …, 366+), every bin present."""
    g = counts_by_bin(interpurchase_days(orders, observation_end), "gap", "intervals")
    total = g.intervals.sum().over()
    cumulative = g.intervals.sum().over(ibis.cumulative_window(order_by=g.bin_order))
    return g.mutate(
        interval_share=ratio(g.intervals, total),
        cumulative_share=ratio(cumulative, total),
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
    d = _gaps(orders, observation_end)
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
    "bin_order": Column("int64", "Order of the bin (1 = shortest).", "区间的顺序（1 = 最短）。"),
    "days_bin": Column(
        "string",
        "Day range of the bin, inclusive (366+ = 366 days or more).",
        "区间的天数范围，含两端（366+ = 366 天及以上）。",
    ),
    "min_days": Column("int64", "First day count in the bin.", "区间内的最小天数。", unit="days"),
    "max_days": Column(
        "int64",
        "Last day count in the bin (empty for the open last bin).",
        "区间内的最大天数（最后一个开放区间为空）。",
        unit="days",
    ),
}

ANALYSES = [
    Analysis(
        name="purchase_order_counts",
        requires=("orders",),
        build=_build_counts,
        description="Customers by number of completed orders (1, 2, …, 9, 10+), with their "
        "share of customers and of revenue.",
        columns={
            "order_count": Column(
                "int64",
                "Completed orders per customer (10 = 10 or more).",
                "每位客户的已完成订单数（10 = 10 单及以上）。",
                unit="count",
            ),
            "order_count_label": Column(
                "string", "Display label: 1 … 9, 10+.", "显示标签：1 … 9、10+。"
            ),
            "customers": Column(
                "int64",
                "Customers with that many orders (0 when none).",
                "有这么多订单的客户数（没有则为 0）。",
                unit="count",
            ),
            "orders": Column(
                "int64", "Their completed orders.", "他们的已完成订单数。", unit="count"
            ),
            "revenue": Column("float64", "Their revenue.", "他们的销售额。", unit="currency"),
            "customer_share": Column(
                "float64",
                "customers / all customers with a completed order.",
                "customers / 全部有已完成订单的客户。",
                unit="share",
            ),
            "revenue_share": Column(
                "float64",
                "revenue / all revenue (empty when revenue is 0).",
                "revenue / 全部销售额（销售额为 0 时为空）。",
                unit="share",
            ),
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
            "intervals": Column(
                "int64",
                "Inter-purchase intervals in the bin.",
                "落在该区间的购买间隔数。",
                unit="count",
            ),
            "interval_share": Column(
                "float64",
                "intervals / all intervals (empty when nobody bought twice).",
                "intervals / 全部购买间隔（没有人购买过两次时为空）。",
                unit="share",
            ),
            "cumulative_share": Column(
                "float64",
                "Share of intervals in this bin or a shorter one.",
                "落在本区间或更短区间的购买间隔占比。",
                unit="share",
            ),
        },
    ),
    Analysis(
        name="purchase_cycle",
        requires=("orders",),
        build=_build_cycle,
        description="Each customer's purchase cycle (购买周期): the median of their "
        "inter-purchase days; empty for customers with fewer than two purchase days.",
        columns={
            "customer_id": Column("string", "Customer.", "客户编号。"),
            "purchase_days": Column(
                "int64",
                "Days with at least one completed order.",
                "至少有一个已完成订单的天数。",
                unit="count",
            ),
            "purchase_cycle_days": Column(
                "float64",
                "Median days between consecutive purchase days (exact "
                "median; the mean of the middle two for an even count).",
                "购买周期：相邻购买日间隔天数的中位数（精确中位数；个数为偶数时取中间两个的平均值）。",
                unit="days",
            ),
            "mean_interpurchase_days": Column(
                "float64",
                "Mean days between consecutive purchase days.",
                "相邻购买日间隔天数的平均值。",
                unit="days",
            ),
        },
    ),
    Analysis(
        name="purchase_heatmap",
        requires=("orders",),
        build=_build_heatmap,
        description="Orders and revenue by day of week × hour of day of the order time "
        "(all 7 × 24 cells; dates without a time count at hour 0).",
        columns={
            "day_of_week": Column(
                "int64",
                "Day of week, 0 = Monday … 6 = Sunday.",
                "星期几，0 = 周一 … 6 = 周日。",
            ),
            "hour": Column(
                "int64", "Hour of day of the order time, 0–23.", "下单时间所在的小时，0–23。"
            ),
            "orders": Column(
                "int64",
                "Completed orders in the cell (0 when none).",
                "该格内的已完成订单数（没有则为 0）。",
                unit="count",
            ),
            "revenue": Column("float64", "Their revenue.", "这些订单的销售额。", unit="currency"),
            "order_share": Column(
                "float64",
                "orders / all completed orders.",
                "orders / 全部已完成订单。",
                unit="share",
            ),
        },
    ),
]
