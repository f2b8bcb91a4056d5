"""Churn risk bands and revenue at risk, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from clientlens.analytics.churn.churn_risk import churn_risk, churn_risk_bands
from clientlens.errors import ConfigError

# revenue at risk = (1 − p) × clv: a 20, b 60, c 9, d 4, e 20, f 10 (total 123)
CLV = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "p_alive": [0.9, 0.4, 0.1, 0.2, 0.5, 0.8],
        "clv_12m": [200.0, 100.0, 10.0, 5.0, 40.0, 50.0],
        "model": "ParetoNBD",
    }
)


def _bands(**edges: float) -> pd.DataFrame:
    risk = churn_risk(CLV, **edges)
    return churn_risk_bands(risk, CLV, **edges).to_pandas().set_index("risk_band")


def test_risk_band_and_revenue_at_risk_per_customer():
    r = churn_risk(CLV).to_pandas().set_index("customer_id")
    assert r["risk_band"].to_dict() == {
        "a": "low",
        "b": "medium",
        "c": "high",
        "d": "high",
        "e": "medium",
        "f": "low",
    }
    assert r["revenue_at_risk"].to_dict() == pytest.approx(
        {"a": 20.0, "b": 60.0, "c": 9.0, "d": 4.0, "e": 20.0, "f": 10.0}
    )
    assert r.loc["b", "churn_probability"] == pytest.approx(0.6)


def test_band_summary_with_the_total_row():
    b = _bands()
    assert b["customers"].to_dict() == {"high": 2, "medium": 2, "low": 2, "all": 6}
    assert b["revenue_at_risk"].to_dict() == pytest.approx(
        {"high": 13.0, "medium": 80.0, "low": 30.0, "all": 123.0}
    )
    assert b["clv_12m"].to_dict() == pytest.approx(
        {"high": 15.0, "medium": 140.0, "low": 250.0, "all": 405.0}
    )
    assert b.loc["high", "customer_share"] == pytest.approx(2 / 6)
    assert (b.loc["high", "p_alive_max"], b.loc["low", "p_alive_min"]) == (0.3, 0.7)
    assert set(b["model"]) == {"ParetoNBD"}


def test_thresholds_are_settings_and_empty_bands_stay():
    # high below 0.45: b, c, d; medium below 0.95: everyone else.
    b = _bands(high_risk_p_alive=0.45, low_risk_p_alive=0.95)
    assert b["customers"].to_dict() == {"high": 3, "medium": 3, "low": 0, "all": 6}
    assert b.loc["low", "revenue_at_risk"] == 0.0
    assert (b.loc["medium", "p_alive_min"], b.loc["medium", "p_alive_max"]) == (0.45, 0.95)


def test_thresholds_in_the_wrong_order_are_a_config_error():
    with pytest.raises(
        ConfigError, match=r"churn_high_risk_p_alive=0\.8, churn_low_risk_p_alive=0\.7"
    ):
        churn_risk(CLV, high_risk_p_alive=0.8, low_risk_p_alive=0.7)
