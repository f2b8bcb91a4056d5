import datetime as dt

import numpy as np
import pandas as pd
import pytest

from clientlens.analytics.lifecycle.cohorts import cohort_retention
from clientlens.errors import ConfigError, DataContractError

END = "2024-04-15"  # a Monday, mid-month: the last month and week are incomplete


def _orders():
    rows = [
        ("a", "2024-01-03 10:00", 10.0),
        ("a", "2024-02-10 12:00", 5.0),
        ("a", "2024-03-15 09:00", 20.0),
        ("b", "2024-01-20 18:00", 20.0),
        ("c", "2024-01-31 23:00", 30.0),
        ("c", "2024-03-01 08:00", 10.0),
        ("d", "2024-02-05 11:00", 40.0),
        ("d", "2024-02-06 11:00", 10.0),
        ("d", "2024-04-10 11:00", 8.0),
        ("e", "2024-02-28 20:00", 12.0),
        ("f", "2024-04-20 10:00", 99.0),  # after the observation end: left out
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


def _result(grains=("month", "week")):
    r = cohort_retention(_orders(), observation_end=END, grains=grains).to_pandas()
    r["cohort"] = pd.to_datetime(r["cohort"]).dt.strftime("%Y-%m-%d")
    return r.sort_values(["grain", "cohort", "period_index"]).reset_index(drop=True)


def test_monthly_cohorts_by_hand():
    r = _result(["month"])
    jan = r[r.cohort == "2024-01-01"]
    # Jan cohort a, b, c (3): Jan 60; Feb a 5; Mar a 20 + c 10; Apr nothing.
    assert jan.cohort_size.tolist() == [3, 3, 3, 3]
    assert jan.active_customers.tolist() == [3, 1, 2, 0]
    assert jan.revenue.tolist() == [60.0, 5.0, 30.0, 0.0]
    np.testing.assert_allclose(jan.retention_rate, [1, 1 / 3, 2 / 3, 0])
    np.testing.assert_allclose(jan.revenue_retention, [1, 5 / 60, 0.5, 0])
    np.testing.assert_allclose(jan.cumulative_revenue, [60, 65, 95, 95])
    np.testing.assert_allclose(jan.cumulative_revenue_per_customer, [20, 65 / 3, 95 / 3, 95 / 3])
    assert jan.period_complete.tolist() == [True, True, True, False]
    feb = r[r.cohort == "2024-02-01"]
    # Feb cohort d, e (2): Feb 40 + 10 + 12; Mar nothing; Apr d 8.
    assert feb.period_index.tolist() == [0, 1, 2]
    assert feb.active_customers.tolist() == [2, 0, 1]
    np.testing.assert_allclose(feb.revenue_retention, [1, 0, 8 / 62])
    np.testing.assert_allclose(feb.cumulative_revenue_per_customer, [31, 31, 35])
    assert pd.to_datetime(feb.period_start).dt.strftime("%m-%d").tolist() == [
        "02-01",
        "03-01",
        "04-01",
    ]
    assert len(r) == 7  # no cohort for f, whose only order is after the end


def test_weekly_cohorts_by_hand():
    r = _result(["week"])
    # ISO weeks of 2024 start on Monday Jan 1; the end (Mon Apr 15) is in week 16.
    # Cohorts: a wk1 (16 periods), b wk3 (14), c wk5 (12), d wk6 (11), e wk9 (8).
    assert r.groupby("cohort").size().to_dict() == {
        "2024-01-01": 16,
        "2024-01-15": 14,
        "2024-01-29": 12,
        "2024-02-05": 11,
        "2024-02-26": 8,
    }
    a = r[r.cohort == "2024-01-01"].set_index("period_index")
    # a buys in weeks 1 (10), 6 (Sat Feb 10: 5) and 11 (Fri Mar 15: 20).
    assert a.revenue[a.revenue > 0].to_dict() == {0: 10.0, 5: 5.0, 10: 20.0}
    assert a.cumulative_revenue_per_customer[15] == 35.0
    assert a.period_complete[14] and not a.period_complete[15]
    c = r[r.cohort == "2024-01-29"].set_index("period_index")
    # c: Wed Jan 31 and Fri Mar 1 (week of Feb 26) are 4 weeks apart.
    assert c.active_customers[c.active_customers > 0].index.tolist() == [0, 4]
    d = r[r.cohort == "2024-02-05"].set_index("period_index")
    assert d.revenue[0] == 50.0 and d.revenue_retention[9] == pytest.approx(8 / 50)


def test_both_grains_by_default():
    r = _result()
    assert sorted(r.grain.unique()) == ["month", "week"]
    assert len(r) == 7 + 61


def test_bad_input_is_explained():
    with pytest.raises(ConfigError, match="quarter"):
        cohort_retention(_orders(), observation_end=END, grains=["quarter"])
    with pytest.raises(DataContractError, match="amount"):
        cohort_retention(_orders().drop(columns="amount"), observation_end=END)


def test_monthly_retention_equals_pandas_on_cdnow(cdnow_master):
    """An independent pandas cohort matrix on all 69,659 CDNOW orders."""
    o = cdnow_master
    end = o.order_date.max().date()
    month = o.order_date.dt.year * 12 + o.order_date.dt.month - 1
    first = month.groupby(o.customer_id).transform("min")
    frame = pd.DataFrame({"c": o.customer_id, "cohort": first, "k": month - first})
    size = frame.groupby("cohort").c.nunique()
    active = frame.groupby(["cohort", "k"]).c.nunique()
    expected = (active / size.reindex(active.index.get_level_values(0)).to_numpy()).unstack()
    revenue = o.amount.groupby([frame.cohort, frame.k]).sum().unstack()

    got = cohort_retention(o, observation_end=end, grains=["month"]).to_pandas()
    got["cohort"] = (
        pd.to_datetime(got.cohort).dt.year * 12 + pd.to_datetime(got.cohort).dt.month - 1
    )
    matrix = got.pivot(index="cohort", columns="period_index", values="retention_rate")
    # CDNOW: every customer's first purchase is in Jan-Mar 1997; data to June 1998.
    assert matrix.shape == (3, 18) and end == dt.date(1998, 6, 30)
    assert got.cohort_size.groupby(got.cohort).first().to_dict() == size.to_dict()
    # months nobody of a cohort bought in are 0; months after June 1998 do not exist
    end_month = end.year * 12 + end.month - 1
    observed = np.add.outer(expected.index.to_numpy(), expected.columns.to_numpy()) <= end_month
    expected = expected.fillna(0).where(observed)
    np.testing.assert_allclose(matrix.to_numpy(), expected.to_numpy(), rtol=1e-12)
    got_revenue = got.pivot(index="cohort", columns="period_index", values="revenue")
    revenue = revenue.fillna(0).where(observed)
    np.testing.assert_allclose(got_revenue.to_numpy(), revenue.to_numpy(), rtol=1e-9)
    assert np.isnan(matrix.to_numpy()).sum() == 1 + 2  # Feb: k=17; Mar: k=16, 17
    assert got.period_complete.all()
