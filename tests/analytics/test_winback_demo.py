"""The win-back list on the demo business, whose true dropouts are known.

One workspace of 2,000 demo customers is analysed with the churn model on; the tests
check the list against the results it was built from (every listed customer passes both
thresholds, every left-out at-risk customer fails one, the summary adds up) and against
the demo's truth (the listed customers are far more often still active than those left
out as gone).
"""

from __future__ import annotations

import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.analytics.runner import run_analyses
from clientlens.demo import TRUTH_FILE, generate
from clientlens.demo.load import load_demo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    ws = Workspace.init(tmp_path_factory.mktemp("winback") / "ws", settings={"churn_model": True})
    load_demo(ws, generate(2_000, seed=5, locale="en"))
    result = run_analyses(ws, only=["winback_summary", "churn_score_bands"])
    status = {o.name: o.status for o in result.outcomes}
    assert {status[n] for n in ("winback", "winback_summary", "churn_score_bands")} == {"ok"}
    yield ws
    ws.close()


def _tables(ws):
    read = ws.results.table
    scores = read("churn_scores").to_pandas()
    clv = read("clv").select("customer_id", "p_alive").to_pandas()
    w = read("winback").to_pandas()
    s = read("winback_summary").to_pandas().iloc[0]
    return scores.drop(columns="p_alive").merge(clv, on="customer_id", how="left"), w, s


def test_every_listed_customer_passes_and_every_left_out_one_fails(analysed):
    scores, w, s = _tables(analysed)
    at_risk = scores[scores["risk_band"].isin(["high", "medium"])]
    assert len(at_risk) == s["at_risk_customers"]
    keep = (at_risk["p_alive"] >= s["min_p_alive"]) & (at_risk["clv_12m"] >= s["min_clv_12m"])
    assert set(w["customer_id"]) == set(at_risk.loc[keep, "customer_id"])
    assert s["below_min_p_alive"] == (at_risk["p_alive"] < s["min_p_alive"]).sum()
    assert s["at_risk_customers"] == s["below_min_p_alive"] + s["below_min_clv_12m"] + len(w)
    assert s["min_clv_12m"] == pytest.approx(at_risk["clv_12m"].median())
    assert not w["recommended_action"].eq("let_go").any()  # nobody the model calls gone


def test_ranked_by_the_stated_formula(analysed):
    _, w, s = _tables(analysed)
    expected = s["conversion_rate"] * w["p_alive"] * w["revenue_at_risk"]
    assert w["expected_recovered_value"].to_numpy() == pytest.approx(expected.to_numpy())
    assert w["expected_recovered_value"].is_monotonic_decreasing
    assert list(w["winback_rank"]) == list(range(1, len(w) + 1))
    assert s["expected_recovered_value"] == pytest.approx(w["expected_recovered_value"].sum())


def test_bands_sum_the_scores(analysed):
    scores, _, _ = _tables(analysed)
    b = analysed.results.table("churn_score_bands").to_pandas().set_index("risk_band")
    assert b.loc["all", "customers"] == len(scores)
    assert b.loc["all", "revenue_at_risk"] == pytest.approx(scores["revenue_at_risk"].sum())
    for band in ("high", "medium", "low"):
        assert b.loc[band, "customers"] == (scores["risk_band"] == band).sum()


def test_listed_customers_are_more_often_still_active_than_those_left_out(analysed):
    scores, w, s = _tables(analysed)
    truth = pd.read_parquet(analysed.path / TRUTH_FILE)[["customer_id", "alive_at_end"]]
    at_risk = scores[scores["risk_band"].isin(["high", "medium"])].merge(truth, on="customer_id")
    gone = at_risk[at_risk["p_alive"] < s["min_p_alive"]]["alive_at_end"].mean()
    listed = at_risk[at_risk["customer_id"].isin(w["customer_id"])]["alive_at_end"].mean()
    # on 4,000 customers (seed 0): 52% of the listed against 7% of the left-out
    assert gone < 0.15
    assert listed > 3 * gone
