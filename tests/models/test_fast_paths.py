"""The fitting fast paths give the numbers of the plain definitions they replace."""

from __future__ import annotations

import numpy as np
import pytest

from clientlens.models import BetaGeo, ModifiedBetaGeo, ParetoNBD
from clientlens.models._input import _distinct_rows_grouped, distinct_rows


def _daily_histories(n: int, seed: int) -> dict[str, np.ndarray]:
    """Whole-day histories: ages repeat, so the per-distinct-age route is taken."""
    rng = np.random.default_rng(seed)
    T = rng.integers(1, 400, n).astype(float)
    x = rng.poisson(rng.gamma(0.5, 4.0, n)).astype(float)
    tx = np.where(x > 0, np.ceil(rng.random(n) * T), 0.0)
    return {"frequency": x, "recency": tx, "T": T}


@pytest.mark.parametrize("cls", [BetaGeo, ModifiedBetaGeo])
@pytest.mark.parametrize(
    "params", [(0.24, 31.0, 0.79, 2.4), (2.0, 0.5, 3.0, 0.2), (0.01, 500.0, 0.1, 50.0)]
)
@pytest.mark.parametrize("whole_days", [True, False])
def test_total_equals_the_weighted_row_sum(cls, params, whole_days):
    cols = _daily_histories(5_000, seed=1)
    if not whole_days:  # every age distinct: the direct route
        cols["T"] = cols["T"] + np.linspace(0.0, 0.5, len(cols["T"]))
    w = np.random.default_rng(2).random(len(cols["T"]))
    model, p = cls(), np.array(params)
    ll, grad = model._row_log_likelihood(p, dict(cols))
    total, total_grad = model._total_log_likelihood(p, dict(cols), w)
    assert total == pytest.approx(float(w @ ll), rel=1e-12)
    np.testing.assert_allclose(total_grad, w @ grad, rtol=1e-10, atol=1e-9)


def test_the_row_log_likelihood_is_the_pre_refactor_formula():
    """BG/NBD eq. 6 written out with logaddexp, as before the shared two-term module."""
    from scipy import special

    cols = _daily_histories(2_000, seed=3)
    r, alpha, a, b = 0.3, 12.0, 0.8, 2.5
    x, tx, T = cols["frequency"], cols["recency"], cols["T"]
    xm = np.maximum(x, 1.0)
    a2 = special.betaln(a, b + x) - special.betaln(a, b) - (r + x) * np.log(alpha + T)
    a3 = np.where(
        x > 0,
        special.betaln(a + 1, b + xm - 1) - special.betaln(a, b) - (r + x) * np.log(alpha + tx),
        -np.inf,
    )
    want = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + np.logaddexp(a2, a3)
    got, _ = BetaGeo()._row_log_likelihood(np.array([r, alpha, a, b]), dict(cols))
    np.testing.assert_allclose(got, want, rtol=1e-13)


def test_distinct_rows_equal_a_group_by():
    rng = np.random.default_rng(4)
    cases = [
        _daily_histories(20_000, seed=5),
        {"x": rng.random(500), "y": rng.integers(0, 3, 500).astype(float)},
        {"only": np.array([3.0, 1.0, 3.0, 2.0, 1.0])},
    ]
    for cols in cases:
        got, got_index = distinct_rows(cols)
        want, want_index = _distinct_rows_grouped(cols)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g, w)
        np.testing.assert_array_equal(got_index, want_index)


def test_fit_reports_the_log_likelihood_at_its_estimate():
    """The log-likelihood is read off the optimiser's last value: it must equal a fresh sum."""
    cols = _daily_histories(3_000, seed=6)
    for cls in (BetaGeo, ParetoNBD):
        model = cls().fit(cols)
        ll, _ = model._row_log_likelihood(model._require_fit(), dict(cols))
        assert model.log_likelihood == pytest.approx(float(ll.sum()), rel=1e-10)


@pytest.mark.parametrize(
    "params",
    [(0.55, 10.6, 0.61, 11.7), (1.0, 300.0, 1.0, 300.0), (0.4, 20.0, 12.0, 3700.0)],
)
def test_pareto_gradient_from_the_tails_equals_finite_differences(params):
    """The tail-difference gradient (closed forms per (x, age) pair, quadrature on short
    intervals) against central differences of the exact log-likelihood."""
    cols = _daily_histories(4_000, seed=7)
    w = np.full(len(cols["T"]), 1.0 / len(cols["T"]))
    model, p = ParetoNBD(), np.array(params)
    _, grad = model._total_log_likelihood(p, dict(cols), w)
    for j in range(4):
        h = 1e-6 * p[j]
        up, down = p.copy(), p.copy()
        up[j] += h
        down[j] -= h
        numeric = (
            model._total_log_likelihood(up, dict(cols), w)[0]
            - model._total_log_likelihood(down, dict(cols), w)[0]
        ) / (2 * h)
        assert grad[j] == pytest.approx(numeric, rel=1e-5, abs=1e-9), j


def test_a_parameter_at_the_edge_ends_the_fit_early():
    """Nobody drops out: Pareto/NBD's β runs to the bound. The fit stops a few iterations
    after reaching it, with no polish and no Hessian there (each evaluation at extreme
    parameters is slow), and says the data do not identify the parameter."""
    rng = np.random.default_rng(8)
    n = 2_000
    T = rng.integers(300, 700, n).astype(float)
    x = rng.poisson(rng.gamma(4.0, 1 / 40, n) * T).astype(float)
    # purchases spread over the whole history, the last one near its end: never gone
    tx = np.where(x > 0, np.floor(T * (1 - rng.random(n) / np.maximum(x, 1) / 4)), 0.0)
    tx = np.where((x > 0) & (tx == 0), 1.0, tx)
    model = ParetoNBD()
    seen: list[np.ndarray] = []
    total = model._total_log_likelihood

    def recorded(params, cols, weights):
        seen.append(np.log(params))
        return total(params, cols, weights)

    model._total_log_likelihood = recorded
    model.fit({"frequency": x, "recency": tx, "T": T})
    assert not model.convergence.converged
    assert "edge of the search range" in model.convergence.message
    assert np.isnan(list(model.standard_errors.values())).all()
    at_edge = [i for i, p in enumerate(seen) if np.any(np.abs(p) > 17.9)]
    assert at_edge, "the test data should drive a parameter to the edge"
    # here 3 evaluations after the first at the edge; without the stop, 9, and with the
    # polish and the Hessian that used to follow, dozens more
    assert len(seen) - at_edge[0] <= 5


def test_a_fit_over_its_time_budget_stops_and_says_so():
    """A budget below one evaluation's time: the first evaluation runs, the next is
    refused. The model keeps that point, with its log-likelihood, and is not finished."""
    cols = _daily_histories(2_000, seed=9)
    model = ParetoNBD().fit(
        cols, initial_params={"r": 0.5, "alpha": 20.0}, time_budget_seconds=1e-9
    )
    assert model.convergence.finished is False
    assert model.convergence.converged is False
    assert model.convergence.iterations == 1  # likelihood evaluations made
    assert model.convergence.message.startswith("not finished within the time budget of 1e-09 s")
    mean_t = float(np.mean(cols["T"]))
    assert model.params == pytest.approx({"r": 0.5, "alpha": 20.0, "s": 1.0, "beta": mean_t})
    ll, _ = model._row_log_likelihood(model._require_fit(), dict(cols))
    assert model.log_likelihood == pytest.approx(float(ll.sum()), rel=1e-10)
    assert np.isnan(list(model.standard_errors.values())).all()
    # a budget the fit stays within changes nothing
    free = ParetoNBD().fit(cols)
    timed = ParetoNBD().fit(cols, time_budget_seconds=600.0)
    assert timed.convergence.finished and timed.params == free.params


def test_a_time_budget_must_be_positive():
    with pytest.raises(ValueError, match="time_budget_seconds must be a positive number"):
        BetaGeo().fit(_daily_histories(100, seed=1), time_budget_seconds=0.0)
