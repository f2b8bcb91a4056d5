"""Property test: extreme but valid inputs never give NaN or infinity.

Parameters from 1e-3 to 1e3, up to 10,000 repeat purchases, ages up to 100,000 days,
horizons up to 10 years. Every prediction must be finite, probabilities in [0, 1] and
expectations >= 0; the row log-likelihood must be finite too (it is what fitting sees).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientlens.models import (
    BetaGeo,
    BetaGeoBetaBinom,
    GammaGamma,
    ModifiedBetaGeo,
    ParetoNBD,
    ShiftedBetaGeo,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
param = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)
horizon_days = st.floats(min_value=0.0, max_value=3650.0)


@st.composite
def histories(draw, max_t: float = 1e5) -> dict[str, float]:
    T = draw(st.just(0.0) | st.floats(min_value=1e-3, max_value=max_t))
    x = draw(st.integers(min_value=0, max_value=10_000)) if T > 0 else 0
    share = draw(st.floats(min_value=1e-6, max_value=1.0))
    recency = T * share if x > 0 else 0.0
    return {"frequency": float(x), "recency": recency, "T": T}


def finite_probability(values) -> None:
    values = np.asarray(values, dtype=float)
    assert np.isfinite(values).all(), values
    assert ((values >= 0) & (values <= 1)).all(), values


def finite_nonnegative(values) -> None:
    values = np.asarray(values, dtype=float)
    assert np.isfinite(values).all(), values
    assert (values >= 0).all(), values


@pytest.mark.slow
@pytest.mark.parametrize("cls", [BetaGeo, ModifiedBetaGeo, ParetoNBD])
def test_continuous_models_are_finite(cls):
    names = cls.param_names

    @SETTINGS
    @given(
        params=st.tuples(param, param, param, param),
        rows=st.lists(histories(), min_size=1, max_size=4),
        horizon=horizon_days,
        n=st.integers(min_value=0, max_value=5),
    )
    def check(params, rows, horizon, n):
        model = cls.from_params(dict(zip(names, params, strict=True)))
        data = pd.DataFrame(rows)
        finite_probability(model.probability_alive(data)["p_alive"])
        finite_nonnegative(
            model.expected_purchases(data, horizon_days=horizon)["expected_purchases"]
        )
        finite_probability(
            model.probability_of_purchases(data, n=n, horizon_days=horizon)["probability"]
        )
        finite_nonnegative(model.expected_purchases_new_customer(horizon))
        cols = {c: data[c].to_numpy(dtype=float) for c in cls.data_columns}
        ll, grad = model._row_log_likelihood(np.array(params), cols)
        assert np.isfinite(ll).all() and np.isfinite(grad).all()

    check()


@pytest.mark.slow
def test_gamma_gamma_is_finite():
    @SETTINGS
    @given(
        p=param,
        q=st.floats(min_value=1.001, max_value=1e3),
        gamma=param,
        x=st.integers(min_value=0, max_value=10_000),
        spend=st.floats(min_value=1e-3, max_value=1e6),
    )
    def check(p, q, gamma, x, spend):
        model = GammaGamma.from_params({"p": p, "q": q, "gamma": gamma})
        data = pd.DataFrame({"frequency": [x], "monetary_value": [spend if x > 0 else 0.0]})
        finite_nonnegative(model.expected_spend(data)["expected_spend"])
        if x > 0:
            cols = {c: data[c].to_numpy(dtype=float) for c in GammaGamma.data_columns}
            ll, grad = model._row_log_likelihood(np.array([p, q, gamma]), cols)
            assert np.isfinite(ll).all() and np.isfinite(grad).all()

    check()


@st.composite
def opportunities(draw) -> dict[str, int]:
    n = draw(st.integers(min_value=0, max_value=500))
    tx = draw(st.integers(min_value=0, max_value=n))
    x = draw(st.integers(min_value=1, max_value=tx)) if tx > 0 else 0
    return {"frequency": x, "recency": tx, "T": n}


@pytest.mark.slow
def test_bgbb_is_finite():
    @SETTINGS
    @given(
        params=st.tuples(param, param, param, param),
        rows=st.lists(opportunities(), min_size=1, max_size=4),
        horizon=st.integers(min_value=0, max_value=50),
        n=st.integers(min_value=0, max_value=5),
    )
    def check(params, rows, horizon, n):
        model = BetaGeoBetaBinom.from_params(
            dict(zip(BetaGeoBetaBinom.param_names, params, strict=True))
        )
        data = pd.DataFrame(rows)
        finite_probability(model.probability_alive(data, horizon_periods=horizon)["p_alive"])
        finite_nonnegative(
            model.expected_purchases(data, horizon_periods=horizon)["expected_purchases"]
        )
        finite_probability(
            model.probability_of_purchases(data, n=n, horizon_periods=horizon)["probability"]
        )
        finite_nonnegative(model.expected_purchases_new_customer(horizon))
        cols = {c: data[c].to_numpy(dtype=float) for c in BetaGeoBetaBinom.data_columns}
        ll, grad = model._row_log_likelihood(np.array(params), cols)
        assert np.isfinite(ll).all() and np.isfinite(grad).all()

    check()


@pytest.mark.slow
def test_sbg_is_finite():
    @SETTINGS
    @given(
        alpha=param,
        beta=param,
        T=st.integers(min_value=1, max_value=10_000),
        share=st.floats(min_value=0.0, max_value=1.0),
        horizon=st.integers(min_value=0, max_value=120),
    )
    def check(alpha, beta, T, share, horizon):
        model = ShiftedBetaGeo.from_params({"alpha": alpha, "beta": beta})
        data = pd.DataFrame({"recency": [max(1, round(T * share))], "T": [T]})
        finite_probability(model.probability_alive(data, horizon_periods=horizon)["p_alive"])
        finite_nonnegative(
            model.expected_remaining_periods(data, horizon_periods=3)["expected_periods"]
        )
        finite_probability(model.survival([0, T, T + horizon]))
        finite_probability(model.retention_rate([1, T]))

    check()
