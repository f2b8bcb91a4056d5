"""The action audiences: who meets each rule, the one list each customer is given by
priority, the value test, and each list's impact, cost and ROI, by hand."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from clientlens.analytics.audiences import ANALYSES
from clientlens.analytics.audiences.audiences import audiences
from clientlens.analytics.audiences.rules import continuous_quantile
from clientlens.analytics.audiences.settings import AudienceSettings
from clientlens.analytics.audiences.summary import audience_summary
from clientlens.analytics.base import AnalysisContext
from clientlens.errors import ConfigError

# Six customers (revenue to date): a 300, b 100, c 60, d 40, e 30, f 70. The 80th
# percentile of revenue is 100 (position 0.8 × 5 = 4 of the sorted values), so a and b
# are the top 20%; of them only b has p_alive below 0.5. One-time buyers within 90
# days of the end: d (76 days), e (20), f (10); c bought 212 days ago. RFM: b is At
# Risk (a win-back rule too), a Champion and f Loyal (loyalty rule), so by priority b is
# on the VIP list only and f on the second-purchase list only. d's p_alive 0.2 is below
# the 0.3 floor: written off.
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


NO_VALUE_TEST = AudienceSettings(min_p_alive=0.0, min_return=0.0)


def _members(settings=None, **kwargs):
    inputs = {"clv": CLV, "rfm_scores": RFM, "lifecycle_stages": STAGES} | kwargs
    given = {k: v for k, v in inputs.items() if v is not None}
    return audiences(SUMMARY, settings=settings, **given)


def _summary(settings=None, **kwargs):
    inputs = {"clv": CLV, "rfm_scores": RFM} | kwargs
    given = {k: v for k, v in inputs.items() if v is not None}
    frame = audience_summary(SUMMARY, settings=settings, **given).to_pandas()
    return frame.sort_values("audience_order").set_index("audience")


def _lists(members) -> dict[str, list[str]]:
    frame = members.to_pandas().sort_values(["audience", "audience_rank"])
    return {k: list(g["customer_id"]) for k, g in frame.groupby("audience")}


def test_each_customer_is_on_the_first_list_whose_rule_they_meet():
    # b meets vip_at_risk and win_back, f second_purchase and loyalty: first one wins
    assert _lists(_members(NO_VALUE_TEST)) == {
        "vip_at_risk": ["b"],
        "second_purchase": ["f", "d", "e"],
        "loyalty": ["a"],
    }
    s = _summary(NO_VALUE_TEST)
    assert list(s.index) == ["vip_at_risk", "win_back", "second_purchase", "loyalty", "all"]
    assert list(s["audience_order"]) == [1, 2, 3, 4, 5]
    assert list(s["rule_customers"]) == [1, 1, 3, 2, 5]  # all: b, d, e, f, a
    assert list(s["higher_priority"]) == [0, 1, 0, 1, 0]
    assert list(s["customers"]) == [1, 0, 3, 1, 5]
    # a looser p_alive cut makes a (0.9) a VIP at risk too, which empties the loyalty list
    looser = AudienceSettings(vip_p_alive=0.95, min_p_alive=0.0, min_return=0.0)
    assert _lists(_members(looser))["vip_at_risk"] == ["a", "b"]
    assert "loyalty" not in _lists(_members(looser))
    # a shorter window for new buyers leaves d (76 days) and e (20) out
    shorter = AudienceSettings(new_buyer_days=15, min_p_alive=0.0, min_return=0.0)
    assert _lists(_members(shorter))["second_purchase"] == ["f"]


def test_the_value_test_leaves_out_customers_the_model_writes_off():
    # defaults: d's p_alive 0.2 is below 0.3, so the second-purchase list drops d
    assert _lists(_members()) == {
        "vip_at_risk": ["b"],
        "second_purchase": ["f", "e"],
        "loyalty": ["a"],
    }
    s = _summary()
    assert s.loc["second_purchase", ["rule_customers", "left_out_gone", "customers"]].tolist() == [
        3,
        1,
        2,
    ]
    assert (s.loc["second_purchase", "min_p_alive"], s.loc["second_purchase", "min_value"]) == (
        0.3,
        10.0,
    )
    # an offer of 45 per customer is more than e's predicted 40: e is left out, f (50) stays
    dear = AudienceSettings(offer_costs={"second_purchase": 45.0})
    assert _lists(_members(dear))["second_purchase"] == ["f"]
    s = _summary(dear)
    assert s.loc["second_purchase", ["left_out_gone", "left_out_low_value"]].tolist() == [1, 1]
    assert s.loc["second_purchase", "min_value"] == 45.0
    # a return of 2× the offer: 2 × 30 = 60 still below b's 100; 2 × 45 = 90 above f's 50
    s = _summary(AudienceSettings(min_return=2.0, offer_costs={"second_purchase": 45.0}))
    assert s.loc["vip_at_risk", "customers"] == 1
    assert s.loc["second_purchase", "left_out_low_value"] == 2
    # a higher floor writes b (0.4) off: nobody is left on the VIP list
    s = _summary(AudienceSettings(min_p_alive=0.45))
    assert s.loc["vip_at_risk", ["rule_customers", "left_out_gone", "customers"]].tolist() == [
        1,
        1,
        0,
    ]


def test_members_carry_the_fields_their_lists_show():
    m = _members().to_pandas().set_index(["audience", "customer_id"])
    b = m.loc[("vip_at_risk", "b")]
    assert (b["revenue"], b["orders"], b["p_alive"], b["clv_12m"]) == (100.0, 2, 0.4, 100.0)
    assert (b["rfm_segment"], b["lifecycle_stage"], b["recency_days"]) == ("at_risk", "active", 41)
    f = m.loc[("second_purchase", "f")]
    assert (f["age_days"], f["first_purchase"]) == (10.0, pd.Timestamp("2024-06-20"))


def test_without_clv_or_rfm_only_the_second_purchase_audience_exists_untested():
    m = _members(clv=None, rfm_scores=None, lifecycle_stages=None)
    # no purchase model, no value test: d stays
    assert _lists(m) == {"second_purchase": ["f", "d", "e"]}
    assert m.to_pandas()[["rfm_segment", "p_alive"]].isna().all().all()
    s = _summary(clv=None, rfm_scores=None)
    assert list(s.index) == ["second_purchase", "all"]
    assert s[["min_p_alive", "min_value"]].isna().all().all()


def test_impact_cost_and_roi_by_hand_and_the_total_adds_the_lists_up():
    cfg = AudienceSettings(response_rates={"vip_at_risk": 0.2})
    s = _summary(cfg)
    # VIP b: 100 over 2 orders -> 50 per order; 1 customer x 0.2 x 50 = 10; cost 1 x 30;
    # ROI (10 - 30) / 30.
    vip = s.loc["vip_at_risk"]
    assert (vip["customers"], vip["order_value"], vip["expected_impact"]) == (1, 50.0, 10.0)
    assert (vip["offer_cost"], vip["cost"]) == (30.0, 30.0)
    assert vip["roi"] == pytest.approx(-2 / 3)
    assert (vip["min_revenue"], vip["p_alive_below"], vip["value_top_share"]) == (100.0, 0.5, 0.2)
    assert vip["clv_12m"] == 100.0 and vip["impact_basis"] == "audience_order_value"
    # Second purchase f, e: the repeat buyers' mean repeat spend, (100 + 20) / 2 = 60;
    # 2 x 0.1 x 60 = 12; cost 2 x 10 = 20.
    second = s.loc["second_purchase"]
    assert (second["customers"], second["order_value"]) == (2, 60.0)
    assert second["expected_impact"] == pytest.approx(12.0)
    assert (second["cost"], second["roi"]) == (20.0, pytest.approx(-0.4))
    assert (second["max_age_days"], second["max_orders"], second["revenue"]) == (90, 1, 100.0)
    assert second["impact_basis"] == "repeat_buyer_spend"
    # Loyalty a (f is on the second-purchase list): 300 over 3 orders; 1 x 0.1 x 100 = 10.
    loyalty = s.loc["loyalty"]
    assert (loyalty["expected_impact"], loyalty["cost"]) == (pytest.approx(10.0), 15.0)
    assert loyalty["customer_share"] == pytest.approx(1 / 6)
    # the rule's weight: a and f are 2 of 6 customers with 370 of 600 revenue
    assert loyalty["rule_customer_share"] == pytest.approx(2 / 6)
    assert loyalty["rule_revenue_share"] == pytest.approx(370 / 600)
    assert loyalty["rfm_segments"] == "champions,loyal"
    # win-back: b is on the VIP list, nobody is left: nothing to gain, nothing spent
    win = s.loc["win_back"]
    assert (win["customers"], win["expected_impact"], win["cost"]) == (0, 0.0, 0.0)
    assert pd.isna(win["roi"]) and win["rfm_segments"] == "at_risk,cant_lose"
    # all: the sums of the lists
    total, lists = s.loc["all"], s.drop(index="all")
    for col in ("customers", "revenue", "orders", "expected_impact", "cost", "left_out_gone"):
        assert total[col] == pytest.approx(lists[col].sum()), col
    assert (total["customers"], total["expected_impact"], total["cost"]) == (4, 32.0, 65.0)
    assert total["roi"] == pytest.approx((32 - 65) / 65)
    assert total["rule_customers"] == 5  # b, d, e, f, a: each once
    assert total["mean_recency_days"] == pytest.approx((41 + 10 + 20 + 29) / 4)


def test_response_rate_and_offer_cost_settings_change_the_figures():
    base = _summary()
    s = _summary(
        AudienceSettings(
            response_rates={"loyalty": 0.3}, offer_costs={"loyalty": 5.0, "vip_at_risk": 0.0}
        )
    )
    assert s.loc["loyalty", "expected_impact"] == pytest.approx(
        3 * base.loc["loyalty", "expected_impact"]
    )
    assert s.loc["loyalty", "cost"] == 5.0
    assert s.loc["loyalty", "roi"] == pytest.approx((30.0 - 5.0) / 5.0)
    # no offer cost: no ROI, and the value test asks only for a predicted value of 0
    assert s.loc["vip_at_risk", "cost"] == 0.0 and pd.isna(s.loc["vip_at_risk", "roi"])
    assert s.loc["all", "cost"] == base.loc["all", "cost"] - 30.0 - 15.0 + 5.0


# The churn model: a, b, c and e at high or medium risk; the win-back list (from
# clientlens.analytics.churn.winback) holds a and b; c is gone (p_alive 0.1), e was below
# the list's value threshold.
SCORES = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "risk_band": ["high", "medium", "high", "low", "medium", "low"],
    }
)
WINBACK = pd.DataFrame(
    {
        "customer_id": ["a", "b"],
        "winback_rank": [1, 2],
        "p_alive": [0.9, 0.4],
        "revenue_at_risk": [160.0, 50.0],
    }
)
WINBACK_SUMMARY = pd.DataFrame({"min_clv_12m": [45.0]})


def test_with_the_churn_model_its_win_back_list_comes_first():
    m = _members(churn_scores=SCORES, winback=WINBACK)
    assert _lists(m) == {"churn_winback": ["a", "b"], "second_purchase": ["f"]}
    s = _summary(churn_scores=SCORES, winback=WINBACK, winback_summary=WINBACK_SUMMARY)
    assert list(s.index) == ["churn_winback", "win_back", "second_purchase", "loyalty", "all"]
    w = s.loc["churn_winback"]
    assert w[["rule_customers", "left_out_gone", "left_out_low_value", "customers"]].tolist() == [
        4,
        1,
        1,
        2,
    ]
    assert w["min_value"] == 45.0  # the win-back list's own threshold
    # impact = Σ rate × p_alive × revenue at risk = .1 × (.9 × 160 + .4 × 50) = 16.4, the
    # list's expected recovered value; the value of one response is its mean, 82
    assert (w["order_value"], w["expected_impact"]) == (82.0, pytest.approx(16.4))
    assert w["impact_basis"] == "recovered_value" and w["cost"] == 40.0
    # e is at churn risk: given to the churn-model list (and left out there), not passed on
    second = s.loc["second_purchase"]
    assert second[["rule_customers", "higher_priority", "left_out_gone", "customers"]].tolist() == [
        3,
        1,
        1,
        1,
    ]
    assert s.loc["loyalty", ["higher_priority", "customers"]].tolist() == [2, 0]


def _context(**settings):
    return AnalysisContext(observation_end=pd.Timestamp("2024-06-30").date(), settings=settings)


def test_the_analyses_read_their_settings():
    build = {a.name: a for a in ANALYSES}
    inputs = {"customer_summary": ibis.memtable(SUMMARY), "clv": ibis.memtable(CLV)}
    members = build["audiences"].build(inputs, _context()).to_pandas()
    assert sorted(members.loc[members.audience == "second_purchase", "customer_id"]) == ["e", "f"]
    for settings, listed in (
        # d's p_alive 0.2 is no longer "gone", nor its predicted 5 too little
        ({"audience_min_p_alive": 0.1, "audience_min_return": 0.0}, ["d", "e", "f"]),
        ({"audience_second_purchase_offer_cost": 45.0}, ["f"]),  # e's predicted 40 < 45
    ):
        members = build["audiences"].build(inputs, _context(**settings)).to_pandas()
        assert sorted(members.loc[members.audience == "second_purchase", "customer_id"]) == listed
    summary = (
        build["audience_summary"]
        .build(inputs, _context(audience_second_purchase_response_rate=0.5))
        .to_pandas()
        .set_index("audience")
    )
    assert summary.loc["second_purchase", "response_rate"] == 0.5


def test_no_customer_is_on_two_lists_and_the_counts_add_up_on_random_data():
    rng = np.random.default_rng(3)
    n = 400
    ids = [f"c{i}" for i in range(n)]
    orders = rng.integers(1, 6, n)
    summary = pd.DataFrame(
        {
            "customer_id": ids,
            "frequency": (orders - 1).astype(float),
            "recency": rng.uniform(0, 300, n),
            "T": rng.uniform(1, 400, n),
            "monetary_value": rng.gamma(2.0, 50.0, n),
            "n_orders": orders,
            "total_amount": rng.gamma(2.0, 100.0, n) * orders,
            "first_purchase": pd.Timestamp("2023-01-01"),
            "last_purchase": pd.Timestamp("2024-01-01"),
        }
    )
    clv = pd.DataFrame(
        {"customer_id": ids, "p_alive": rng.uniform(0, 1, n), "clv_12m": rng.gamma(1.0, 60.0, n)}
    )
    segments = ["champions", "loyal", "at_risk", "cant_lose", "new", "lost"]
    rfm = pd.DataFrame(
        {
            "customer_id": ids,
            "segment": rng.choice(segments, n),
            "recency_days": rng.integers(0, 400, n),
        }
    )
    m = audiences(summary, clv=clv, rfm_scores=rfm).to_pandas()
    assert m["customer_id"].is_unique
    s = audience_summary(summary, clv=clv, rfm_scores=rfm).to_pandas().set_index("audience")
    lists = s.drop(index="all")
    assert (lists["higher_priority"] > 0).any()  # the rules do overlap
    assert (lists["left_out_gone"] > 0).all()
    left = lists[["higher_priority", "left_out_gone", "left_out_low_value", "customers"]]
    assert (left.sum(axis=1) == lists["rule_customers"]).all()
    assert (
        m.groupby("audience").size().to_dict()
        == lists.loc[lists.customers > 0, "customers"].to_dict()
    )
    for col in ("customers", "revenue", "expected_impact", "cost"):
        assert s.loc["all", col] == pytest.approx(lists[col].sum()), col
    assert (
        s.loc["all", "rule_customers"] == (lists["rule_customers"] - lists["higher_priority"]).sum()
    )


def test_bad_settings_are_one_config_error():
    with pytest.raises(ConfigError, match="audience_new_buyer_days must be >= 0"):
        audiences(SUMMARY, settings=AudienceSettings(new_buyer_days=-1))
    bad = AudienceSettings(response_rates={"loyalty": 1.5}, offer_costs={"win_back": -1.0})
    with pytest.raises(ConfigError, match="audience_loyalty_response_rate must be between 0 and 1"):
        audience_summary(SUMMARY, settings=bad)
    with pytest.raises(ConfigError, match="audience_win_back_offer_cost must be >= 0"):
        audience_summary(SUMMARY, settings=bad)


@pytest.mark.parametrize("n", [1, 2, 7, 100])
@pytest.mark.parametrize("q", [0.0, 0.25, 0.8, 1.0])
def test_continuous_quantile_equals_numpy(n, q):
    values = np.random.default_rng(n).gamma(2.0, 50.0, n).round(2)
    t = ibis.memtable(pd.DataFrame({"x": values}))
    assert continuous_quantile(t, "x", q).execute() == pytest.approx(np.quantile(values, q))
