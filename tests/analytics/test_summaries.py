"""The small summary results the report phrases, by hand: the customer base, order-count
buckets, CLV deciles and segments, profile standouts and the retention baseline."""

from __future__ import annotations

import pandas as pd
import pytest

from clientlens.analytics.customers.customer_base import customer_base
from clientlens.analytics.customers.profile_index import profile_revenue_index
from clientlens.analytics.lifecycle.retention_baseline import retention_baseline
from clientlens.analytics.purchase.order_buckets import purchase_order_buckets
from clientlens.analytics.value.clv_distribution import clv_deciles, clv_segment_summary

# a 3 orders (300, repeat spend 100), b 2 (100, repeat spend 20), c d e f one each.
SUMMARY = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "frequency": [2.0, 1.0, 0.0, 0.0, 0.0, 0.0],
        "monetary_value": [100.0, 20.0, 0.0, 0.0, 0.0, 0.0],
        "T": [177.0, 150.0, 1000.0, 76.0, 20.0, 10.0],
        "n_orders": [3, 2, 1, 1, 1, 12],
        "total_amount": [300.0, 100.0, 60.0, 40.0, 30.0, 70.0],
    }
)


def test_customer_base_by_hand():
    r = customer_base(SUMMARY).to_pandas().iloc[0]
    assert (r.customers, r.orders, r.revenue) == (6, 20, 600.0)
    assert (r.one_time_buyers, r.repeat_buyers) == (3, 3)
    assert r.one_time_share == pytest.approx(0.5) and r.repeat_share == pytest.approx(0.5)
    assert r.one_time_revenue == 130.0  # c, d, e
    assert r.one_time_revenue_share == pytest.approx(130 / 600)
    assert r.aov == pytest.approx(30.0) and r.orders_per_customer == pytest.approx(20 / 6)
    assert r.revenue_per_customer == pytest.approx(100.0)
    assert r.mean_repeat_spend == pytest.approx(60.0)  # (100 + 20) / 2; f has no repeat day
    assert r.history_days == 1000.0 and r.history_years == pytest.approx(1000 / 365.25)


def test_a_short_history_counts_as_one_year_and_no_repeat_buyer_has_no_spend():
    one = SUMMARY.iloc[[3]]
    r = customer_base(one).to_pandas().iloc[0]
    assert r.history_years == 1.0
    assert pd.isna(r.mean_repeat_spend)


def test_order_buckets_by_hand():
    r = purchase_order_buckets(SUMMARY).to_pandas().sort_values("bucket_order")
    assert list(r["bucket"]) == ["1", "2", "3", "4", "5", "6-10", "11+"]
    assert list(r["customers"]) == [3, 1, 1, 0, 0, 0, 1]
    eleven = r.set_index("bucket").loc["11+"]
    assert (eleven["orders"], eleven["revenue"], eleven["min_orders"]) == (12, 70.0, 11)
    assert pd.isna(eleven["max_orders"])
    assert r["customer_share"].sum() == pytest.approx(1.0)
    assert r.set_index("bucket").loc["1", "revenue_share"] == pytest.approx(130 / 600)


CLV = pd.DataFrame(
    {
        "customer_id": [f"c{i}" for i in range(20)],
        "clv_12m": [float(100 - i) for i in range(20)],
        "clv_segment": ["high"] * 4 + ["medium"] * 6 + ["low"] * 10,
    }
)


def test_clv_deciles_rank_from_the_top():
    r = clv_deciles(CLV).to_pandas().sort_values("decile")
    # 20 customers: two per decile, the highest values first
    assert list(r["decile"]) == list(range(1, 11))
    assert list(r["customers"]) == [2] * 10
    assert r.iloc[0]["clv_12m"] == 100.0 + 99.0
    assert r["clv_share"].sum() == pytest.approx(1.0)


def test_clv_segments_summed_with_every_segment_present():
    r = clv_segment_summary(CLV[CLV["clv_segment"] != "medium"]).to_pandas()
    r = r.set_index("clv_segment")
    assert r["customers"].to_dict() == {"high": 4, "medium": 0, "low": 10}
    high = sum(100.0 - i for i in range(4))
    low = sum(100.0 - i for i in range(10, 20))
    assert r.loc["high", "clv_share"] == pytest.approx(high / (high + low))
    assert r.loc["medium", "clv_12m"] == 0.0


def test_profile_standout_is_the_eligible_group_with_the_highest_index():
    # 浙江 40% of customers, 60% of revenue: index 1.5; 广东 is a majority (50%) and
    # 'unknown' is never a standout, whatever its index.
    d = pd.DataFrame(
        [
            ("province", "广东", 50, 0.5, 300.0, 0.3),
            ("province", "浙江", 40, 0.4, 600.0, 0.6),
            ("province", "unknown", 10, 0.1, 100.0, 0.1),
            ("gender", "female", 60, 0.6, 600.0, 0.6),
            ("gender", "male", 40, 0.4, 400.0, 0.4),
            ("signup_cohort", "2024-01", 10, 0.1, 300.0, 0.3),
        ],
        columns=["dimension", "group", "customers", "customer_share", "revenue", "revenue_share"],
    )
    r = profile_revenue_index(d).to_pandas().set_index(["dimension", "group"])
    assert r.loc[("province", "浙江"), "revenue_index"] == pytest.approx(1.5)
    assert r.loc[("province", "浙江"), "excess_revenue"] == pytest.approx(200.0)
    assert r.loc[("province", "浙江"), "standout_rank"] == 1
    assert r.loc[("gender", "male"), "standout_rank"] == 2
    assert list(r.index[r["standout"]]) == [("province", "浙江")]
    assert not r.loc[("province", "广东"), "eligible"]
    assert not r.loc[("signup_cohort", "2024-01"), "eligible"]  # index 3, not a profile trait
    assert set(r["dimension_customers"]) == {100, 10}


def test_no_standout_below_the_minimum_index():
    d = pd.DataFrame(
        {
            "dimension": ["gender", "gender"],
            "group": ["female", "male"],
            "customers": [55, 45],
            "customer_share": [0.55, 0.45],
            "revenue": [530.0, 470.0],
            "revenue_share": [0.53, 0.47],
        }
    )
    r = profile_revenue_index(d).to_pandas()
    assert not r["standout"].any()  # male: index 1.04 < 1.1
    assert r.set_index("group").loc["male", "standout_rank"] == 1


def test_retention_baseline_pools_up_to_six_earlier_cohorts():
    months = pd.date_range("2024-01-01", periods=9, freq="MS")
    sizes = [10, 20, 30, 40, 50, 60, 70, 80, 100]
    active = [1, 2, 3, 4, 5, 6, 7, 8, 30]
    rows = pd.DataFrame(
        {
            "grain": "month",
            "cohort": months,
            "period_index": 1,
            "period_complete": [True] * 8 + [False],
            "cohort_size": sizes,
            "active_customers": active,
            "retention_rate": [a / s for a, s in zip(active, sizes, strict=True)],
        }
    )
    weekly = rows.assign(grain="week")
    r = retention_baseline(pd.concat([rows, weekly])).to_pandas().sort_values("cohort")
    assert len(r) == 8  # monthly cohorts with a complete second month
    last = r.iloc[-1]  # 2024-08: pooled over 2024-02 … 2024-07
    assert (last["baseline_cohorts"], last["baseline_size"], last["baseline_active"]) == (
        6,
        270,
        27,
    )
    assert last["baseline_rate"] == pytest.approx(0.1)
    assert r.iloc[0]["baseline_cohorts"] == 0 and pd.isna(r.iloc[0]["baseline_rate"])
    assert set(r["baseline_window"]) == {6}
