"""BG/BB against Fader, Hardie & Shang (2010) on the donations data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clientlens.errors import ModelInputError
from clientlens.models import BetaGeoBetaBinom
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def donations() -> pd.DataFrame:
    return pd.read_csv(shared_data("donations.csv")).rename(columns={"periods": "T"})


@pytest.fixture(scope="module")
def fitted(donations):
    return BetaGeoBetaBinom().fit(donations, weights="weights")


def test_reproduces_published_estimates(fitted):
    expected = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
    for name, value in expected.items():
        assert fitted.params[name] == pytest.approx(value, rel=5e-4, abs=5e-4), name
    assert fitted.n_customers == 11_104
    assert fitted.log_likelihood == pytest.approx(-33225.58, abs=0.01)
    assert fitted.convergence.converged


def test_individual_rows_fit_the_same(fitted):
    """The one-row-per-donor file compresses to the 22 patterns and gives the same fit."""
    donors = pd.read_csv(shared_data("bgbb_donations.csv"))
    by_donor = BetaGeoBetaBinom().fit(donors)
    assert by_donor.n_distinct_rows == 22
    assert by_donor.params["delta"] == pytest.approx(fitted.params["delta"], rel=1e-6)


def test_predictions_match_lifetimes(fitted, donations):
    """lifetimes 0.11.3 at the same parameters (its fit equals ours to 1e-6)."""
    head = donations.head(4)
    assert fitted.probability_alive(head)["p_alive"].to_numpy() == pytest.approx(
        [0.116218, 0.074655, 0.273754, 0.517346], abs=2e-6
    )
    assert fitted.probability_alive(head, horizon_periods=3)["p_alive"].to_numpy() == pytest.approx(
        [0.095514, 0.061356, 0.224986, 0.425183], abs=2e-6
    )
    assert fitted.expected_purchases(head, horizon_periods=5)[
        "expected_purchases"
    ].to_numpy() == pytest.approx([0.07286334, 0.08569571, 0.31423813, 0.59385331], rel=1e-6)


def test_gamma_one_is_a_removable_singularity():
    """γ = 1, δ = 1: θ ~ Uniform; alive at opportunity j with prob 1/(j+1), so E[X(n)] = p̄ Σ 1/(j+1)."""
    m = BetaGeoBetaBinom.from_params({"alpha": 1.0, "beta": 1.0, "gamma": 1.0, "delta": 1.0})
    harmonic = sum(1 / (j + 1) for j in range(1, 4))
    assert m.expected_purchases_new_customer(3) == pytest.approx(0.5 * harmonic, rel=1e-7)


def test_pmf_sums_to_one_and_mean_matches(fitted, donations):
    probs = np.column_stack(
        [
            fitted.probability_of_purchases(donations, n=k, horizon_periods=4)["probability"]
            for k in range(5)
        ]
    )
    assert probs.sum(axis=1) == pytest.approx(np.ones(len(donations)), abs=1e-12)
    expected = fitted.expected_purchases(donations, horizon_periods=4)[
        "expected_purchases"
    ].to_numpy()
    assert probs @ np.arange(5) == pytest.approx(expected, rel=1e-10)


def test_impossible_patterns():
    bad = pd.DataFrame({"frequency": [3, 0], "recency": [2, 1], "T": [6, 6]})
    with pytest.raises(ModelInputError, match="2 impossible"):
        BetaGeoBetaBinom().fit(bad)
