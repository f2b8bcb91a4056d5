"""The clv analysis: model selection on a holdout, per-customer CLV and segments."""

from __future__ import annotations

import json
import math

import ibis
import numpy as np
import pandas as pd
import pytest

from clientlens.analytics.customers.rfm import rfm_summary
from clientlens.analytics.value.clv import _segments, clv_models, clv_table
from clientlens.analytics.value.clv_selection import default_holdout_days, note_text
from clientlens.errors import DataContractError, NotEnoughDataError
from clientlens.models import BetaGeo, GammaGamma, ModifiedBetaGeo, ParetoNBD
from clientlens.models._continuous import ContinuousTransactionModel

END = "2024-12-31"


def _simulated_orders(n: int = 400, seed: int = 3) -> pd.DataFrame:
    """BG/NBD-like buyers over 2024: first purchase in the first half, then Poisson
    purchases with dropout after each; amounts gamma around 60."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        day = float(rng.integers(0, 180))
        rate = rng.gamma(0.8, 1 / 25)
        p_drop = rng.beta(1.0, 4.0)
        while day <= 365:
            rows.append((f"K{i:04d}", int(day), round(float(rng.gamma(4.0, 15.0)) + 1, 2)))
            if rng.random() < p_drop:
                break
            day += rng.exponential(1 / rate)
    frame = pd.DataFrame(rows, columns=["customer_id", "day", "amount"])
    frame = frame[frame.day <= 365]
    return pd.DataFrame(
        {
            "customer_id": frame.customer_id,
            "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(frame.day, "D"),
            "amount": frame.amount,
        }
    )


@pytest.fixture(scope="module")
def fitted():
    orders = ibis.memtable(_simulated_orders())
    summary = rfm_summary(orders, observation_end=END)
    models = clv_models(orders, summary, observation_end=END)
    table = clv_table(summary, models, annual_discount_rate=0.1, margin=0.5)
    return summary.order_by("customer_id").to_pandas(), models, table


def test_default_holdout_is_a_quarter_of_history_at_most_a_year():
    assert default_holdout_days(365) == 91
    assert default_holdout_days(4000) == 365
    assert default_holdout_days(40) == 10


def test_the_chosen_model_follows_the_stated_rule(fitted):
    _, models, _ = fitted
    cal = models[models.stage == "calibration"].set_index("model")
    assert list(cal.index) == ["BetaGeo", "ParetoNBD", "ModifiedBetaGeo"]
    assert cal["converged"].all()
    # History: first purchase on 2024-01-01 at the earliest -> 365 days, holdout 91.
    assert cal["holdout_days"].unique().tolist() == [91]
    assert cal["calibration_end"].unique().tolist() == ["2024-10-01"]
    # Every candidate saw the same holdout purchases.
    assert cal["holdout_actual_purchases"].nunique() == 1
    best = cal["holdout_mae"].min()
    tied = cal[cal["holdout_mae"] <= best * 1.01]
    expected = tied["aggregate_error_pct"].abs().idxmin()
    assert cal.index[cal["chosen"]].tolist() == [expected]
    final = models[models.stage == "final"].set_index("role")
    assert final.loc["purchases", "model"] == expected
    assert final.loc["spend", "model"] == "GammaGamma"
    assert final["chosen"].all()
    note = final.loc["purchases", ["note", "note_params"]].tolist()
    assert note[0] == "chosen"
    assert "lowest holdout MAE" in note_text("en", *note)
    assert "平均绝对误差" in note_text("zh", *note)
    assert set(json.loads(final.loc["spend", "params"])) == {"p", "q", "gamma"}


def test_the_final_models_are_fitted_on_all_customers(fitted):
    summary, models, _ = fitted
    final = models[models.stage == "final"].set_index("role")
    name = final.loc["purchases", "model"]
    cls = {"BetaGeo": BetaGeo, "ParetoNBD": ParetoNBD, "ModifiedBetaGeo": ModifiedBetaGeo}[name]
    refit = cls().fit(summary, time_unit_days=1.0)
    assert final.loc["purchases", "n_customers"] == len(summary)
    assert final.loc["purchases", "log_likelihood"] == pytest.approx(refit.log_likelihood, rel=1e-9)
    params = json.loads(final.loc["purchases", "params"])
    for key, value in refit.params.items():
        assert params[key] == pytest.approx(value, rel=1e-4)
    repeat = summary[summary.frequency > 0]
    assert final.loc["spend", "n_customers"] == len(repeat)


def test_clv_table_is_consistent(fitted):
    summary, models, table = fitted
    assert list(table.columns) == [
        "customer_id",
        "p_alive",
        "expected_purchases_30d",
        "expected_purchases_90d",
        "expected_purchases_365d",
        "expected_spend",
        "clv_12m",
        "clv_segment",
        "model",
    ]
    assert table.customer_id.tolist() == summary.customer_id.tolist()
    assert table.p_alive.between(0, 1).all()
    assert (table.expected_purchases_30d <= table.expected_purchases_90d).all()
    assert (table.expected_purchases_90d <= table.expected_purchases_365d).all()
    assert (table.expected_spend > 0).all()
    final = models[models.stage == "final"].set_index("role")
    assert table.model.unique().tolist() == [final.loc["purchases", "model"]]

    # clv_12m = margin x expected spend x monthly increments of expected purchases,
    # month k discounted by 1.1^(k/12); recomputed here from the public model API.
    cls = {"BetaGeo": BetaGeo, "ParetoNBD": ParetoNBD, "ModifiedBetaGeo": ModifiedBetaGeo}
    model = cls[final.loc["purchases", "model"]].from_params(
        json.loads(final.loc["purchases", "params"])
    )
    data = summary[["customer_id", "frequency", "recency", "T"]]
    month = 365.25 / 12
    cum = [np.zeros(len(data))] + [
        model.expected_purchases(data, horizon_days=k * month)["expected_purchases"].to_numpy()
        for k in range(1, 13)
    ]
    discounted = sum((cum[k] - cum[k - 1]) / 1.1 ** (k / 12) for k in range(1, 13))
    np.testing.assert_allclose(table.clv_12m, 0.5 * table.expected_spend * discounted, rtol=1e-10)
    # ... and the models package's own CLV agrees.
    gg = GammaGamma.from_params(json.loads(final.loc["spend", "params"]))
    ref = gg.clv(model, summary, horizon_months=12, annual_discount_rate=0.1, margin=0.5)
    np.testing.assert_allclose(table.clv_12m, ref["clv"], rtol=1e-10)
    np.testing.assert_allclose(
        table.expected_purchases_365d,
        model.expected_purchases(data, horizon_days=365)["expected_purchases"],
        rtol=1e-12,
    )


def test_segment_sizes_follow_the_rule(fitted):
    _, _, table = fitted
    n = len(table)
    sizes = table.clv_segment.value_counts()
    assert sizes["high"] == math.ceil(0.2 * n)
    assert sizes["medium"] == math.ceil(0.5 * n) - math.ceil(0.2 * n)
    assert sizes["low"] == n - math.ceil(0.5 * n)
    by = table.groupby("clv_segment").clv_12m
    assert by.min()["high"] >= by.max()["medium"] >= by.min()["medium"] >= by.max()["low"]


def test_segments_by_hand_with_ties():
    frame = pd.DataFrame(
        {"customer_id": list("abcdefg"), "clv_12m": [5.0, 5.0, 3.0, 1.0, 0.0, 9.0, 2.0]}
    )
    out = _segments(frame).set_index("customer_id")
    # Ranked f, a, b (tie with a, broken by id), c, g, d, e: 7 customers ->
    # ceil(1.4) = 2 high, ceil(3.5) = 4 in high + medium.
    assert out.clv_segment.to_dict() == {
        "a": "high",
        "b": "medium",
        "c": "medium",
        "d": "low",
        "e": "low",
        "f": "high",
        "g": "low",
    }


class _Linear(ContinuousTransactionModel):
    """A stand-in model: alive for sure, one purchase every 30 days."""

    name = "Linear"
    param_names = ("rate",)

    def __init__(self):
        super().__init__()
        self._params = np.array([1 / 30])

    def _p_alive_kernel(self, x, tx, T):
        return np.ones_like(x)

    def _expected_alive_kernel(self, t, x, T):
        return t * self._params[0]


def test_discounting_by_hand():
    data = pd.DataFrame({"customer_id": ["x"], "frequency": [1], "recency": [5], "T": [9]})
    got = _Linear().discounted_expected_purchases(
        data, horizon_months=3, annual_discount_rate=0.21
    )["discounted_purchases"]
    step = 365.25 / 12 / 30
    # 1.21^(k/12) for k = 1, 2, 3: the annual rate compounds monthly.
    expected = step * sum(1.21 ** (-k / 12) for k in (1, 2, 3))
    assert got.tolist() == pytest.approx([expected], rel=1e-12)
    flat = _Linear().discounted_expected_purchases(data, annual_discount_rate=0.0)
    assert flat["discounted_purchases"][0] == pytest.approx(12 * step)


def test_curve_and_discounting_equal_one_horizon_at_a_time(cdnow_master):
    summary = rfm_summary(ibis.memtable(cdnow_master)).to_pandas()
    model = ParetoNBD.from_params(
        {"r": 0.55, "alpha": 10.6 * 7, "s": 0.61, "beta": 11.7 * 7}, time_unit_days=1.0
    )
    horizons = [30, 91.3125, 365]
    curve = model.expected_purchases_curve(summary, horizons)
    assert list(curve.columns) == [
        "customer_id",
        "expected_purchases_30d",
        "expected_purchases_91.3125d",
        "expected_purchases_365d",
    ]
    for h, column in zip(horizons, curve.columns[1:], strict=True):
        one = model.expected_purchases(summary, horizon_days=h)["expected_purchases"]
        np.testing.assert_allclose(curve[column], one, rtol=1e-14)
    month = 365.25 / 12
    cumulative = np.column_stack(
        [
            model.expected_purchases(summary, horizon_days=k * month)["expected_purchases"]
            for k in range(0, 13)
        ]
    )
    by_hand = np.diff(cumulative, axis=1) @ (1.1 ** (-np.arange(1, 13) / 12))
    got = model.discounted_expected_purchases(summary, annual_discount_rate=0.1)
    np.testing.assert_allclose(got["discounted_purchases"], by_hand, rtol=1e-12)


def test_short_history_fits_without_selection():
    orders = _simulated_orders(60)
    orders = orders[orders.order_date <= "2024-02-09"]
    t = ibis.memtable(orders)
    end = "2024-02-09"
    models = clv_models(t, rfm_summary(t, observation_end=end), observation_end=end)
    # 39 days of history -> a 9-day holdout, under the 28-day minimum.
    assert models.stage.tolist() == ["final", "final"]
    purchases = models.set_index("role").loc["purchases"]
    assert purchases["model"] == "BetaGeo"
    assert purchases["note"].split()[0] == "short_history"
    note = purchases[["note", "note_params"]].tolist()
    assert "without model selection" in note_text("en", *note)
    assert "未做模型选择" in note_text("zh", *note)


def test_a_candidate_over_its_budget_is_reported_as_not_finished():
    """A budget far below any fit's time (one likelihood evaluation runs, the second is
    refused): every candidate is left out as not finished, and BG/NBD is fitted on all
    customers without selection, as when no candidate can be fitted."""
    t = ibis.memtable(_simulated_orders())
    summary = rfm_summary(t, observation_end=END)
    models = clv_models(t, summary, observation_end=END, candidate_budget_seconds=1e-9)
    cal = models[models.stage == "calibration"].set_index("model")
    assert list(cal.index) == ["BetaGeo", "ParetoNBD", "ModifiedBetaGeo"]
    assert cal["note"].tolist() == ["not_finished"] * 3
    assert not cal["converged"].any() and not cal["chosen"].any()
    assert cal["holdout_mae"].isna().all()
    assert [json.loads(p) for p in cal["note_params"]] == [{"budget_seconds": 1e-9}] * 3
    # the parameters are where the fit stopped: BG/NBD's starting point (1, mean T, 1, 1)
    start = json.loads(cal.loc["BetaGeo", "params"])
    assert (start["r"], start["a"], start["b"]) == (1.0, 1.0, 1.0)
    note = cal.loc["ParetoNBD", ["note", "note_params"]].tolist()
    assert note_text("en", *note) == (
        "Left out of the selection: the fit had not finished after 1e-09 s, its time limit "
        "(setting clv_candidate_budget_seconds); its parameters are where it stopped."
    )
    assert "1e-09 秒的时限内未完成" in note_text("zh", *note)
    final = models[models.stage == "final"].set_index("role")
    assert final.loc["purchases", "model"] == "BetaGeo"
    assert final.loc["purchases", "note"] == "none_fitted"
    assert bool(final.loc["purchases", "converged"])  # the final fit has no budget


def test_the_default_budget_leaves_ordinary_candidates_alone(fitted):
    _, models, _ = fitted
    cal = models[models.stage == "calibration"]
    assert "not_finished" not in " ".join(cal["note"])


def test_a_negative_budget_is_a_clear_error():
    t = ibis.memtable(_simulated_orders(50))
    with pytest.raises(DataContractError, match="clv_candidate_budget_seconds must be >= 0"):
        clv_models(
            t,
            rfm_summary(t, observation_end=END),
            observation_end=END,
            candidate_budget_seconds=-1.0,
        )


def test_no_repeat_buyers_spend_is_the_mean_order_value():
    orders = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "d"],
            "order_date": pd.to_datetime(
                ["2024-01-05", "2024-03-01", "2024-06-30", "2024-09-09", "2024-09-09"]
            ),
            "amount": [10.0, 20.0, 30.0, 15.0, 5.0],
        }
    )
    t = ibis.memtable(orders)
    end = "2024-12-31"
    summary = rfm_summary(t, observation_end=end)
    models = clv_models(t, summary, observation_end=end)
    spend = models.set_index("role").loc["spend"]
    # 5 orders worth 80 -> 16 per order.
    assert spend["model"] == "MeanOrderValue"
    assert json.loads(spend["params"]) == {"mean_order_value": 16.0}
    assert spend["note"] == "no_repeat_buyers"
    assert "mean order value (16.00)" in note_text("en", spend["note"], spend["note_params"])
    # d's two orders fall on one day: nobody bought on two days, so the purchase model is
    # not identified and no CLV (nor tiers split on noise) comes from it.
    assert models.set_index("role")["identified"].to_dict() == {"purchases": False, "spend": True}
    with pytest.raises(NotEnoughDataError) as caught:
        clv_table(summary, models)
    assert str(caught.value) == (
        "the BG/NBD purchase model is not identified: none of the 4 customers bought on two "
        "different days, so no CLV is predicted"
    )


@pytest.mark.slow
def test_cdnow_master_selection_and_365_day_forecast(cdnow_master):
    """As of 1997-06-30 (six months of the cohort's history), predict the next 365 days."""
    end = "1997-06-30"
    cut = ibis.memtable(cdnow_master[cdnow_master.order_date <= end])
    summary = rfm_summary(cut, observation_end=end)
    models = clv_models(cut, summary, observation_end=end)
    cal = models[models.stage == "calibration"].set_index("model")
    assert cal["converged"].all()
    assert cal["holdout_days"].unique().tolist() == [45]
    chosen = cal.index[cal["chosen"]].tolist()
    best = cal["holdout_mae"].min()
    assert chosen == [cal[cal.holdout_mae <= best * 1.01].aggregate_error_pct.abs().idxmin()]
    # 23,570 customers: compared on one in every 5.
    assert cal["n_customers"].unique().tolist() == [4714]
    final = models.set_index("stage").loc["final"].iloc[0]
    assert final["note"] == "chosen sampled"
    assert "one in every 5 by id" in note_text("en", final["note"], final["note_params"])
    # All three fit the first 4.5 months well: under 10% aggregate error on the holdout.
    assert (cal["aggregate_error_pct"].abs() < 10).all()
    table = clv_table(summary, models)
    later = cdnow_master[cdnow_master.order_date > end]
    actual_days = len(
        later.assign(day=later.order_date.dt.normalize()).drop_duplicates(["customer_id", "day"])
    )
    assert actual_days == 26977
    predicted = table.expected_purchases_365d.sum()
    # Stated error: the 365-day forecast is within 15% of the purchase days that followed.
    assert abs(predicted - actual_days) / actual_days < 0.15
