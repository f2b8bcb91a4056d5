"""The demo business imports cleanly, and the workspace analyses it."""

from __future__ import annotations

import pandas as pd
import pytest

from clientlens.analytics.registry import all_analyses
from clientlens.demo import TRUTH_FILE, load_demo
from clientlens.errors import WorkspaceError


@pytest.mark.slow
def test_every_table_imports_without_a_problem(workspace, demo_zh):
    results = load_demo(workspace, demo_zh)
    assert list(results) == list(demo_zh.tables())
    for name, result in results.items():
        frame = demo_zh.tables()[name]
        assert result.status == "loaded", name
        assert (result.rows_inserted, result.rows_rejected) == (len(frame), 0), name
        assert result.problems == [], (name, result.problems[:3])
        assert result.ignored_headers == [], name
        assert set(workspace.present_columns(name)) == set(frame.columns), name
    truth = pd.read_parquet(workspace.path / TRUTH_FILE)
    pd.testing.assert_frame_equal(truth, demo_zh.truth)
    revenue = workspace.table("orders").amount.sum().execute()
    assert revenue == pytest.approx(demo_zh.orders.amount.sum())


def test_a_workspace_with_data_is_refused(workspace, demo_en):
    load_demo(workspace, demo_en)
    with pytest.raises(WorkspaceError, match=r"already holds data: orders \("):
        load_demo(workspace, demo_en)
    assert workspace.row_count("events") == len(demo_en.events)  # nothing was appended


@pytest.mark.slow
def test_demo_workspace_analyses(workspace, demo_zh):
    load_demo(workspace, demo_zh)
    result = workspace.analyze()
    assert str(result.observation_end) == "2025-12-31"
    assert [o.name for o in result.failed] == []
    # the trained churn and spend models are off by default (settings churn_model,
    # spend_model), and the win-back list reads the churn model; everything else runs
    assert {o.name for o in result.outcomes if o.status == "skipped"} == {
        "churn_validation",
        "churn_scores",
        "churn_drivers",
        "churn_rules",
        "churn_score_bands",
        "winback",
        "winback_summary",
        "spend_forecast_validation",
        "spend_forecast",
    }
    ran = [a for a in all_analyses() if a.name in {o.name for o in result.ran}]
    stored = {a.name: workspace.table(a.name).schema() for a in ran}
    assert [p for a in ran for p in a.schema_problems(stored[a.name])] == []
    summary = workspace.table("customer_summary").execute().merge(demo_zh.truth)
    completed = demo_zh.orders[demo_zh.orders.status == "completed"]
    assert len(summary) == completed.customer_id.nunique()
    # the planted truth shows through the analysis: one-off buyers never repeat
    frequency = summary.groupby("segment").frequency.mean()
    assert frequency["one_off"] == 0
    assert frequency["vip"] > frequency["regular"] > frequency["occasional"]
