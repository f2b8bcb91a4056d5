"""Shared steps of the complaint results: ticket timings, groups, windows and exact quantiles.

Tickets are cut to ``observation_end`` by the day they were opened. A ticket is *open*
when it has no ``closed_at`` or was closed after the observation end (seen from that
day it was still open); the ``status`` column is not read, since it describes the day
of the export, not the observation end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from clientlens.analytics.base import as_int64, as_table
from clientlens.analytics.common import dated_until, text_or_unknown
from clientlens.analytics.periods import month_index, python_month_index
from clientlens.lazy import ibis, ir, pd

TICKET_DIMENSIONS = ("all", "category", "channel", "severity")
SEVERITY_WORDS = {
    "high": "high",
    "urgent": "high",
    "critical": "high",
    "高": "high",
    "紧急": "high",
    "medium": "medium",
    "normal": "medium",
    "中": "medium",
    "一般": "medium",
    "low": "low",
    "低": "low",
}
"""Severity spellings read as the three levels SLA targets are set for; others are kept
as written and get the default target."""


def end_of_day_seconds(day: dt.date) -> int:
    """Epoch seconds of the end of ``day`` (the first second of the next day)."""
    return int((day - dt.date(1970, 1, 1)).days + 1) * 86400


def tickets_until(tickets: object, observation_end: dt.date) -> ir.Table:
    """Tickets opened up to ``observation_end`` with ``_m`` (month opened), ``_open``,
    ``_hours`` (opened to closed, hours; null while open), ``_age_hours`` (opened to the
    end of the observation end's day), ``_response_hours`` (opened to the first response,
    hours; null before one), ``_awaiting`` (open with no first response yet; null without
    a ``first_response_at`` column), the severity level ``_severity`` and ``_group``
    columns for every dimension (``_category``, ``_channel``).

    A response after the observation end is not yet given, as a close after it is not."""
    t = dated_until(as_table(tickets), "opened_at", observation_end)
    end_s = end_of_day_seconds(observation_end)
    opened = t.opened_at.cast("timestamp").epoch_seconds()
    closed = _seconds(t, "closed_at")
    is_open = ibis.literal(True) if closed is None else closed.isnull() | (closed >= end_s)
    hours = (
        ibis.null("float64")
        if closed is None
        else ibis.ifelse(is_open, ibis.null("float64"), (closed - opened).cast("float64") / 3600)
    )
    first = _seconds(t, "first_response_at")
    response_hours: ir.Value = ibis.null("float64")
    awaiting: ir.Value = ibis.null("boolean")
    if first is not None:
        answered = first.notnull() & (first < end_s)
        response_hours = ibis.ifelse(
            answered, (first - opened).cast("float64") / 3600, ibis.null("float64")
        )
        awaiting = is_open & ~answered
    severity = text_or_unknown(t.severity).lower() if "severity" in t.columns else None
    level = (
        ibis.literal("unknown")
        if severity is None
        else ibis.cases(*[(severity == k, v) for k, v in SEVERITY_WORDS.items()], else_=severity)
    )
    return t.select(
        "ticket_id",
        "customer_id",
        _m=month_index(t.opened_at),
        _day=t.opened_at.cast("date").epoch_days(),
        _open=is_open,
        _hours=hours,
        _age_hours=(ibis.literal(end_s) - opened).cast("float64") / 3600,
        _response_hours=response_hours,
        _awaiting=awaiting,
        _severity=level,
        _category=_column(t, "category"),
        _channel=_column(t, "channel"),
    )


def _seconds(t: ir.Table, name: str) -> ir.IntegerValue | None:
    return t[name].cast("timestamp").epoch_seconds() if name in t.columns else None


def _column(t: ir.Table, name: str) -> ir.StringValue:
    return text_or_unknown(t[name]) if name in t.columns else ibis.literal("unknown")


def by_dimension(t: ir.Table) -> list[ir.Table]:
    """``t`` once per dimension of :data:`TICKET_DIMENSIONS`, with ``dimension`` and ``_group``."""
    groups = {
        "all": ibis.literal("all"),
        "category": t._category,
        "channel": t._channel,
        "severity": t._severity,
    }
    return [
        t.mutate(dimension=ibis.literal(d, "string"), _group=groups[d]) for d in TICKET_DIMENSIONS
    ]


def window_filter(t: ir.Table, last_m: int, months: int, back: int = 0) -> ir.Table:
    """Rows of the ``months`` months ending ``back`` windows before month ``last_m``."""
    end = last_m - back * months
    return t.filter((t._m > end - months) & (t._m <= end))


def ranked_quantiles(
    t: ir.Table, column: str, keys: Sequence[str], wanted: Mapping[str, float]
) -> ir.Table:
    """Exact quantiles of ``column`` per ``keys`` ({name: q}), from one ranking, identical
    on every engine.

    The median (q = 0.5) is the middle value or the mean of the middle two; any other q
    is the nearest-rank value, the ⌈q n⌉-th smallest. Missing values are left out.
    """
    t = t.filter(t[column].notnull())
    w = ibis.window(group_by=list(keys), order_by=t[column])
    ranked = t.mutate(
        _rn=as_int64(ibis.row_number().over(w)) + 1,
        _n=t[column].count().over(ibis.window(group_by=list(keys))),
    )
    value = ranked[column].cast("float64")
    picks = {}
    for name, q in wanted.items():
        if q == 0.5:
            pick = (ranked._rn == (ranked._n + 1) // 2) | (ranked._rn == ranked._n // 2 + 1)
        else:
            pick = ranked._rn == (ranked._n.cast("float64") * q).ceil().cast("int64")
        picks[name] = value.mean(where=pick)
    return ranked.group_by(list(keys)).agg(**picks)


def month_labels(m: pd.Series) -> pd.Series:
    """``YYYY-MM`` of month indices."""
    return (m // 12).astype(str) + "-" + (m % 12 + 1).astype(str).str.zfill(2)


def month_starts(m: pd.Series) -> pd.Series:
    frame = pd.DataFrame({"year": m // 12, "month": m % 12 + 1, "day": 1})
    return pd.to_datetime(frame).dt.date


def last_month(observation_end: dt.date) -> int:
    return python_month_index(observation_end)
