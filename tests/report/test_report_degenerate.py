"""The report on degenerate data says what the results say, and no more.

One order, fifty orders on one day, nobody buying twice, a CLV model that did not
converge, and a header-only orders file: each workspace is built here from a few rows
and analysed in full, then the report is read as a user reads it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.errors import WorkspaceError
from clientlens.report import build_report, report_context
from clientlens.report.assemble import Report, assemble
from clientlens.report.context import resolve_period
from clientlens.results import publish_tables
from tests.fixtures_degenerate import one_day_orders, single_buyer_orders
from tests.report.conftest import ORDERS

pytestmark = pytest.mark.slow

ONE_DAY_CAVEAT = (
    "Every order falls on one day (15 March 2024): not enough history yet to tell who comes "
    "back, who is slipping away or what a customer is worth, so repeat and retention rates, "
    "RFM segments, predicted CLV and churn risk are left out until the orders cover more "
    "than one day."
)
NO_REPEAT_CAVEAT = (
    "No predicted CLV, CLV tier or churn-risk band is shown: no customer has bought on two "
    "different days, so the BetaGeo purchase model cannot be estimated from these data (its "
    "fit is not identified)."
)
NOT_CONVERGED_CAVEAT = (
    "No predicted CLV, CLV tier or churn-risk band is shown: the fit of the BetaGeo purchase "
    "model did not converge, so its predictions would be noise."
)


def analysed(tmp_path_factory, name: str, orders: pd.DataFrame) -> Workspace:
    ws = Workspace.init(tmp_path_factory.mktemp(name) / "ws", settings={"today": "2026-11-24"})
    ws.import_table("orders", orders)
    assert ws.analyze().failed == []
    return ws


def every_text(report: Report) -> str:
    """What the summary and the sections say (the data section's caveats name what is
    left out, so they are read on their own)."""
    parts = [text for _, text in report.summary]
    for s in report.sections:
        parts += s.paragraphs + s.bullets + [t.title for t in s.tables]
        parts += [" ".join(map(str, t.frame.to_numpy().ravel())) for t in s.tables]
    return "\n".join(parts)


def section(report: Report, key: str):
    return next((s for s in report.sections if s.key == key), None)


@pytest.mark.parametrize(
    ("end", "span", "expected"),
    [
        # data through a complete month: that month
        (dt.date(2024, 6, 30), (dt.date(2023, 12, 1), dt.date(2024, 6, 20)), "2024-06"),
        # data end mid-month: the last complete month, which has orders
        (dt.date(2024, 6, 15), (dt.date(2023, 1, 1), dt.date(2024, 6, 15)), "2024-05"),
        # one order on 15 March: March (February has no data)
        (dt.date(2024, 3, 15), (dt.date(2024, 3, 15), dt.date(2024, 3, 15)), "2024-03"),
        # --as-of long after the last order: the month of the last order
        (dt.date(2024, 12, 31), (dt.date(2024, 1, 2), dt.date(2024, 3, 15)), "2024-03"),
        # without data_quality: the last complete month, as before
        (dt.date(2024, 3, 15), None, "2024-02"),
    ],
)
def test_default_period_is_the_latest_month_with_data(end, span, expected):
    assert resolve_period(None, end, span) == expected


@pytest.fixture(scope="module")
def one_order(tmp_path_factory):
    orders = pd.DataFrame(
        {"order_id": ["o1"], "customer_id": ["c1"], "order_date": ["2024-03-15"], "amount": [120.0]}
    )
    ws = analysed(tmp_path_factory, "one", orders)
    yield ws
    ws.close()


def test_one_order_reports_the_month_of_that_order(one_order, tmp_path):
    ctx = report_context(one_order, lang="en")
    assert ctx.period == "2024-03"
    paths = build_report(one_order, lang="en", formats=("html",), out_dir=tmp_path)
    assert paths["html"].name == "report_2024-03_en.html"
    report = assemble(ctx)
    assert report.subtitle == "Reporting period: March 2024"
    overview = section(report, "overview")
    rows = overview.tables[0].frame.set_index("Metric")["This month"]
    assert rows["Revenue"] == "¥120"
    assert rows["Orders"] == "1"


@pytest.fixture(scope="module")
def one_day(tmp_path_factory):
    ws = analysed(tmp_path_factory, "one_day", one_day_orders())
    yield ws
    ws.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_day_of_orders_claims_no_repeat_and_lists_no_win_back(one_day, lang):
    report = assemble(report_context(one_day, lang=lang))
    assert report.period == "2024-03"
    assert report.target_lists == []  # no win-back list of customers who bought 0 days ago
    text = every_text(report)
    purchase = section(report, "purchase")
    if lang == "en":
        assert ONE_DAY_CAVEAT in report.data.bullets
        assert purchase.paragraphs[1] == (
            "All orders were placed on 15 March 2024: not enough history to say whether "
            "customers come back."
        )
        for claim in ("repeat buyers", "Repeat-purchase rate", "Retention rate", "0 days"):
            assert claim not in text, claim
    else:
        assert purchase.paragraphs[1] == (
            "所有订单都在 2024年3月15日 下单：历史数据不足，尚无法判断客户是否会再次购买。"
        )
        for claim in ("复购客户", "复购率", "留存率"):
            assert claim not in text, claim
    assert purchase.findings == []
    assert {s.key for s in report.sections} == {"overview", "profile", "purchase", "lifecycle"}


@pytest.fixture(scope="module")
def single_buyers(tmp_path_factory):
    ws = analysed(tmp_path_factory, "single", single_buyer_orders())
    yield ws
    ws.close()


def test_nobody_repeating_shows_no_clv_and_says_why(single_buyers):
    report = assemble(report_context(single_buyers, lang="en"))
    assert NO_REPEAT_CAVEAT in report.data.bullets
    value = section(report, "value")
    assert value.paragraphs[0] == NO_REPEAT_CAVEAT
    rfm_table = value.tables[0].frame
    assert "Predicted 12-month CLV per customer" not in rfm_table.columns
    assert section(report, "churn") is None
    segments = section(report, "segments")
    assert segments.paragraphs[0].startswith("Two ways to segment the same customers")
    assert [t.title for t in segments.tables] == ["The 8 RFM segments", "ABC classes"]
    assert "vip_at_risk" not in {tl.key for tl in report.target_lists}
    assert "CLV tiers" not in every_text(report)


@pytest.fixture(scope="module")
def not_converged(tmp_path_factory):
    ws = analysed(tmp_path_factory, "not_converged", ORDERS)
    # These six customers' own fit does not converge either (a parameter runs to the edge
    # of its range); the final row is set by hand so the case does not hang on the optimiser.
    models = ws.results.table("clv_models").to_pandas()
    final = (models["stage"] == "final") & (models["role"] == "purchases")
    models.loc[final, ["model", "converged", "identified", "note"]] = [
        "BetaGeo",
        False,
        False,
        "final_not_converged",
    ]
    publish_tables(ws, {"clv_models": models})
    dependent = ["clv", "clv_deciles", "clv_segment_summary", "churn_risk", "churn_risk_bands"]
    result = ws.analyze(only=[*dependent, "rfm_segments", "audiences", "audience_summary", "kpis"])
    reasons = {o.name: (o.status, o.reason) for o in result.outcomes}
    assert reasons["clv"] == (
        "skipped",
        "not enough data: the BG/NBD purchase model is not identified: its fit did not "
        "converge, so no CLV is predicted",
    )
    assert all(reasons[name][0] == "skipped" for name in dependent)
    yield ws
    ws.close()


def test_a_model_that_did_not_converge_gives_no_clv_band_tier_or_list(not_converged):
    results = not_converged.results
    for name in ("clv", "clv_deciles", "clv_segment_summary", "churn_risk_bands"):
        assert not results.has(name), name  # not even the previous run's copy
    report = assemble(report_context(not_converged, lang="en"))
    assert NOT_CONVERGED_CAVEAT in report.data.bullets
    assert section(report, "churn") is None
    assert "vip_at_risk" not in {tl.key for tl in report.target_lists}
    text = every_text(report)
    for claim in ("CLV tiers", "Predicted 12-month CLV", "probability alive below"):
        assert claim not in text, claim
    zh = assemble(report_context(not_converged, lang="zh"))
    assert (
        "未给出预测 CLV、CLV 等级和流失风险分档：BetaGeo 购买模型的拟合未收敛，其预测不可信。"
        in (zh.data.bullets)
    )


def test_header_only_orders_report_is_a_one_line_error(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,customer_id,order_date,amount\n", encoding="utf-8")
    ws = Workspace.init(tmp_path / "ws", settings={"today": "2026-11-24"})
    ws.import_table("orders", str(path))
    ws.analyze()
    with pytest.raises(WorkspaceError) as caught:
        build_report(ws, lang="en", formats=("html",), out_dir=tmp_path / "out")
    assert str(caught.value) == (
        "No report: the latest `clientlens analyze` had no orders to analyse (orders is "
        "empty, imported with no rows). Import orders with `clientlens import orders FILE`, "
        "run `clientlens analyze`, then the report."
    )
    assert not (tmp_path / "out").exists()
    ws.close()
