"""Pareto/NBD against the published CDNOW estimates, and its numerics at extremes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate

from clientlens.models import ParetoNBD
from clientlens.models.paretonbd import _log_i_quadrature, pareto_log_integral


@pytest.fixture(scope="module")
def fitted(cdnow_summary):
    return ParetoNBD().fit(cdnow_summary, time_unit_days=7)


def test_reproduces_published_estimates(fitted):
    expected = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    for name, value in expected.items():
        assert fitted.params[name] == pytest.approx(value, rel=5e-4, abs=5e-4), name
    assert fitted.log_likelihood == pytest.approx(-9595.0, abs=0.05)
    assert fitted.convergence.converged


def reference_log_integral(r, alpha, s, beta, x, tx, T):
    """log ∫ (α+τ)^-(r+x) (β+τ)^-(s+1) dτ by adaptive quadrature, scaled to stay in range."""
    log_scale = (r + x) * np.log(alpha + tx) + (s + 1) * np.log(beta + tx)

    def f(tau):
        return np.exp(log_scale - (r + x) * np.log(alpha + tau) - (s + 1) * np.log(beta + tau))

    breaks = [p for p in (alpha, beta) if tx < p < T] or None
    value, _ = integrate.quad(f, tx, T, epsabs=0, epsrel=1e-12, limit=400, points=breaks)
    return np.log(value) - log_scale


@pytest.mark.parametrize(
    "case",
    [
        (0.553, 10.578, 0.606, 11.669, 2, 30.43, 38.86),
        (0.553, 10.578, 0.606, 11.669, 0, 0.0, 38.86),
        (1.0, 1e-3, 1.0, 1e3, 5, 100.0, 1e5),
        (0.01, 1e3, 0.01, 1e-3, 0, 0.0, 1e5),
        (0.5, 1.0, 0.5, 100.0, 3, 5.0, 300.0),
        (0.5, 100.0, 5.0, 1.0, 3, 5.0, 300.0),
    ],
)
def test_log_integral_matches_adaptive_quadrature(case):
    args = [np.array([v], dtype=float) for v in case]
    assert pareto_log_integral(*args)[0] == pytest.approx(reference_log_integral(*case), abs=1e-8)


def test_quadrature_fallback_is_accurate_where_it_is_used():
    """Large x with α ≫ β: scipy's 2F1 returns NaN there; the quadrature takes over."""
    case = (2.0, 50.0, 0.1, 0.01, 300, 900.0, 1000.0)
    args = [np.array([v], dtype=float) for v in case]
    quad, _ = _log_i_quadrature(*args)
    assert quad[0] == pytest.approx(reference_log_integral(*case), abs=1e-7)


def test_no_overflow_for_large_parameters_and_ages():
    m = ParetoNBD.from_params({"r": 900.0, "alpha": 1e3, "s": 800.0, "beta": 1e-3})
    rows = pd.DataFrame(
        {"frequency": [0, 10_000, 3], "recency": [0.0, 9e4, 5.0], "T": [1e5, 1e5, 1e5]}
    )
    p = m.probability_alive(rows)["p_alive"].to_numpy()
    e = m.expected_purchases(rows, horizon_days=365)["expected_purchases"].to_numpy()
    assert np.isfinite(p).all() and np.isfinite(e).all()
    assert ((p >= 0) & (p <= 1)).all()
    # a customer seen 10,000 times up to 1e4 days before the end is very likely gone
    assert p[1] < 1e-6


def test_s_equal_one_is_the_logarithmic_limit():
    """s = 1: E[X(t)] = r β / α log(1 + t/β)."""
    m = ParetoNBD.from_params({"r": 2.0, "alpha": 4.0, "s": 1.0, "beta": 3.0})
    assert m.expected_purchases_new_customer(6.0) == pytest.approx(
        2 * 3 / 4 * np.log(3.0), rel=1e-12
    )


def test_pmf_sums_to_one_and_mean_matches(fitted, cdnow_summary):
    rows = cdnow_summary.head(20)
    probs = np.column_stack(
        [
            fitted.probability_of_purchases(rows, n=n, horizon_days=70)["probability"]
            for n in range(40)
        ]
    )
    assert probs.sum(axis=1) == pytest.approx(np.ones(20), abs=1e-7)
    expected = fitted.expected_purchases(rows, horizon_days=70)["expected_purchases"].to_numpy()
    assert probs @ np.arange(40) == pytest.approx(expected, rel=1e-6)
