"""MBG/NBD against Batislam et al. (2007) on CDNOW and against BG/NBD's structure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clientlens.models import ModifiedBetaGeo


@pytest.fixture(scope="module")
def fitted(cdnow_summary):
    return ModifiedBetaGeo().fit(cdnow_summary, time_unit_days=7)


def test_reproduces_published_estimates(fitted):
    expected = {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
    for name, value in expected.items():
        assert fitted.params[name] == pytest.approx(value, rel=5e-4, abs=5e-4), name
    assert fitted.convergence.converged
    assert fitted.log_likelihood == pytest.approx(-9582.13, abs=0.01)


def test_one_time_buyers_can_be_dead(fitted):
    """Unlike BG/NBD, P(alive) < 1 at frequency 0: 1 / (1 + a / b) at T = 0."""
    row = pd.DataFrame({"frequency": [0, 0], "recency": [0.0, 0.0], "T": [0.0, 30.0]})
    p = fitted.probability_alive(row)["p_alive"].to_numpy()
    a, b = fitted.params["a"], fitted.params["b"]
    assert p[0] == pytest.approx(1 / (1 + a / b), rel=1e-12)
    assert p[1] < p[0]


def test_new_customer_pmf_matches_lifetimes(fitted):
    """Age 0 is the prior: lifetimes' probability_of_n_purchases_up_to_time(10, 2) at lifetimes' fit."""
    m = ModifiedBetaGeo.from_params(
        {"r": 0.524838, "alpha": 6.182988, "a": 0.891356, "b": 1.614000}
    )
    row = pd.DataFrame({"frequency": [0], "recency": [0.0], "T": [0.0]})
    assert m.probability_of_purchases(row, n=2, horizon_days=10)["probability"][0] == pytest.approx(
        0.05461557077223483, rel=1e-5
    )


def test_pmf_sums_to_one_and_mean_matches(fitted, cdnow_summary):
    rows = cdnow_summary.head(25)
    probs = np.column_stack(
        [
            fitted.probability_of_purchases(rows, n=n, horizon_days=200)["probability"]
            for n in range(60)
        ]
    )
    assert probs.sum(axis=1) == pytest.approx(np.ones(25), abs=1e-8)
    expected = fitted.expected_purchases(rows, horizon_days=200)["expected_purchases"].to_numpy()
    assert probs @ np.arange(60) == pytest.approx(expected, rel=1e-7)
