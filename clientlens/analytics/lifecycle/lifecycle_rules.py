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

from clientlens.analytics.base import to_date
from clientlens.analytics.common import completed_orders
from clientlens.analytics.periods import (
    month_index,
    month_start_epoch_days,
    python_epoch_days,
    python_month_index,
)
from clientlens.config import Setting
from clientlens.errors import ConfigError
from clientlens.lazy import ibis, ir

AT_RISK_DAYS = Setting(
    "lifecycle_at_risk_days",
    int,
    60,
    "Days without a purchase after which an active customer is at risk.",
)
DORMANT_DAYS = Setting(
    "lifecycle_dormant_days",
    int,
    120,
    "Days without a purchase after which a customer is dormant.",
)
CHURNED_DAYS = Setting(
    "lifecycle_churned_days",
    int,
    180,
    "Days without a purchase after which a customer has churned.",
)
WINDOWS = (AT_RISK_DAYS, DORMANT_DAYS, CHURNED_DAYS)
"""The stage windows, declared once for every lifecycle analysis that reads them."""

STAGE_CODES = ("new", "active", "at_risk", "dormant", "churned", "reactivated")
"""Stage codes in display order; their names are the catalog's ``stage.<code>``."""
NONE = "none"
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


def _calendar(source: ir.Table, month: str, end: dt.date) -> ir.Table:
    """Month index ``_cm`` → first day ``_cs`` and judged-on day ``_ce`` (epoch days).

    From the earliest month in ``source[month]`` to the month after ``end``. Looked up by
    join so the date arithmetic runs on a few dozen rows: inlined into every reference
    it made the SQL 90 kB and cost seconds per million rows.
    """
    end_days = python_epoch_days(end)
    span = source.agg(_lo=source[month].min())
    cal = span.select(_cm=ibis.range(span._lo - 1, python_month_index(end) + 2).unnest())
    judged = ibis.least(month_start_epoch_days(cal._cm + 1) - 1, end_days)
    return cal.select("_cm", _cs=month_start_epoch_days(cal._cm), _ce=judged)


def _attach(table: ir.Table, key: str, cal: ir.Table, prefix: str) -> ir.Table:
    """``table`` with ``{prefix}_start`` / ``{prefix}_judged`` of the month in ``key``."""
    cal = cal.view()  # the calendar derives from the same tables as ``table``
    j = table.left_join(cal, table[key] == cal._cm)
    return j.select(
        *[table[c] for c in table.columns],
        **{f"{prefix}_start": cal._cs, f"{prefix}_judged": cal._ce},
    )


def _purchase_months(orders: Any, end: dt.date, dormant_days: int) -> ir.Table:
    """One row per customer and purchase month, with the purchase months around it.

    ``_m`` purchase month, ``_last`` last purchase day in it (epoch days), ``_first``
    first purchase month, ``_next`` next purchase month (null for the last), ``_pm`` /
    ``_pl`` previous purchase month / its last day, ``_react`` whether the customer is
    reactivated in ``_m``, ``_react_prev`` whether they were in ``_pm``; ``_m_start``,
    ``_m_judged``, ``_pm_start`` from :func:`_calendar`.
    """
    t = _dated(orders, end)
    pm = t.group_by(["customer_id", "_m"]).agg(_last=t._day.max())
    w = ibis.window(group_by=pm.customer_id, order_by=pm._m)
    pm = pm.mutate(
        # first() over the same window as the lags: one sort serves all of them
        _first=pm._m.first().over(w),
        _next=pm._m.lead().over(w),
        _pm=pm._m.lag().over(w),
        _pl=pm._last.lag().over(w),
        _ppl=pm._last.lag(2).over(w),
    )
    cal = _calendar(pm, "_m", end)
    pm = _attach(_attach(pm, "_m", cal, "_m"), "_pm", cal, "_pm").drop("_pm_judged")
    return _with_flags(pm, dormant_days)


def _dated(orders: Any, end: dt.date) -> ir.Table:
    t = completed_orders(orders, end, who="lifecycle")
    return t.select(
        "customer_id", _m=month_index(t.order_date), _day=t.order_date.cast("date").epoch_days()
    )


def _with_flags(pm: ir.Table, dormant_days: int) -> ir.Table:
    """``_react`` / ``_react_prev``: reactivated in purchase month ``_m`` / ``_pm``.

    Reactivated in purchase month f: at the end of month f-1 the last purchase (the one
    before f) was at least dormant_days old.
    """
    return pm.mutate(
        _react=(pm._m != pm._first) & ((pm._m_start - 1 - pm._pl) >= dormant_days).fill_null(False),
        _react_prev=(pm._pm.notnull() & (pm._pm != pm._first))
        & ((pm._pm_start - 1 - pm._ppl) >= dormant_days).fill_null(False),
    )


def _in_purchase_month(pm: ir.Table, windows: tuple[int, int, int]) -> dict[str, ir.Value]:
    """Stage, previous stage and days at the end of a purchase month ``_m`` itself."""
    days = pm._m_judged - pm._last
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
        else_=_by_days(pm._m_start - 1 - pm._pl, *windows),
    )
    return {"stage": stage, "previous_stage": previous, "days": days}


def _after_purchase_month(
    month: ir.IntegerValue,
    month_start: ir.IntegerValue,
    month_judged: ir.IntegerValue,
    bought: ir.IntegerValue,
    last: ir.IntegerValue,
    is_first: ir.BooleanValue,
    react: ir.BooleanValue,
    windows: tuple[int, int, int],
) -> dict[str, ir.Value]:
    """Stage, previous stage and days in a month after purchase month ``bought``, before
    the next one: both stages then depend only on the purchase in ``bought``."""
    days = month_judged - last
    previous = ibis.cases(
        (((month - 1) == bought) & is_first, CODE["new"]),
        (((month - 1) == bought) & react, CODE["reactivated"]),
        else_=_by_days(month_start - 1 - last, *windows),
    )
    return {"stage": _by_days(days, *windows), "previous_stage": previous, "days": days}


def lifecycle_stages(
    orders: Any,
    *,
    observation_end: Any,
    at_risk_days: int = AT_RISK_DAYS.default,
    dormant_days: int = DORMANT_DAYS.default,
    churned_days: int = CHURNED_DAYS.default,
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
    end_days = python_epoch_days(end)
    end_month = python_month_index(end)
    # Only the last purchase month matters, and the purchases before it only when it is
    # one of the last two months (reactivated in it, or at the previous month end); so
    # instead of sorting every customer's history, two lookups on those customers.
    t = _dated(orders, end)
    per = t.group_by("customer_id").agg(_first=t._m.min(), _m=t._m.max(), _last=t._day.max())
    recent = per.filter(per._m >= end_month - 1).select("customer_id", _f=per._m)
    before = t.join(recent, "customer_id")
    before = before.filter(before._m < before._f)
    prev = before.group_by("customer_id").agg(_pm=before._m.max(), _pl=before._day.max())
    # the purchase before that, for "reactivated at the end of last month"
    again = prev.filter(prev._pm == end_month - 1).select("customer_id", _p=prev._pm)
    before2 = t.join(again, "customer_id")
    before2 = before2.filter(before2._m < before2._p)
    prev2 = before2.group_by("customer_id").agg(_ppl=before2._day.max())
    j = per.left_join(prev, "customer_id").left_join(prev2, "customer_id")
    j = j.select(per.customer_id, per._first, per._m, per._last, prev._pm, prev._pl, prev2._ppl)
    cal = _calendar(per, "_first", end)
    j = _attach(_attach(j, "_m", cal, "_m"), "_pm", cal, "_pm").drop("_pm_judged")
    last = _with_flags(j, dormant_days)
    here = _in_purchase_month(last, windows)
    end_start = python_epoch_days(month_start(end))
    later = _after_purchase_month(
        ibis.literal(end_month),
        ibis.literal(end_start),
        ibis.literal(end_days),
        last._m,
        last._last,
        last._m == last._first,
        last._react,
        windows,
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
    at_risk_days: int = AT_RISK_DAYS.default,
    dormant_days: int = DORMANT_DAYS.default,
    churned_days: int = CHURNED_DAYS.default,
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
    end_month = python_month_index(end)
    pm = _purchase_months(orders, end, dormant_days)
    here = _in_purchase_month(pm, windows)
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
    x = _attach(x, "_month", _calendar(pm, "_m", end), "_x")
    after = _after_purchase_month(
        x._month, x._x_start, x._x_judged, x._b, x._last, x._is_first, x._react, windows
    )
    between = x.select("_month", "_n", previous_stage=after["previous_stage"], stage=after["stage"])
    between = between.group_by(["_month", "previous_stage", "stage"]).agg(
        customers=between._n.sum()
    )
    both = starts.union(between)
    return both.group_by(["_month", "previous_stage", "stage"]).agg(
        customers=both.customers.sum().cast("int64")
    )
