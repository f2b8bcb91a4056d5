"""Predictions equal lifetimes 0.11.3's to 1e-6 (relative) on all 2,357 CDNOW customers.

tests/expected/make_cdnow_predictions.py wrote lifetimes' answers at fixed parameters (the
published estimates), so these tests compare the prediction formulas, not the optimisers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clientlens.models import BetaGeo, GammaGamma, ModifiedBetaGeo, ParetoNBD
from tests.conftest import REPO

EXPECTED = REPO / "tests" / "expected"
WEEK = 7.0
RTOL, ATOL = 1e-6, 1e-12

MODELS = {
    "bg": BetaGeo.from_params(
        {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, time_unit_days=WEEK
    ),
    "pareto": ParetoNBD.from_params(
        {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}, time_unit_days=WEEK
    ),
    "mbg": ModifiedBetaGeo.from_params(
        {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}, time_unit_days=WEEK
    ),
}


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    return pd.read_csv(EXPECTED / "cdnow_predictions.csv")


@pytest.mark.parametrize("name", list(MODELS))
def test_conditional_expected_purchases_and_p_alive(expected, name):
    model = MODELS[name]
    got = model.expected_purchases(expected, horizon_days=39 * WEEK)
    assert got["customer_id"].tolist() == expected["customer_id"].tolist()
    np.testing.assert_allclose(
        got["expected_purchases"], expected[f"{name}_expected_39w"], rtol=RTOL, atol=ATOL
    )
    alive = model.probability_alive(expected)["p_alive"]
    np.testing.assert_allclose(alive, expected[f"{name}_p_alive"], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("n", [0, 1, 2])
def test_pareto_conditional_pmf(expected, n):
    got = MODELS["pareto"].probability_of_purchases(expected, n=n, horizon_days=10 * WEEK)[
        "probability"
    ]
    np.testing.assert_allclose(got, expected[f"pareto_p{n}_10w"], rtol=RTOL, atol=ATOL)


def test_new_customer_expectation_and_pmf():
    table = pd.read_csv(EXPECTED / "cdnow_new_customer.csv")
    at_zero = pd.DataFrame({"frequency": [0], "recency": [0.0], "T": [0.0]})
    for row in table.itertuples():
        model = MODELS[row.model]
        days = row.t_weeks * WEEK
        assert model.expected_purchases_new_customer(days) == pytest.approx(
            row.expected_purchases, rel=RTOL
        )
        if row.model == "pareto":
            continue
        # the unconditional pmf is the conditional one of a customer of age 0
        for n in range(3):
            got = model.probability_of_purchases(at_zero, n=n, horizon_days=days)["probability"][0]
            assert got == pytest.approx(getattr(row, f"p{n}"), rel=RTOL)
    horizons = np.array([1.0, 10.0]) * WEEK
    assert MODELS["bg"].expected_purchases_new_customer(horizons).shape == (2,)


def test_gamma_gamma_spend_and_clv(expected):
    gg = GammaGamma.from_params({"p": 6.25, "q": 3.74, "gamma": 15.44})
    spend = gg.expected_spend(expected)["expected_spend"]
    np.testing.assert_allclose(spend, expected["gg_expected_spend"], rtol=RTOL)
    # lifetimes: 12 months of 4.345 weeks, 1% a month; here the same month and (1.01^12 - 1) a year
    clv = gg.clv(
        MODELS["bg"],
        expected,
        horizon_months=12,
        annual_discount_rate=1.01**12 - 1,
        days_per_month=4.345 * WEEK,
    )["clv"]
    np.testing.assert_allclose(clv, expected["bg_gg_clv_12m"], rtol=RTOL, atol=ATOL)
