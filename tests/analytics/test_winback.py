"""The win-back list on hand-made scores whose answers can be worked out by hand.

Six customers: a, b, e at risk and reachable; c, d at risk with a probability alive below
0.3 (gone); f at low risk. The at-risk customers' predicted values are 200, 100, 10, 5 and
40: their median, the automatic value threshold, is 40.
"""

from __future__ import annotations

import pandas as pd
import pytest

from clientlens.analytics.churn.churn_score_bands import churn_score_bands
from clientlens.analytics.churn.winback import winback, winback_summary
from clientlens.errors import ConfigError

SCORES = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "churn_probability": [0.8, 0.5, 0.9, 0.75, 0.45, 0.1],
        "risk_band": ["high", "medium", "high", "high", "medium", "low"],
        "reason_1": ["long_since_purchase"] * 5 + ["recent_purchase"],
        "reason_1_value": [120.0, 80.0, 200.0, 150.0, 70.0, 3.0],
        "reason_2": ["frequency_drop"] * 6,
        "reason_2_value": [50.0] * 6,
        "reason_3": ["orders_to_date"] * 6,
        "reason_3_value": [4.0] * 6,
        "clv_12m": [200.0, 100.0, 10.0, 5.0, 40.0, 50.0],
        "revenue_at_risk": [160.0, 50.0, 9.0, 3.75, 18.0, 5.0],
        "recommended_action": [
            *("retain_vip", "re_engage", "let_go", "win_back_offer", "re_engage", "keep_warm")
        ],
    }
)
CLV = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "p_alive": [0.9, 0.4, 0.1, 0.29, 0.5, 0.95],
        "clv_12m": [200.0, 100.0, 10.0, 5.0, 40.0, 50.0],
    }
)
SUMMARY = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "n_orders": [4, 3, 1, 2, 2, 5],
        "total_amount": [900.0, 300.0, 20.0, 60.0, 90.0, 400.0],
        "last_purchase": pd.to_datetime(["2024-03-01"] * 6),
    }
)


def _list(**settings) -> pd.DataFrame:
    return winback(SCORES, CLV, SUMMARY, **settings).to_pandas()


def _summary(**settings) -> dict:
    listed = winback(SCORES, CLV, SUMMARY, **settings)
    return winback_summary(SCORES, CLV, listed, **settings).to_pandas().iloc[0].to_dict()


def test_only_reachable_at_risk_customers_at_or_above_both_thresholds_are_listed():
    w = _list()
    # c (0.1) and d (0.29) are below p_alive 0.3; f is at low risk; e's value 40 equals
    # the median cut and stays ("at least").
    assert list(w["customer_id"]) == ["a", "b", "e"]
    s = _summary()
    assert (s["at_risk_customers"], s["below_min_p_alive"], s["below_min_clv_12m"]) == (5, 2, 0)
    assert s["customers"] == 3
    assert s["min_clv_12m"] == pytest.approx(40.0)
    assert s["min_clv_source"] == "median"


def test_a_stated_value_threshold_leaves_out_the_customers_below_it():
    w = _list(min_clv_12m=50.0)
    assert list(w["customer_id"]) == ["a", "b"]  # e (40) is below 50
    s = _summary(min_clv_12m=50.0)
    assert (s["below_min_p_alive"], s["below_min_clv_12m"], s["customers"]) == (2, 1, 2)
    assert (s["min_clv_12m"], s["min_clv_source"]) == (50.0, "setting")


def test_the_offer_cost_bar_raises_the_value_threshold_when_higher():
    # audience_min_return × audience_churn_winback_offer_cost = 100, above the median 40
    w = _list(min_offer_value=100.0)
    assert list(w["customer_id"]) == ["a", "b"]  # e (40) is below 100, b (100) is not
    s = _summary(min_offer_value=100.0)
    assert (s["min_clv_12m"], s["min_clv_source"], s["below_min_clv_12m"]) == (
        100.0,
        "offer_cost",
        1,
    )
    # below the median it changes nothing
    assert _summary(min_offer_value=39.0)["min_clv_source"] == "median"


def test_a_higher_p_alive_threshold_leaves_out_b():
    w = _list(min_p_alive=0.45)
    assert list(w["customer_id"]) == ["a", "e"]  # b's 0.4 is below 0.45
    assert _summary(min_p_alive=0.45)["below_min_p_alive"] == 3


def test_ranked_by_expected_recovered_value():
    # rate × p_alive × revenue at risk: a .1×.9×160 = 14.4, b .1×.4×50 = 2, e .1×.5×18 = .9
    w = _list()
    assert list(w["winback_rank"]) == [1, 2, 3]
    assert list(w["expected_recovered_value"]) == pytest.approx([14.4, 2.0, 0.9])
    assert list(w["retention_chance"]) == pytest.approx([0.09, 0.04, 0.05])
    assert list(w["revenue_at_risk"]) == pytest.approx([160.0, 50.0, 18.0])
    # the response rate scales every value and changes no rank
    w2 = _list(response_rate=0.2)
    assert list(w2["customer_id"]) == ["a", "b", "e"]
    assert list(w2["expected_recovered_value"]) == pytest.approx([28.8, 4.0, 1.8])
    s = _summary()
    assert s["expected_recovered_value"] == pytest.approx(17.3)
    assert s["revenue_at_risk"] == pytest.approx(228.0)
    assert s["at_risk_revenue"] == pytest.approx(240.75)


def test_ties_go_to_the_larger_revenue_at_risk_then_the_id():
    scores = SCORES.copy()
    clv = CLV.copy()
    # b and e now expect the same recovered value (0.1 × 1.0 × 25 = 0.1 × 0.5 × 50 = 2.5);
    # e has the larger revenue at risk and comes first, against the order of the ids
    clv.loc[clv.customer_id == "b", "p_alive"] = 1.0
    scores.loc[scores.customer_id == "b", "revenue_at_risk"] = 25.0
    scores.loc[scores.customer_id == "e", "revenue_at_risk"] = 50.0
    w = winback(scores, clv, SUMMARY).to_pandas()
    assert list(w["customer_id"]) == ["a", "e", "b"]
    assert list(w["expected_recovered_value"])[1:] == pytest.approx([2.5, 2.5])


def test_the_list_carries_reasons_action_and_history():
    w = _list().set_index("customer_id")
    assert w.loc["a", "reason_1"] == "long_since_purchase"
    assert w.loc["a", "reason_1_value"] == 120.0
    assert w.loc["b", "recommended_action"] == "re_engage"
    assert (w.loc["a", "orders"], w.loc["a", "revenue"]) == (4, 900.0)
    assert w.loc["a", "p_alive"] == 0.9  # the purchase model's, from clv


def test_nobody_worth_winning_back_gives_an_empty_list_and_a_summary_row():
    s = _summary(min_p_alive=1.0)
    assert (s["customers"], s["below_min_p_alive"]) == (0, 5)
    assert s["expected_recovered_value"] == 0.0


@pytest.mark.parametrize(
    ("settings", "word"),
    [
        ({"min_p_alive": 1.5}, "audience_min_p_alive"),
        ({"min_clv_12m": -1.0}, "winback_min_clv_12m"),
        ({"response_rate": 2.0}, "audience_churn_winback_response_rate"),
        ({"min_offer_value": -1.0}, "audience_min_return × audience_churn_winback_offer_cost"),
    ],
)
def test_settings_out_of_range_are_a_config_error(settings, word):
    with pytest.raises(ConfigError, match=word):
        _list(**settings)


def test_score_bands_sum_the_scores_per_band():
    b = churn_score_bands(SCORES).to_pandas().set_index("risk_band")
    assert b.loc["high", "customers"] == 3  # a, c, d
    assert b.loc["high", "revenue_at_risk"] == pytest.approx(172.75)
    assert b.loc["medium", "revenue_at_risk"] == pytest.approx(68.0)
    assert b.loc["all", "revenue_at_risk"] == pytest.approx(245.75)
    assert b.loc["high", "revenue_at_risk_share"] == pytest.approx(172.75 / 245.75)
    assert b.loc["low", "customer_share"] == pytest.approx(1 / 6)
    assert (b.loc["high", "probability_min"], b.loc["medium", "probability_min"]) == (0.7, 0.4)
