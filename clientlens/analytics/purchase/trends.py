"""Monthly purchase trend with 环比 / 同比, and time to second purchase.

``purchase_trend`` has one row per month × headline metric (GLOSSARY code names):
revenue, orders, active_customers, new_customers, aov = revenue / orders,
purchase_frequency = orders / active_customers, repeat_rate = share of the month's
active customers with ≥ 2 orders in it. Each row carries the value a month earlier and
a year earlier and the changes ``mom`` / ``yoy`` = (this − that) / that, null when the
base is 0 or missing and for the unfinished last month (a part month always looks
like a fall). Months without orders are present, with zeros.

``repeat_purchase`` is the distribution of days from a customer's first purchase day to
their second, with the repeat-purchase rate and the median days to second purchase.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir

from clientlens.analytics.base import Analysis, AnalysisContext, to_date
from clientlens.analytics.lifecycle.cohorts import completed_orders
from clientlens.analytics.periods import (
    last_complete_month_index,
    month_index,
    month_start_of_index,
    python_month_index,
    with_changes,
)
from clientlens.analytics.purchase.behaviour import bin_order_of, bins_table, purchase_days

METRICS: tuple[str, ...] = (
    "revenue",
    "orders",
    "active_customers",
    "new_customers",
    "aov",
    "purchase_frequency",
    "repeat_rate",
)
"""Metric codes in display order; their names are the catalog's ``kpi.<code>``."""


def _ratio(num: ir.NumericValue, den: ir.NumericValue) -> ir.FloatingValue:
    return ibis.ifelse(den != 0, num.cast("float64") / den.cast("float64"), ibis.null("float64"))


def purchase_trend(orders: Any, *, observation_end: Any) -> ir.Table:
    """Monthly headline purchase metrics with previous-month and last-year values.

    Parameters
    ----------
    orders
        Completed orders: ``customer_id``, ``order_date``, ``amount``.
    observation_end
        Last day of data used; its month is marked incomplete and gets no changes.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [10.0, 30.0, 20.0],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-02-03"])})
    >>> r = purchase_trend(o, observation_end="2024-02-29")
    >>> r = r.filter(r.metric == "revenue").order_by("month").to_pandas()
    >>> r[["value", "previous_value", "mom"]].values.tolist()
    [[10.0, nan, nan], [50.0, 10.0, 4.0]]
    """
    end = to_date(observation_end)
    t = completed_orders(orders, end, who="purchase_trend")
    t = t.mutate(_m=month_index(t.order_date))
    cm = t.group_by(["customer_id", "_m"]).agg(_orders=t.count(), _revenue=t.amount.sum())
    first = cm.group_by("customer_id").agg(_m=cm._m.min())
    new = first.group_by("_m").agg(new_customers=first.count())
    monthly = cm.group_by("_m").agg(
        revenue=cm._revenue.sum(),
        orders=cm._orders.sum(),
        active_customers=cm.count(),
        _repeaters=(cm._orders >= 2).sum(),
    )
    # every month from the first order to the observation end, so gaps show as zeros
    span = first.agg(_lo=first._m.min())
    months = span.select(_m=ibis.range(span._lo, python_month_index(end) + 1).unnest())
    g = (
        months.left_join(monthly, months._m == monthly._m)
        .left_join(new, months._m == new._m)
        .select(
            months._m,
            revenue=monthly.revenue.fill_null(0.0).cast("float64"),
            orders=monthly.orders.fill_null(0).cast("float64"),
            active_customers=monthly.active_customers.fill_null(0).cast("float64"),
            new_customers=new.new_customers.fill_null(0).cast("float64"),
            _repeaters=monthly._repeaters.fill_null(0).cast("float64"),
        )
    )
    values = {
        "revenue": g.revenue,
        "orders": g.orders,
        "active_customers": g.active_customers,
        "new_customers": g.new_customers,
        "aov": _ratio(g.revenue, g.orders),
        "purchase_frequency": _ratio(g.orders, g.active_customers),
        "repeat_rate": _ratio(g._repeaters, g.active_customers),
    }
    long = None
    for i, code in enumerate(METRICS, start=1):
        part = g.select(
            month_index=g._m,
            metric=ibis.literal(code),
            metric_order=ibis.literal(i).cast("int64"),
            value=values[code],
        )
        long = part if long is None else long.union(part)
    assert long is not None
    last_complete = last_complete_month_index(end)
    out = with_changes(
        long,
        index="month_index",
        keys=("metric",),
        year_offset=12,
        last_complete_index=last_complete,
    )
    return out.select(
        month=month_start_of_index(out.month_index),
        month_complete=out.month_index <= last_complete,
        metric=out.metric,
        metric_order=out.metric_order,
        value=out.value,
        previous_value=out.previous_value,
        last_year_value=out.last_year_value,
        mom=out.mom,
        yoy=out.yoy,
    )


def repeat_purchase(orders: Any, *, observation_end: Any) -> ir.Table:
    """Days from the first to the second purchase day, in bins, with the repeat rate.

    Every row also carries the overall figures: customers, repeat customers (≥ 2
    completed orders), repeat_rate (their share, the GLOSSARY's ever-repeat variant),
    customers with a second purchase day, and the exact median days to it.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c"], "amount": [1.0] * 5,
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-04", "2024-01-02",
    ...                                   "2024-01-01", "2024-01-31"])})
    >>> r = repeat_purchase(o, observation_end="2024-01-31").order_by("bin_order").to_pandas()
    >>> r[["customers", "share_of_second_purchases"]].values.tolist()[:4]
    [[1.0, 0.5], [0.0, 0.0], [1.0, 0.5], [0.0, 0.0]]
    >>> r[["repeat_rate", "median_days_to_second_purchase"]].iloc[0].tolist()
    [0.6666666666666666, 16.5]
    """
    d = purchase_days(orders, observation_end)
    per = d.group_by("customer_id").agg(_first=d._day.min(), _orders=d.orders.sum())
    # a hash join to the first day is cheaper here than a window sorted by customer
    j = d.join(per, "customer_id")
    later = j.filter(j._day > j._first)
    second = later.group_by("customer_id").agg(_gap=(later._day - later._first).min())
    second = second.mutate(_gap=second._gap.cast("int64"))
    rank = ibis.row_number().over(ibis.window(order_by=[second._gap, second.customer_id]))
    ranked = second.mutate(_rank=rank, _n=second.count().over())
    middle = ranked.filter(
        (ranked._rank == (ranked._n - 1) // 2) | (ranked._rank == ranked._n // 2)
    )
    median = middle.agg(median_days_to_second_purchase=middle._gap.cast("float64").mean())
    overall = per.agg(
        total_customers=per.count().cast("int64"),
        repeat_customers=(per._orders >= 2).sum().cast("int64"),
    )
    counts = second.group_by(_bin=bin_order_of(second._gap)).agg(_c=second.count())
    bins = bins_table()
    g = bins.left_join(counts, bins.bin_order == counts._bin).select(
        bins.bin_order,
        bins.days_bin,
        bins.min_days,
        bins.max_days,
        customers=counts._c.fill_null(0).cast("int64"),
    )
    seconds = g.customers.sum().over().cast("float64")
    cumulative = g.customers.sum().over(ibis.cumulative_window(order_by=g.bin_order))
    g = g.mutate(
        share_of_second_purchases=_ratio(g.customers, seconds),
        cumulative_share=_ratio(cumulative, seconds),
        second_purchase_customers=seconds.cast("int64"),
    )
    g = g.cross_join(overall).cross_join(median)
    return g.select(
        "bin_order",
        "days_bin",
        "min_days",
        "max_days",
        "customers",
        "share_of_second_purchases",
        "cumulative_share",
        "total_customers",
        "repeat_customers",
        repeat_rate=_ratio(g.repeat_customers, g.total_customers),
        second_purchase_customers=g.second_purchase_customers,
        median_days_to_second_purchase=g.median_days_to_second_purchase,
    )


def _build_trend(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return purchase_trend(inputs["orders"], observation_end=ctx.observation_end)


def _build_repeat(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return repeat_purchase(inputs["orders"], observation_end=ctx.observation_end)


ANALYSES = [
    Analysis(
        name="purchase_trend",
        requires=("orders",),
        build=_build_trend,
        description="Monthly headline purchase metrics (revenue, orders, active and new "
        "customers, AOV, purchase frequency, repeat rate) with the previous month's and "
        "last year's values and 环比 (mom) / 同比 (yoy) changes; changes only for complete "
        "months.",
        columns={
            "month": "First day of the month.",
            "month_complete": "True when the month ended on or before the observation end.",
            "metric": "Metric code: revenue, orders, active_customers, new_customers, aov, "
            "purchase_frequency, repeat_rate (definitions in the glossary).",
            "metric_order": "Display order of the metric.",
            "value": "The metric in the month (aov, purchase_frequency and repeat_rate are "
            "empty in a month without orders).",
            "previous_value": "The metric in the previous month.",
            "last_year_value": "The metric in the same month a year earlier.",
            "mom": "环比: (value − previous_value) / previous_value; empty when the base is "
            "0 or missing or the month is incomplete.",
            "yoy": "同比: (value − last_year_value) / last_year_value; empty likewise.",
        },
    ),
    Analysis(
        name="repeat_purchase",
        requires=("orders",),
        build=_build_repeat,
        description="Time to second purchase: days from a customer's first purchase day to "
        "their second, in bins, with the repeat-purchase rate and the median.",
        columns={
            "bin_order": "Order of the bin (1 = shortest).",
            "days_bin": "Day range of the bin, inclusive (366+ = 366 days or more).",
            "min_days": "First day count in the bin.",
            "max_days": "Last day count in the bin (empty for the open last bin).",
            "customers": "Customers whose second purchase day came that many days after "
            "their first.",
            "share_of_second_purchases": "customers / all customers with a second purchase day.",
            "cumulative_share": "Share of them with a second purchase within this bin's last day.",
            "total_customers": "All customers with a completed order (same on every row).",
            "repeat_customers": "Customers with 2 or more completed orders (same on every row).",
            "repeat_rate": "复购率, ever-repeat: repeat_customers / total_customers.",
            "second_purchase_customers": "Customers with a second purchase day (two orders "
            "on one day are one purchase day).",
            "median_days_to_second_purchase": "Exact median days from first to second "
            "purchase day (same on every row).",
        },
    ),
]
