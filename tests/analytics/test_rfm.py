import numpy as np
import pandas as pd
import pytest

from clientlens.analytics.customers.rfm import rfm_summary
from clientlens.errors import ConfigError, DataContractError
from tests.conftest import REPO


def _orders():
    # a: purchase days Jan 1 (10+5), Jan 11 (20), Jan 21 (30, 2 orders: 12+18) -> 2 repeats
    # b: one day only; c: an order after observation end (ignored)
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "a", "b", "c", "c"],
            "order_date": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 18:00",
                    "2024-01-11 00:00",
                    "2024-01-21 08:00",
                    "2024-01-21 20:00",
                    "2024-01-05 00:00",
                    "2024-01-30 00:00",
                    "2024-02-15 00:00",
                ]
            ),
            "amount": [10.0, 5.0, 20.0, 12.0, 18.0, 7.0, 3.0, 4.0],
        }
    )


def test_daily_summary_by_hand():
    s = rfm_summary(_orders(), observation_end="2024-01-31").to_pandas()
    s = s.set_index("customer_id").sort_index()
    # a: frequency 2 repeat days, recency Jan 1 -> Jan 21 = 20, T Jan 1 -> Jan 31 = 30,
    #    monetary = mean(20, 30) = 25; 5 orders, 65 total.
    assert s.loc["a", ["frequency", "recency", "T", "monetary_value"]].tolist() == [2, 20, 30, 25]
    assert (s.loc["a", "n_orders"], s.loc["a", "total_amount"]) == (5, 65.0)
    assert s.loc["b", ["frequency", "recency", "T", "monetary_value"]].tolist() == [0, 0, 26, 0]
    # c: only the Jan 30 order is inside the window.
    assert s.loc["c", ["frequency", "T", "total_amount"]].tolist() == [0, 1, 3.0]
    assert s.loc["a", "first_purchase"] == pd.Timestamp("2024-01-01 09:00")
    assert s.loc["a", "last_purchase"] == pd.Timestamp("2024-01-21 20:00")


def test_default_observation_end_is_last_order():
    s = rfm_summary(_orders()).to_pandas().set_index("customer_id")
    # last order Feb 15: a's T = Jan 1 -> Feb 15 = 45; c has a repeat day now.
    assert s.loc["a", "T"] == 45
    assert s.loc["c", ["frequency", "recency", "monetary_value"]].tolist() == [1, 16, 4.0]


def test_weekly_and_monthly_periods():
    w = rfm_summary(_orders(), observation_end="2024-01-31", freq="W").to_pandas()
    w = w.set_index("customer_id")
    # ISO weeks: Jan 1 (Mon) wk0, Jan 11 wk1, Jan 21 (Sun) wk2, Jan 31 wk4.
    assert w.loc["a", ["frequency", "recency", "T", "monetary_value"]].tolist() == [2, 2, 4, 25]
    m = rfm_summary(_orders(), observation_end="2024-02-29", freq="M").to_pandas()
    m = m.set_index("customer_id")
    # all of a's orders are in January: no repeat month.
    assert m.loc["a", ["frequency", "T"]].tolist() == [0, 1]
    assert m.loc["c", ["frequency", "recency", "monetary_value"]].tolist() == [1, 1, 4.0]


def test_bad_arguments_are_explained():
    with pytest.raises(DataContractError, match="order_date"):
        rfm_summary(_orders().drop(columns="order_date"))
    with pytest.raises(ConfigError, match="freq"):
        rfm_summary(_orders(), freq="Q")


@pytest.mark.slow
def test_equals_lifetimes_on_cdnow_master(cdnow_master):
    """lifetimes' summary_data_from_transaction_data on all 23,570 CDNOW customers.

    The expected file was written by tests/expected/make_cdnow_rfm.py with lifetimes 0.11.3.
    """
    expected = pd.read_csv(REPO / "tests/expected/cdnow_master_rfm.csv", dtype={"customer_id": str})
    got = rfm_summary(cdnow_master).to_pandas()
    assert len(got) == len(expected) == 23_570
    merged = expected.merge(got, on="customer_id", suffixes=("_lt", ""))
    assert len(merged) == 23_570
    for col in ["frequency", "recency", "T", "monetary_value"]:
        np.testing.assert_allclose(merged[col], merged[f"{col}_lt"], rtol=1e-9, atol=1e-9)
