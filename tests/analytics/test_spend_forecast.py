"""The spend model: its windows and naive baseline by hand, point in time, reproducible by
seed, short histories, next-purchase timing, and the demo business end to end."""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.analytics.forecast.next_purchase import median_days
from clientlens.analytics.forecast.spend_features import sample_inputs, spend_frame, spend_windows
from clientlens.analytics.forecast.spend_training import SpendOptions, train_spend
from clientlens.analytics.runner import run_analyses
from clientlens.demo import generate
from clientlens.demo.load import load_demo
from clientlens.errors import NotEnoughDataError
from clientlens.models.store import ModelStore

CUTOFF = dt.date(2024, 3, 31)


def _orders(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(len(rows))],
            "customer_id": [r[0] for r in rows],
            "order_date": pd.to_datetime([r[1] for r in rows]),
            "amount": [r[2] for r in rows],
        }
    )


HAND = [
    ("a", "2023-12-01", 100.0),  # 121 days before the cutoff: outside the last 90
    ("a", "2024-01-02", 10.0),  # 89 days before: inside
    ("a", "2024-03-31", 5.0),  # on the cutoff: inside
    ("a", "2024-04-01", 7.0),  # the day after: the next 90
    ("b", "2024-06-29", 50.0),  # day 90 after: inside the next 90
    ("b", "2024-06-30", 60.0),  # day 91: outside
    ("b", "2023-01-01", 1.0),
    ("c", "2024-05-01", 8.0),  # first order after the cutoff: not yet a customer
]


def test_spend_windows_and_the_naive_baseline_by_hand():
    w = spend_windows(ibis.memtable(_orders(HAND)), CUTOFF, 90).to_pandas()
    w = w.set_index("customer_id").sort_index()
    assert w.loc["a"].tolist() == [15.0, 7.0]  # last_spend, next_spend
    assert w.loc["b"].tolist() == [0.0, 50.0]
    assert w.loc["c"].tolist() == [0.0, 8.0]
    f = spend_frame({"orders": ibis.memtable(_orders(HAND))}, CUTOFF, 90, ["rfm"])
    # every customer who bought by the cutoff, however long ago; c has not yet
    assert f["customer_id"].tolist() == ["a", "b"]
    assert f["last_spend"].tolist() == [15.0, 0.0] and f["next_spend"].tolist() == [7.0, 50.0]
    assert f["n_orders"].tolist() == [3.0, 1.0] and f["recency_days"].tolist() == [0.0, 455.0]


def test_rows_after_the_cutoff_change_no_feature():
    later = [*HAND, ("a", "2024-04-02", 999.0), ("b", "2025-01-01", 5.0), ("d", "2024-04-05", 3.0)]
    before = spend_frame({"orders": ibis.memtable(_orders(HAND))}, CUTOFF, 90, ["rfm", "trend"])
    after = spend_frame({"orders": ibis.memtable(_orders(later))}, CUTOFF, 90, ["rfm", "trend"])
    features = [c for c in before.columns if c != "next_spend"]
    pd.testing.assert_frame_equal(before[features], after[features])
    assert after["next_spend"].tolist() == [7.0 + 999.0, 50.0]  # only the label sees them


def _shop(n: int = 300, seed: int = 1) -> pd.DataFrame:
    """Customers buying at their own steady rate and basket size for two years."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2023-01-01")
    for k in range(n):
        rate = rng.gamma(1.0, 1 / 40)  # purchases per day
        basket = rng.gamma(4.0, 25.0)
        t = rng.uniform(0, 200)
        while t < 730:
            rows.append((f"c{k:04d}", str((start + pd.Timedelta(days=int(t))).date()), basket))
            t += rng.exponential(1 / rate)
    return _orders(rows)


OPTIONS = SpendOptions(horizon_days=60, n_cutoffs=3, step_days=30, max_customers=200, seed=4)


@pytest.mark.slow
def test_model_beats_naive_reproducibly_and_the_naive_mae_is_what_hand_arithmetic_gives():
    orders = _shop()
    inputs = {"orders": ibis.memtable(orders)}
    model, card = train_spend(inputs, "2024-12-30", OPTIONS)
    again_model, again = train_spend(inputs, "2024-12-30", OPTIONS)
    assert card["validation"] == again["validation"]
    assert card["plan"]["validation_cutoff"] == "2024-10-31"
    v = card["validation"]
    assert v["spend_model"]["mae"] < v["naive_last_period"]["mae"]
    # the naive baseline from the raw orders, for the 200 sampled customers
    _, chosen, total = sample_inputs(inputs, 200, 4)
    assert total == 300 and chosen is not None and len(chosen) == 200
    o = orders[orders.customer_id.isin(chosen)]
    cut = pd.Timestamp("2024-10-31")
    bought = o[o.order_date <= cut].customer_id.unique()
    last = o[(o.order_date > cut - pd.Timedelta(days=60)) & (o.order_date <= cut)]
    nxt = o[(o.order_date > cut) & (o.order_date <= cut + pd.Timedelta(days=60))]
    frame = pd.DataFrame(index=pd.Index(sorted(bought)))
    frame["last"] = last.groupby("customer_id").amount.sum()
    frame["next"] = nxt.groupby("customer_id").amount.sum()
    frame = frame.fillna(0.0)
    assert v["naive_last_period"]["customers"] == len(frame)
    assert v["naive_last_period"]["mae"] == pytest.approx(
        (frame["last"] - frame["next"]).abs().mean()
    )
    assert v["naive_last_period"]["total_actual"] == pytest.approx(frame["next"].sum())
    # another seed draws other customers
    other = train_spend(inputs, "2024-12-30", SpendOptions(**{**OPTIONS.__dict__, "seed": 5}))[1]
    assert other["validation"]["naive_last_period"]["mae"] != v["naive_last_period"]["mae"]
    f = spend_frame(inputs, dt.date(2024, 12, 30), 60, card["groups"], labelled=False)
    assert np.array_equal(model.predict(f), again_model.predict(f))
    assert (model.predict(f) >= 0).all()


def test_too_short_a_history_says_what_it_needs():
    orders = _orders([("a", "2024-01-01", 5.0), ("a", "2024-03-01", 6.0)])
    with pytest.raises(NotEnoughDataError, match="Too little history"):
        train_spend({"orders": ibis.memtable(orders)}, "2024-03-31", SpendOptions())


def test_median_days_to_the_next_purchase_by_hand():
    p = np.array([[0.1, 0.4, 0.7], [0.6, 0.8, 0.9], [0.0, 0.1, 0.2]])
    got = median_days(np.array([7.0, 14.0, 28.0]), p)
    # row 1: between 14 (0.4) and 28 (0.7): 14 + 14 × 0.1 / 0.3; row 2: 7 × 0.5 / 0.6
    assert got[:2] == pytest.approx([14 + 14 / 3, 35 / 6]) and np.isnan(got[2])


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory):
    demo = generate(3_000, seed=11, locale="en")
    ws = Workspace.init(tmp_path_factory.mktemp("forecast") / "ws", settings={"spend_model": True})
    load_demo(ws, demo)
    result = run_analyses(ws, only=["spend_forecast", "revenue_forecast"])
    status = {o.name: o.status for o in result.outcomes}
    assert {k: status[k] for k in status if "forecast" in k} == dict.fromkeys(
        [
            "spend_forecast_validation",
            "spend_forecast",
            "revenue_forecast_validation",
            "revenue_forecast",
        ],
        "ok",
    ), [o.reason for o in result.outcomes if o.status != "ok"]
    yield ws
    ws.close()


@pytest.mark.slow
def test_demo_spend_model_beats_naive_and_is_stored(demo_ws):
    v = demo_ws.results.table("spend_forecast_validation").to_pandas().set_index("model")
    assert v.loc["spend_model", "mae"] < v.loc["naive_last_period", "mae"]
    assert (
        v.loc["spend_model", "mae_vs_naive"] < 0 and v.loc["naive_last_period", "mae_vs_naive"] == 0
    )
    assert v.loc["spend_model", "rmse"] < v.loc["naive_last_period", "rmse"]
    # the forecast adds up to about what those customers spent (a runaway fit does not)
    ratio = v.loc["spend_model", "total_predicted"] / v.loc["spend_model", "total_actual"]
    assert 0.7 < ratio < 1.3
    assert set(v["validation_cutoff"]) == {pd.Timestamp("2025-10-02")}
    version = int(v["model_version"].iloc[0])
    card = ModelStore(demo_ws.path / "models").card("spend", version)
    assert card["validation"]["spend_model"]["mae"] == pytest.approx(v.loc["spend_model", "mae"])
    s = demo_ws.results.table("spend_forecast").to_pandas()
    clv = demo_ws.results.table("clv").to_pandas()
    assert set(s.customer_id) == set(clv.customer_id) and (s.model_version == version).all()
    assert (s.predicted_spend >= 0).all() and (s.horizon_days == 90).all()
    # the CLV model's 90-day expected purchases, as the clv table states them
    both = s.merge(clv, on="customer_id")
    assert np.allclose(both.expected_purchases, both.expected_purchases_90d)
    # a purchase in 90 days as likely as not ⇔ the median time to it is within them
    likely = both.probability_purchase >= 0.5
    assert (both.next_purchase_days[likely] <= 91).all()
    assert ((both.next_purchase_days[~likely] > 89) | both.next_purchase_days[~likely].isna()).all()


@pytest.mark.slow
def test_demo_revenue_forecast_beats_seasonal_naive(demo_ws):
    v = demo_ws.results.table("revenue_forecast_validation").to_pandas()
    for series, g in v.groupby("series"):
        g = g.set_index("method")
        chosen = g[g.chosen].index[0]
        assert g.loc[chosen, "mape_pct"] < g.loc["seasonal_naive", "mape_pct"], series
    f = demo_ws.results.table("revenue_forecast").to_pandas()
    ahead = f[f.kind == "forecast"]
    assert len(ahead) == 3 * 6 and (ahead.lower_95 <= ahead.value).all()
    assert (ahead.value <= ahead.upper_95).all()
