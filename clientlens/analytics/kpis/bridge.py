"""The revenue bridge (``revenue_bridge``): why a month's revenue moved.

For every month, against the month before (``comparison = "mom"``) and the same month a
year before (``"yoy"``), the revenue change is split two ways:

* **into its three factors**, revenue = active customers × orders per customer × average
  order value. The split is the additive log-mean Divisia index (LMDI-I): with
  L = (R₁ − R₀) / (ln R₁ − ln R₀) (L = R₁ when R₁ = R₀), the effect of a factor x is
  L · ln(x₁ / x₀). The three effects add up to R₁ − R₀ exactly, whatever the order of the
  factors (a sequential split would give the first factor more than its share). They are
  null when either month has no revenue (a factor of zero has no logarithm);
* **into new and returning customers**: the change in revenue from customers whose first
  completed order falls in the month, and from everyone else; the two add up to the
  change.

Seasonal context: ``after_peak`` is true when the month before was the highest-revenue
month of the twelve months up to it and at least ``bridge_peak_ratio`` (1.2) times their
mean, so a fall after it is the season's, and the same month last year is the fairer
comparison; ``last_year_change`` gives, on ``mom`` rows, how revenue changed into the
same month a year before ((R₋₁₂ − R₋₁₃) / R₋₁₃), the seasonal dip to compare with.

Completed orders up to the observation end; the month holding the observation end is
partial unless it ends there (``is_complete`` false).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from clientlens.analytics.base import Analysis, AnalysisContext, Column, to_date
from clientlens.analytics.kpis.kpis import customer_months, on_month_spine, period_columns
from clientlens.analytics.periods import change, month_label, python_month_index
from clientlens.config import Setting
from clientlens.lazy import ibis, ir

PEAK_RATIO = Setting(
    "bridge_peak_ratio",
    float,
    1.2,
    "Revenue bridge: a month counts as a seasonal peak when it is the highest of the "
    "twelve months up to it and at least this many times their mean.",
)
COMPARISONS = {"mom": 1, "yoy": 12}
"""Comparison code → months back."""


def revenue_bridge(
    orders: ir.Table, *, observation_end: dt.date, peak_ratio: float = PEAK_RATIO.default
) -> ir.Table:
    """The revenue bridge of every month against the month before and a year before.

    ``orders``: completed orders (``customer_id``, ``order_date``, ``amount``).
    """
    end = to_date(observation_end)
    cm = customer_months(orders, end)
    new = cm._m == cm._first_m
    monthly = cm.group_by("_m").agg(
        revenue=cm._revenue.sum(),
        orders=cm._orders.sum().cast("float64"),
        customers=cm.count().cast("float64"),
        new_revenue=cm._revenue.sum(where=new),
    )
    t = on_month_spine(monthly, python_month_index(end), "revenue")
    t = t.mutate(
        revenue=t.revenue.fill_null(0.0),
        orders=t.orders.fill_null(0.0),
        customers=t.customers.fill_null(0.0),
        new_revenue=t.new_revenue.fill_null(0.0),
    )
    t = t.mutate(
        frequency=t.orders / t.customers.nullif(0.0),
        aov=t.revenue / t.orders.nullif(0.0),
    )
    order = ibis.window(order_by=t._m)
    trailing = ibis.window(order_by=t._m, preceding=11, following=0)
    # The month spine has no gaps: lag(k) is the month k months back.
    t = t.mutate(
        _peak=(t.revenue >= t.revenue.max().over(trailing))
        & (t.revenue >= peak_ratio * t.revenue.mean().over(trailing))
        & (t._m.count().over(trailing) == 12)
        & (t.revenue > 0),
    )
    parts = []
    for code, back in COMPARISONS.items():
        lagged = {
            f"_b_{c}": t[c].lag(back).over(order)
            for c in ("revenue", "customers", "frequency", "aov", "new_revenue")
        }
        b = t.mutate(
            **lagged,
            _after_peak=t._peak.lag(1).over(order),
            _ly=change(t.revenue.lag(12).over(order), t.revenue.lag(13).over(order)),
        )
        parts.append(_split(b, code, back, end))
    return ibis.union(*parts, distinct=False).order_by(["period", "comparison"])


def _split(b: ir.Table, code: str, back: int, end: dt.date) -> ir.Table:
    r1, r0 = b.revenue, b._b_revenue
    usable = (r1 > 0) & (r0 > 0)
    null = ibis.null("float64")
    # the logarithmic mean of the two revenues (r1 when they are equal)
    mean = ibis.ifelse(r1 == r0, r1, (r1 - r0) / (r1.ln() - r0.ln()))

    def effect(now: ir.FloatingValue, then: ir.FloatingValue) -> ir.FloatingValue:
        return ibis.ifelse(usable & (now > 0) & (then > 0), mean * (now / then).ln(), null)

    delta = ibis.ifelse(r0.notnull(), r1 - r0, null)
    new_delta = ibis.ifelse(r0.notnull(), b.new_revenue - b._b_new_revenue, null)
    return b.select(
        **period_columns(b, end),
        comparison=ibis.literal(code, "string"),
        base_period_label=month_label(b._m - back),
        revenue=r1,
        base_revenue=r0,
        change=delta,
        change_relative=change(r1, r0),
        customers=b.customers,
        base_customers=b._b_customers,
        orders_per_customer=b.frequency,
        base_orders_per_customer=b._b_frequency,
        aov=b.aov,
        base_aov=b._b_aov,
        customers_effect=effect(b.customers, b._b_customers),
        frequency_effect=effect(b.frequency, b._b_frequency),
        aov_effect=effect(b.aov, b._b_aov),
        new_revenue=b.new_revenue,
        new_change=new_delta,
        returning_change=delta - new_delta,
        after_peak=b._after_peak.fill_null(False),
        last_year_change=b._ly if code == "mom" else null,
    )


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return revenue_bridge(
        inputs["orders"],
        observation_end=ctx.observation_end,
        peak_ratio=ctx.setting("bridge_peak_ratio"),
    )


def _money(en: str, zh: str) -> Column:
    return Column("float64", en, zh, "currency")


ANALYSES = [
    Analysis(
        name="revenue_bridge",
        requires=("orders",),
        build=_build,
        settings=(PEAK_RATIO,),
        description="Why each month's revenue moved, against the month before and the same "
        "month a year before: the change split into active customers, orders per customer "
        "and order value (LMDI, the three add up to the change) and into new and returning "
        "customers, with the seasonal context (after a peak; last year's change).",
        columns={
            "period": Column("date", "First day of the month.", "月份的第一天。"),
            "period_label": Column("string", "The month as YYYY-MM.", "月份，格式 YYYY-MM。"),
            "is_complete": Column(
                "boolean",
                "True when the month is complete in the data (the observation end is not "
                "inside it).",
                "该月在数据中是否完整（观察截止日不在月中）。",
            ),
            "comparison": Column(
                "string",
                "mom: against the month before; yoy: against the same month a year before.",
                "mom：与上月比（环比）；yoy：与上年同月比（同比）。",
            ),
            "base_period_label": Column(
                "string", "The month compared with, YYYY-MM.", "对比的月份，YYYY-MM。"
            ),
            "revenue": _money("Revenue of the month.", "本月销售额。"),
            "base_revenue": _money("Revenue of the month compared with.", "对比月份的销售额。"),
            "change": _money(
                "Revenue change: revenue − base_revenue.", "销售额变化：本月 − 对比月。"
            ),
            "change_relative": Column(
                "float64",
                "Relative revenue change, (revenue − base) / base.",
                "销售额相对变化，（本月 − 对比月）/ 对比月。",
                "change",
            ),
            "customers": Column(
                "float64", "Active customers of the month.", "本月活跃客户数。", "count"
            ),
            "base_customers": Column(
                "float64",
                "Active customers of the month compared with.",
                "对比月份的活跃客户数。",
                "count",
            ),
            "orders_per_customer": Column(
                "float64", "Orders per active customer.", "每位活跃客户的订单数。", "ratio"
            ),
            "base_orders_per_customer": Column(
                "float64",
                "Orders per active customer in the month compared with.",
                "对比月份每位活跃客户的订单数。",
                "ratio",
            ),
            "aov": _money("Average order value.", "平均订单金额（客单价）。"),
            "base_aov": _money(
                "Average order value of the month compared with.", "对比月份的客单价。"
            ),
            "customers_effect": _money(
                "Part of the change due to the number of active customers (LMDI).",
                "活跃客户数变化带来的销售额变化（LMDI 分解）。",
            ),
            "frequency_effect": _money(
                "Part of the change due to orders per customer (LMDI).",
                "人均订单数变化带来的销售额变化（LMDI 分解）。",
            ),
            "aov_effect": _money(
                "Part of the change due to average order value (LMDI).",
                "客单价变化带来的销售额变化（LMDI 分解）。",
            ),
            "new_revenue": _money(
                "Revenue from customers whose first completed order is in the month.",
                "首单在本月的新客户带来的销售额。",
            ),
            "new_change": _money("Change in revenue from new customers.", "新客户销售额的变化。"),
            "returning_change": _money(
                "Change in revenue from returning customers (bought before the month).",
                "老客户（本月之前已购买）销售额的变化。",
            ),
            "after_peak": Column(
                "boolean",
                "True when the month before was a seasonal peak (the highest of its twelve "
                "months and at least bridge_peak_ratio times their mean).",
                "上月是否为季节性高峰（其所在 12 个月中最高，且不低于均值的 bridge_peak_ratio 倍）。",
            ),
            "last_year_change": Column(
                "float64",
                "On mom rows: the relative revenue change into the same month a year before "
                "(last year's seasonal change).",
                "环比行：上年同月相对其上月的销售额变化（上年同期的季节性变化）。",
                "change",
            ),
        },
    )
]
