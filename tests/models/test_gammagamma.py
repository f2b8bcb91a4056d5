"""Gamma-Gamma against Fader & Hardie's CDNOW estimates, a hand-checkable case, and CLV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clientlens.errors import ModelError, ModelInputError
from clientlens.models import BetaGeo, GammaGamma


@pytest.fixture(scope="module")
def fitted(cdnow_with_spend):
    return GammaGamma().fit(cdnow_with_spend)


def test_reproduces_published_estimates(fitted):
    """946 repeat buyers: p, q, γ = 6.25, 3.74, 15.44 (Fader & Hardie's Gamma-Gamma note)."""
    assert fitted.n_customers == 946
    assert fitted.params["p"] == pytest.approx(6.25, abs=5e-3)
    assert fitted.params["q"] == pytest.approx(3.74, abs=5e-3)
    assert fitted.params["gamma"] == pytest.approx(15.44, abs=1e-2)
    assert fitted.convergence.converged
    assert fitted.log_likelihood == pytest.approx(-4055.92, abs=0.01)


def test_expected_spend_is_a_credibility_weighted_mean():
    """p = 2, q = 3, γ = 4: population mean pγ/(q-1) = 4; x = 2, z̄ = 10 gives 2 (4 + 20) / 6 = 8."""
    m = GammaGamma.from_params({"p": 2.0, "q": 3.0, "gamma": 4.0})
    rows = pd.DataFrame(
        {"customer_id": ["a", "b"], "frequency": [0, 2], "monetary_value": [0.0, 10.0]}
    )
    out = m.expected_spend(rows)
    assert out["customer_id"].tolist() == ["a", "b"]
    assert out["expected_spend"].tolist() == pytest.approx([4.0, 8.0])


def test_no_finite_mean_is_an_error():
    m = GammaGamma.from_params({"p": 2.0, "q": 0.5, "gamma": 4.0})
    with pytest.raises(ModelError, match="no finite mean spend"):
        m.expected_spend(pd.DataFrame({"frequency": [0], "monetary_value": [0.0]}))


def test_fit_needs_repeat_buyers_with_spend():
    with pytest.raises(ModelInputError, match="has none"):
        GammaGamma().fit(pd.DataFrame({"frequency": [0, 0], "monetary_value": [0.0, 0.0]}))
    with pytest.raises(ModelInputError, match="mean spend must be > 0"):
        GammaGamma().fit(pd.DataFrame({"frequency": [1, 2], "monetary_value": [0.0, 3.0]}))


def test_clv_single_month_by_hand(cdnow_with_spend, fitted):
    """One month: CLV = margin × E[spend] × E[X(month)] / (1 + d)^(1/12)."""
    bg = BetaGeo().fit(cdnow_with_spend, time_unit_days=7)
    rows = cdnow_with_spend.head(3)
    gg_clv = fitted.clv(
        bg, rows, horizon_months=1, annual_discount_rate=0.2, margin=0.3, days_per_month=30.0
    )
    purchases = bg.expected_purchases(rows, horizon_days=30)["expected_purchases"].to_numpy()
    spend = fitted.expected_spend(rows)["expected_spend"].to_numpy()
    assert gg_clv["clv"].to_numpy() == pytest.approx(0.3 * spend * purchases / 1.2 ** (1 / 12))
    assert gg_clv["customer_id"].tolist() == [1, 2, 3]


def test_clv_needs_a_continuous_transaction_model(fitted, cdnow_with_spend):
    with pytest.raises(ModelInputError, match="continuous-time"):
        fitted.clv(fitted, cdnow_with_spend, horizon_months=3)  # type: ignore[arg-type]
    assert np.isfinite(fitted.params["p"])
