import numpy as np
import pandas as pd
import pytest

from clientlens.analytics.customers.profile import (
    band_labels,
    parse_edges,
    profile_distribution,
    profile_new_customers,
)
from clientlens.errors import ConfigError, DataContractError

END = "2024-06-30"


def _customers():
    return pd.DataFrame(
        {
            "customer_id": list("abcde"),
            "age": pd.array([30, None, 60, 17, 200], dtype="Int64"),
            # b turns 24 on 2024-07-01, so is 23 at the observation end
            "birth_date": pd.to_datetime([None, "2000-07-01", None, None, "1990-01-01"]),
            "gender": ["F", "M", None, " F ", ""],
            "occupation": ["engineer", "teacher", "engineer", None, "student"],
            "income": [8000.0, 2500.0, None, 50000.0, None],
            "province": ["广东", "", "浙江", "广东", "北京"],
            "city": ["广州", None, "杭州", "深圳", "北京"],
            "signup_date": pd.to_datetime(["2024-01-15", None, "2024-03-01", "2024-02-10", None]),
            "acquisition_channel": ["search", None, "social", "search", "social"],
        }
    )


def _orders():
    # a: 2 orders 150; b: 1 order 40; c: none; d: 3 orders 60; e: 1 order 25;
    # f: 1 order 25 and no customers row; a's July order is after the observation end.
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "d", "d", "d", "e", "f", "a"],
            "order_date": pd.to_datetime(
                [
                    "2024-01-20",
                    "2024-03-05",
                    "2024-02-10",
                    "2024-05-01",
                    "2024-05-02",
                    "2024-06-01",
                    "2024-06-15",
                    "2024-04-01",
                    "2024-07-02",
                ]
            ),
            "amount": [100.0, 50.0, 40.0, 10.0, 20.0, 30.0, 25.0, 25.0, 999.0],
        }
    )


@pytest.fixture(scope="module")
def profile():
    p = profile_distribution(_orders(), _customers(), observation_end=END).to_pandas()
    return p.set_index(["dimension", "group"]).sort_index()


def test_dimensions_and_totals(profile):
    dims = set(profile.index.get_level_values(0))
    assert dims == {
        "age_band",
        "gender",
        "occupation",
        "income_band",
        "province",
        "city",
        "acquisition_channel",
        "signup_cohort",
    }
    # every dimension covers the 6 customers (c without orders, f without a customers row)
    totals = profile.groupby(level=0)[["customers", "revenue", "orders", "buyers"]].sum()
    assert (totals.customers == 6).all() and (totals.revenue == 300.0).all()
    assert (totals.orders == 8).all() and (totals.buyers == 5).all()
    shares = profile.groupby(level=0)[["customer_share", "revenue_share"]].sum()
    np.testing.assert_allclose(shares.to_numpy(), 1.0)


def test_age_bands_by_hand(profile):
    age = profile.loc["age_band"]
    # d 17 -> <18; b 23 (from birth date) -> 18-24; a 30; c 60; e 200 and f -> unknown
    assert age.sort_values("group_order").index.tolist() == [
        "<18",
        "18-24",
        "25-34",
        "55+",
        "unknown",
    ]
    assert age.loc["<18", ["customers", "revenue", "orders"]].tolist() == [1, 60.0, 3]
    assert (age.loc["<18", "aov"], age.loc["<18", "repeat_rate"]) == (20.0, 1.0)
    assert age.loc["18-24", "revenue"] == 40.0
    # c has no orders: counted as a customer, no buyer, so AOV and repeat rate are empty
    assert (age.loc["55+", "customers"], age.loc["55+", "buyers"]) == (1, 0)
    assert np.isnan(age.loc["55+", "aov"]) and np.isnan(age.loc["55+", "repeat_rate"])
    unknown = age.loc["unknown"]
    assert (unknown.customers, unknown.revenue, unknown.aov, unknown.repeat_rate) == (
        2,
        50.0,
        25.0,
        0.0,
    )


def test_categories_by_hand(profile):
    gender = profile.loc["gender"]
    # " F " is trimmed; None, "" and the customer without a row are unknown
    assert gender.loc["F", ["customers", "revenue", "orders"]].tolist() == [2, 210.0, 5]
    assert gender.loc["F", "aov"] == 42.0
    assert gender.loc["F", "customer_share"] == pytest.approx(2 / 6)
    assert gender.loc["F", "revenue_share"] == pytest.approx(0.7)
    assert gender.loc["unknown", ["customers", "buyers"]].tolist() == [3, 2]
    # the biggest known group first, unknown last even though it is the largest
    assert gender.sort_values("group_order").index.tolist() == ["F", "M", "unknown"]
    income = profile.loc["income_band"]
    assert set(income.index) == {"<3000", "6000-9999", "50000+", "unknown"}
    assert income.loc["unknown", "customers"] == 3
    assert profile.loc[("province", "unknown"), "customers"] == 2  # b ("") and f
    assert profile.loc[("acquisition_channel", "search"), "revenue"] == 210.0


def test_signup_cohort_falls_back_to_first_order(profile):
    cohort = profile.loc["signup_cohort"]
    # a 2024-01 (signup); b first order 2024-02; d signup 2024-02; c 2024-03 (signup, no
    # orders); f first order 2024-04; e first order 2024-06
    assert cohort.sort_values("group_order").index.tolist() == [
        "2024-01",
        "2024-02",
        "2024-03",
        "2024-04",
        "2024-06",
    ]
    assert cohort.loc["2024-02", ["customers", "revenue"]].tolist() == [2, 100.0]


def test_orders_only():
    p = profile_distribution(_orders(), observation_end=END).to_pandas()
    assert set(p.dimension) == {"signup_cohort"}
    assert p.customers.sum() == 5


def test_new_customers_by_hand():
    n = profile_new_customers(_orders(), _customers(), observation_end=END).to_pandas()
    n = n.sort_values("month")
    assert n.month.tolist() == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    assert n.new_customers.tolist() == [1, 1, 0, 1, 1, 1]
    assert n.cumulative_customers.tolist() == [1, 2, 2, 3, 4, 5]
    assert n.signups.tolist() == [1, 1, 1, 0, 0, 0]
    only = profile_new_customers(_orders()).to_pandas()
    assert only.signups.isna().all() and only.new_customers.sum() == 5


def test_custom_bands_and_bad_settings():
    assert band_labels(parse_edges("18, 40", "x")) == ["<18", "18-39", "40+"]
    p = profile_distribution(
        _orders(), _customers(), observation_end=END, age_bands=(18, 40)
    ).to_pandas()
    age = p[p.dimension == "age_band"].set_index("group")
    assert age.loc["18-39", "customers"] == 2 and age.loc["40+", "customers"] == 1
    with pytest.raises(ConfigError, match="profile_age_bands"):
        parse_edges("30,20", "profile_age_bands")
    with pytest.raises(ConfigError, match="profile_income_bands"):
        parse_edges("a,b", "profile_income_bands")
    with pytest.raises(DataContractError, match="amount"):
        profile_distribution(_orders().drop(columns="amount"))
