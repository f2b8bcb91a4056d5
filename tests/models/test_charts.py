"""The model charts' Vega-Lite specs: their inline data and encodings, in both languages."""

from __future__ import annotations

import pandas as pd
import pytest

from clientlens.errors import ConfigError, DataContractError
from clientlens.models.charts import (
    calibration_vs_holdout,
    cumulative_tracking_chart,
    p_alive_grid,
    p_alive_matrix,
    repeat_purchase_distribution,
)

pytestmark = pytest.mark.charts


class _RecencyShare:
    """A stand-in model: P(alive) = recency / T (and 1 for one-time buyers)."""

    def probability_alive(self, data):
        share = (data["recency"] / data["T"]).where(data["frequency"] > 0, 1.0)
        return pd.DataFrame({"customer_id": data["customer_id"], "p_alive": share})


def test_p_alive_grid_holds_only_possible_histories():
    grid = p_alive_grid(_RecencyShare(), T=10.0, max_frequency=2, recency_steps=5)
    # Recency edges 0, 2, 4, 6, 8, 10: f=0 only at 0; f=1 from 2 on (recency >= 1);
    # f=2 from 2 on as well.
    assert grid[grid.frequency == 0].recency.tolist() == [0.0]
    assert grid[grid.frequency == 1].recency.tolist() == [2.0, 4.0, 6.0, 8.0, 10.0]
    assert grid[grid.frequency == 2].recency.tolist() == [2.0, 4.0, 6.0, 8.0, 10.0]
    assert grid[grid.frequency == 1].p_alive.tolist() == [0.2, 0.4, 0.6, 0.8, 1.0]
    # Cells span one step, clipped at T; the one-time buyers' cell spans the first step.
    assert grid[grid.frequency == 1].recency_end.tolist() == [4.0, 6.0, 8.0, 10.0, 10.0]
    assert grid[grid.frequency == 0].recency_end.tolist() == [2.0]
    with pytest.raises(ConfigError, match="T > 0"):
        p_alive_grid(_RecencyShare(), T=0)


def test_p_alive_matrix_spec():
    grid = p_alive_grid(_RecencyShare(), T=10.0, max_frequency=2, recency_steps=5)
    spec = p_alive_matrix(grid, T=10.0, lang="en").to_dict()
    assert spec["mark"]["type"] == "rect"
    enc = spec["encoding"]
    assert (enc["x"]["field"], enc["x"]["type"]) == ("recency", "quantitative")
    assert enc["x2"]["field"] == "recency_end"
    assert (enc["y"]["field"], enc["y"]["type"], enc["y"]["sort"]) == (
        "frequency",
        "ordinal",
        "descending",
    )
    assert enc["color"]["field"] == "p_alive"
    assert enc["color"]["scale"]["domain"] == [0, 1]
    values = spec["data"]["values"]
    assert len(values) == 11
    assert {"frequency": 1.0, "recency": 4.0, "recency_end": 6.0, "p_alive": 0.4} in values
    assert spec["title"] == "Probability alive by purchase history (customers 10 days old)"
    zh = p_alive_matrix(grid, T=10.0, lang="zh").to_dict()
    assert zh["title"] == "不同购买历史客户的存活概率（客户年龄 10 天）"
    assert zh["encoding"]["color"]["title"] == "存活概率"


def _buckets():
    return pd.DataFrame(
        {
            "frequency_bucket": [2, 0, 1],
            "bucket_label": ["2+", "0", "1"],
            "customers": [3, 10, 5],
            "actual_mean": [3.0, 0.1, 1.2],
            "predicted_mean": [2.5, 0.2, 1.0],
        }
    )


def test_calibration_vs_holdout_spec():
    spec = calibration_vs_holdout(_buckets(), lang="en").to_dict()
    assert spec["mark"]["type"] == "line" and spec["mark"]["point"] is True
    enc = spec["encoding"]
    assert enc["x"]["field"] == "bucket_label"
    assert enc["x"]["sort"] == ["0", "1", "2+"]
    assert enc["y"]["field"] == "value"
    assert enc["color"]["field"] == "series_label"
    values = spec["data"]["values"]
    assert len(values) == 6
    actual = [v["value"] for v in values if v["series"] == "actual"]
    predicted = [v["value"] for v in values if v["series"] == "predicted"]
    assert actual == [0.1, 1.2, 3.0]
    assert predicted == [0.2, 1.0, 2.5]
    assert {v["series_label"] for v in values} == {"Actual", "Predicted"}
    zh = calibration_vs_holdout(_buckets(), lang="zh").to_dict()
    assert {v["series_label"] for v in zh["data"]["values"]} == {"实际", "预测"}
    assert zh["encoding"]["x"]["title"] == "校准期复购次数"
    with pytest.raises(DataContractError, match="predicted_mean"):
        calibration_vs_holdout(_buckets().drop(columns="predicted_mean"))
    with pytest.raises(ConfigError, match="lang"):
        calibration_vs_holdout(_buckets(), lang="fr")


def test_cumulative_tracking_spec_marks_the_calibration_end():
    track = pd.DataFrame(
        {
            "period": [1, 2, 3],
            "period_end": pd.to_datetime(["1997-01-07", "1997-01-14", "1997-01-21"]).date,
            "actual": [0.0, 19.0, 42.0],
            "predicted": [4.2, 16.6, 37.2],
            "in_holdout": [False, False, True],
        }
    )
    plain = cumulative_tracking_chart(track, lang="en").to_dict()
    assert plain["mark"]["type"] == "line"
    assert plain["encoding"]["x"]["field"] == "period_end"
    assert plain["encoding"]["x"]["type"] == "temporal"
    got = {(v["series"], v["period_end"]): v["value"] for v in plain["data"]["values"]}
    assert got[("actual", "1997-01-14")] == 19.0
    assert got[("predicted", "1997-01-21")] == 37.2
    layered = cumulative_tracking_chart(track, lang="zh", calibration_end="1997-01-14").to_dict()
    lines, rule = layered["layer"]
    assert lines["title"] == "累计复购次数：实际与预测"
    assert rule["mark"]["type"] == "rule"
    assert rule["data"]["values"] == [{"date": "1997-01-14", "label": "校准期结束"}]


def test_repeat_purchase_distribution_spec():
    counts = pd.DataFrame(
        {
            "frequency_bucket": [0, 1, 2],
            "bucket_label": ["0", "1", "2+"],
            "actual": [1411.0, 439.0, 507.0],
            "expected": [1420.5, 420.0, 516.5],
        }
    )
    spec = repeat_purchase_distribution(counts, lang="en").to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["xOffset"]["field"] == "series_label"
    assert spec["encoding"]["x"]["sort"] == ["0", "1", "2+"]
    values = spec["data"]["values"]
    assert [v["value"] for v in values if v["series"] == "expected"] == [1420.5, 420.0, 516.5]
    assert [v["value"] for v in values if v["series"] == "actual"] == [1411.0, 439.0, 507.0]
    assert {v["series_label"] for v in values} == {"Actual", "Expected"}


def test_p_alive_grid_from_a_fitted_bgnbd():
    """BG/NBD on CDNOW (weeks): one-time buyers are alive for sure; at a given frequency
    P(alive) rises with recency, to the closed form at recency = T."""
    from clientlens.models import BetaGeo
    from tests.conftest import shared_data

    summary = pd.read_csv(shared_data("cdnow_customers_summary.csv"))
    model = BetaGeo().fit(summary, time_unit_days=7)
    grid = p_alive_grid(model, T=39.0, max_frequency=10, recency_steps=39)
    assert grid.loc[grid.frequency == 0, "p_alive"].tolist() == [1.0]
    for f in (2, 5, 10):
        row = grid[grid.frequency == f].sort_values("recency")
        assert row.p_alive.is_monotonic_increasing
        # At recency = T, FHL (2005) eq. 13 reduces to 1 / (1 + a / (b + x - 1)).
        a, b = model.params["a"], model.params["b"]
        assert row.p_alive.iloc[-1] == pytest.approx(1 / (1 + a / (b + f - 1)), rel=1e-9)
    # A customer with 10 repeat purchases whose last was in week 10 is very likely gone.
    late = grid[(grid.frequency == 10) & (grid.recency == 10.0)].p_alive.iloc[0]
    assert late < 0.01
