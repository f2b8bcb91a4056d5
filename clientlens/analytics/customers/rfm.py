"""Per-customer recency, frequency and monetary value in the buy-till-you-die sense.

This is the summary the CLV models are fitted on. It is *not* the RFM scoring of
:mod:`clientlens.analytics.segments.rfm_segments`, whose recency is "days since the last
purchase"; here, as in Fader, Hardie & Lee (2005):

* ``frequency``: number of *repeat* purchase periods (periods with a purchase, minus one);
* ``recency``: periods from the first to the last purchase period (0 for one-time buyers);
* ``T``: periods from the first purchase period to ``observation_end``;
* ``monetary_value``: mean total of the repeat periods (the first period is left out),
  0 for one-time buyers.

The semantics are those of lifetimes' ``summary_data_from_transaction_data`` (tested
against it on CDNOW to 1e-9), with one deliberate difference: orders after
``observation_end`` are always left out, while lifetimes keeps the rest of the
period that contains it when ``freq`` is coarser than a day.
"""

from __future__ import annotations

from typing import Any

from clientlens.analytics.base import as_table
from clientlens.analytics.common import dated_until, last_date, require_columns
from clientlens.analytics.periods import period_index
from clientlens.errors import ConfigError
from clientlens.lazy import ibis, ir

FREQS = {"D": "day", "W": "week", "M": "month"}


def _period_index(value: ir.Value, freq: str) -> ir.IntegerValue:
    """An integer that counts periods, so differences are numbers of periods."""
    if freq == "D":
        return value.cast("date").epoch_days()
    return period_index(value, "week" if freq == "W" else "month")


def rfm_summary(
    orders: Any,
    *,
    customer_id: str = "customer_id",
    order_date: str = "order_date",
    amount: str = "amount",
    observation_end: Any = None,
    freq: str = "D",
) -> ir.Table:
    """Summarise a transaction log into one row per customer for the BTYD models.

    Parameters
    ----------
    orders
        Ibis table, or pandas / polars / pyarrow frame, with one row per order.
        Required columns: ``customer_id``, ``order_date`` (date or timestamp), ``amount``.
    customer_id, order_date, amount
        Names of those columns in ``orders``.
    observation_end
        Last day of data used (date or ISO string). Default: the last order date.
    freq
        Period length: ``"D"`` (days), ``"W"`` (ISO weeks), ``"M"`` (calendar months).

    Returns
    -------
    ibis.Table
        ``customer_id, frequency, recency, T, monetary_value, n_orders, total_amount,
        first_purchase, last_purchase``; time columns counted in ``freq`` periods.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-11", "2024-01-05"]),
    ...     "amount": [10.0, 5.0, 20.0, 7.0]})
    >>> s = rfm_summary(orders, observation_end="2024-01-31").order_by("customer_id").to_pandas()
    >>> s[["customer_id", "frequency", "recency", "T", "monetary_value"]].values.tolist()
    [['a', 1.0, 10.0, 30.0, 20.0], ['b', 0.0, 0.0, 26.0, 0.0]]
    """
    if freq not in FREQS:
        raise ConfigError(f"freq must be one of {', '.join(FREQS)}; got {freq!r}.")
    t = as_table(orders)
    require_columns(
        t,
        (customer_id, order_date, amount),
        who="rfm_summary",
        hint="Name yours with customer_id=..., order_date=..., amount=...",
    )
    end = last_date(t, observation_end, order_date)
    t = dated_until(t, order_date, end)

    dated = t.mutate(_period=_period_index(t[order_date], freq))
    periods = dated.group_by([customer_id, "_period"]).agg(
        _total=dated[amount].sum(),
        _orders=dated.count(),
        _first_ts=dated[order_date].min(),
        _last_ts=dated[order_date].max(),
    )
    periods = periods.mutate(
        _is_first=periods._period == periods._period.min().over(group_by=periods[customer_id])
    )
    per_customer = periods.group_by(customer_id).agg(
        _n_periods=periods.count(),
        _first=periods._period.min(),
        _last=periods._period.max(),
        _repeat_total=periods._total.sum(where=~periods._is_first),
        n_orders=periods._orders.sum().cast("int64"),
        total_amount=periods._total.sum().cast("float64"),
        first_purchase=periods._first_ts.min(),
        last_purchase=periods._last_ts.max(),
    )
    end_period = _period_index(end, freq)
    frequency = (per_customer._n_periods - 1).cast("float64")
    s = per_customer.mutate(
        frequency=frequency,
        recency=(per_customer._last - per_customer._first).cast("float64"),
        T=(end_period - per_customer._first).cast("float64"),
        monetary_value=ibis.ifelse(
            frequency > 0, per_customer._repeat_total.cast("float64") / frequency, 0.0
        ),
    )
    return s.select(
        customer_id,
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "n_orders",
        "total_amount",
        "first_purchase",
        "last_purchase",
    )
