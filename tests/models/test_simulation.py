"""Fit data simulated from known parameters: each truth must lie in its 95% interval.

100,000 customers (50,000 for Pareto/NBD), vectorised numpy simulation with a fixed seed, recency and T rounded to
whole days as clientlens.rfm_summary(freq="D") gives them (so rows compress). Rounding
moves recency by at most half a day, far below the intervals' widths.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clientlens.models import BetaGeo, ParetoNBD

N_CUSTOMERS = 100_000


def ages(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(60, 366, size=n).astype(float)  # first purchase 2-12 months before the end


def kth_purchase_time(rng, count, k, window):
    """Time of the k-th of `count` uniform purchase times in [0, window] (Beta order statistic)."""
    k_safe = np.maximum(k, 1)
    return np.where(k > 0, window * rng.beta(k_safe, np.maximum(count - k_safe + 1, 1)), 0.0)


def summary(x, tx, T) -> pd.DataFrame:
    tx = np.where(x > 0, np.clip(np.round(tx), 1.0, T), 0.0)
    return pd.DataFrame({"frequency": x.astype(float), "recency": tx, "T": T})


def simulate_bgnbd(r, alpha, a, b, n, seed):
    """BG/NBD: Poisson(λ) purchases; after each repeat purchase, dropout with probability p."""
    rng = np.random.default_rng(seed)
    T = ages(rng, n)
    lam = rng.gamma(r, 1.0 / alpha, size=n)
    p = rng.beta(a, b, size=n)
    count = rng.poisson(lam * T)  # purchases the customer would make if she never left
    dies_at = rng.geometric(p)  # she leaves right after her dies_at-th repeat purchase
    x = np.minimum(count, dies_at)
    return summary(x, kth_purchase_time(rng, count, x, T), T)


def simulate_paretonbd(r, alpha, s, beta, n, seed):
    """Pareto/NBD: Poisson(λ) purchases during an exponential(μ) lifetime."""
    rng = np.random.default_rng(seed)
    T = ages(rng, n)
    lam = rng.gamma(r, 1.0 / alpha, size=n)
    mu = rng.gamma(s, 1.0 / beta, size=n)
    window = np.minimum(rng.exponential(1.0 / mu), T)
    x = rng.poisson(lam * window)
    return summary(x, kth_purchase_time(rng, x, x, window), T)


def assert_truth_inside(model, truth):
    intervals = model.confidence_intervals()
    for name, value in truth.items():
        low, high = intervals[name]
        assert low < value < high, (name, value, low, high, model.params)
        assert high / low < 2.0  # intervals are informative, not just wide


@pytest.mark.slow
def test_bgnbd_recovers_known_parameters():
    truth = {"r": 0.5, "alpha": 20.0, "a": 0.8, "b": 2.5}
    data = simulate_bgnbd(**truth, n=N_CUSTOMERS, seed=20260101)
    model = BetaGeo().fit(data)
    assert model.convergence.converged
    assert model.n_distinct_rows == len(data.drop_duplicates())  # fitted on distinct rows
    assert model.n_customers == N_CUSTOMERS
    assert_truth_inside(model, truth)


@pytest.mark.slow
def test_paretonbd_recovers_known_parameters():
    truth = {"r": 0.6, "alpha": 15.0, "s": 0.7, "beta": 120.0}
    # half the customers: Pareto/NBD costs more per row (2F1 and quadrature), and 50,000
    # still gives intervals narrower than a factor 2
    data = simulate_paretonbd(**truth, n=N_CUSTOMERS // 2, seed=20260102)
    model = ParetoNBD().fit(data)
    assert model.convergence.converged
    assert_truth_inside(model, truth)
