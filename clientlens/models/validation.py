"""Holdout validation of the buy-till-you-die models.

The transactions are split at ``calibration_end``: a model is fitted on the
calibration part's per-customer summary and asked to predict what each customer did
in the holdout part (``calibration_end`` < order date <= ``observation_end``). Three
views of the answer, as in Fader, Hardie & Lee (2005), "Counting your customers the
easy way", Marketing Science 24(2), figures 2-4:

* :func:`calibration_and_holdout` builds the per-customer table (in the engine);
* :func:`evaluate_holdout` compares predicted and actual holdout purchases per
  calibration-frequency bucket and in aggregate (MAE, RMSE, aggregate error %);
* :func:`cumulative_tracking` follows cumulative repeat purchases over calendar time,
  the predicted curve being the sum over each day's new customers of
  ``expected_purchases_new_customer`` at their age (Fader, Hardie & Lee 2005, "A note
  on implementing the Pareto/NBD model in MATLAB", section 3).

Times follow the models' convention: summaries are counted in ``freq`` periods and a
model turns ``horizon_days`` into its own time unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from clientlens.analytics.base import as_table, to_date
from clientlens.analytics.customers.rfm import FREQS, _period_index, rfm_summary
from clientlens.errors import ConfigError, DataContractError

PERIOD_DAYS = {"D": 1, "W": 7}
"""Days per period for the freqs whose length is fixed (months are not)."""


class PurchaseModel(Protocol):
    """What validation needs of a fitted BTYD model (see clientlens.models.base)."""

    def expected_purchases(self, data: Any, horizon_days: Any = ...) -> pd.DataFrame: ...

    def expected_purchases_new_customer(self, horizon_days: Any) -> Any: ...


def calibration_and_holdout(
    orders: Any,
    *,
    calibration_end: Any,
    observation_end: Any = None,
    freq: str = "D",
    customer_id: str = "customer_id",
    order_date: str = "order_date",
    amount: str = "amount",
) -> ir.Table:
    """Per customer: the calibration summary and what the customer did in the holdout.

    Parameters
    ----------
    orders
        Ibis table or data frame with one row per order. Required columns:
        ``customer_id``, ``order_date`` (date or timestamp), ``amount``.
    calibration_end
        Last day of the calibration period (inclusive).
    observation_end
        Last day of the holdout period (inclusive). Default: the last order date.
    freq
        Period length, ``"D"``, ``"W"`` or ``"M"``, as in :func:`rfm_summary`.
    customer_id, order_date, amount
        Names of those columns in ``orders``.

    Returns
    -------
    ibis.Table
        ``customer_id, frequency, recency, T, monetary_value`` of the calibration
        period (:func:`clientlens.analytics.customers.rfm.rfm_summary` up to ``calibration_end``),
        then ``frequency_holdout`` (holdout periods with a purchase),
        ``monetary_value_holdout`` (mean total of those periods, 0 when none) and
        ``duration_holdout`` (holdout length in periods). Customers whose first
        purchase is in the holdout are left out: the model knows nothing of them.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b", "c"],
    ...     "order_date": pd.to_datetime(
    ...         ["2024-01-01", "2024-01-05", "2024-02-03", "2024-01-10", "2024-02-01"]),
    ...     "amount": [10.0, 20.0, 30.0, 5.0, 8.0]})
    >>> t = calibration_and_holdout(orders, calibration_end="2024-01-31",
    ...                             observation_end="2024-02-29")
    >>> t.order_by("customer_id").to_pandas().values.tolist()
    [['a', 1.0, 4.0, 30.0, 20.0, 1.0, 30.0, 29.0], ['b', 0.0, 0.0, 21.0, 0.0, 0.0, 0.0, 29.0]]
    """
    if freq not in FREQS:
        raise ConfigError(f"freq must be one of {', '.join(FREQS)}; got {freq!r}.")
    t = as_table(orders)
    missing = [c for c in (customer_id, order_date, amount) if c not in t.columns]
    if missing:
        raise DataContractError(
            f"calibration_and_holdout needs the columns {missing}; the table has "
            f"{list(t.columns)}. Name yours with customer_id=..., order_date=..., amount=..."
        )
    cal_end = to_date(calibration_end)
    if observation_end is None:
        end: ir.Value = t[order_date].max().as_scalar().cast("date")
    else:
        obs_end = to_date(observation_end)
        if obs_end <= cal_end:
            raise ConfigError(
                f"observation_end ({obs_end}) must be after calibration_end ({cal_end}): "
                "the holdout period would be empty."
            )
        end = ibis.literal(obs_end)

    calibration = rfm_summary(
        t,
        customer_id=customer_id,
        order_date=order_date,
        amount=amount,
        observation_end=cal_end,
        freq=freq,
    ).select(customer_id, "frequency", "recency", "T", "monetary_value")

    day = t[order_date].cast("date")
    later = t.filter(t[order_date].notnull() & (day > ibis.literal(cal_end)) & (day <= end))
    later = later.mutate(_period=_period_index(later[order_date], freq))
    periods = later.group_by([customer_id, "_period"]).agg(_total=later[amount].sum())
    holdout = periods.group_by(customer_id).agg(
        _n=periods.count().cast("float64"), _mean=periods._total.mean().cast("float64")
    )
    duration = (_period_index(end, freq) - _period_index(ibis.literal(cal_end), freq)).cast(
        "float64"
    )
    joined = calibration.left_join(holdout, customer_id)
    return joined.select(
        joined[customer_id],
        joined.frequency,
        joined.recency,
        joined["T"],
        joined.monetary_value,
        frequency_holdout=joined._n.fill_null(0.0),
        monetary_value_holdout=joined._mean.fill_null(0.0),
        duration_holdout=duration,
    )


@dataclass(frozen=True)
class HoldoutEvaluation:
    """Predicted vs actual holdout purchases.

    ``customers`` has one row per customer (``customer_id, frequency, actual,
    predicted``); ``buckets`` one row per calibration-frequency bucket
    (``frequency_bucket, bucket_label, customers, actual_mean, predicted_mean,
    actual_total, predicted_total``; the last bucket holds every frequency at or above
    it).
    """

    customers: pd.DataFrame
    buckets: pd.DataFrame
    mae: float
    """Mean absolute error per customer, in holdout purchases."""
    rmse: float
    """Root mean squared error per customer."""
    actual_total: float
    predicted_total: float
    aggregate_error_pct: float
    """(predicted − actual) / actual total holdout purchases × 100; NaN when actual is 0."""

    def metrics(self) -> dict[str, float]:
        return {
            "mae": self.mae,
            "rmse": self.rmse,
            "actual_total": self.actual_total,
            "predicted_total": self.predicted_total,
            "aggregate_error_pct": self.aggregate_error_pct,
        }


def evaluate_holdout(
    model: PurchaseModel,
    data: Any,
    horizon_days: float | None = None,
    *,
    max_bucket: int = 7,
) -> HoldoutEvaluation:
    """Compare a fitted model's predictions with the purchases customers made in the holdout.

    Parameters
    ----------
    model
        A model fitted on the calibration columns of ``data`` (``BetaGeo``, ``ParetoNBD``,
        ``ModifiedBetaGeo`` ...).
    data
        The output of :func:`calibration_and_holdout` (Ibis table or data frame):
        ``customer_id, frequency, recency, T, frequency_holdout, duration_holdout``.
    horizon_days
        Length of the holdout in days. Default: ``duration_holdout``, which is in days
        when the table was built with ``freq="D"``.
    max_bucket
        Calibration frequencies at or above this share the last bucket (``"7+"``).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.read_csv("../shared/data/cdnow_transactions.csv")
    >>> orders = pd.DataFrame({"customer_id": raw.id, "amount": raw.spent,
    ...     "order_date": pd.to_datetime(raw.date.astype(str), format="%Y%m%d")})
    >>> from clientlens.models import BetaGeo
    >>> split = calibration_and_holdout(orders, calibration_end="1997-09-30",
    ...                                 observation_end="1998-06-30")
    >>> ev = evaluate_holdout(BetaGeo().fit(split), split)
    >>> ev.actual_total, round(ev.predicted_total, 1), round(ev.aggregate_error_pct, 1)
    (1882.0, 1653.4, -12.1)
    """
    frame = data.to_pandas() if isinstance(data, ir.Table) else pd.DataFrame(data)
    need = ["customer_id", "frequency", "recency", "T", "frequency_holdout"]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise DataContractError(
            f"evaluate_holdout needs the columns {missing} (from calibration_and_holdout); "
            f"the table has {list(frame.columns)}."
        )
    if frame.empty:
        raise DataContractError("evaluate_holdout got no customers to score.")
    if horizon_days is None:
        if "duration_holdout" not in frame.columns:
            raise DataContractError("Give horizon_days, or a duration_holdout column.")
        horizon_days = float(frame["duration_holdout"].iloc[0])
    frame = frame.sort_values("customer_id", kind="stable").reset_index(drop=True)
    predicted = model.expected_purchases(
        frame[["customer_id", "frequency", "recency", "T"]], horizon_days=horizon_days
    )
    by_id = predicted.set_index("customer_id")["expected_purchases"]
    customers = pd.DataFrame(
        {
            "customer_id": frame["customer_id"],
            "frequency": frame["frequency"].astype(float),
            "actual": frame["frequency_holdout"].astype(float),
            "predicted": by_id.reindex(frame["customer_id"]).to_numpy(dtype=float),
        }
    )
    error = customers["predicted"] - customers["actual"]
    actual_total = float(customers["actual"].sum())
    predicted_total = float(customers["predicted"].sum())
    return HoldoutEvaluation(
        customers=customers,
        buckets=_buckets(customers, max_bucket),
        mae=float(error.abs().mean()),
        rmse=float(np.sqrt((error**2).mean())),
        actual_total=actual_total,
        predicted_total=predicted_total,
        aggregate_error_pct=(
            100.0 * (predicted_total - actual_total) / actual_total if actual_total else np.nan
        ),
    )


def _buckets(customers: pd.DataFrame, max_bucket: int) -> pd.DataFrame:
    bucket = customers["frequency"].clip(upper=max_bucket).astype(int)
    grouped = customers.assign(frequency_bucket=bucket).groupby("frequency_bucket", sort=True)
    out = grouped.agg(
        customers=("actual", "size"),
        actual_mean=("actual", "mean"),
        predicted_mean=("predicted", "mean"),
        actual_total=("actual", "sum"),
        predicted_total=("predicted", "sum"),
    ).reset_index()
    labels = out["frequency_bucket"].astype(str)
    out.insert(1, "bucket_label", labels.where(out["frequency_bucket"] < max_bucket, labels + "+"))
    return out


def repeat_purchase_counts(
    model: Any,
    data: Any,
    *,
    max_frequency: int = 7,
) -> pd.DataFrame:
    """Customers by number of repeat purchases: actual, and expected by the model.

    The expected count of customers with x repeat purchases is Σᵢ P(X(Tᵢ) = x), each
    customer at her own age Tᵢ (Fader, Hardie & Lee 2005, "Counting your customers the
    easy way", figure 3). P(X(t) = x) for a new customer is the model's
    ``probability_of_purchases`` for a history with no purchase yet (frequency, recency
    and T all 0); it is evaluated once per distinct age.

    Parameters
    ----------
    model
        A fitted transaction model; ``T`` in ``data`` is in its time unit.
    data
        Frame or Ibis table with ``frequency`` and ``T``.
    max_frequency
        Frequencies at or above this share the last bucket (``"7+"``).

    Returns
    -------
    pandas.DataFrame
        ``frequency_bucket, bucket_label, actual, expected`` (customers), as
        :func:`clientlens.models.charts.repeat_purchase_distribution` draws it.
    """
    frame = data.to_pandas() if isinstance(data, ir.Table) else pd.DataFrame(data)
    missing = [c for c in ("frequency", "T") if c not in frame.columns]
    if missing:
        raise DataContractError(
            f"repeat_purchase_counts needs the columns {missing}; the table has "
            f"{list(frame.columns)}."
        )
    if max_frequency < 1:
        raise ConfigError(f"max_frequency must be at least 1; got {max_frequency}.")
    ages = frame["T"].astype(float).value_counts().sort_index()
    unit_days = float(getattr(model, "time_unit_days", 1.0))
    newborn = pd.DataFrame({"customer_id": [0], "frequency": [0.0], "recency": [0.0], "T": [0.0]})
    expected = np.zeros(max_frequency + 1)
    for age, customers in zip(ages.index.to_numpy(dtype=float), ages.to_numpy(), strict=True):
        probs = [
            float(
                model.probability_of_purchases(newborn, n=n, horizon_days=float(age) * unit_days)[
                    "probability"
                ].iloc[0]
            )
            for n in range(max_frequency)
        ]
        expected[:max_frequency] += customers * np.asarray(probs)
        expected[max_frequency] += customers * max(0.0, 1.0 - sum(probs))
    bucket = frame["frequency"].clip(upper=max_frequency).astype(int)
    actual = bucket.value_counts().reindex(range(max_frequency + 1), fill_value=0)
    labels = [str(k) for k in range(max_frequency)] + [f"{max_frequency}+"]
    return pd.DataFrame(
        {
            "frequency_bucket": np.arange(max_frequency + 1),
            "bucket_label": labels,
            "actual": actual.to_numpy(dtype=float),
            "expected": expected,
        }
    )


def cumulative_tracking(
    model: PurchaseModel,
    orders: Any,
    *,
    end: Any = None,
    start: Any = None,
    period_days: int = 7,
    calibration_end: Any = None,
    customer_id: str = "customer_id",
    order_date: str = "order_date",
) -> pd.DataFrame:
    """Cumulative repeat purchases over calendar time, actual vs predicted.

    A repeat purchase is a purchase day of a customer after the first one (several
    orders on one day count once, as in the summaries the models are fitted on). The
    predicted curve at the end of period k is the sum, over the customers whose first
    purchase day b precedes it, of ``expected_purchases_new_customer(k·L − b)`` (L =
    ``period_days``): the unconditional expectation for a customer of that age.

    Parameters
    ----------
    model
        A fitted model whose time unit matches the one it was fitted in; horizons are
        passed to it in days.
    orders
        Ibis table or frame with ``customer_id`` and ``order_date``; the first and
        repeat purchase days are aggregated in the engine.
    end
        Last day tracked. Default: the last order date.
    start
        First day of period 1. Default: the first order date.
    period_days
        Length of a tracking period (7 = weekly, 1 = daily).
    calibration_end
        When given, the result marks the periods that end after it (``in_holdout``).
    customer_id, order_date
        Names of those columns in ``orders``.

    Returns
    -------
    pandas.DataFrame
        ``period`` (1, 2, ...), ``period_end`` (date of its last day), ``actual``,
        ``predicted`` (cumulative repeat purchases up to the end of the period) and
        ``in_holdout``.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.read_csv("../shared/data/cdnow_transactions.csv")
    >>> orders = pd.DataFrame({"customer_id": raw.id, "amount": raw.spent,
    ...     "order_date": pd.to_datetime(raw.date.astype(str), format="%Y%m%d")})
    >>> from clientlens.models import ParetoNBD
    >>> weeks = pd.read_csv("../shared/data/cdnow_customers_summary.csv")
    >>> pareto = ParetoNBD().fit(weeks, time_unit_days=7)
    >>> track = cumulative_tracking(pareto, orders, end="1997-06-24")
    >>> track[["period", "actual", "predicted"]].round(1).values.tolist()[-1]
    [25.0, 1672.0, 1674.3]
    """
    if period_days < 1:
        raise ConfigError(f"period_days must be a positive number of days; got {period_days}.")
    t = as_table(orders)
    missing = [c for c in (customer_id, order_date) if c not in t.columns]
    if missing:
        raise DataContractError(
            f"cumulative_tracking needs the columns {missing}; the table has {list(t.columns)}."
        )
    t = t.filter(t[order_date].notnull())
    days = t.select(cid=t[customer_id], day=t[order_date].cast("date").epoch_days()).distinct()
    days = days.mutate(_first=days.day.min().over(group_by=days.cid))
    births = days.filter(days.day == days._first).group_by("day").agg(n=ibis._.count())
    repeats = days.filter(days.day > days._first).group_by("day").agg(n=ibis._.count())
    births_df = births.to_pandas()
    repeats_df = repeats.to_pandas()
    if births_df.empty:
        raise DataContractError("cumulative_tracking got no orders.")

    epoch = pd.Timestamp("1970-01-01")
    first_day = int(births_df["day"].min())
    start_day = first_day if start is None else (pd.Timestamp(to_date(start)) - epoch).days
    if end is None:
        end_day = int(
            max(births_df["day"].max(), repeats_df["day"].max() if len(repeats_df) else 0)
        )
    else:
        end_day = (pd.Timestamp(to_date(end)) - epoch).days
    n_periods = (end_day - start_day + 1) // period_days
    if n_periods < 1:
        raise ConfigError(
            f"Nothing to track: from day {start_day} to {end_day} there is no whole period of "
            f"{period_days} days."
        )
    # Period k covers days [start + (k-1)L, start + kL - 1]; ages are measured at its end.
    period_end_day = start_day + period_days * np.arange(1, n_periods + 1)
    birth_day = births_df["day"].to_numpy(dtype=np.int64)
    birth_n = births_df["n"].to_numpy(dtype=float)
    age_days = period_end_day[:, None] - birth_day[None, :]
    born = age_days > 0
    expected = np.zeros(age_days.shape)
    if born.any():
        values = np.asarray(
            model.expected_purchases_new_customer(age_days[born].astype(float)), dtype=float
        )
        expected[born] = values.reshape(-1)
    predicted = expected @ birth_n

    repeat_day = repeats_df["day"].to_numpy(dtype=np.int64)
    order = np.argsort(repeat_day, kind="stable")
    repeat_day = repeat_day[order]
    cum = np.concatenate([[0.0], np.cumsum(repeats_df["n"].to_numpy(dtype=float)[order])])
    # Repeat purchases before ``start`` (possible only when it is given) are not tracked.
    before = cum[np.searchsorted(repeat_day, start_day, side="left")]
    actual = cum[np.searchsorted(repeat_day, period_end_day, side="left")] - before

    period_end = epoch + pd.to_timedelta(period_end_day - 1, "D")
    if calibration_end is None:
        in_holdout = np.zeros(n_periods, dtype=bool)
    else:
        in_holdout = period_end.to_numpy() > np.datetime64(to_date(calibration_end))
    return pd.DataFrame(
        {
            "period": np.arange(1, n_periods + 1),
            "period_end": period_end.date,
            "actual": actual,
            "predicted": predicted,
            "in_holdout": in_holdout,
        }
    )
