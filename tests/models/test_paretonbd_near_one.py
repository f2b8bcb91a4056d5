"""The Pareto/NBD integral where scipy's 2F1 is not used: z near 1 at a large parameter.

There (nobody seems to drop out, so s and β grow large) the rows are integrated by
``_log_i_power_quadrature``; these tests hold it, and the gradient built from it, to
adaptive quadrature (scipy.integrate.quad) across that region, and check that the
routing sends those rows there and leaves the others on the closed form.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import integrate

from clientlens.models import ParetoNBD
from clientlens.models.paretonbd import (
    LARGE_B,
    NEAR_ONE_Z,
    VERY_NEAR_ONE_Z,
    _log_i_power_quadrature,
    _log_terms,
    pareto_log_integral,
)


def reference_log_integral(r, alpha, s, beta, x, tx, T):
    """log ∫_tx^T (α+τ)^-(r+x) (β+τ)^-(s+1) dτ by adaptive quadrature, with breaks
    graded towards t_x where a steep power puts the mass."""
    log_scale = (r + x) * np.log(alpha + tx) + (s + 1) * np.log(beta + tx)

    def f(tau):
        return np.exp(log_scale - (r + x) * np.log(alpha + tau) - (s + 1) * np.log(beta + tau))

    graded = [tx + (T - tx) * g for g in (1e-6, 1e-4, 1e-3, 1e-2, 0.1, 0.5)]
    breaks = sorted({*graded, *(p for p in (alpha, beta) if tx < p < T)})
    with warnings.catch_warnings():
        # quadpack's "roundoff error detected": it reached what doubles allow (the
        # error estimate it returns is checked instead)
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        value, error = integrate.quad(
            f, tx, T, epsabs=0, epsrel=1e-12, limit=2000, points=breaks, full_output=False
        )
    assert error < 1e-10 * value
    return np.log(value) - log_scale


def region_cases(n: int, seed: int, s_range=(LARGE_B, 1e5), z_min=NEAR_ONE_Z):
    """Random (r, α, s, β, x, t_x, T) with z = (β-α)/(β+age) >= z_min at both ages and s
    in s_range (the 2F1's second parameter is s + 1, as α < β): low-dropout fits."""
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < n:
        r = float(np.exp(rng.uniform(np.log(0.05), np.log(40.0))))
        alpha = float(np.exp(rng.uniform(np.log(0.5), np.log(5e3))))
        s = float(np.exp(rng.uniform(*np.log(s_range))))
        beta = float(np.exp(rng.uniform(np.log(1e3), np.log(6e7))))
        T = float(rng.integers(2, 3000))
        x = int(rng.choice([0, 1, 2, 5, 12, 40, 150]))
        tx = 0.0 if x == 0 else float(rng.integers(1, int(T)))
        if (beta - alpha) / (beta + T) >= z_min:
            cases.append((r, alpha, s, beta, x, tx, T))
    return cases


REGION = [
    *region_cases(50, seed=11),  # z >= 0.9 at a large s
    *region_cases(30, seed=13, s_range=(0.05, LARGE_B), z_min=VERY_NEAR_ONE_Z),  # z >= 0.99
]


@pytest.mark.parametrize("case", REGION)
def test_the_fast_path_matches_adaptive_quadrature_across_its_region(case):
    args = [np.array([v], dtype=float) for v in case]
    r, alpha, s, beta, x, tx, T = case
    # the row is routed: the closed form is not tried at either age
    assert np.isnan(_log_terms(r, alpha, s, beta, np.array([x, x]), np.array([tx, T]))).all()
    assert pareto_log_integral(*args)[0] == pytest.approx(
        reference_log_integral(*case), abs=1e-8
    ), case


@pytest.mark.parametrize(
    "case",
    [
        (0.553, 10.578, 0.606, 11.669, 2, 30.43, 38.86),  # CDNOW, weeks
        (0.5, 20.0, 50.0, 1e5, 3, 100.0, 800.0),
        (0.3, 100.0, 0.5, 1e7, 25, 50.0, 800.0),
        (1.0, 1e4, 1e3, 1e3, 10, 700.0, 800.0),
        (0.5, 5.0, 2e3, 3e3, 2, 1.0, 1000.0),
        (2.0, 50.0, 0.1, 0.01, 300, 900.0, 1000.0),  # α >> β
    ],
)
def test_the_power_quadrature_agrees_outside_the_region_too(case):
    """Also where the closed form is used, the new quadrature gives the same integral:
    it is a correct evaluation everywhere, not only where it is routed."""
    args = [np.array([v], dtype=float) for v in case]
    quad, _ = _log_i_power_quadrature(*args)
    assert quad[0] == pytest.approx(reference_log_integral(*case), abs=1e-8)


def test_rows_outside_the_region_keep_the_closed_form():
    """CDNOW-like parameters: every pair goes through scipy's 2F1, as before."""
    x = np.array([0.0, 2.0, 10.0, 30.0])
    age = np.array([38.9, 30.4, 20.0, 35.0])
    assert np.isfinite(_log_terms(0.553, 10.578, 0.606, 11.669, x, age)).all()
    # z between 0.9 and 0.99 at a small second parameter: still the closed form
    assert np.isfinite(_log_terms(0.5, 20.0, LARGE_B / 2 - 1.0, 600.0, x, age)).all()


@pytest.mark.parametrize(
    "params", [(15.0, 2242.0, 3330.0, 4.9e7), (0.4, 30.0, 800.0, 2e6), (3.0, 5.0, 1e4, 5e7)]
)
def test_the_gradient_in_the_region_equals_finite_differences(params):
    """The gradient's means come from the same nodes as the value; a wrong weight or
    a swapped α/β mean fails this."""
    rng = np.random.default_rng(12)
    n = 1_500
    T = rng.integers(30, 900, n).astype(float)
    x = rng.poisson(3.0, n).astype(float)
    tx = np.where(x > 0, np.ceil(rng.random(n) * T), 0.0)
    cols = {"frequency": x, "recency": tx, "T": T}
    w = np.full(n, 1.0 / n)
    model, p = ParetoNBD(), np.array(params)
    _, grad = model._total_log_likelihood(p, dict(cols), w)
    for j in range(4):
        h = 1e-5 * p[j]
        up, down = p.copy(), p.copy()
        up[j] += h
        down[j] -= h
        numeric = (
            model._total_log_likelihood(up, dict(cols), w)[0]
            - model._total_log_likelihood(down, dict(cols), w)[0]
        ) / (2 * h)
        assert grad[j] == pytest.approx(numeric, rel=1e-4, abs=1e-10), j
