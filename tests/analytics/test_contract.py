"""Every registered analysis writes exactly the columns it declares (docs/analyses.md).

The declaration is the result contract: names in order, the stored Ibis type, a unit,
the meaning in English and Chinese, and a personal-data flag.
"""

from __future__ import annotations

import re
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import pytest

from clientlens import Workspace
from clientlens.analytics.base import UNITS, Analysis, Column, as_int64
from clientlens.analytics.docs import analyses_markdown
from clientlens.analytics.registry import all_analyses, declared_columns
from clientlens.errors import ConfigError
from tests.fixtures_parity import parity_tables

DOCS = Path(__file__).resolve().parents[2] / "docs" / "analyses.md"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    ws = Workspace.init(
        tmp_path_factory.mktemp("contract") / "ws",
        # every analysis, trained ones too; the 17 complete months to the as-of date allow
        # a 5-month backtest of the monthly forecast (12 months before its first origin)
        settings={
            "today": "2026-11-24",
            "churn_model": True,
            "spend_model": True,
            "revenue_forecast_backtest_origins": 5,
        },
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
    assert all(c.en.strip() and c.zh.strip() for c in analysis.columns.values())


@pytest.mark.parametrize("analysis", all_analyses(), ids=lambda a: a.name)
def test_result_types_are_the_declared_ones(analysed, analysis):
    ws, _ = analysed
    assert analysis.schema_problems(ws.table(analysis.name).schema()) == []


@pytest.mark.parametrize("analysis", all_analyses(), ids=lambda a: a.name)
def test_every_column_is_declared_in_both_languages_with_a_unit(analysis):
    for name, col in analysis.columns.items():
        where = f"{analysis.name}.{name}"
        assert isinstance(col, Column), where
        assert col.en.strip() and col.zh.strip(), where
        assert CJK.search(col.zh), f"{where}: the Chinese meaning has no Chinese: {col.zh!r}"
        assert col.en != col.zh, where
        assert col.unit in UNITS, where
        assert str(dt.dtype(col.type)) == col.type, where


def test_units_follow_the_names():
    """Columns named like a unit declare it (a guard against a slip among hundreds)."""
    wrong = []
    for result, columns in declared_columns().items():
        for name, col in columns.items():
            expected = (
                "share"
                if name.endswith("_share")
                else "days"
                if name.endswith("_days") and name != "purchase_days"  # that one counts days
                else "currency"
                if name in ("revenue", "margin", "cost", "aov", "cac", "spend")
                else "percent"
                if name.endswith("_pct")
                else None
            )
            if expected is not None and col.unit != expected:
                wrong.append(f"{result}.{name}: {col.unit!r}, expected {expected!r}")
    assert wrong == []


def test_declared_columns_is_the_contract_of_every_result():
    contract = declared_columns()
    assert contract == {a.name: dict(a.columns) for a in all_analyses()}
    recency = contract["rfm_scores"]["recency_days"]
    assert (recency.type, recency.unit, recency.pii) == ("int64", "days", False)
    assert "最近一次消费" in recency.zh
    assert contract["clv"]["p_alive"].unit == "probability"
    assert contract["customer_summary"]["first_purchase"].type == "timestamp"
    # a reader's copy: changing it leaves the declarations alone
    contract["rfm_scores"].pop("recency_days")
    assert "recency_days" in declared_columns()["rfm_scores"]


def _analysis(**columns: object) -> Analysis:
    return Analysis(
        name="demo_result", requires=("orders",), build=lambda i, c: i["orders"], columns=columns
    )


def test_a_bad_unit_is_refused_naming_the_analysis_and_column():
    with pytest.raises(ConfigError, match=r"Analysis 'demo_result'.*column 'spend': unit 'euro'"):
        _analysis(spend=Column("float64", "Spend.", "投放费用。", unit="euro"))


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigError) as caught:
        _analysis(
            a=Column("float64", " ", "金额。"),
            b=Column("float64", "Amount.", ""),
            c=Column("banana", "Amount.", "金额。"),
            d=Column("int", "Orders.", "订单数。", unit="count"),
            e="Customers.",
        )
    message = str(caught.value)
    assert "column 'a': the English meaning (en) is empty" in message
    assert "column 'b': the Chinese meaning (zh) is empty" in message
    assert "column 'c': type 'banana' is not an Ibis data type" in message
    assert "column 'd': type 'int' should be written 'int64'" in message
    assert "column 'e': declare it as Column(type, en, zh, unit)" in message


def test_an_analysis_must_declare_its_columns():
    with pytest.raises(ConfigError, match=r"'demo_result'.*declares no columns"):
        _analysis()


def test_a_valid_declaration_is_accepted():
    a = _analysis(spend=Column("float64", "Spend.", "投放费用。", unit="currency"))
    assert a.columns["spend"].dtype == dt.float64


def test_types_match_ignoring_nullability_and_timestamp_precision():
    count = Column("int64", "Orders.", "订单数。", unit="count")
    assert count.matches(dt.dtype("!int64"))
    assert not count.matches(dt.int32)
    assert not count.matches(dt.float64)
    when = Column("timestamp", "Time.", "时间。")
    assert when.matches(dt.Timestamp(scale=6))  # DuckDB
    assert when.matches(dt.Timestamp())  # Spark
    assert not when.matches(dt.Timestamp(timezone="UTC"))
    assert not when.matches(dt.date)


def test_schema_problems_name_the_column_and_both_types():
    a = _analysis(
        n=Column("int64", "Orders.", "订单数。", unit="count"),
        x=Column("float64", "Share.", "占比。", unit="share"),
    )
    assert a.schema_problems(ibis.schema({"n": "int64", "x": "float64"})) == []
    assert a.schema_problems(ibis.schema({"n": "int32", "x": "float64"})) == [
        "demo_result.n: stored as int32, declared int64"
    ]
    assert a.schema_problems(ibis.schema({"x": "float64", "n": "int64"})) == [
        "demo_result: columns ['x', 'n'], declared ['n', 'x']"
    ]


def test_as_int64_is_written_even_when_ibis_already_says_int64():
    t = ibis.table({"b": "float64"}, name="t")
    rank = ibis.row_number().over(order_by=t.b) + 1  # Spark computes this as a 32-bit int
    assert "CAST" not in ibis.to_sql(t.select(r=rank.cast("int64")), dialect="duckdb")
    sql = ibis.to_sql(t.select(r=as_int64(rank)), dialect="duckdb")
    assert re.search(r"CAST\(.*ROW_NUMBER\(\).* AS BIGINT\)", sql, re.S), sql


def test_docs_are_generated_from_the_declarations():
    assert DOCS.read_text(encoding="utf-8") == analyses_markdown(), (
        "docs/analyses.md is stale: run `clientlens analyses --markdown > docs/analyses.md`"
    )


def test_docs_show_type_unit_and_both_meanings():
    text = analyses_markdown()
    assert "| column | type | unit | meaning | 含义 | personal data |" in text
    recency = declared_columns()["rfm_scores"]["recency_days"]
    assert f"| `recency_days` | `int64` | days | {recency.en} | {recency.zh} |  |" in text
    assert "- `per_row`: " in text
