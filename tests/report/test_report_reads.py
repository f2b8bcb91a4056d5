"""The report reads only what analyses declare: every table and column a section or the
report's frame reads is a declared result column (docs/analyses.md), so a number in the
report always has a result table and a meaning behind it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pytest

from clientlens import Workspace
from clientlens.analytics.registry import all_analyses
from clientlens.demo import generate, load_demo
from clientlens.report import report_context
from clientlens.report.assemble import assemble
from clientlens.report.context import ReportContext
from clientlens.report.sections import all_sections

DECLARED: dict[str, tuple[str, ...]] = {a.name: tuple(a.columns) for a in all_analyses()}
REPORT = Path(__file__).resolve().parents[2] / "clientlens" / "report"


def undeclared(reads: Iterable[tuple[str, Sequence[str]]]) -> list[str]:
    """Each read table that no analysis declares, and each undeclared column of a result."""
    out: list[str] = []
    for table, columns in reads:
        if table not in DECLARED:
            out.append(table)
            continue
        out += [f"{table}.{c}" for c in columns if c not in DECLARED[table]]
    return sorted(set(out))


def _items(needs: Mapping[str, Sequence[str]]) -> list[tuple[str, Sequence[str]]]:
    return list(needs.items())


def test_the_check_names_an_undeclared_table_and_column():
    reads = [("clv", ("p_alive", "colour")), ("_input_orders", ("order_date",)), ("kpis", ())]
    assert undeclared(reads) == ["_input_orders", "clv.colour"]


@pytest.mark.parametrize("section", all_sections(), ids=lambda s: s.key)
def test_section_needs_name_only_declared_results(section):
    for needs in (section.needs, *section.alternatives):
        assert undeclared(_items(needs)) == []


def test_report_code_reads_no_workspace_table_directly():
    # Sections and the frame read results only through ReportContext (frame, query,
    # has, missing): never the connection, a canonical table or the run metadata.
    forbidden = re.compile(r"\bws\.(con|table|row_count|runs|rejects)\b|ctx\.ws\b|import ibis")
    files = [REPORT / "assemble.py", *sorted((REPORT / "sections").glob("*.py"))]
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line)
    ]
    assert found == []


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory):
    # A holdout under 28 days fits BG/NBD without the model selection, which is not what
    # this test is about and, on this demo, costs minutes.
    settings = {"today": "2026-11-24", "clv_holdout_days": 7}
    ws = Workspace.init(tmp_path_factory.mktemp("reads") / "ws", settings=settings)
    load_demo(ws, generate(1_000, seed=3))
    result = ws.analyze()
    assert not result.failed, [(o.name, o.reason) for o in result.failed]
    yield ws
    ws.close()


@pytest.mark.slow
def test_every_read_of_the_demo_report_is_declared(demo_ws, monkeypatch):
    reads: list[tuple[str, Sequence[str]]] = []
    frame, query, missing = ReportContext.frame, ReportContext.query, ReportContext.missing

    def recorded_frame(self, name, columns=None):
        reads.append((name, tuple(columns) if columns else DECLARED.get(name, ("*",))))
        return frame(self, name, columns)

    def restricted_query(self, name):
        # Hand the section the declared columns only: selecting any other fails.
        reads.append((name, ()))
        return query(self, name).select(*DECLARED.get(name, ()))

    def recorded_missing(self, needs):
        reads.extend(_items(needs))
        return missing(self, needs)

    monkeypatch.setattr(ReportContext, "frame", recorded_frame)
    monkeypatch.setattr(ReportContext, "query", restricted_query)
    monkeypatch.setattr(ReportContext, "missing", recorded_missing)
    for lang in ("zh", "en"):
        report = assemble(report_context(demo_ws, lang=lang))
        assert report.omitted == []  # every section was built, so every read happened
        assert len(report.target_lists) == 4
    assert undeclared(reads) == []
    read_tables = {table for table, _ in reads}
    assert read_tables >= {
        "churn_risk_bands",
        "audiences",
        "audience_summary",
        "customer_base",
        "data_coverage",
        "data_quality",
        "purchase_order_buckets",
        "clv_deciles",
    }
