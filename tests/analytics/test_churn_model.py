"""The trained churn model on the demo business, whose true dropout process is known.

One workspace of 5,000 demo customers is analysed once (``churn_scores`` and what it
needs); the tests read its results, its stored model and the demo's truth. The bench
(bench/bench_churn.py) checks the same figures on larger businesses.
"""

from __future__ import annotations

import datetime as dt
import json

import ibis
import numpy as np
import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.analytics.churn.churn_model import MODEL_NAME, check_definition
from clientlens.analytics.churn.reasons import (
    N_REASONS,
    REASONS,
    reason_holds,
    reason_text,
    reason_value,
    rule_text,
)
from clientlens.analytics.churn.training import TrainingOptions, labelled_frame, train_churn
from clientlens.analytics.runner import cut_inputs, run_analyses
from clientlens.demo import generate
from clientlens.demo.load import load_demo
from clientlens.demo.oracle import churn_oracle
from clientlens.errors import ConfigError, DataContractError
from clientlens.models.store import ModelStore
from clientlens.models.trained import classification_figures, cutoff_plan

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    demo = generate(5_000, seed=11, locale="en")
    ws = Workspace.init(tmp_path_factory.mktemp("churn") / "ws", settings={"churn_model": True})
    load_demo(ws, demo)
    result = run_analyses(ws, only=["churn_scores", "churn_drivers", "churn_rules"])
    assert {o.name: o.status for o in result.outcomes if o.name.startswith("churn_")} == {
        "churn_validation": "ok",
        "churn_scores": "ok",
        "churn_drivers": "ok",
        "churn_rules": "ok",
    }
    yield ws, demo
    ws.close()


def _figures(ws: Workspace) -> pd.DataFrame:
    v = ws.results.table("churn_validation").to_pandas()
    return v[v.metric != "calibration"].pivot(index="model", columns="metric", values="value")


def test_out_of_time_validation_beats_the_baseline_and_is_calibrated(analysed):
    ws, _ = analysed
    f = _figures(ws)
    v = ws.results.table("churn_validation").to_pandas()
    assert set(v["validation_cutoff"]) == {pd.Timestamp("2025-10-02")}  # 90 days before the end
    assert set(v["horizon_source"]) == {"purchase_cycle"}
    assert set(v["horizon_days"]) == {90}  # 2 × a 23-day median cycle is below the 90 floor
    assert f.loc["churn_model", "roc_auc"] > f.loc["rfm_logistic", "roc_auc"] + 0.01
    assert f.loc["churn_model", "roc_auc"] > f.loc["p_alive", "roc_auc"]
    assert f.loc["churn_model", "ece"] < 0.05
    assert f.loc["churn_model", "brier"] < f.loc["rfm_logistic", "brier"]
    assert 1.0 < f.loc["churn_model", "lift_top_decile"] <= 1 / f.loc["churn_model", "base_rate"]
    curve = v[(v.metric == "calibration") & (v.model == "churn_model")]
    assert curve["customers"].sum() == f.loc["churn_model", "customers"]
    # ECE recomputed from the stored curve
    ece = (curve.customers * (curve.predicted - curve.value).abs()).sum() / curve.customers.sum()
    assert ece == pytest.approx(f.loc["churn_model", "ece"])


def test_within_reach_of_the_oracle_that_knows_the_true_dropout_process(analysed):
    ws, demo = analysed
    f = _figures(ws)
    oracle = churn_oracle(demo, "2025-10-02", 90)
    inputs = cut_inputs({k: ibis.memtable(t) for k, t in demo.tables().items()}, None)
    frame = labelled_frame(inputs, dt.date(2025, 10, 2), TrainingOptions(90), ["rfm"])
    truth = frame.merge(oracle, on="customer_id", how="left")
    assert truth["p_churn"].notna().all()
    best = classification_figures(truth.churned.to_numpy(), truth.p_churn.to_numpy())
    assert best["customers"] == f.loc["churn_model", "customers"]
    assert best["ece"] < 0.03  # the oracle is the true probability
    # 5,000 customers: the gap is about 0.05 here; bench_churn.py measures larger ones
    assert best["roc_auc"] - 0.07 < f.loc["churn_model", "roc_auc"] < best["roc_auc"]


def test_model_store_holds_model_features_figures_and_training_data(analysed):
    ws, _ = analysed
    store = ModelStore(ws.path / "models")
    assert store.versions(MODEL_NAME) == [1]
    model, card = store.load(MODEL_NAME)
    assert card["version"] == 1 and card["features"] == model.features
    assert {"recency_days", "orders_90d", "open_complaints", "p_alive"} <= set(card["features"])
    assert card["validation"]["churn_model"]["roc_auc"] == pytest.approx(
        _figures(ws).loc["churn_model", "roc_auc"]
    )
    assert card["plan"]["scoring_cutoff"] == "2025-12-31"
    assert card["training"]["fit_rows"] > 0 and card["library"]["scikit-learn"].startswith("1.9")
    parts = card["validation_by_orders"]
    assert (
        parts["one_order"]["customers"] + parts["repeat"]["customers"]
        == (card["validation"]["churn_model"]["customers"])
    )
    assert parts["one_order"]["base_rate"] > parts["repeat"]["base_rate"]
    assert set(card["seconds"]) == {
        "features", "validation_fit", "validation_scores", "drivers", "final_fit", "rules"
    }  # fmt: skip
    assert card["trained_because"] == "no stored model"
    assert set(ws.results.table("churn_scores").model_version.to_pandas()) == {1}


def test_every_score_has_three_reasons_true_of_that_customer(analysed):
    ws, demo = analysed
    scores = ws.results.table("churn_scores").to_pandas().set_index("customer_id")
    inputs = cut_inputs({k: ibis.memtable(t) for k, t in demo.tables().items()}, None)
    _, card = ModelStore(ws.path / "models").load(MODEL_NAME)
    frame = labelled_frame(
        inputs, dt.date(2025, 12, 31), TrainingOptions(90), card["groups"], labelled=False
    ).set_index("customer_id")
    assert sorted(frame.index) == sorted(scores.index)
    frame = frame.loc[scores.index]
    for k in range(1, N_REASONS + 1):
        codes = scores[f"reason_{k}"]
        assert codes.notna().all()
        for code in codes.unique():
            rows = codes == code
            assert reason_holds(code, frame[rows]).all(), code
            expected = reason_value(code, frame[rows]).to_numpy()
            np.testing.assert_allclose(scores.loc[rows, f"reason_{k}_value"], expected)
    distinct = scores[["reason_1", "reason_2", "reason_3"]].nunique(axis=1)
    assert (distinct == 3).all()
    # risk reasons lead for the high-risk customers
    kinds = {r.code: r.kind for r in REASONS}
    high = scores[scores.risk_band == "high"]
    assert (high["reason_1"].map(kinds) == "risk").mean() > 0.9


def test_scores_bands_revenue_at_risk_and_actions(analysed):
    ws, _ = analysed
    s = ws.results.table("churn_scores").to_pandas()
    clv = ws.results.table("clv").to_pandas().set_index("customer_id")
    np.testing.assert_allclose(
        s.revenue_at_risk, s.churn_probability * clv.loc[s.customer_id, "clv_12m"].to_numpy()
    )
    p = s.churn_probability
    assert ((p >= 0.7) == (s.risk_band == "high")).all()
    assert (((p >= 0.4) & (p < 0.7)) == (s.risk_band == "medium")).all()
    # the already gone get no retention spend, whatever their value
    gone = s.p_alive < 0.05
    assert (s.loc[gone & (s.risk_band != "low"), "recommended_action"] != "retain_vip").all()
    assert set(
        s.loc[gone & ~s.recommended_action.eq("resolve_complaint"), "recommended_action"]
    ) <= {"let_go"}
    assert s.loc[s.recommended_action == "retain_vip", "risk_band"].isin(["high", "medium"]).all()


def test_drivers_and_rules(analysed):
    ws, _ = analysed
    d = ws.results.table("churn_drivers").to_pandas().sort_values("rank")
    assert d["rank"].tolist() == list(range(1, len(d) + 1))
    assert d.iloc[0]["feature"] == "recency_days" and d.iloc[0]["importance"] > 0.05
    r = ws.results.table("churn_rules").to_pandas()
    v = _figures(ws)
    assert 2 <= len(r) <= 8  # depth 3
    assert r["customers"].sum() == v.loc["churn_model", "customers"]
    overall = (r.customers * r.churn_rate).sum() / r.customers.sum()
    assert overall == pytest.approx(v.loc["churn_model", "base_rate"])
    conditions = [json.loads(c) for c in r["conditions"]]
    assert all(1 <= len(c) <= 3 for c in conditions)
    assert all(op in ("<=", ">") for c in conditions for _, op, _ in c)


def test_reasons_and_rules_in_words():
    assert reason_text("zh", "frequency_drop", 60.0) == "近90天购买频次下降60%"
    assert reason_text("en", "open_complaints", 2.0) == "2 unresolved complaints"
    rule = [["recency_days", ">", 63.5], ["orders_90d", "<=", 0.5]]
    assert rule_text("en", rule) == (
        "days since the last purchase above 63.5 and orders in the last 90 days at most 0.5"
    )
    assert rule_text("zh", rule) == "距上次购买天数超过63.5且近90天订单数不超过0.5"


def test_reproducible_by_seed():
    demo = generate(1_000, seed=2, locale="en")
    inputs = cut_inputs({k: ibis.memtable(t) for k, t in demo.tables().items()}, None)
    options = TrainingOptions(horizon_days=90, n_cutoffs=3, seed=5)
    first, card1 = train_churn(inputs, "2025-12-31", options)
    second, card2 = train_churn(inputs, "2025-12-31", options)
    frame = labelled_frame(inputs, dt.date(2025, 12, 31), options, card1["groups"], labelled=False)
    np.testing.assert_array_equal(first.predict_proba(frame), second.predict_proba(frame))
    assert card1["validation"] == card2["validation"] and card1["rules"] == card2["rules"]


def test_contractual_churn_and_too_little_history_are_one_line_errors():
    with pytest.raises(ConfigError, match="not supported yet"):
        check_definition("contractual")
    with pytest.raises(DataContractError, match="Too little history") as info:
        cutoff_plan(
            dt.date(2024, 6, 30), 90, n_cutoffs=3, step_days=30, first_day=dt.date(2024, 1, 1)
        )
    assert "\n" not in str(info.value)


def test_a_short_history_skips_the_churn_model_with_the_reason(workspace):
    orders = pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3"],
            "customer_id": ["a", "a", "b"],
            "order_date": ["2024-05-01", "2024-06-01", "2024-06-15"],
            "amount": [10.0, 20.0, 30.0],
        }
    )
    workspace.import_table("orders", orders)
    off = {
        o.name: (o.status, o.reason)
        for o in run_analyses(workspace, only=["churn_scores"]).outcomes
    }
    assert off["churn_validation"] == (
        "skipped",
        "the churn model is off (setting churn_model = false); turn it on for one run with "
        "`clientlens analyze --set churn_model=true`, or in clientlens.toml",
    )
    on = Workspace(workspace.path, settings={"today": "2026-11-24", "churn_model": True})
    result = run_analyses(on, only=["churn_scores"])
    status = {o.name: (o.status, o.reason) for o in result.outcomes}
    assert status["churn_validation"][0] == "skipped"
    assert status["churn_validation"][1].startswith("not enough data: Too little history to train")
    assert status["churn_scores"][0] == "skipped"
    assert status["churn_scores"][1].startswith("needs churn_validation")
    assert not result.failed
