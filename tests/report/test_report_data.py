"""The report's data section: sources, coverage and caveats, phrased from ``data_coverage``,
``data_quality`` and the run records."""

from __future__ import annotations

import pytest

from clientlens.analytics.base import Analysis, Column
from clientlens.analytics.registry import all_analyses
from clientlens.analytics.runner import run_analyses
from clientlens.report import report_context
from clientlens.report.assemble import assemble
from tests.analytics.test_coverage import ONLY, fill

ONE = {"order_id": Column("string", "Order.", "订单。")}


def _broken(inputs, ctx):
    raise ValueError("no such column: colour")


@pytest.fixture
def analysed(workspace, tmp_path):
    fill(workspace, tmp_path)
    todo = [a for a in all_analyses() if a.name in ONLY]
    todo.append(Analysis("broken_analysis", ("orders",), _broken, description="fails", columns=ONE))
    run_analyses(workspace, as_of="2024-06-30", analyses=todo)
    return workspace, todo


def test_failed_analyses_are_read_from_the_run_records(analysed):
    ws, todo = analysed
    ctx = report_context(ws, lang="en")
    assert ctx.failed_analyses() == [("broken_analysis", "ValueError: no such column: colour")]
    fixed = Analysis(
        "broken_analysis", ("orders",), lambda i, c: i["orders"], description="ok", columns=ONE
    )
    run_analyses(ws, as_of="2024-06-30", analyses=[*todo[:-1], fixed])
    assert report_context(ws, lang="en").failed_analyses() == []


def test_data_section_states_sources_span_and_what_was_left_out(analysed):
    ws, _ = analysed
    data = assemble(report_context(ws, lang="en")).data
    sources = data.tables[0].frame
    assert sources.values.tolist() == [["Orders", "7"], ["Customers", "4"]]  # up to as-of
    text = " ".join(data.paragraphs)
    assert "The data cover 5 January 2024 to 30 June 2024 (observation end): 4 completed" in text
    bullets = " ".join(data.bullets)
    assert "3 orders (42.9%) were not completed (refunded, cancelled, pending or another" in bullets
    assert "2 rows failed validation at import" in bullets
    assert 'The analysis "broken_analysis" failed (ValueError: no such column: colour)' in bullets
