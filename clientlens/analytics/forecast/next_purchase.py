"""Next-purchase timing and expected purchases in a horizon, from the chosen CLV model.

The ``clv_models`` result holds the final purchase model (BG/NBD, Pareto/NBD or MBG/NBD)
refitted on every customer's history, in days; this module rebuilds it from its
parameters and asks it, for each customer's ``frequency, recency, T``:

* ``expected_purchases``: expected repeat purchase days in the next ``horizon_days``
  (Fader, Hardie & Lee 2005, eq. 10 for BG/NBD; the model's own for the others);
* ``probability_purchase``: P(at least one purchase in the horizon) = 1 − P(X(t) = 0)
  (FHL 2005 eq. 8 with x = 0);
* ``next_purchase_days``: the median time to the next purchase, the first day by which
  P(at least one purchase) reaches one half, read on a grid of days
  (:data:`GRID_DAYS`) and interpolated linearly between its points; empty when the
  probability stays below one half for :data:`MAX_NEXT_PURCHASE_DAYS` days (a customer
  likely gone, for whom any "days until" would be a guess).

Predictions are computed once per distinct history (the models do that), so a million
customers cost what their distinct histories cost.
"""

from __future__ import annotations

import json
from typing import Any

from clientlens.analytics.value.clv_selection import model_class
from clientlens.errors import NotEnoughDataError
from clientlens.lazy import np, pd

MAX_NEXT_PURCHASE_DAYS = 365
GRID_DAYS = (1, 2, 3, 5, 7, 10, 14, 21, 28, 35, 42, 56, 70, 91, 119, 154, 189, 238, 301, 365)
"""Days at which P(a purchase by then) is evaluated; denser early, where most customers'
medians fall, and ending at :data:`MAX_NEXT_PURCHASE_DAYS`."""


def purchase_model(models: pd.DataFrame) -> tuple[str, Any]:
    """The final purchase model of a ``clv_models`` result: its name and the model."""
    final = models[(models["stage"] == "final") & (models["role"] == "purchases")]
    if final.empty or not bool(final["identified"].iloc[0]):
        raise NotEnoughDataError(
            "the CLV purchase model is not identified, so no purchase timing is predicted"
        )
    name = str(final["model"].iloc[0])
    params = json.loads(str(final["params"].iloc[0]))
    return name, model_class(name).from_params(params, time_unit_days=1.0)


def median_days(grid: np.ndarray, p_by_day: np.ndarray) -> np.ndarray:
    """Per row of ``p_by_day`` (P(a purchase by each day of ``grid``), non-decreasing),
    the day it reaches 0.5, interpolated between grid points from day 0 (P = 0); NaN
    when it never does.

    Examples
    --------
    >>> median_days(np.array([10.0, 20.0]), np.array([[0.2, 0.6], [0.5, 0.9], [0.1, 0.3]]))
    array([17.5, 10. ,  nan])
    """
    days = np.concatenate([[0.0], np.asarray(grid, dtype=float)])
    p = np.column_stack([np.zeros(len(p_by_day)), np.maximum.accumulate(p_by_day, axis=1)])
    reached = p >= 0.5
    out = np.full(len(p), np.nan)
    hit = reached.any(axis=1)
    k = np.argmax(reached, axis=1)[hit]  # first grid point at or above one half
    rows = np.flatnonzero(hit)
    lo_p, hi_p = p[rows, k - 1], p[rows, k]
    share = (0.5 - lo_p) / np.where(hi_p > lo_p, hi_p - lo_p, 1.0)
    out[rows] = days[k - 1] + share * (days[k] - days[k - 1])
    return out


def next_purchase(
    summary: pd.DataFrame, models: pd.DataFrame, *, horizon_days: int
) -> pd.DataFrame:
    """``customer_id, expected_purchases, probability_purchase, next_purchase_days`` for
    each row of ``summary`` (``customer_id, frequency, recency, T`` in days) from the
    final purchase model of ``models`` (a ``clv_models`` result)."""
    _, model = purchase_model(models)
    history = ["frequency", "recency", "T"]
    data = summary[["customer_id", *history]].reset_index(drop=True)
    out = pd.DataFrame({"customer_id": data["customer_id"].to_numpy()})
    expected = model.expected_purchases(data, horizon_days=horizon_days)
    out["expected_purchases"] = expected["expected_purchases"].to_numpy(dtype=float)
    none = model.probability_of_purchases(data, n=0, horizon_days=horizon_days)
    out["probability_purchase"] = 1.0 - none["probability"].to_numpy(dtype=float)
    by_day = np.column_stack(
        [
            1.0
            - model.probability_of_purchases(data, n=0, horizon_days=d)["probability"].to_numpy(
                dtype=float
            )
            for d in GRID_DAYS
        ]
    )
    out["next_purchase_days"] = median_days(np.array(GRID_DAYS, dtype=float), by_day)
    return out
