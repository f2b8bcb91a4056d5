"""Holdout validation: the split, the per-bucket comparison and cumulative tracking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clientlens.errors import ConfigError, DataContractError
from clientlens.models.validation import (
    calibration_and_holdout,
    cumulative_tracking,
    evaluate_holdout,
    repeat_purchase_counts,
)
from tests.conftest import shared_data


def _orders() -> pd.DataFrame:
    # a: Jan 1 (twice), Jan 5 | Feb 3, Feb 3, Feb 20 -> holdout days Feb 3 (40) and Feb 20 (5)
    # b: Jan 10 only; c: first seen in the holdout (left out); d: order after observation end
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "a", "a", "b", "c", "d", "d"],
            "order_date": pd.to_datetime(
                [
                    "2024-01-01 08:00",
                    "2024-01-01 20:00",
                    "2024-01-05 00:00",
                    "2024-02-03 09:00",
                    "2024-02-03 18:00",
                    "2024-02-20 00:00",
                    "2024-01-10 00:00",
                    "2024-02-01 00:00",
                    "2024-01-31 00:00",
                    "2024-03-05 00:00",
                ]
            ),
            "amount": [10.0, 5.0, 20.0, 15.0, 25.0, 5.0, 7.0, 8.0, 3.0, 9.0],
        }
    )


def test_split_by_hand():
    t = calibration_and_holdout(
        _orders(), calibration_end="2024-01-31", observation_end="2024-02-29"
    ).to_pandas()
    t = t.set_index("customer_id").sort_index()
    assert list(t.index) == ["a", "b", "d"]
    # a: calibration days Jan 1, Jan 5 -> frequency 1, recency 4, T 30, monetary 20.
    assert t.loc["a", ["frequency", "recency", "T", "monetary_value"]].tolist() == [1, 4, 30, 20]
    # holdout: two purchase days, totals 40 and 5 -> mean 22.5; Feb has 29 days.
    assert t.loc["a", ["frequency_holdout", "monetary_value_holdout"]].tolist() == [2, 22.5]
    assert t["duration_holdout"].tolist() == [29.0, 29.0, 29.0]
    assert t.loc[
        "b", ["frequency", "T", "frequency_holdout", "monetary_value_holdout"]
    ].tolist() == [
        0,
        21,
        0,
        0,
    ]
    # d's March order is after observation_end.
    assert t.loc["d", ["T", "frequency_holdout"]].tolist() == [0, 0]


def test_split_weekly_and_default_end():
    t = calibration_and_holdout(_orders(), calibration_end="2024-01-31", freq="W").to_pandas()
    t = t.set_index("customer_id").sort_index()
    # Default end is the last order (Mar 5). ISO weeks: Jan 31 is week 4 after Jan 1's,
    # Mar 5 week 9: a holdout of 5 weeks; a bought in weeks 5 (Feb 3) and 7 (Feb 20);
    # d bought again in week 9.
    assert t["duration_holdout"].unique().tolist() == [5.0]
    assert t.loc["a", ["frequency", "recency", "T", "frequency_holdout"]].tolist() == [0, 0, 4, 2]
    assert t.loc["d", ["frequency_holdout", "monetary_value_holdout"]].tolist() == [1, 9.0]


def test_split_rejects_an_empty_holdout():
    with pytest.raises(ConfigError, match="after calibration_end"):
        calibration_and_holdout(
            _orders(), calibration_end="2024-02-29", observation_end="2024-02-01"
        )
    with pytest.raises(DataContractError, match="amount"):
        calibration_and_holdout(_orders().drop(columns="amount"), calibration_end="2024-01-31")


def test_split_matches_the_published_cdnow_calibration_summary():
    """CDNOW sample, calibration to 1997-09-30: Fader & Hardie's summary (in weeks) × 7."""
    raw = pd.read_csv(shared_data("cdnow_transactions.csv"))
    orders = pd.DataFrame(
        {
            "customer_id": raw["id"],
            "order_date": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"),
            "amount": raw["spent"],
        }
    )
    got = calibration_and_holdout(
        orders, calibration_end="1997-09-30", observation_end="1998-06-30"
    ).to_pandas()
    got = got.sort_values("customer_id").reset_index(drop=True)
    ref = pd.read_csv(shared_data("cdnow_customers_summary_with_transactions.csv"))
    assert got["customer_id"].tolist() == ref["ID"].tolist()
    assert got["frequency"].tolist() == ref["x"].tolist()
    np.testing.assert_allclose(got["recency"] / 7, ref["t_x"], atol=0.005)
    np.testing.assert_allclose(got["T"] / 7, ref["T"], atol=0.005)
    np.testing.assert_allclose(got["monetary_value"], ref["zbar"], atol=0.005)
    # 273 holdout days (Oct 1 1997 - Jun 30 1998), i.e. weeks 40-78.
    assert got["duration_holdout"].unique().tolist() == [273.0]
    # Repeat purchase days of the holdout: every purchase day there, since all 2,357
    # customers first bought in the calibration period.
    days = orders.assign(day=orders.order_date.dt.normalize()).drop_duplicates(
        ["customer_id", "day"]
    )
    assert got["frequency_holdout"].sum() == (days.day > "1997-09-30").sum()


class _HalfFrequency:
    """A stand-in model: expects half the calibration frequency, whatever the horizon."""

    def __init__(self) -> None:
        self.horizons: list[float] = []

    def expected_purchases(self, data, horizon_days=90):
        self.horizons.append(horizon_days)
        return pd.DataFrame(
            {"customer_id": data["customer_id"], "expected_purchases": 0.5 * data["frequency"]}
        )


def test_evaluate_holdout_by_hand():
    data = pd.DataFrame(
        {
            "customer_id": ["w", "x", "y", "z"],
            "frequency": [9.0, 1.0, 2.0, 0.0],
            "recency": [30.0, 5.0, 10.0, 0.0],
            "T": [40.0] * 4,
            "frequency_holdout": [5.0, 2.0, 1.0, 0.0],
            "duration_holdout": [28.0] * 4,
        }
    )
    model = _HalfFrequency()
    ev = evaluate_holdout(model, data, max_bucket=2)
    assert model.horizons == [28.0]
    # predicted 4.5, 0.5, 1, 0 vs actual 5, 2, 1, 0: errors -0.5, -1.5, 0, 0.
    assert ev.mae == pytest.approx(0.5)
    assert ev.rmse == pytest.approx(np.sqrt(2.5 / 4))
    assert (ev.actual_total, ev.predicted_total) == (8.0, 6.0)
    assert ev.aggregate_error_pct == pytest.approx(-25.0)
    b = ev.buckets
    assert b["bucket_label"].tolist() == ["0", "1", "2+"]
    assert b["customers"].tolist() == [1, 1, 2]
    assert b["actual_mean"].tolist() == [0.0, 2.0, 3.0]
    assert b["predicted_mean"].tolist() == [0.0, 0.5, 2.75]
    assert ev.customers.set_index("customer_id").loc["w", "predicted"] == 4.5
    assert evaluate_holdout(model, data, horizon_days=60).mae == pytest.approx(0.5)
    assert model.horizons[-1] == 60


class _PerWeek:
    """A stand-in model: a new customer makes one repeat purchase a week."""

    def expected_purchases_new_customer(self, horizon_days):
        return np.asarray(horizon_days, dtype=float) / 7.0


def test_cumulative_tracking_by_hand():
    orders = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "b", "c"],
            "order_date": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 19:00",
                    "2024-01-03 00:00",
                    "2024-01-09 00:00",
                    "2024-01-02 00:00",
                    "2024-01-10 00:00",
                    "2024-01-08 00:00",
                ]
            ),
        }
    )
    track = cumulative_tracking(_PerWeek(), orders, end="2024-01-14", calibration_end="2024-01-07")
    # Births: a day 0, b day 1, c day 7. Repeat days: a day 2 and 8, b day 9.
    # Week 1 ends after day 6: actual 1; predicted a 7/7 + b 6/7 (c not born yet).
    # Week 2 ends after day 13: actual 3; predicted a 14/7 + b 13/7 + c 7/7.
    assert track["period"].tolist() == [1, 2]
    assert [str(d) for d in track["period_end"]] == ["2024-01-07", "2024-01-14"]
    assert track["actual"].tolist() == [1.0, 3.0]
    np.testing.assert_allclose(track["predicted"], [13 / 7, 34 / 7])
    assert track["in_holdout"].tolist() == [False, True]
    daily = cumulative_tracking(_PerWeek(), orders, end="2024-01-03", period_days=1)
    # Day 0: no repeat yet, a is 1 day old; day 1: a 2 days, b 1 day; day 2: a's repeat.
    assert daily["actual"].tolist() == [0.0, 0.0, 1.0]
    np.testing.assert_allclose(daily["predicted"], [1 / 7, 3 / 7, 5 / 7])


def test_cumulative_tracking_rejects_an_empty_range():
    orders = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2024-01-01"])})
    with pytest.raises(ConfigError, match="no whole period"):
        cumulative_tracking(_PerWeek(), orders, end="2024-01-03")


def _cdnow_sample_orders() -> pd.DataFrame:
    raw = pd.read_csv(shared_data("cdnow_transactions.csv"))
    return pd.DataFrame(
        {
            "customer_id": raw["id"],
            "order_date": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"),
            "amount": raw["spent"],
        }
    )


@pytest.mark.slow
def test_cumulative_tracking_matches_the_published_cdnow_curve():
    """Pareto/NBD on the 39-week CDNOW calibration summary; pymc-marketing's weekly curve."""
    from clientlens.models import ParetoNBD

    summary = pd.read_csv(shared_data("cdnow_customers_summary.csv"))
    model = ParetoNBD().fit(summary, time_unit_days=7)
    ref = pd.read_csv(shared_data("clv_cumulative_transactions.csv"))
    track = cumulative_tracking(
        model, _cdnow_sample_orders(), end="1997-06-24", calibration_end="1997-09-30"
    )
    assert len(track) == len(ref) == 25
    assert track["actual"].tolist() == ref["actual"].astype(float).tolist()
    # Measured: at most 0.025 repeat purchases (2e-5 relative) apart.
    np.testing.assert_allclose(track["predicted"], ref["predicted"], rtol=1e-4, atol=0.05)
    assert str(track["period_end"].iloc[-1]) == "1997-06-24"
    assert not track["in_holdout"].any()


@pytest.mark.slow
def test_repeat_purchase_counts_on_cdnow():
    """BG/NBD on the CDNOW calibration summary: FHL (2005) figure 3."""
    from clientlens.models import BetaGeo

    summary = pd.read_csv(shared_data("cdnow_customers_summary.csv"))
    model = BetaGeo().fit(summary, time_unit_days=7)
    counts = repeat_purchase_counts(model, summary)
    assert counts["bucket_label"].tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert counts["actual"].tolist() == [1411, 439, 214, 100, 62, 38, 29, 64]
    assert counts["expected"].sum() == pytest.approx(2357, abs=1e-6)
    # The model's zero class is within 1% of the actual one, and the whole histogram
    # within 5% of the customers (measured: 0.2% and 3.3%).
    assert counts["expected"].iloc[0] == pytest.approx(1411, rel=0.01)
    assert (counts["expected"] - counts["actual"]).abs().sum() < 0.05 * 2357
