"""The monthly KPI pack (``kpis``): one row per month and KPI, with mom and yoy.

Every KPI follows the GLOSSARY. Months are calendar months; the month that holds the
observation end is *partial* unless the observation end is its last day
(``is_complete`` is false for it). ``is_latest`` marks the latest complete month, the
one a report headlines; the partial current month, if any, is the one month with
``is_complete`` false. Changes compare with the month before (``mom``) and the same
month a year before (``yoy``) as (this − that) / that, null when that is 0 or missing
and, as in :mod:`clientlens.analytics.periods`, for the partial month (a half month
against a full one always looks like a fall); ``mom_pp`` / ``yoy_pp`` give the change
in percentage points for rates and in points for NPS, whose relative change means
nothing (its base can be negative).

KPIs that need an optional input are left out (no rows, never zeros) when it is
missing: ``cac`` needs ``marketing_spend``, ``clv_cac_ratio`` also the ``clv`` result,
``nps`` / ``csat`` and their response counts need ``feedback``. Within a present
input, a month with no data has a null value (e.g. a month without NPS responses, or
without spend rows).

``churn_rate`` of month M: share of the customers active in M whose next purchase
after their last purchase in M comes more than ``window_days`` later (or never). It
has a value only when M's end plus the window lies on or before the observation end,
so every customer's window is fully observed. The window is ``churn_window_days``, or
when that is 0, twice the median purchase cycle (median over customers of each
customer's median days between purchase days; exact, not approximate), at least 90.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, as_table, to_date
from clientlens.analytics.common import dated_until, exact_median
from clientlens.analytics.periods import (
    change,
    last_complete_month_index,
    month_index,
    month_label,
    month_start_of_index,
    python_epoch_days,
    python_month_index,
)
from clientlens.config import Setting
from clientlens.errors import ConfigError
from clientlens.lazy import ibis, ir, np

MAX_MONTHS = 1200
"""Longest history the month spine covers (100 years)."""
MIN_CHURN_WINDOW_DAYS = 90
CHURN_WINDOW_DAYS = Setting(
    "churn_window_days",
    int,
    0,
    "Inactivity window that defines churn, in days; 0 = "
    f"twice the median purchase cycle, at least {MIN_CHURN_WINDOW_DAYS} days.",
)
"""Shared by every analysis that calls a customer churned (declare it, do not copy it)."""

UNITS: dict[str, str] = {
    "active_customers": "count",
    "new_customers": "count",
    "returning_customers": "count",
    "revenue": "currency",
    "orders": "count",
    "aov": "currency",
    "purchase_frequency": "ratio",
    "repeat_rate": "ratio",
    "retention_rate": "ratio",
    "churn_rate": "ratio",
    "historical_clv": "currency",
    "cac": "currency",
    "clv_cac_ratio": "ratio",
    "nps": "score",
    "nps_responses": "count",
    "csat": "ratio",
    "csat_responses": "count",
}
"""Every KPI code and its unit: count, currency, ratio (0..1, or a multiple such as
orders per customer) or score (NPS, −100..100)."""

_RATES = ("repeat_rate", "retention_rate", "churn_rate", "csat")
"""Shares whose change is also given in percentage points."""


# -- months -------------------------------------------------------------------------
def month_spine(last: int) -> ir.Table:
    """The :data:`MAX_MONTHS` month indices ending with ``last`` (``_m``), no gaps."""
    return ibis.memtable({"_m": np.arange(last - MAX_MONTHS + 1, last + 1, dtype="int64")})


def period_columns(t: ir.Table, observation_end: dt.date) -> dict[str, ir.Value]:
    """period, period_label and is_complete for a table with a month index ``_m``."""
    return {
        "period": month_start_of_index(t._m),
        "period_label": month_label(t._m),
        "is_complete": t._m <= last_complete_month_index(observation_end),
    }


def median_purchase_cycle_table(orders: ir.Table) -> ir.Table:
    """:func:`median_purchase_cycle_days` as a one-row table (``median``)."""
    days = orders.select("customer_id", _day=orders.order_date.cast("date").epoch_days())
    days = days.distinct()
    gaps = days.mutate(
        _gap=days._day
        - days._day.lag().over(ibis.window(group_by="customer_id", order_by=days._day))
    )
    per_customer = exact_median(gaps, "_gap", by="customer_id")
    return exact_median(per_customer, "median")


def median_purchase_cycle_days(orders: ir.Table) -> ir.FloatingScalar:
    """Median over customers of each customer's median days between purchase days.

    ``orders`` needs ``customer_id`` and ``order_date``. Null when no customer has
    bought on two different days.
    """
    return median_purchase_cycle_table(orders)["median"].as_scalar()


def churn_window_days(
    orders: ir.Table,
    setting_days: int = CHURN_WINDOW_DAYS.default,
    purchase_cycle: ir.Table | None = None,
) -> ir.FloatingValue:
    """The inactivity window: ``setting_days`` if > 0, else 2 × median cycle, ≥ 90 days;
    from the ``purchase_cycle`` result when given (the costly per-customer medians done)."""
    return _churn_window_table(orders, setting_days, purchase_cycle)._window.as_scalar()


def _churn_window_table(
    orders: ir.Table, setting_days: int, purchase_cycle: ir.Table | None = None
) -> ir.Table:
    """:func:`churn_window_days` as a one-row table (``_window``), to join in once: the
    median behind it is the costliest step, and a scalar used in several places would be
    computed once per use. With the ``purchase_cycle`` result (each customer's
    ``purchase_cycle_days``, the same exact median) only the median over customers is left.
    """
    if setting_days < 0:
        raise ConfigError(f"churn_window_days must be 0 (automatic) or more; got {setting_days}.")
    if setting_days > 0:
        return ibis.memtable({"_window": [float(setting_days)]})
    if purchase_cycle is not None:
        cycle = exact_median(purchase_cycle, "purchase_cycle_days")
    else:
        cycle = median_purchase_cycle_table(orders)
    doubled = (cycle["median"] * 2).fill_null(0.0)
    return cycle.select(_window=ibis.greatest(doubled, float(MIN_CHURN_WINDOW_DAYS)))


def on_month_spine(monthly: ir.Table, last: int, present: str) -> ir.Table:
    """``monthly`` (one row per month index ``_m``) on every month from the first whose
    ``present`` column is not null through ``last``, with no gaps, so ``lag(k)`` over the
    months is the month k months back; months without a row hold nulls."""
    spine = month_spine(last)
    t = spine.left_join(monthly, "_m").select(spine._m, *[c for c in monthly.columns if c != "_m"])
    # (the window in its own step: Spark cannot filter on a window function directly)
    t = t.mutate(_start=ibis.ifelse(t[present].notnull(), t._m, ibis.null("int64")).min().over())
    return t.filter(t._m >= t._start).drop("_start")


# -- the KPI pack -------------------------------------------------------------------
def customer_months(orders: ir.Table, observation_end: dt.date) -> ir.Table:
    """One row per customer and active month: orders, revenue, first and last purchase
    day (epoch days), the customer's first month, the previous active month and the
    first purchase day of the next active month."""
    o = dated_until(orders, "order_date", observation_end)
    o = o.select(
        "customer_id",
        "amount",
        _m=month_index(o.order_date),
        _day=o.order_date.cast("date").epoch_days(),
    )
    cm = o.group_by(["customer_id", "_m"]).agg(
        _orders=o.count(),
        _revenue=o.amount.sum().cast("float64"),
        _first_day=o._day.min(),
        _last_day=o._day.max(),
    )
    w = ibis.window(group_by="customer_id", order_by=cm._m)
    # first() over the same window as lag/lead: one sort of the customer-months, not two
    return cm.mutate(
        _first_m=cm._m.first().over(w),
        _prev_m=cm._m.lag().over(w),
        _next_day=cm._first_day.lead().over(w),
    )


def kpis(
    orders: Any,
    *,
    observation_end: Any,
    marketing_spend: Any = None,
    feedback: Any = None,
    clv: Any = None,
    purchase_cycle: Any = None,
    churn_window_days_setting: int = CHURN_WINDOW_DAYS.default,
) -> ir.Table:
    """The monthly KPI pack as a long table (one row per month and KPI).

    Parameters
    ----------
    orders
        Completed orders: ``customer_id``, ``order_date``, ``amount``.
    observation_end
        Last day of data used; later orders are left out.
    marketing_spend
        Optional ``date``, ``spend`` (``channel`` is not needed here): adds ``cac``.
    feedback
        Optional ``date``, ``kind``, ``score``: adds ``nps`` (kind 'nps', 0–10 scale),
        ``csat`` (kind 'csat', 1–5 scale) and their response counts.
    clv
        Optional ``clv`` result (``customer_id``, ``clv_12m``); with spend, adds
        ``clv_cac_ratio``: mean predicted 12-month CLV of the month's new customers / CAC.
    purchase_cycle
        Optional ``purchase_cycle`` result (``purchase_cycle_days`` per customer): saves
        recomputing each customer's median cycle for the automatic churn window.
    churn_window_days_setting
        Inactivity window of ``churn_rate`` in days; 0 = 2 × median purchase cycle, ≥ 90.

    Returns
    -------
    ibis.Table
        The columns declared in :data:`ANALYSES` (``period``, ``kpi``, ``value``, ...).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-03", "2024-02-10", "2024-02-11"]),
    ...     "amount": [10.0, 20.0, 30.0]})
    >>> k = kpis(ibis.memtable(orders), observation_end="2024-02-29").to_pandas()
    >>> k[k.kpi == "revenue"].sort_values("period")[["period_label", "value", "mom"]].values.tolist()
    [['2024-01', 10.0, nan], ['2024-02', 50.0, 4.0]]
    """
    end = to_date(observation_end)
    end_m = python_month_index(end)
    end_day = python_epoch_days(end)
    orders = as_table(orders)
    cut = dated_until(orders, "order_date", end)
    cycles = as_table(purchase_cycle) if purchase_cycle is not None else None
    window = _churn_window_table(cut, churn_window_days_setting, cycles)

    # customer-months are the big intermediate: built once, everything monthly from it
    cm = customer_months(orders, end).cross_join(window)
    if clv is not None and marketing_spend is not None:
        clv_t = as_table(clv)
        values_t = clv_t.select("customer_id", _clv=clv_t.clv_12m.cast("float64"))
        cm = cm.left_join(values_t, "customer_id").select(cm, values_t._clv)
    else:
        cm = cm.mutate(_clv=ibis.null("float64"))
    is_new = cm._m == cm._first_m
    monthly = cm.group_by("_m").agg(
        _active=cm.count(),
        _new=cm.count(where=is_new),
        _orders=cm._orders.sum(),
        _revenue=cm._revenue.sum(),
        _repeaters=cm.count(where=cm._orders >= 2),
        _retained=cm.count(where=cm._prev_m == cm._m - 1),
        _churned=cm.count(
            where=cm._next_day.isnull()
            | ((cm._next_day - cm._last_day).cast("float64") > cm._window)
        ),
        _window=cm._window.max(),
        _mean_clv=cm._clv.mean(where=is_new),
    )
    t = on_month_spine(monthly, end_m, "_active")
    t = t.mutate(
        **{c: t[c].fill_null(0) for c in ("_active", "_new", "_orders", "_repeaters")},
        _revenue=t._revenue.fill_null(0.0),
        _retained=t._retained.fill_null(0),
        _churned=t._churned.fill_null(0),
        _window=t._window.max().over(),  # the same in every month; months without orders lack it
    )
    running = ibis.cumulative_window(order_by=t._m)
    t = t.mutate(
        _prev_active=t._active.lag().over(ibis.window(order_by=t._m)),
        _revenue_to_date=t._revenue.sum().over(running),
        _customers_to_date=t._new.sum().over(running),
        # the month's end day plus the window must be observed for churn to be known
        _churn_known=(month_start_of_index(t._m + 1).epoch_days() - 1 + t._window) <= end_day,
    )
    if marketing_spend is not None:
        spend = _monthly_spend(as_table(marketing_spend), end)
        t = t.left_join(spend, "_m").select(t, spend._spend)
    if feedback is not None:
        fb = _monthly_feedback(as_table(feedback), end)
        t = t.left_join(fb, "_m").select(t, *[c for c in fb.columns if c != "_m"])

    active = t._active.nullif(0).cast("float64")
    values: dict[str, ir.Value] = {
        "active_customers": t._active,
        "new_customers": t._new,
        "returning_customers": t._active - t._new,
        "revenue": t._revenue,
        "orders": t._orders,
        "aov": t._revenue / t._orders.nullif(0).cast("float64"),
        "purchase_frequency": t._orders / active,
        "repeat_rate": t._repeaters / active,
        "retention_rate": t._retained / t._prev_active.nullif(0).cast("float64"),
        "churn_rate": ibis.ifelse(t._churn_known, t._churned / active, ibis.null("float64")),
        "historical_clv": t._revenue_to_date / t._customers_to_date.nullif(0).cast("float64"),
    }
    if marketing_spend is not None:
        cac = t._spend / t._new.nullif(0).cast("float64")
        values["cac"] = cac
        if clv is not None:
            values["clv_cac_ratio"] = t._mean_clv / cac.nullif(0.0)
    if feedback is not None:
        nps_n = t._nps_n.fill_null(0)
        csat_n = t._csat_n.fill_null(0)
        values["nps"] = 100.0 * (t._promoters - t._detractors) / nps_n.nullif(0)
        values["nps_responses"] = nps_n
        values["csat"] = t._satisfied / csat_n.nullif(0)
        values["csat_responses"] = csat_n
    wide = t.select("_m", "_window", **{k: v.cast("float64") for k, v in values.items()})
    return _long(wide, list(values), end)


def _monthly_spend(spend: ir.Table, end: dt.date) -> ir.Table:
    s = dated_until(spend, "date", end)
    s = s.mutate(_m=month_index(s.date))
    return s.group_by("_m").agg(_spend=s.spend.sum().cast("float64"))


def _monthly_feedback(feedback: ir.Table, end: dt.date) -> ir.Table:
    f = dated_until(feedback, "date", end)
    f = f.filter(f.score.notnull())
    f = f.mutate(_kind=f.kind.lower().strip(), _m=month_index(f.date))
    nps = f._kind == "nps"
    csat = f._kind == "csat"
    return f.group_by("_m").agg(
        _nps_n=f.count(where=nps),
        _promoters=f.count(where=nps & (f.score >= 9)),
        _detractors=f.count(where=nps & (f.score <= 6)),
        _csat_n=f.count(where=csat),
        _satisfied=f.count(where=csat & (f.score >= 4)),
    )


def _long(wide: ir.Table, codes: list[str], end: dt.date) -> ir.Table:
    # One select per KPI, unioned: Ibis' pivot_longer on PostgreSQL goes through jsonb,
    # which cannot give back a null value (nor a plain string for the name).
    long = ibis.union(
        *(
            wide.select("_m", "_window", kpi=ibis.literal(code, "string"), value=wide[code])
            for code in codes
        ),
        distinct=False,
    )
    unit = ibis.cases(*[(long.kpi == k, UNITS[k]) for k in codes], else_="ratio")
    long = long.mutate(unit=unit)
    by_kpi = ibis.window(group_by="kpi", order_by=long._m)
    long = long.mutate(
        previous_value=long.value.lag(1).over(by_kpi),
        last_year_value=long.value.lag(12).over(by_kpi),
    )
    # The month spine has no gaps, so lag(1) / lag(12) are the month and the year before.
    complete = long._m <= last_complete_month_index(end)
    is_score = long.unit == "score"
    null = ibis.null("float64")
    pp_factor = ibis.ifelse(long.kpi.isin(_RATES), 100.0, ibis.ifelse(is_score, 1.0, null))

    def relative(base: ir.FloatingValue) -> ir.FloatingValue:
        return ibis.ifelse(complete & ~is_score, change(long.value, base), null)

    def points(base: ir.FloatingValue) -> ir.FloatingValue:
        return ibis.ifelse(complete, (long.value - base) * pp_factor, null)

    return long.select(
        **period_columns(long, end),
        is_latest=long._m == last_complete_month_index(end),
        kpi=long.kpi,
        unit=long.unit,
        value=long.value,
        previous_value=long.previous_value,
        mom=relative(long.previous_value),
        mom_pp=points(long.previous_value),
        last_year_value=long.last_year_value,
        yoy=relative(long.last_year_value),
        yoy_pp=points(long.last_year_value),
        window_days=ibis.ifelse(long.kpi == "churn_rate", long._window, null),
    )


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    spend = inputs.get("marketing_spend")
    return kpis(
        inputs["orders"],
        observation_end=ctx.observation_end,
        marketing_spend=spend,
        feedback=inputs.get("feedback"),
        clv=inputs.get("clv") if spend is not None else None,
        purchase_cycle=inputs.get("purchase_cycle"),
        churn_window_days_setting=ctx.setting("churn_window_days"),
    )


ANALYSES = [
    Analysis(
        name="kpis",
        requires=("orders",),
        optional=("marketing_spend", "feedback", "clv", "purchase_cycle"),
        build=_build,
        settings=(CHURN_WINDOW_DAYS,),
        description="Monthly KPI pack: customers, revenue, orders, AOV, frequency, repeat, "
        "retention and churn rates, historical CLV, CAC, CLV:CAC, NPS and CSAT, with "
        "month-on-month and year-on-year changes.",
        columns={
            "period": Column("date", "First day of the month.", "月份的第一天。"),
            "period_label": Column("string", "The month as YYYY-MM.", "月份，格式 YYYY-MM。"),
            "is_complete": Column(
                "boolean",
                "Whether the whole month lies on or before the observation end "
                "(false only for the partial current month).",
                "整个月是否都在观察截止日或之前（只有未过完的当月为 false）。",
            ),
            "is_latest": Column(
                "boolean",
                "True for the latest complete month, the one to headline.",
                "最近一个完整月为 True，即报告标题所用的月份。",
            ),
            "kpi": Column(
                "string",
                "KPI code from the glossary (active_customers, revenue, churn_rate, nps, ...).",
                "术语表中的 KPI 代码（active_customers、revenue、churn_rate、nps 等）。",
            ),
            "unit": Column(
                "string",
                "count, currency, ratio (a share 0-1 or a per-customer multiple) or "
                "score (NPS, -100 to 100).",
                "value 的单位：count（数量）、currency（金额）、ratio（0-1 的比例或人均倍数）"
                "或 score（NPS，-100 到 100）。",
            ),
            "value": Column(
                "float64",
                "The KPI in this month; null when it cannot be known (no base, churn "
                "window not yet observed, no responses or no spend recorded).",
                "本月的 KPI 值；无法得知时为空（没有基数、流失观察窗口尚未结束、没有回复或"
                "没有记录投放费用）。",
                unit="per_row",
            ),
            "previous_value": Column(
                "float64", "The KPI in the month before.", "上月的 KPI 值。", unit="per_row"
            ),
            "mom": Column(
                "float64",
                "Month-on-month change, (this - previous) / previous; null when the "
                "base is 0 or missing, and for NPS.",
                "环比：(本期 − 上期) / 上期；基数为 0 或缺失时为空，NPS 也为空。",
                unit="change",
            ),
            "mom_pp": Column(
                "float64",
                "Month-on-month change in percentage points for rates (repeat, "
                "retention, churn, CSAT) and in points for NPS.",
                "环比变化：比率类（复购率、留存率、流失率、CSAT）以百分点计，NPS 以分计。",
                unit="points",
            ),
            "last_year_value": Column(
                "float64",
                "The KPI in the same month a year before.",
                "去年同月的 KPI 值。",
                unit="per_row",
            ),
            "yoy": Column(
                "float64",
                "Year-on-year change, (this - last year) / last year; null when the "
                "base is 0 or missing, and for NPS.",
                "同比：(本期 − 去年同期) / 去年同期；基数为 0 或缺失时为空，NPS 也为空。",
                unit="change",
            ),
            "yoy_pp": Column(
                "float64",
                "Year-on-year change in percentage points for rates and in points for NPS.",
                "同比变化：比率类以百分点计，NPS 以分计。",
                unit="points",
            ),
            "window_days": Column(
                "float64",
                "For churn_rate: the inactivity window in days used "
                "(churn_window_days, or 2 x the median purchase cycle, at least 90).",
                "仅 churn_rate：所用的不活跃窗口天数（churn_window_days，或购买周期中位数的 "
                "2 倍，至少 90 天）。",
                unit="days",
            ),
        },
    )
]
