"""Table helpers the analyses share: input checks, date cuts, exact medians, ratios, labels.

One home for the small steps many analyses take, so that each is written (and fixed)
once and behaves the same in every result. Calendar arithmetic (months, ISO weeks,
epoch days) lives beside it in :mod:`clientlens.analytics.periods`.

Every helper builds Ibis expressions that run identically on DuckDB and PySpark.

Examples
--------
>>> import ibis
>>> t = ibis.memtable({"g": ["a", "a", "b"], "v": [1, 4, 7]})
>>> exact_median(t, "v", by="g").order_by("g").to_pandas()["median"].tolist()
[2.5, 7.0]
>>> float(median_value(t, "v").execute())
4.0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clientlens.analytics.base import as_table, to_date
from clientlens.errors import DataContractError
from clientlens.lazy import ibis, ir

UNKNOWN = "unknown"
"""The group of missing or empty values (a customer attribute, a channel)."""

ORDER_COLUMNS = ("customer_id", "order_date", "amount")
"""The orders columns most analyses need."""


def require_columns(
    table: ir.Table, columns: Sequence[str], *, who: str, what: str = "orders", hint: str = ""
) -> None:
    """Raise :class:`DataContractError` naming every column of ``columns`` missing from ``table``.

    ``who`` is what needs them (an analysis or function name), ``what`` the table's name
    in the message, ``hint`` an optional last sentence saying how to fix it.
    """
    missing = [c for c in columns if c not in table.columns]
    if missing:
        message = f"{who} needs the {what} columns {missing}; the table has {list(table.columns)}."
        raise DataContractError(f"{message} {hint}" if hint else message)


def dated_until(table: ir.Table, column: str, end: Any) -> ir.Table:
    """Rows of ``table`` whose ``column`` (date or timestamp) is on or before ``end``.

    ``end`` is a date, an ISO string or a date expression; rows without a date are
    left out.
    """
    day = end if isinstance(end, ir.Value) else ibis.literal(to_date(end))
    return table.filter(table[column].notnull() & (table[column].cast("date") <= day))


def completed_orders(
    orders: Any, observation_end: Any, *, who: str, columns: Sequence[str] = ORDER_COLUMNS
) -> ir.Table:
    """``orders`` with ``columns`` checked, cut to ``observation_end`` (inclusive).

    The orders handed to an analysis are completed ones already (the runner leaves out
    refunded and cancelled orders); this is the check and the date cut every analysis
    that takes orders repeats.
    """
    t = as_table(orders)
    require_columns(t, columns, who=who)
    return dated_until(t, "order_date", observation_end)


def last_date(table: ir.Table, observation_end: Any, column: str = "order_date") -> ir.DateValue:
    """``observation_end`` as a date expression, or the last date of ``column`` when None."""
    if observation_end is None:
        return table[column].cast("date").max().as_scalar()
    return ibis.literal(to_date(observation_end))


def exact_median(t: ir.Table, column: str, by: str | None = None) -> ir.Table:
    """Median of ``column`` (per ``by`` when given) by ranking, identical on every engine.

    Returns a table with ``by`` (if given) and ``median`` (float64; null for no values).
    Spark's percentile is approximate, so the middle value, or the mean of the middle
    two for an even count, is picked by row number instead. Missing values are left out.
    """
    t = t.filter(t[column].notnull())
    group = [by] if by else []
    ranked = t.mutate(
        _rn=ibis.row_number().over(ibis.window(group_by=group, order_by=t[column])) + 1,
        _n=t[column].count().over(ibis.window(group_by=group)),
    )
    middle = ranked.filter(
        (ranked._rn == (ranked._n + 1) // 2) | (ranked._rn == ranked._n // 2 + 1)
    )
    median = middle[column].cast("float64").mean()
    return middle.group_by(group).agg(median=median) if by else middle.agg(median=median)


def median_value(t: ir.Table, column: str) -> ir.FloatingScalar:
    """:func:`exact_median` of the whole of ``t[column]`` as a scalar."""
    return exact_median(t, column)["median"].as_scalar()


def ratio(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    """``numerator / denominator`` as float64; null when the denominator is 0 or missing."""
    return ibis.ifelse(
        denominator != 0,
        numerator.cast("float64") / denominator.cast("float64"),
        ibis.null("float64"),
    )


def text_or_unknown(value: ir.Value) -> ir.StringValue:
    """The value without leading and trailing spaces; missing or empty -> ``unknown``."""
    # Not .strip(): Ibis 12 compiles it for PySpark with a character list in which "\f"
    # becomes the letter f, turning "female" into "emale".
    s = value.cast("string").re_replace("^ +| +$", "")
    return ibis.ifelse(s.isnull() | (s == ""), UNKNOWN, s)
