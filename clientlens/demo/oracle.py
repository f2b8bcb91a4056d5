"""The churn oracle: the best possible churn probability for a demo customer.

It knows each customer's true process (:mod:`clientlens.demo.process`): the purchase rate
λ with its segment's festival calendar, the dropout rate μ, and the extra hazard a first
complaint starts (by its severity), and it sees the history up to the cutoff like any
model. Working day by day from the last purchase, it computes the probability that the
customer is still alive at the cutoff given no purchase since, then the probability of no
purchase in the horizon; churn is "no purchase in the horizon". A trained model cannot
beat its ROC-AUC on average; the churn tests ask the model to come within 0.03 of it.

>>> from clientlens.demo import generate
>>> demo = generate(300, seed=1, locale="en")
>>> p = churn_oracle(demo, "2025-10-02", 90).merge(demo.truth, on="customer_id")
>>> bool(p["p_churn"].between(0, 1).all())
True
>>> bool((p.loc[p.segment == "one_off", "p_churn"] == 1.0).all())  # they never buy again
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clientlens.analytics.base import to_date
from clientlens.demo import seasons
from clientlens.demo.customers import SEGMENTS
from clientlens.demo.process import POST_COMPLAINT_LIFETIME_DAYS, SEVERITY_HAZARD
from clientlens.demo.service import SEVERITIES

CHUNK = 4_000


def churn_oracle(demo: Any, cutoff: Any, horizon_days: int) -> pd.DataFrame:
    """``customer_id, p_churn``: probability of no completed order in the
    ``horizon_days`` after ``cutoff``, for every customer with a completed order on or
    before it, from the true process (see the module docstring)."""
    c = (pd.Timestamp(to_date(cutoff)) - seasons.START).days
    end = c + horizon_days
    if end >= seasons.N_DAYS:
        raise ValueError(f"The horizon ends after the demo history ({seasons.END.date()}).")
    orders = demo.orders
    done = orders[orders["status"].isin(["completed", "已完成"]) | orders["status"].isna()]
    day = (pd.to_datetime(done["order_date"]).dt.normalize() - seasons.START).dt.days
    last = day[day <= c].groupby(done["customer_id"][day <= c]).max()
    truth = demo.truth.set_index("customer_id").loc[last.index]

    tickets = demo.tickets.assign(
        _t=(pd.to_datetime(demo.tickets["opened_at"]) - seasons.START).dt.total_seconds() / 86400
    ).sort_values("_t")
    first = tickets.groupby("customer_id").first()
    severity = first["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    t_first = first["_t"].reindex(last.index).to_numpy()
    sev = severity.reindex(last.index).fillna(0).to_numpy(dtype=int)
    seen = t_first <= c  # the oracle sees a complaint only once it is made
    hazard = np.where(seen, SEVERITY_HAZARD[sev] / POST_COMPLAINT_LIFETIME_DAYS, 0.0)

    seg_index = {s.code: i for i, s in enumerate(SEGMENTS)}
    seg = truth["segment"].map(seg_index).to_numpy()
    season = np.vstack([seasons.season_multiplier(s.promo_strength) for s in SEGMENTS])
    lam = truth["purchase_rate_per_day"].to_numpy(dtype=float)
    mu = truth["dropout_rate_per_day"].to_numpy(dtype=float)
    out = np.empty(len(last))
    for lo in range(0, len(last), CHUNK):
        part = slice(lo, lo + CHUNK)
        out[part] = _p_churn(
            last.to_numpy()[part], c, end, lam[part], mu[part], hazard[part],
            np.where(seen, t_first, np.inf)[part], season[seg[part]],
        )  # fmt: skip
    return pd.DataFrame({"customer_id": last.index.to_numpy(), "p_churn": out})


def _p_churn(
    last: np.ndarray,
    c: int,
    end: int,
    lam: np.ndarray,
    mu: np.ndarray,
    hazard: np.ndarray,
    t_first: np.ndarray,
    season: np.ndarray,
) -> np.ndarray:
    gone = ~np.isfinite(mu) | (lam <= 0)  # one-off buyers leave after their first order
    mu = np.where(np.isfinite(mu), mu, 0.0)
    days = np.arange(end + 1)[None, :]
    h = mu[:, None] + hazard[:, None] * (days > t_first[:, None])
    log_stay = -h  # log P(alive on day u | alive on day u - 1)
    log_quiet = -lam[:, None] * season[:, : end + 1]  # log P(no purchase on day u | alive)
    past = (days > last[:, None]) & (days <= c)
    future = (days > c) & (days <= end)
    alive_c, dead_c = _no_purchase(log_stay, log_quiet, past)
    p_alive = alive_c / np.maximum(alive_c + dead_c, 1e-300)
    alive_n, dead_n = _no_purchase(log_stay, log_quiet, future)
    quiet_if_alive = alive_n + dead_n
    p = 1.0 - p_alive + p_alive * quiet_if_alive
    return np.where(gone, 1.0, np.clip(p, 0.0, 1.0))


def _no_purchase(
    log_stay: np.ndarray, log_quiet: np.ndarray, window: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Over the days of ``window`` (alive at its start): P(alive to its end and no
    purchase), P(drop out within it with no purchase before)."""
    step = np.where(window, log_stay + log_quiet, 0.0)
    cum = np.cumsum(step, axis=1)
    before = np.exp(cum - step)  # alive and quiet through the day before
    dropped = np.where(window, before * (1.0 - np.exp(log_stay)), 0.0).sum(axis=1)
    return np.exp(cum[:, -1]), dropped
