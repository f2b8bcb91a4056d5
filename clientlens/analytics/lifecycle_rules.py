"""The lifecycle rule: every customer's stage at a month end, and stage moves counted by month.

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
from typing import Any

import ibis
import ibis.expr.types as ir

from clientlens.analytics.base import to_date
from clientlens.analytics.cohorts import completed_orders
from clientlens.analytics.periods import (
    month_index,
    month_start_epoch_days,
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
