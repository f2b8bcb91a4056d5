"""The action audiences: membership by each rule, and their expected impact, by hand."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from clientlens.analytics.audiences.audiences import (
    audience_summary,
    audiences,
    continuous_quantile,
)
from clientlens.errors import ConfigError

# Six customers (revenue to date): a 300, b 100, c 60, d 40, e 30, f 70. The 80th
# percentile of revenue is 100 (position 0.8 × 5 = 4 of the sorted values), so a and b
# are the top 20%; of them only b has p_alive below 0.5. One-time buyers within 90
# days of the end: d (76 days), e (20), f (10); c bought 212 days ago.
SUMMARY = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "frequency": [2.0, 1.0, 0.0, 0.0, 0.0, 0.0],
        "recency": [148.0, 109.0, 0.0, 0.0, 0.0, 0.0],
        "T": [177.0, 150.0, 212.0, 76.0, 20.0, 10.0],
        "monetary_value": [100.0, 20.0, 0.0, 0.0, 0.0, 0.0],
        "n_orders": [3, 2, 1, 1, 1, 1],
        "total_amount": [300.0, 100.0, 60.0, 40.0, 30.0, 70.0],
        "first_purchase": pd.to_datetime(
            ["2024-01-05", "2024-02-01", "2023-12-01", "2024-04-15", "2024-06-10", "2024-06-20"]
        ),
        "last_purchase": pd.to_datetime(
            ["2024-06-01", "2024-05-20", "2023-12-01", "2024-04-15", "2024-06-10", "2024-06-20"]
        ),
    }
)
CLV = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "p_alive": [0.9, 0.4, 0.1, 0.2, 0.5, 0.8],
        "clv_12m": [200.0, 100.0, 10.0, 5.0, 40.0, 50.0],
    }
)
RFM = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "segment": ["champions", "at_risk", "lost", "new", "new", "loyal"],
        "recency_days": [29, 41, 212, 76, 20, 10],
        "orders": [3, 2, 1, 1, 1, 1],
        "revenue": [300.0, 100.0, 60.0, 40.0, 30.0, 70.0],
    }
)
STAGES = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "stage": ["active"] * 2 + ["churned"] + ["new"] * 3,
    }
)


def _members(**kwargs):
    inputs = {"clv": CLV, "rfm_scores": RFM, "lifecycle_stages": STAGES} | kwargs
    return audiences(SUMMARY, **{k: v for k, v in inputs.items() if v is not None})


def _lists(members) -> dict[str, list[str]]:
    frame = members.to_pandas().sort_values(["audience", "audience_rank"])
    return {k: list(g["customer_id"]) for k, g in frame.groupby("audience")}


def test_each_rule_picks_its_customers_in_revenue_order():
    assert _lists(_members()) == {
        "vip_at_risk": ["b"],
        "second_purchase": ["f", "d", "e"],
        "win_back": ["b"],
        "loyalty": ["a", "f"],
    }
    # a shorter window for new buyers leaves d (76 days) and e (20) out
    assert _lists(_members(new_buyer_days=15))["second_purchase"] == ["f"]
    # a looser p_alive cut makes a (0.9) a VIP at risk too
    assert _lists(_members(vip_p_alive=0.95))["vip_at_risk"] == ["a", "b"]


def test_members_carry_the_fields_their_lists_show():
    m = _members().to_pandas().set_index(["audience", "customer_id"])
    b = m.loc[("vip_at_risk", "b")]
    assert (b["revenue"], b["orders"], b["p_alive"], b["clv_12m"]) == (100.0, 2, 0.4, 100.0)
    assert (b["rfm_segment"], b["lifecycle_stage"], b["recency_days"]) == ("at_risk", "active", 41)
    f = m.loc[("second_purchase", "f")]
    assert (f["age_days"], f["first_purchase"]) == (10.0, pd.Timestamp("2024-06-20"))


def test_without_clv_or_rfm_only_the_second_purchase_audience_exists():
    m = _members(clv=None, rfm_scores=None, lifecycle_stages=None)
    assert list(_lists(m)) == ["second_purchase"]
    assert m.to_pandas()[["rfm_segment", "p_alive"]].isna().all().all()
    s = audience_summary(m, SUMMARY).to_pandas()
    assert list(s["audience"]) == ["second_purchase"]


def test_summary_impact_is_customers_times_rate_times_one_response():
    s = audience_summary(_members(), SUMMARY, clv=CLV, rfm_scores=RFM, conversion_rate=0.2)
    s = s.to_pandas().set_index("audience")
    assert list(s.index) == ["vip_at_risk", "second_purchase", "win_back", "loyalty"]
    # VIP b: 100 over 2 orders -> 50 per order; 1 customer x 0.2 x 50 = 10.
    vip = s.loc["vip_at_risk"]
    assert (vip["customers"], vip["order_value"], vip["expected_impact"]) == (1, 50.0, 10.0)
    assert (vip["min_revenue"], vip["p_alive_below"], vip["value_top_share"]) == (100.0, 0.5, 0.2)
    assert vip["clv_12m"] == 100.0 and vip["impact_basis"] == "audience_order_value"
    # Second purchase: the repeat buyers' mean repeat spend, (100 + 20) / 2 = 60;
    # 3 customers x 0.2 x 60 = 36.
    second = s.loc["second_purchase"]
    assert (second["customers"], second["order_value"]) == (3, 60.0)
    assert second["expected_impact"] == pytest.approx(36.0)
    assert (second["max_age_days"], second["max_orders"], second["revenue"]) == (90, 1, 140.0)
    assert second["impact_basis"] == "repeat_buyer_spend"
    # Loyalty a + f: 370 over 4 orders; 2 x 0.2 x 92.5 = 37; 2 of 6 customers.
    loyalty = s.loc["loyalty"]
    assert loyalty["expected_impact"] == pytest.approx(37.0)
    assert loyalty["customer_share"] == pytest.approx(2 / 6)
    assert loyalty["revenue_share"] == pytest.approx(370 / 600)
    assert loyalty["mean_recency_days"] == pytest.approx(19.5)
    assert loyalty["rfm_segments"] == "champions,loyal"
    assert s.loc["win_back", "rfm_segments"] == "at_risk,cant_lose"
    assert pd.isna(s.loc["win_back", "p_alive_below"]) and pd.isna(s.loc["loyalty", "max_age_days"])


def test_an_audience_nobody_matches_keeps_its_row():
    nobody = RFM.assign(segment="lost")
    s = audience_summary(_members(rfm_scores=nobody), SUMMARY, clv=CLV, rfm_scores=nobody)
    s = s.to_pandas().set_index("audience")
    assert s.loc["win_back", "customers"] == 0 and s.loc["win_back", "revenue"] == 0.0
    assert pd.isna(s.loc["win_back", "expected_impact"])


def test_bad_settings_are_one_config_error():
    with pytest.raises(ConfigError, match="audience_new_buyer_days must be >= 0"):
        audiences(SUMMARY, new_buyer_days=-1)
    with pytest.raises(ConfigError, match="audience_conversion_rate must be between 0 and 1"):
        audience_summary(_members(), SUMMARY, conversion_rate=1.5)


@pytest.mark.parametrize("n", [1, 2, 7, 100])
@pytest.mark.parametrize("q", [0.0, 0.25, 0.8, 1.0])
def test_continuous_quantile_equals_numpy(n, q):
    values = np.random.default_rng(n).gamma(2.0, 50.0, n).round(2)
    t = ibis.memtable(pd.DataFrame({"x": values}))
    assert continuous_quantile(t, "x", q).execute() == pytest.approx(np.quantile(values, q))
