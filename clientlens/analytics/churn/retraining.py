"""When ``analyze`` trains a new churn model and when it scores with the stored one.

Training looks at months of history at a dozen cutoffs; scoring looks at one day. A model
trained last week on the same history ranks today's customers as well as a new one would,
so ``churn_validation`` reuses the newest stored model unless :func:`retrain_reason`
finds a reason to train again:

* none is stored, or it was stored by an older ClientLens whose model format differs
  (:data:`MODEL_FORMAT`);
* it was trained with other settings (horizon, cutoffs, population, sample, seed) or on
  other feature groups (a table imported or removed since);
* the data it was trained on changed: the completed orders up to its observation end no
  longer have the same count, customers, revenue and first and last day
  (:func:`orders_fingerprint`; a re-import, a deletion, late corrections);
* its observation end is more than ``churn_retrain_days`` days before this run's, or
  after it (an ``--as-of`` in the past must not score with a model that saw the future).

``churn_retrain_days = 0`` trains on every run. Scoring (``churn_scores``) always reads
the model version ``churn_validation`` names, so it scores every customer at this run's
observation end either way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from clientlens.config import Setting
from clientlens.lazy import ibis, ir, pd

MODEL_FORMAT = 2
"""Bumped when the stored churn model's pickle or card changes shape (2: centred
isotonic calibration, early-stopped boosting, timings in the card)."""

RETRAIN_DAYS = Setting(
    "churn_retrain_days",
    int,
    30,
    "Churn model: analyze trains a new model when the stored one's data end more than "
    "this many days before the observation end (or its settings or data changed), and "
    "otherwise scores with the stored one; 0 trains on every run.",
)


def orders_fingerprint(orders: ir.Table, observation_end: dt.date) -> dict[str, Any]:
    """Count, customers, revenue (to the cent) and first and last day of the completed
    orders up to ``observation_end``: one aggregate query, the same on every engine."""
    day = orders.order_date.cast("date")
    o = orders.filter(day <= ibis.literal(observation_end))
    row = (
        o.aggregate(
            orders=o.count(),
            customers=o.customer_id.nunique(),
            revenue=o.amount.cast("float64").sum(),
            first_day=o.order_date.cast("date").min(),
            last_day=o.order_date.cast("date").max(),
        )
        .to_pandas()
        .iloc[0]
    )

    def day_text(value: Any) -> str | None:
        return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()

    revenue = row["revenue"]
    return {
        "orders": int(row["orders"]),
        "customers": int(row["customers"]),
        "revenue": None if pd.isna(revenue) else round(float(revenue), 2),
        "first_day": day_text(row["first_day"]),
        "last_day": day_text(row["last_day"]),
    }


def retrain_reason(
    card: dict[str, Any] | None,
    *,
    orders: ir.Table,
    observation_end: dt.date,
    training: dict[str, Any],
    groups: list[str],
    max_age_days: int,
) -> str | None:
    """Why a new model must be trained (see the module docstring), or None when the
    stored model with ``card`` still serves. ``training`` is the run's options as the
    card keeps them (``card["training"]["options"]``)."""
    if max_age_days <= 0:
        return "churn_retrain_days = 0"
    if card is None:
        return "no stored model"
    if card.get("format") != MODEL_FORMAT:
        return "stored by an older ClientLens"
    if card["training"]["options"] != training:
        return "other settings"
    if list(card["groups"]) != list(groups):
        return "other feature groups"
    trained_end = dt.date.fromisoformat(card["training"]["observation_end"])
    age = (observation_end - trained_end).days
    if age < 0:
        return "the stored model saw data after the observation end"
    if age > max_age_days:
        return f"the stored model's data end {age} days before the observation end"
    if card.get("orders_fingerprint") != orders_fingerprint(orders, trained_end):
        return "the orders it was trained on changed"
    return None
