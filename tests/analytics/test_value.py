import ibis
import numpy as np
import pandas as pd
import pytest

from clientlens.analytics.value.value import customer_value, value_concentration
from clientlens.analytics.value.value_summary import value_summary
from clientlens.errors import ConfigError, DataContractError


def _orders():
    # revenue: a 80, b 40, c 20, d 5, e 5 (total 150); c has an order without cost.
    # cost: a 50, b 10, c unknown, d 1, e 4 -> margin a 30, b 30, c -, d 4, e 1.
    return pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3", "o4", "o5", "o6", "o7"],
            "customer_id": ["a", "a", "b", "c", "c", "d", "e"],
            "amount": [50.0, 30.0, 40.0, 10.0, 10.0, 5.0, 5.0],
            "cost": [30.0, 20.0, 10.0, 5.0, None, 1.0, 4.0],
        }
    )


def _value(**kw):
    return customer_value(_orders(), **kw).to_pandas().set_index("customer_id").sort_index()


def test_customer_value_by_hand():
    v = _value()
    assert v.revenue.tolist() == [80.0, 40.0, 20.0, 5.0, 5.0]
    assert v.orders.tolist() == [2, 1, 2, 1, 1]
    # d and e tie on 5: the tie is broken by customer id.
    assert v.revenue_rank.tolist() == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(
        v.cumulative_revenue_share, [80 / 150, 120 / 150, 140 / 150, 145 / 150, 1]
    )
    np.testing.assert_allclose(v.customer_percentile, [0.2, 0.4, 0.6, 0.8, 1.0])
    # revenue before each customer: 0, 0.53 (< 0.7: A), 0.8 (< 0.9: B), 0.93, 0.97 (C)
    assert v.abc_class.tolist() == ["A", "A", "B", "C", "C"]
    assert v.cost.tolist()[:2] == [50.0, 10.0] and np.isnan(v.loc["c", "cost"])
    assert v.margin.tolist()[:2] == [30.0, 30.0] and np.isnan(v.loc["c", "margin"])
    assert v.loc["a", "margin_rate"] == 30 / 80
    # other thresholds: A ends at 50%, B at 80% -> b (53% before it) is B, c (80%) is C
    assert _value(a_share=0.5, b_share=0.8).abc_class.tolist() == ["A", "B", "C", "C", "C"]


def test_cost_from_items_and_products():
    orders = _orders().drop(columns="cost").head(3)
    items = pd.DataFrame(
        {
            "order_id": ["o1", "o1", "o2", "o3"],
            "product_id": ["p1", "p2", "p2", "p3"],
            "quantity": [2, 1, 3, 1],
        }
    )
    products = pd.DataFrame({"product_id": ["p1", "p2", "p3"], "cost": [10.0, 5.0, None]})
    v = customer_value(orders, order_items=items, products=products).to_pandas()
    v = v.set_index("customer_id")
    # o1: 2 x 10 + 5 = 25, o2: 3 x 5 = 15 -> a: cost 40, margin 40; b's product has no cost.
    assert (v.loc["a", "cost"], v.loc["a", "margin"]) == (40.0, 40.0)
    assert np.isnan(v.loc["b", "margin"])
    without = customer_value(orders).to_pandas()
    assert without.margin.isna().all()


def test_concentration_by_hand():
    value = customer_value(_orders())
    c = value_concentration(value).to_pandas().sort_values("point")
    # 5 customers, 100 points: one point per customer at 20, 40, ... 100, after the origin.
    assert c.point.tolist() == [0, 20, 40, 60, 80, 100]
    np.testing.assert_allclose(c.revenue_share, [0, 80 / 150, 120 / 150, 140 / 150, 145 / 150, 1])
    assert c.margin_share.isna().all()  # c's cost is unknown, so total margin is too
    c2 = value_concentration(value, points=2).to_pandas().sort_values("point")
    # point = ceil(2 * rank / 5): ranks 1-2 -> 1, ranks 3-5 -> 2
    assert c2.customers.tolist() == [0, 2, 5]
    np.testing.assert_allclose(c2.revenue_share, [0, 0.8, 1])
    known = customer_value(_orders().fillna({"cost": 10.0}))
    c3 = value_concentration(known, points=5).to_pandas().sort_values("point")
    # margins a 30, b 30, c 5, d 4, e 1 (total 70)
    np.testing.assert_allclose(c3.margin_share, [0, 30 / 70, 60 / 70, 65 / 70, 69 / 70, 1])


def test_summary_by_hand():
    value = customer_value(_orders())
    scores = ibis.memtable(
        pd.DataFrame(
            {
                "customer_id": list("abcde"),
                "segment": ["champions", "champions", "lost", "lost", "lost"],
                "segment8": ["important_value"] * 2 + ["general_winback"] * 3,
            }
        )
    )
    customers = pd.DataFrame(
        {"customer_id": list("abcd"), "acquisition_channel": ["search", "social", None, "search"]}
    )
    s = value_summary(value, rfm_scores=scores, customers=ibis.memtable(customers)).to_pandas()
    s = s.set_index(["section", "group"]).sort_index()
    assert s.loc[("total", "all"), "revenue"] == 150.0
    assert np.isnan(s.loc[("total", "all"), "margin"])
    # top 1/5/10/20% of 5 customers: ceil(5 * p / 100) = 1 customer, a with 80 of 150
    for p in (1, 5, 10, 20):
        row = s.loc[("top_share", f"top_{p}pct")]
        assert row.customers == 1 and row.revenue_share == pytest.approx(80 / 150)
    # ascending 5, 5, 20, 40, 80: 2 * 635 / (5 * 150) - 6 / 5 = 37 / 75
    assert s.loc[("gini", "revenue"), "value"] == pytest.approx(37 / 75, abs=1e-12)
    a = s.loc[("abc", "A")]
    assert (a.customers, a.revenue, a.margin, a.avg_margin) == (2, 120.0, 60.0, 30.0)
    assert np.isnan(s.loc[("abc", "B"), "margin"])
    assert s.loc[("abc", "C"), "customer_share"] == pytest.approx(0.4)
    champ = s.loc[("rfm11", "champions")]
    assert (champ.customers, champ.revenue, champ.margin_rate) == (2, 120.0, 0.5)
    assert s.loc[("rfm8", "general_winback"), "customers"] == 3
    search = s.loc[("acquisition_channel", "search")]
    assert (search.customers, search.revenue, search.margin) == (2, 85.0, 34.0)
    unknown = s.loc[("acquisition_channel", "unknown")]  # c: channel missing, e: no customers row
    assert (unknown.customers, unknown.revenue) == (2, 25.0)
    plain = value_summary(value).to_pandas()
    assert list(plain.columns) == list(s.reset_index().columns)
    assert set(plain.section) == {"total", "top_share", "gini", "abc"}


def test_gini_of_equal_and_of_one_buyer():
    orders = pd.DataFrame(
        {"order_id": list("123"), "customer_id": list("abc"), "amount": [7.0, 7.0, 7.0]}
    )
    s = value_summary(customer_value(orders)).to_pandas().set_index("group")
    assert s.loc["revenue", "value"] == pytest.approx(0.0, abs=1e-12)
    orders["amount"] = [0.0, 0.0, 9.0]
    s = value_summary(customer_value(orders)).to_pandas().set_index("group")
    # one of n buyers has all revenue: (n - 1) / n
    assert s.loc["revenue", "value"] == pytest.approx(2 / 3)


def test_bad_arguments_are_explained():
    with pytest.raises(ConfigError, match="abc_a_share"):
        customer_value(_orders(), a_share=0.9, b_share=0.8)
    with pytest.raises(DataContractError, match="order_id"):
        customer_value(_orders().drop(columns="order_id"))
