"""Shifted-beta-geometric against Fader & Hardie (2007), Table 1 as individual records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clientlens.errors import ModelInputError
from clientlens.models import ShiftedBetaGeo
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def cohorts() -> pd.DataFrame:
    return pd.read_csv(shared_data("sbg_cohorts.csv"))


@pytest.mark.parametrize(
    ("cohort", "alpha", "beta"), [("regular", 0.704, 1.182), ("highend", 0.668, 3.806)]
)
def test_reproduces_published_estimates(cohorts, cohort, alpha, beta):
    m = ShiftedBetaGeo().fit(cohorts[cohorts["cohort"] == cohort])
    assert m.params["alpha"] == pytest.approx(alpha, abs=5e-4)
    assert m.params["beta"] == pytest.approx(beta, abs=5e-4)
    assert m.convergence.converged


def test_survivor_counts_fit_as_weights(cohorts):
    """Aggregated table (one row per churn period, weights = customers) gives the same fit."""
    regular = cohorts[cohorts["cohort"] == "regular"]
    table = regular.groupby(["recency", "T"]).size().reset_index(name="customers")
    assert table["customers"].tolist() == [369, 163, 86, 56, 37, 27, 21, 241]
    m = ShiftedBetaGeo().fit(table, weights="customers")
    assert m.params["alpha"] == pytest.approx(0.704, abs=5e-4)


def test_curves_by_hand():
    """α = β = 1 (θ uniform): S(t) = 1/(t+1), r(t) = t/(t+1)."""
    m = ShiftedBetaGeo.from_params({"alpha": 1.0, "beta": 1.0})
    assert m.survival([0, 1, 3]) == pytest.approx([1.0, 0.5, 0.25])
    assert m.retention_rate([1, 2, 3]) == pytest.approx([0.5, 2 / 3, 0.75])
    rows = pd.DataFrame({"customer_id": ["gone", "active"], "recency": [2, 4], "T": [4, 4]})
    # active after 3 renewals: P(renews once more) = S(4)/S(3) = 4/5; twice: S(5)/S(3) = 4/6
    assert m.probability_alive(rows, horizon_periods=1)["p_alive"].tolist() == pytest.approx(
        [0.0, 0.8]
    )
    remaining = m.expected_remaining_periods(rows, horizon_periods=2)["expected_periods"]
    assert remaining.tolist() == pytest.approx([0.0, 0.8 + 4 / 6])


def test_impossible_rows():
    with pytest.raises(ModelInputError, match="recency is greater than T"):
        ShiftedBetaGeo().fit(pd.DataFrame({"recency": [5], "T": [4]}))
    assert np.isfinite(ShiftedBetaGeo.from_params({"alpha": 2.0, "beta": 3.0}).survival(1e4))
