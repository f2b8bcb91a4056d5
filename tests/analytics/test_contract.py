"""Every registered analysis writes exactly the columns it declares (docs/analyses.md)."""

from __future__ import annotations

from pathlib import Path

import ibis
import pytest

from clientlens import Workspace
from clientlens.analytics.base import UNITS, Column, meaning
from clientlens.analytics.docs import analyses_markdown
from clientlens.analytics.registry import all_analyses
from tests.fixtures_parity import parity_tables

DOCS = Path(__file__).resolve().parents[2] / "docs" / "analyses.md"


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    ws = Workspace.init(
        tmp_path_factory.mktemp("contract") / "ws", settings={"today": "2026-11-24"}
    )
    for kind, frame in parity_tables().items():
        ws.import_table(kind, frame)
    result = ws.analyze(as_of="2024-06-30")
    yield ws, result
    ws.close()


def test_every_analysis_runs_on_the_full_fixture(analysed):
    _, result = analysed
    assert not result.failed, [(o.name, o.reason) for o in result.failed]
    assert {o.name for o in result.ran} == {a.name for a in all_analyses()}


@pytest.mark.parametrize("analysis", all_analyses(), ids=lambda a: a.name)
def test_result_columns_are_the_declared_ones(analysed, analysis):
    ws, _ = analysed
    assert analysis.description, f"{analysis.name} has no description"
    assert list(ws.table(analysis.name).columns) == list(analysis.columns), analysis.name
    assert all(meaning(declared).strip() for declared in analysis.columns.values())
    schema = ws.table(analysis.name).schema()
    for name, declared in analysis.columns.items():
        if isinstance(declared, Column):  # typed declarations: the stored type is the declared one
            assert type(schema[name]) is type(ibis.dtype(declared.type)), (name, schema[name])
            assert declared.unit in UNITS and declared.zh.strip(), name


def test_docs_are_generated_from_the_declarations():
    assert DOCS.read_text(encoding="utf-8") == analyses_markdown(), (
        "docs/analyses.md is stale: run `clientlens analyses --markdown > docs/analyses.md`"
    )
