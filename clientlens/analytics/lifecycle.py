"""Lifecycle stage of every customer at every month end, and how customers move between stages.

The rule (GLOSSARY ``lifecycle_stage``; windows from the settings ``lifecycle_at_risk_days``
< ``lifecycle_dormant_days`` < ``lifecycle_churned_days``, by default 60 / 120 / 180):

For each customer and each calendar month from the month of their first completed order
through the month of ``observation_end``, the customer is looked at on the month's last
day (on ``observation_end`` for its own, unfinished month). ``days_since_last_purchase``
is the number of days from their last completed order on or before that day. Then, in
this order:

1. ``new`` (新客) — the month of the first completed order;
2. ``reactivated`` (回流) — the customer bought in the month, and at the end of the
   previous month had gone at least ``lifecycle_dormant_days`` without a purchase (was
   dormant or churned);
3. ``active`` (活跃) — days_since_last_purchase < at-risk days;
4. ``at_risk`` (预警) — < dormant days;
5. ``dormant`` (沉睡) — < churned days;
6. ``churned`` (流失) — otherwise.

A customer who buys again while only at risk simply becomes active. The rules use only
the last purchase day before each month end, so every stage is computed from one
purchase month and the one before it, without a pass over the customer's whole history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir

from clientlens.analytics.base import Analysis, AnalysisContext, to_date
from clientlens.analytics.cohorts import completed_orders
from clientlens.analytics.periods import (
    last_complete_month_index,
    month_index,
    month_start_epoch_days,
    month_start_of_index,
    python_month_index,
)
from clientlens.errors import ConfigError

STAGES: tuple[tuple[str, str, str], ...] = (
    ("new", "新客", "New"),
    ("active", "活跃", "Active"),
    ("at_risk", "预警", "At risk"),
    ("dormant", "沉睡", "Dormant"),
    ("churned", "流失", "Churned"),
    ("reactivated", "回流", "Reactivated"),
)
"""Stage code, Chinese and English name, in display order."""

STAGE_CODES = tuple(s[0] for s in STAGES)
NONE = ("none", "无（首月）", "none (first month)")
"""The from-stage of a customer's first month in the transitions."""

WINDOW_SETTINGS = ("lifecycle_at_risk_days", "lifecycle_dormant_days", "lifecycle_churned_days")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _check_windows(at_risk_days: int, dormant_days: int, churned_days: int) -> None:
    if not 0 < at_risk_days < dormant_days < churned_days:
        raise ConfigError(
            "Lifecycle windows must satisfy 0 < lifecycle_at_risk_days < "
            "lifecycle_dormant_days < lifecycle_churned_days; got "
            f"{at_risk_days}, {dormant_days}, {churned_days}. Fix them in clientlens.toml."
        )


# Stages are computed as small integer codes (their display order; 0 = none) and named
# only at the end: grouping millions of rows by integers is much cheaper than by text.
CODE = {"none": 0} | {code: i for i, code in enumerate(STAGE_CODES, start=1)}


def _by_days(days: ir.IntegerValue, at_risk: int, dormant: int, churned: int) -> ir.IntegerValue:
    return ibis.cases(
        (days < at_risk, CODE["active"]),
        (days < dormant, CODE["at_risk"]),
        (days < churned, CODE["dormant"]),
        else_=CODE["churned"],
    )


def _name(code: ir.IntegerValue) -> ir.StringValue:
    return ibis.cases(*[(code == i, name) for name, i in CODE.items()], else_="unknown")


def _month_start_days(index: ir.IntegerValue) -> ir.IntegerValue:
    return month_start_epoch_days(index)


def _judged_on(month: ir.IntegerValue, end_days: int) -> ir.IntegerValue:
    """Epoch day a month's stage is judged on: its last day, or the observation end."""
    return ibis.least(_month_start_days(month + 1) - 1, end_days)


def _purchase_months(orders: Any, end: dt.date, dormant_days: int) -> ir.Table:
    """One row per customer and purchase month, with the purchase months around it.

    ``_m`` purchase month, ``_last`` last purchase day in it (epoch days), ``_first``
    first purchase month, ``_next`` next purchase month (null for the last), ``_pm`` /
    ``_pl`` previous purchase month / its last day, ``_react`` whether the customer is
    reactivated in ``_m``, ``_react_prev`` whether they were in ``_pm``.
    """
    t = completed_orders(orders, end, who="lifecycle")
    pm = t.select(
        "customer_id", _m=month_index(t.order_date), _day=t.order_date.cast("date").epoch_days()
    )
    pm = pm.group_by(["customer_id", "_m"]).agg(_last=pm._day.max())
    w = ibis.window(group_by=pm.customer_id, order_by=pm._m)
    pm = pm.mutate(
        # first() over the same window as the lags: one sort serves all of them
        _first=pm._m.first().over(w),
        _next=pm._m.lead().over(w),
        _pm=pm._m.lag().over(w),
        _pl=pm._last.lag().over(w),
        _ppl=pm._last.lag(2).over(w),
    )
    # reactivated in purchase month f: at the end of month f-1 the last purchase (the
    # one before f) was at least dormant_days old
    return pm.mutate(
        _react=(pm._m != pm._first)
        & ((_month_start_days(pm._m) - 1 - pm._pl) >= dormant_days).fill_null(False),
        _react_prev=(pm._pm.notnull() & (pm._pm != pm._first))
        & ((_month_start_days(pm._pm) - 1 - pm._ppl) >= dormant_days).fill_null(False),
    )


def _in_purchase_month(pm: ir.Table, windows: tuple[int, int, int], end_days: int) -> dict:
    """Stage, previous stage and days at the end of a purchase month ``_m`` itself."""
    days = _judged_on(pm._m, end_days) - pm._last
    stage = ibis.cases(
        (pm._m == pm._first, CODE["new"]),
        (pm._react, CODE["reactivated"]),
        else_=_by_days(days, *windows),
    )
    # the previous month end lies in the previous purchase interval, judged on _pl
    previous = ibis.cases(
        (pm._m == pm._first, CODE["none"]),
        ((pm._m - 1) == pm._first, CODE["new"]),
        (((pm._m - 1) == pm._pm) & pm._react_prev, CODE["reactivated"]),
        else_=_by_days(_month_start_days(pm._m) - 1 - pm._pl, *windows),
    )
    return {"stage": stage, "previous_stage": previous, "days": days}


def _after_purchase_month(
    month: ir.IntegerValue,
    bought: ir.IntegerValue,
    last: ir.IntegerValue,
    is_first: ir.BooleanValue,
    react: ir.BooleanValue,
    windows: tuple[int, int, int],
    end_days: int,
) -> dict:
    """Stage, previous stage and days in a month after purchase month ``bought``, before
    the next one: both stages then depend only on the purchase in ``bought``."""
    days = _judged_on(month, end_days) - last
    previous = ibis.cases(
        (((month - 1) == bought) & is_first, CODE["new"]),
        (((month - 1) == bought) & react, CODE["reactivated"]),
        else_=_by_days(_month_start_days(month) - 1 - last, *windows),
    )
    return {"stage": _by_days(days, *windows), "previous_stage": previous, "days": days}


def lifecycle_stages(
    orders: Any,
    *,
    observation_end: Any,
    at_risk_days: int = 60,
    dormant_days: int = 120,
    churned_days: int = 180,
) -> ir.Table:
    """Every customer's lifecycle stage at the observation end (rule in the module docstring).

    Only the latest month is stored per customer: one row per customer per month would
    be tens of millions of rows at a million customers; the monthly history is kept
    as counts in :func:`lifecycle_movements`.

    Parameters
    ----------
    orders
        Completed orders (Ibis table or pandas frame). Required columns:
        ``customer_id``, ``order_date``, ``amount``.
    observation_end
        Last day of data used; the last month is judged on this day.
    at_risk_days, dormant_days, churned_days
        Days without a purchase after which a customer is at risk, dormant, churned.

    Returns
    -------
    ibis.Table
        ``customer_id, month, stage, previous_stage, days_since_last_purchase,
        purchased_in_month``: one row per customer.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [1.0, 1.0, 1.0],
    ...     "order_date": pd.to_datetime(["2024-01-10", "2024-06-02", "2024-03-01"])})
    >>> s = lifecycle_stages(orders, observation_end="2024-06-30").order_by("customer_id")
    >>> s.to_pandas()[["stage", "previous_stage", "days_since_last_purchase"]].values.tolist()
    [['reactivated', 'dormant', 28], ['dormant', 'at_risk', 121]]
    """
    windows = (at_risk_days, dormant_days, churned_days)
    _check_windows(*windows)
    end = to_date(observation_end)
    end_days = (end - dt.date(1970, 1, 1)).days
    end_month = python_month_index(end)
    pm = _purchase_months(orders, end, dormant_days)
    last = pm.filter(pm._next.isnull())
    here = _in_purchase_month(last, windows, end_days)
    later = _after_purchase_month(
        ibis.literal(end_month),
        last._m,
        last._last,
        last._m == last._first,
        last._react,
        windows,
        end_days,
    )
    bought = last._m == end_month
    return last.select(
        "customer_id",
        month=ibis.literal(month_start(end)),
        stage=_name(ibis.ifelse(bought, here["stage"], later["stage"])),
        previous_stage=_name(ibis.ifelse(bought, here["previous_stage"], later["previous_stage"])),
        days_since_last_purchase=ibis.ifelse(bought, here["days"], later["days"]).cast("int64"),
        purchased_in_month=bought,
    )


def lifecycle_movements(
    orders: Any,
    *,
    observation_end: Any,
    at_risk_days: int = 60,
    dormant_days: int = 120,
    churned_days: int = 180,
) -> ir.Table:
    """Customers by month, stage at the previous month end and stage at this month end.

    Stages are integer codes (:data:`CODE`); ``previous_stage`` is 0 (none) in a
    customer's first month. Counting without a row
    per customer and month: the months between two purchases depend only on the earlier
    purchase, so purchase intervals with the same start, end, last purchase day and
    flags are counted together before being spread over their months.

    Returns
    -------
    ibis.Table
        ``_month`` (month index), ``previous_stage``, ``stage`` (codes), ``customers``.
    """
    windows = (at_risk_days, dormant_days, churned_days)
    _check_windows(*windows)
    end = to_date(observation_end)
    end_days = (end - dt.date(1970, 1, 1)).days
    end_month = python_month_index(end)
    pm = _purchase_months(orders, end, dormant_days)
    here = _in_purchase_month(pm, windows, end_days)
    starts = pm.select(_month=pm._m, previous_stage=here["previous_stage"], stage=here["stage"])
    starts = starts.group_by(["_month", "previous_stage", "stage"]).agg(customers=starts.count())
    # months strictly between a purchase month and the next one (or the end)
    keys = pm.select(
        _b=pm._m,
        _stop=pm._next.fill_null(end_month + 1),
        _last=pm._last,
        _is_first=pm._m == pm._first,
        _react=pm._react,
    )
    keys = keys.group_by(list(keys.columns)).agg(_n=keys.count())
    x = keys.mutate(_month=ibis.range(keys._b + 1, keys._stop).unnest())
    after = _after_purchase_month(x._month, x._b, x._last, x._is_first, x._react, windows, end_days)
    between = x.select("_month", "_n", previous_stage=after["previous_stage"], stage=after["stage"])
    between = between.group_by(["_month", "previous_stage", "stage"]).agg(
        customers=between._n.sum()
    )
    both = starts.union(between)
    return both.group_by(["_month", "previous_stage", "stage"]).agg(
        customers=both.customers.sum().cast("int64")
    )


def _stage_labels(prefix: str = "", *, with_none: bool = False) -> ir.Table:
    rows = ([NONE] if with_none else []) + list(STAGES)
    return ibis.memtable(
        {
            f"{prefix}stage": [r[0] for r in rows],
            f"{prefix}stage_zh": [r[1] for r in rows],
            f"{prefix}stage_en": [r[2] for r in rows],
            f"{prefix}stage_order": [
                STAGE_CODES.index(r[0]) + 1 if r[0] in STAGE_CODES else 0 for r in rows
            ],
        }
    )


def lifecycle_transitions(
    orders: Any,
    *,
    observation_end: Any,
    at_risk_days: int = 60,
    dormant_days: int = 120,
    churned_days: int = 180,
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
        from_stage_zh=j.from_stage_zh,
        from_stage_en=j.from_stage_en,
        to_stage=j.to_stage,
        to_stage_zh=j.to_stage_zh,
        to_stage_en=j.to_stage_en,
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
        grid.stage_zh,
        grid.stage_en,
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
        "at_risk_days": int(ctx.setting("lifecycle_at_risk_days", 60)),
        "dormant_days": int(ctx.setting("lifecycle_dormant_days", 120)),
        "churned_days": int(ctx.setting("lifecycle_churned_days", 180)),
    }


def _build_stages(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return lifecycle_stages(inputs["orders"], **_windows(ctx))


def _build_transitions(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return lifecycle_transitions(inputs["orders"], **_windows(ctx))


def _build_summary(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return lifecycle_summary(inputs["lifecycle_transitions"])


_STAGE_WORDS = "new, active, at_risk, dormant, churned or reactivated"
_RULE = (
    "A customer is judged on each month's last day (the observation end for its own "
    "month) by the days since their last completed order: new in the month of their "
    "first order; reactivated when they bought in the month after having gone at least "
    "lifecycle_dormant_days without a purchase at the previous month end; otherwise "
    "active below lifecycle_at_risk_days, at risk below lifecycle_dormant_days, dormant "
    "below lifecycle_churned_days, churned from then on (defaults 60 / 120 / 180 days)."
)

ANALYSES = [
    Analysis(
        name="lifecycle_stages",
        requires=("orders",),
        build=_build_stages,
        description="Each customer's lifecycle stage (新客 new, 活跃 active, 预警 at risk, "
        "沉睡 dormant, 流失 churned, 回流 reactivated) at the observation end, and at the "
        "month end before it. " + _RULE + " One row per customer (the latest month); "
        "the monthly history is in lifecycle_summary and lifecycle_transitions.",
        columns={
            "customer_id": "Customer.",
            "month": "First day of the observation end's month (the stage is judged on "
            "the observation end).",
            "stage": f"Lifecycle stage code at the observation end: {_STAGE_WORDS}.",
            "previous_stage": "Stage at the end of the previous month; none when this is "
            "the customer's first month.",
            "days_since_last_purchase": "Days from the last completed order to the "
            "observation end.",
            "purchased_in_month": "True when the customer bought in this month.",
        },
    ),
    Analysis(
        name="lifecycle_transitions",
        requires=("orders",),
        build=_build_transitions,
        description="Month-over-month lifecycle stage transitions: how many customers moved "
        "from each stage at the previous month end to each stage at this month end, for "
        "every month (the latest month flagged). " + _RULE,
        columns={
            "month": "First day of the month the customers moved into (to_stage at its end).",
            "month_complete": "True when the month ended on or before the observation end.",
            "is_latest_month": "True for the month of the observation end (the latest matrix).",
            "from_stage": f"Stage code at the end of the previous month: {_STAGE_WORDS}, "
            "or none in a customer's first month (then to_stage is new).",
            "from_stage_zh": "From-stage name in Chinese.",
            "from_stage_en": "From-stage name in English.",
            "to_stage": f"Stage code at the end of this month: {_STAGE_WORDS}.",
            "to_stage_zh": "To-stage name in Chinese.",
            "to_stage_en": "To-stage name in English.",
            "customers": "Customers who made this move (pairs nobody made are left out).",
            "share": "customers / all customers in from_stage at the previous month end "
            "(row share; each from-stage's shares add up to 1 in a month).",
        },
    ),
    Analysis(
        name="lifecycle_summary",
        requires=("lifecycle_transitions",),
        build=_build_summary,
        description="Customers in each lifecycle stage at each month end, with shares "
        "(every month has all six stages).",
        columns={
            "month": "First day of the month (stages judged at its end, or on the "
            "observation end for its own month).",
            "month_complete": "True when the month ended on or before the observation end.",
            "stage": f"Lifecycle stage code: {_STAGE_WORDS}.",
            "stage_zh": "Stage name in Chinese (新客/活跃/预警/沉睡/流失/回流).",
            "stage_en": "Stage name in English.",
            "stage_order": "Display order of the stage (1 = new … 6 = reactivated).",
            "customers": "Customers in the stage at the month end (0 when none).",
            "customer_share": "customers / all customers acquired by that month end.",
        },
    ),
]
