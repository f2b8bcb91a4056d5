import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest

from clientlens.analytics.periods import (
    last_complete_month_index,
    last_complete_period_index,
    python_week_index,
    with_changes,
)
from clientlens.analytics.purchase.behaviour import (
    purchase_cycle,
    purchase_heatmap,
    purchase_intervals,
    purchase_order_counts,
)
from clientlens.analytics.purchase.category_mix import category_mix
from clientlens.analytics.purchase.trends import purchase_trend, repeat_purchase

END = "2024-03-20"  # March is unfinished


def _orders():
    rows = [
        ("o1", "a", "2024-01-01 09:30", 10.0),  # Mon
        ("o2", "a", "2024-01-01 20:00", 20.0),  # Mon, same purchase day
        ("o3", "a", "2024-01-11 09:10", 30.0),  # Thu
        ("o4", "a", "2024-02-10 09:45", 40.0),  # Sat
        ("o5", "b", "2024-01-15 13:00", 50.0),  # Mon
        ("o6", "c", "2024-02-01 20:30", 60.0),  # Thu
        ("o7", "c", "2024-02-08 20:05", 70.0),  # Thu
        ("o8", "c", "2024-02-22 09:00", 80.0),  # Thu
        ("o9", "c", "2024-03-10 23:59", 90.0),  # Sun
        ("o10", "d", "2024-03-05 09:00", 100.0),  # Tue
        ("o11", "d", "2024-03-19 09:00", 110.0),  # Tue
        ("o12", "e", "2024-03-25 10:00", 999.0),  # after the observation end
    ]
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "amount"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


def test_order_counts_by_hand():
    r = purchase_order_counts(_orders(), observation_end=END).to_pandas()
    r = r.set_index("order_count")
    # a 4 orders (100), b 1 (50), c 4 (300), d 2 (210); e is after the end.
    assert r.customers.to_dict() == {1: 1, 2: 1, 3: 0, 4: 2, 5: 0, 6: 0, 7: 0, 8: 0, 9: 0, 10: 0}
    assert r.customer_share[4] == 0.5
    assert r.revenue_share[4] == pytest.approx(400 / 660)
    assert r.orders[4] == 8 and r.order_count_label[10] == "10+"


def test_ten_or_more_orders_share_a_row():
    days = pd.date_range("2024-01-01", periods=12, freq="D")
    o = pd.DataFrame({"customer_id": ["f"] * 12 + ["g"] * 10, "amount": 1.0})
    o["order_date"] = list(days) + list(days[:10])
    r = purchase_order_counts(o, observation_end="2024-01-31").to_pandas().set_index("order_count")
    assert r.customers[10] == 2 and r.orders[10] == 22 and r.customers.sum() == 2


def test_intervals_by_hand():
    r = purchase_intervals(_orders(), observation_end=END).to_pandas().set_index("days_bin")
    # gaps: a 10, 30; c 7, 14, 17; d 14 (a's two Jan 1 orders are one purchase day)
    assert r.intervals.to_dict() == {
        "1-7": 1, "8-14": 3, "15-30": 2, "31-60": 0, "61-90": 0, "91-180": 0,
        "181-365": 0, "366+": 0,
    }  # fmt: skip
    assert r.interval_share["8-14"] == 0.5
    assert r.cumulative_share["15-30"] == 1.0
    assert r.min_days["366+"] == 366 and pd.isna(r.max_days["366+"])


def test_purchase_cycle_by_hand():
    r = purchase_cycle(_orders(), observation_end=END).to_pandas().set_index("customer_id")
    assert r.purchase_days.to_dict() == {"a": 3, "b": 1, "c": 4, "d": 2}
    # medians: a (10, 30) -> 20; c (7, 14, 17) -> 14; d (14) -> 14; b none
    assert r.purchase_cycle_days[["a", "c", "d"]].tolist() == [20.0, 14.0, 14.0]
    assert pd.isna(r.purchase_cycle_days["b"]) and pd.isna(r.mean_interpurchase_days["b"])
    assert r.mean_interpurchase_days["c"] == pytest.approx(38 / 3)


def test_heatmap_by_hand():
    r = purchase_heatmap(_orders(), observation_end=END).to_pandas()
    assert len(r) == 7 * 24 and r.orders.sum() == 11
    cells = r[r.orders > 0].set_index(["day_of_week", "hour"])
    assert cells.orders.to_dict() == {
        (0, 9): 1, (0, 13): 1, (0, 20): 1, (1, 9): 2, (3, 9): 2, (3, 20): 2, (5, 9): 1,
        (6, 23): 1,
    }  # fmt: skip
    assert cells.revenue[(3, 20)] == 130.0 and cells.order_share[(1, 9)] == 2 / 11
    assert sorted(r.day_of_week.unique()) == list(range(7))  # 0 = Monday; names: the catalog


def test_repeat_purchase_by_hand():
    r = repeat_purchase(_orders(), observation_end=END).to_pandas().set_index("days_bin")
    # first -> second purchase day: a 10, c 7, d 14; b never came back
    assert r.customers[["1-7", "8-14"]].tolist() == [1, 2] and r.customers.sum() == 3
    assert r.share_of_second_purchases["8-14"] == pytest.approx(2 / 3)
    assert r.cumulative_share["8-14"] == 1.0
    one = r.iloc[0]
    assert (one.total_customers, one.repeat_customers, one.second_purchase_customers) == (4, 3, 3)
    assert one.repeat_rate == 0.75 and one.median_days_to_second_purchase == 10.0
    assert (r.median_days_to_second_purchase == 10.0).all()


def _trend(frame, end=END):
    r = purchase_trend(frame, observation_end=end).to_pandas()
    r["month"] = pd.to_datetime(r["month"]).dt.strftime("%Y-%m")
    return r.set_index(["metric", "month"])


def test_trend_by_hand():
    r = _trend(_orders())
    value = r.value.unstack()
    # Jan: a 3 orders + b 1 = 110; Feb: a 40 + c 210 = 250; Mar: c 90 + d 210 = 300.
    assert value.loc["revenue"].tolist() == [110.0, 250.0, 300.0]
    assert value.loc["orders"].tolist() == [4, 4, 3]
    assert value.loc["active_customers"].tolist() == [2, 2, 2]
    assert value.loc["new_customers"].tolist() == [2, 1, 1]
    assert value.loc["aov"].tolist() == [27.5, 62.5, 100.0]
    assert value.loc["purchase_frequency"].tolist() == [2.0, 2.0, 1.5]
    assert value.loc["repeat_rate"].tolist() == [0.5, 0.5, 0.5]
    assert r.mom[("revenue", "2024-02")] == pytest.approx(140 / 110)
    assert r.mom[("aov", "2024-02")] == pytest.approx((62.5 - 27.5) / 27.5)
    # March is incomplete: its base is shown but no change is computed
    assert r.previous_value[("revenue", "2024-03")] == 250.0
    assert pd.isna(r.mom[("revenue", "2024-03")])
    assert r.month_complete.unstack().loc["revenue"].tolist() == [True, True, False]
    assert r.yoy.isna().all() and r.metric_order[("repeat_rate", "2024-01")] == 7


def test_trend_fills_empty_months_and_compares_with_last_year():
    o = pd.DataFrame(
        {
            "customer_id": ["g", "g", "h"],
            "order_date": pd.to_datetime(["2023-02-15", "2024-02-10", "2024-02-11"]),
            "amount": [40.0, 50.0, 10.0],
        }
    )
    r = _trend(o, "2024-02-29")
    assert len(r.loc["revenue"]) == 13  # Feb 2023 .. Feb 2024, empty months as zeros
    assert r.value[("revenue", "2023-08")] == 0.0 and pd.isna(r.value[("aov", "2023-08")])
    assert r.last_year_value[("revenue", "2024-02")] == 40.0
    assert r.yoy[("revenue", "2024-02")] == 0.5  # (60 - 40) / 40
    assert pd.isna(r.mom[("revenue", "2024-02")])  # January had no revenue: no base
    assert r.yoy[("active_customers", "2024-02")] == 1.0  # 2 vs 1


def test_with_changes_joins_on_the_period_not_the_neighbour():
    t = ibis.memtable(
        {"k": ["x"] * 3 + ["y"], "idx": [10, 11, 13, 11], "value": [2.0, 3.0, 4.0, 0.0]}
    )
    r = with_changes(t, index="idx", keys=["k"], year_offset=3, last_complete_index=12)
    r = r.to_pandas().set_index(["k", "idx"]).sort_index()
    assert r.mom[("x", 11)] == 0.5
    assert pd.isna(r.previous_value[("x", 13)])  # 12 is missing: no base, not 11
    assert r.last_year_value[("x", 13)] == 2.0 and pd.isna(r.yoy[("x", 13)])  # 13 > 12
    assert pd.isna(r.mom[("y", 11)])
    assert last_complete_month_index(dt.date(2024, 2, 29)) == 2024 * 12 + 1
    assert last_complete_period_index(dt.date(2024, 3, 17), "week") == python_week_index(
        dt.date(2024, 3, 17)
    )
    assert (
        last_complete_period_index(dt.date(2024, 3, 16), "week")
        == python_week_index(dt.date(2024, 3, 16)) - 1
    )


def _items():
    products = pd.DataFrame(
        {
            "product_id": ["p1", "p2", "p3", "p4", "p5"],
            "category": ["books", "books", "fruit", "phones", None],
            "price": [20.0, 35.0, 10.0, 900.0, 5.0],
        }
    )
    rows = [
        ("o1", "p1", 1, 10.0),
        ("o2", "p3", 2, 10.0),
        ("o3", "p1", 1, 30.0),
        ("o4", "p2", 1, None),  # no unit price: the product price 35
        ("o5", "p4", 1, 50.0),
        ("o6", "p3", 6, 10.0),
        ("o7", "p5", 14, 5.0),  # product without a category
        ("o8", "p1", 4, 20.0),
        ("o9", "p3", 9, 10.0),
        ("o10", "p9", 1, 100.0),  # product missing from products
        ("o11", "p4", 1, 110.0),
        ("o12", "p4", 1, 999.0),  # order after the end
    ]
    items = pd.DataFrame(rows, columns=["order_id", "product_id", "quantity", "unit_price"])
    return items, products


def _mix(rfm=None):
    items, products = _items()
    r = category_mix(_orders(), items, products, observation_end=END, rfm_scores=rfm)
    return r.to_pandas()


def test_category_mix_overall_and_per_customer():
    r = _mix()
    assert set(r.level) == {"overall", "customer"}
    overall = r[r.level == "overall"].set_index("category")
    # books 10+30+35+80, fruit 20+60+90, phones 50+110, unknown 70+100; total 655
    assert overall.revenue.to_dict() == {
        "books": 155.0, "fruit": 170.0, "phones": 160.0, "unknown": 170.0,
    }  # fmt: skip
    # fruit and unknown tie on revenue; fruit has more units (17 vs 15)
    assert overall.category_rank.to_dict() == {"fruit": 1, "unknown": 2, "phones": 3, "books": 4}
    assert overall.revenue_share["fruit"] == pytest.approx(170 / 655)
    assert overall.quantity["books"] == 7 and overall.orders["books"] == 4
    assert overall.customers.tolist() == [2, 2, 2, 2]
    top = r[r.level == "customer"].set_index("group_code")
    assert top.category.to_dict() == {"a": "books", "b": "phones", "c": "fruit", "d": "phones"}
    assert top.revenue_share["a"] == pytest.approx(75 / 95)
    assert top.revenue_share["c"] == 0.5 and top.revenue_share["d"] == pytest.approx(110 / 210)


def test_category_mix_per_segment():
    rfm = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],  # d has no score
            "segment": ["champions", "lost", "champions"],
        }
    )
    r = _mix(rfm)
    seg = r[r.level == "segment"].set_index(["group_code", "category"])
    assert seg.revenue[("champions", "fruit")] == 170.0
    assert seg.revenue_share[("champions", "fruit")] == pytest.approx(170 / 395)
    assert seg.category_rank[("champions", "fruit")] == 1
    assert seg.revenue[("unknown", "phones")] == 110.0
    assert seg.customers[("lost", "phones")] == 1
    assert list(r.columns) == list(_mix().columns)


def test_trend_equals_pandas_on_cdnow(cdnow_master):
    """Monthly revenue, active customers and repeat rate against plain pandas."""
    o = cdnow_master
    r = _trend(o, o.order_date.max().date())
    month = o.order_date.dt.strftime("%Y-%m")
    revenue = o.amount.groupby(month).sum()
    per = o.groupby([month, o.customer_id]).size()
    active = per.groupby(level=0).size()
    repeat = (per >= 2).groupby(level=0).mean()
    np.testing.assert_allclose(r.value.loc["revenue"][revenue.index], revenue, rtol=1e-9)
    assert r.value.loc["active_customers"][active.index].tolist() == active.astype(float).tolist()
    np.testing.assert_allclose(r.value.loc["repeat_rate"][repeat.index], repeat, rtol=1e-12)
    yoy = revenue["1998-03"] / revenue["1997-03"] - 1
    assert r.yoy[("revenue", "1998-03")] == pytest.approx(yoy, rel=1e-12)
