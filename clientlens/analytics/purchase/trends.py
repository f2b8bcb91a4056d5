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

from clientlens.analytics.base import Analysis, AnalysisContext, Column, to_date
from clientlens.analytics.common import completed_orders, exact_median, ratio
from clientlens.analytics.periods import (
    last_complete_month_index,
    month_index,
    month_start_of_index,
    python_month_index,
    with_changes,
)
from clientlens.analytics.purchase.behaviour import counts_by_bin, purchase_days
from clientlens.lazy import ibis, ir

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
        "aov": ratio(g.revenue, g.orders),
        "purchase_frequency": ratio(g.orders, g.active_customers),
        "repeat_rate": ratio(g._repeaters, g.active_customers),
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
    median = exact_median(second, "_gap")
    median = median.select(median_days_to_second_purchase=median["median"])
    overall = per.agg(
        total_customers=per.count().cast("int64"),
        repeat_customers=(per._orders >= 2).sum().cast("int64"),
    )
    g = counts_by_bin(second, "_gap", "customers")
    seconds = g.customers.sum().over().cast("float64")
    cumulative = g.customers.sum().over(ibis.cumulative_window(order_by=g.bin_order))
    g = g.mutate(
        share_of_second_purchases=ratio(g.customers, seconds),
        cumulative_share=ratio(cumulative, seconds),
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
        repeat_rate=ratio(g.repeat_customers, g.total_customers),
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
            "month": Column("date", "First day of the month.", "月份的第一天。"),
            "month_complete": Column(
                "boolean",
                "True when the month ended on or before the observation end.",
                "该月在观察截止日或之前结束时为 True。",
            ),
            "metric": Column(
                "string",
                "Metric code: revenue, orders, active_customers, new_customers, aov, "
                "purchase_frequency, repeat_rate (definitions in the glossary).",
                "指标代码：revenue（销售额）、orders（订单数）、active_customers（活跃客户数）、"
                "new_customers（新客户数）、aov（客单价）、purchase_frequency（购买频次）、"
                "repeat_rate（复购率）（定义见术语表）。",
            ),
            "metric_order": Column("int64", "Display order of the metric.", "指标的列示顺序。"),
            "value": Column(
                "float64",
                "The metric in the month (aov, purchase_frequency and repeat_rate are "
                "empty in a month without orders).",
                "该月的指标值（没有订单的月份 aov、purchase_frequency 和 repeat_rate 为空）。",
                unit="per_row",
            ),
            "previous_value": Column(
                "float64",
                "The metric in the previous month.",
                "上月的指标值。",
                unit="per_row",
            ),
            "last_year_value": Column(
                "float64",
                "The metric in the same month a year earlier.",
                "去年同月的指标值。",
                unit="per_row",
            ),
            "mom": Column(
                "float64",
                "环比: (value − previous_value) / previous_value; empty when the base is "
                "0 or missing or the month is incomplete.",
                "环比：(value − previous_value) / previous_value；基数为 0 或缺失、或该月"
                "不完整时为空。",
                unit="change",
            ),
            "yoy": Column(
                "float64",
                "同比: (value − last_year_value) / last_year_value; empty likewise.",
                "同比：(value − last_year_value) / last_year_value；同样情况下为空。",
                unit="change",
            ),
        },
    ),
    Analysis(
        name="repeat_purchase",
        requires=("orders",),
        build=_build_repeat,
        description="Time to second purchase: days from a customer's first purchase day to "
        "their second, in bins, with the repeat-purchase rate and the median.",
        columns={
            "bin_order": Column(
                "int64", "Order of the bin (1 = shortest).", "区间的顺序（1 = 最短）。"
            ),
            "days_bin": Column(
                "string",
                "Day range of the bin, inclusive (366+ = 366 days or more).",
                "区间的天数范围，含两端（366+ = 366 天及以上）。",
            ),
            "min_days": Column(
                "int64", "First day count in the bin.", "区间内的最小天数。", unit="days"
            ),
            "max_days": Column(
                "int64",
                "Last day count in the bin (empty for the open last bin).",
                "区间内的最大天数（最后一个开放区间为空）。",
                unit="days",
            ),
            "customers": Column(
                "int64",
                "Customers whose second purchase day came that many days after their first.",
                "第二个购买日在首个购买日之后这么多天的客户数。",
                unit="count",
            ),
            "share_of_second_purchases": Column(
                "float64",
                "customers / all customers with a second purchase day.",
                "customers / 全部有第二个购买日的客户。",
                unit="share",
            ),
            "cumulative_share": Column(
                "float64",
                "Share of them with a second purchase within this bin's last day.",
                "其中在本区间最后一天之内完成第二次购买的客户占比。",
                unit="share",
            ),
            "total_customers": Column(
                "int64",
                "All customers with a completed order (same on every row).",
                "全部有已完成订单的客户数（每行相同）。",
                unit="count",
            ),
            "repeat_customers": Column(
                "int64",
                "Customers with 2 or more completed orders (same on every row).",
                "有 2 个及以上已完成订单的客户数（每行相同）。",
                unit="count",
            ),
            "repeat_rate": Column(
                "float64",
                "复购率, ever-repeat: repeat_customers / total_customers.",
                "复购率（曾复购口径）：repeat_customers / total_customers。",
                unit="share",
            ),
            "second_purchase_customers": Column(
                "int64",
                "Customers with a second purchase day (two orders "
                "on one day are one purchase day).",
                "有第二个购买日的客户数（同一天的两个订单算一个购买日）。",
                unit="count",
            ),
            "median_days_to_second_purchase": Column(
                "float64",
                "Exact median days from first to second purchase day (same on every row).",
                "首个到第二个购买日天数的精确中位数（每行相同）。",
                unit="days",
            ),
        },
    ),
]
