"""Calendar periods shared by the analyses: month / ISO-week bucketing and 环比 / 同比.

Every helper builds Ibis expressions that run identically on DuckDB and PySpark:
periods are whole numbers (``month_index``: months since year 0; ``week_index``: ISO
weeks since the Monday 1970-01-05), so "k periods later" is plain integer arithmetic
and a previous period is found by joining on ``index - 1`` (a missing period then
gives a missing base, never the wrong neighbour as a ``lag`` would).

A period is *complete* when it ends on or before ``observation_end``; changes are only
meaningful between complete periods (a half-finished month compared with a full one
always looks like a fall), so :func:`with_changes` leaves them null otherwise.

Examples
--------
>>> import datetime as dt, ibis
>>> t = ibis.memtable({"month_index": [24287, 24288, 24299], "metric": ["revenue"] * 3,
...                    "value": [80.0, 100.0, 0.0]})
>>> out = with_changes(t, index="month_index", keys=("metric",), year_offset=12)
>>> out.order_by("month_index").to_pandas()[["value", "previous_value", "mom"]].values.tolist()
[[80.0, nan, nan], [100.0, 80.0, 0.25], [0.0, nan, nan]]
>>> last_complete_month_index(dt.date(2024, 1, 31)), last_complete_month_index(dt.date(2024, 1, 30))
(24288, 24287)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from clientlens.lazy import ibis, ir

GRAINS = ("month", "week")
"""Period grains: calendar months and ISO weeks (Monday to Sunday)."""

_EPOCH = dt.date(1970, 1, 1)
_EPOCH_MONDAY = 4  # 1970-01-05, the first Monday after the epoch, is epoch day 4


def month_index(value: ir.Value) -> ir.IntegerValue:
    """Months since year 0 of a date or timestamp (2024-01 → 24288)."""
    day = value.cast("date")
    return day.year().cast("int64") * 12 + day.month().cast("int64") - 1


def week_index(value: ir.Value) -> ir.IntegerValue:
    """ISO weeks since the week of 1970-01-05 of a date or timestamp."""
    days = value.cast("date").epoch_days()
    return ((days - _EPOCH_MONDAY) / 7).floor().cast("int64")


def period_index(value: ir.Value, grain: str) -> ir.IntegerValue:
    """:func:`month_index` or :func:`week_index` by ``grain``."""
    return month_index(value) if grain == "month" else week_index(value)


def period_start(value: ir.Value, grain: str) -> ir.DateValue:
    """First day of the month, or the Monday of the ISO week, containing ``value``."""
    return value.cast("date").truncate("M" if grain == "month" else "W")


def month_start_of_index(index: ir.IntegerValue) -> ir.DateValue:
    """The first day of the month with this :func:`month_index`."""
    return ibis.date((index / 12).floor().cast("int32"), (index % 12 + 1).cast("int32"), 1)


def month_start_epoch_days(index: ir.IntegerValue) -> ir.IntegerValue:
    """Days from 1970-01-01 to the first day of the month with this :func:`month_index`.

    Integer arithmetic only (H. Hinnant's ``days_from_civil``), several times cheaper
    per row than building a date and taking its epoch days.
    """
    year = index // 12
    month = index % 12 + 1
    # ifelse, not a cast of the comparison: PostgreSQL casts no boolean to bigint.
    year = year - ibis.ifelse(month <= 2, 1, 0)
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return (era * 146097 + day_of_era - 719468).cast("int64")


def date_of_epoch_days(days: ir.IntegerValue) -> ir.DateValue:
    """The date ``days`` days after 1970-01-01."""
    return ibis.date("1970-01-01") + days.as_interval("D")


def period_start_of_index(index: ir.IntegerValue, grain: str) -> ir.DateValue:
    """First day of the month, or the Monday of the ISO week, with this period index."""
    if grain == "month":
        return month_start_of_index(index)
    return date_of_epoch_days(index * 7 + _EPOCH_MONDAY)


def month_label(index: ir.IntegerValue) -> ir.StringValue:
    """``YYYY-MM`` of the month with this :func:`month_index`, built from integers so
    every engine writes it alike."""
    year = (index // 12).cast("string")
    month = (index % 12 + 1).cast("string").lpad(2, "0")
    return year + "-" + month


def python_epoch_days(day: dt.date) -> int:
    """Days from 1970-01-01 to ``day`` (what ``epoch_days()`` gives in the engine)."""
    return (day - _EPOCH).days


def python_month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def python_week_index(day: dt.date) -> int:
    return (python_epoch_days(day) - _EPOCH_MONDAY) // 7


def python_period_index(day: dt.date, grain: str) -> int:
    return python_month_index(day) if grain == "month" else python_week_index(day)


def last_complete_month_index(observation_end: dt.date) -> int:
    """Index of the last month that ends on or before ``observation_end``."""
    ends_month = (observation_end + dt.timedelta(days=1)).day == 1
    return python_month_index(observation_end) - (0 if ends_month else 1)


def last_complete_period_index(observation_end: dt.date, grain: str) -> int:
    """Index of the last month / ISO week that ends on or before ``observation_end``."""
    if grain == "month":
        return last_complete_month_index(observation_end)
    ends_week = observation_end.weekday() == 6
    return python_week_index(observation_end) - (0 if ends_week else 1)


def change(this: ir.NumericValue, base: ir.NumericValue) -> ir.FloatingValue:
    """(this − base) / base; null when the base is 0 or missing (GLOSSARY mom / yoy)."""
    usable = base.notnull() & (base != 0)
    ratio = (this.cast("float64") - base.cast("float64")) / base.cast("float64")
    return ibis.ifelse(usable, ratio, ibis.null("float64"))


def with_changes(
    table: ir.Table,
    *,
    index: str,
    keys: Sequence[str] = (),
    value: str = "value",
    previous_offset: int = 1,
    year_offset: int = 12,
    last_complete_index: int | None = None,
) -> ir.Table:
    """Add ``previous_value``, ``last_year_value``, ``mom`` and ``yoy`` to a tidy table.

    Parameters
    ----------
    table
        One row per ``keys`` × period; ``index`` is an integer period column
        (:func:`month_index` or :func:`week_index`), ``value`` the number compared.
    previous_offset, year_offset
        Periods back for 环比 (1) and 同比 (12 for months, 52 for ISO weeks).
    last_complete_index
        Periods after it are incomplete: their changes are null (and they never serve as
        a base, being later). ``None`` treats every period as complete.

    Returns
    -------
    ibis.Table
        ``table``'s columns followed by ``previous_value, last_year_value, mom, yoy``.
    """
    cols = list(table.columns)
    keys = list(keys)
    out = table
    for name, offset in (("previous_value", previous_offset), ("last_year_value", year_offset)):
        base = table.select(
            *[table[k].name(f"_k_{k}") for k in keys],
            (table[index] + offset).name("_idx"),
            table[value].name(name),
        )
        preds = [out[index] == base._idx] + [out[k] == base[f"_k_{k}"] for k in keys]
        out = out.left_join(base, preds).select(*[out[c] for c in out.columns], base[name])
    complete = (
        ibis.literal(True) if last_complete_index is None else out[index] <= last_complete_index
    )
    null = ibis.null("float64")
    return out.select(
        *cols,
        previous_value=out.previous_value,
        last_year_value=out.last_year_value,
        mom=ibis.ifelse(complete, change(out[value], out.previous_value), null),
        yoy=ibis.ifelse(complete, change(out[value], out.last_year_value), null),
    )
