"""The churn section and the win-back export on the trained churn model's results.

The tiny report workspace (six customers a–f) gets hand-written ``clv`` and churn-model
results (``churn_scores``, ``churn_validation``, ``churn_drivers``, ``churn_rules``);
``churn_score_bands``, ``winback`` and ``winback_summary`` are then built by ``analyze
--only`` from them, so the section reads what the analyses computed. With the purchase
model's p_alive a .9, b .4, c .1, d .29, e .5, f .95, the win-back list is a, b, e
(c and d are gone, f is at low risk; e's value 40 is the at-risk median).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from clientlens.errors import WorkspaceError
from clientlens.report import build_report, report_context
from clientlens.report.assemble import assemble
from clientlens.report.winback import SHOWN, export_winback
from clientlens.results import publish_tables
from clientlens.text import text
from tests.conftest import REPO
from tests.report.conftest import rebuild

pytestmark = pytest.mark.slow  # each test analyses a workspace again (about 10 s)

IDS = ["a", "b", "c", "d", "e", "f"]
CLV = pd.DataFrame(
    {
        "customer_id": IDS,
        "p_alive": [0.9, 0.4, 0.1, 0.29, 0.5, 0.95],
        "clv_12m": [200.0, 100.0, 10.0, 5.0, 40.0, 50.0],
        "model": "ParetoNBD",
    }
)
PROBABILITY = [0.8, 0.5, 0.9, 0.75, 0.45, 0.1]


def _scores() -> pd.DataFrame:
    clv = CLV["clv_12m"].to_numpy()
    frame = pd.DataFrame(
        {
            "customer_id": IDS,
            "churn_probability": PROBABILITY,
            "risk_band": ["high", "medium", "high", "high", "medium", "low"],
            "reason_1": ["long_since_purchase", "open_complaints"] + ["overdue"] * 4,
            "reason_1_value": [120.0, 1.0, 3.0, 2.5, 1.8, 1.6],
            "reason_2": ["frequency_drop"] * 6,
            "reason_2_value": [50.0] * 6,
            "reason_3": ["orders_to_date"] * 6,
            "reason_3_value": [4.0] * 6,
            "clv_12m": clv,
            "revenue_at_risk": [p * v for p, v in zip(PROBABILITY, clv, strict=True)],
            "recommended_action": [
                *("retain_vip", "resolve_complaint", "let_go", "let_go", "re_engage", "keep_warm")
            ],
            "p_alive": CLV["p_alive"],
            "model_version": 1,
        }
    )
    return frame


def _validation() -> pd.DataFrame:
    figures = {
        "churn_model": {"roc_auc": 0.81, "ece": 0.021, "lift_top_decile": 2.4, "customers": 6.0},
        "rfm_logistic": {"roc_auc": 0.74},
        "p_alive": {"roc_auc": 0.66},
    }
    rows = [{"model": m, "metric": k, "value": v} for m, f in figures.items() for k, v in f.items()]
    frame = pd.DataFrame(rows)
    for col in ("predicted", "bin_lower", "bin_upper", "customers"):
        frame[col] = float("nan")
    return frame.assign(
        validation_cutoff=dt.date(2024, 4, 1),
        horizon_days=90,
        horizon_source="purchase_cycle",
        median_purchase_cycle_days=40.0,
        model_version=1,
    )


DRIVERS = pd.DataFrame(
    {
        "rank": [1, 2, 3],
        "feature": ["recency_days", "open_complaints", "income"],
        "feature_group": ["rfm", "service", "demographics"],
        "importance": [0.12, 0.03, 0.0],
        "importance_std": [0.01, 0.01, 0.0],
        "model_version": 1,
    }
)
RULES = pd.DataFrame(
    {
        "rule_id": [1, 2, 3],
        "conditions": [
            json.dumps([["recency_days", "<=", 60.0], ["recency_days", ">", 20.0]]),
            json.dumps(
                [
                    ["recency_days", ">", 30.0],
                    ["orders_90d", "<=", 0.5],
                    ["recency_days", ">", 60.0],
                ]
            ),
            json.dumps([["recency_days", "<=", 20.0]]),
        ],
        "customers": [40, 25, 0],
        "churn_rate": [0.2, 0.9, float("nan")],  # a leaf nobody reached: not shown
        "validation_cutoff": dt.date(2024, 4, 1),
        "model_version": 1,
    }
)


@pytest.fixture
def clv_ws(report_ws):
    """The report workspace with the purchase model's results, no churn model."""
    publish_tables(report_ws, {"clv": CLV})
    rebuild(
        report_ws, "churn_risk", "churn_risk_bands", "clv_deciles", "audiences", "audience_summary"
    )
    return report_ws


@pytest.fixture
def model_ws(clv_ws):
    publish_tables(
        clv_ws,
        {
            "churn_scores": _scores(),
            "churn_validation": _validation(),
            "churn_drivers": DRIVERS,
            "churn_rules": RULES,
        },
    )
    rebuild(
        clv_ws, "churn_score_bands", "winback", "winback_summary", "audiences", "audience_summary"
    )
    return clv_ws


def _churn(ws, lang="en"):
    report = assemble(report_context(ws, lang=lang))
    return report, next(s for s in report.sections if s.key == "churn")


def test_without_the_churn_model_the_section_says_so_and_shows_p_alive(clv_ws):
    report, churn = _churn(clv_ws)
    assert churn.paragraphs[0].startswith("No trained churn model in these results")
    assert churn.findings[0].key == "churn.bands"
    assert {tl.key for tl in report.target_lists} >= {"vip_at_risk"}
    assert "churn_winback" not in {tl.key for tl in report.target_lists}


def test_with_the_churn_model_the_section_reads_its_results(model_ws):
    report, churn = _churn(model_ws)
    assert not any("No trained churn model" in p for p in churn.paragraphs)
    keys = [f.key for f in churn.findings]
    assert keys == ["churn.model.bands", "churn.model.winback"]
    bands = churn.findings[0]
    # high: a, c, d; revenue at risk = .8×200 + .5×100 + .9×10 + .75×5 + .45×40 + .1×50
    assert [f.value for f in bands.facts] == [3, pytest.approx(245.75)]
    text = " ".join(churn.bullets)
    assert (
        "puts 3 of the 6 customers it scores (50.0%) at high risk (churn probability 70% or more"
        in text
    )
    assert "no purchase in the next 90 days" in text
    assert "Of 5 customers at high or medium risk, 2 have a probability alive below 30%" in text
    assert "the 3 left form the win-back list" in text
    assert "Strongest churn drivers: days since the last purchase, unresolved complaints." in text
    assert "ROC-AUC 0.81 (RFM-only baseline 0.74, BG/NBD probability alive 0.66)" in text
    assert "calibration error 2.1%, top-decile lift 2.4×" in text
    titles = [tb.title for tb in churn.tables]
    rules = churn.tables[titles.index("Churn rules (decision tree, customers at 1 April 2024)")]
    first = rules.frame.iloc[0].tolist()  # highest churn rate first
    # recency tested twice above: the tighter bound, the feature named once
    assert first == [
        "days since the last purchase above 60.0 and orders in the last 90 days at most 0.5",
        "25",
        "90%",
    ]
    assert rules.frame.iloc[1, 0] == "days since the last purchase above 20.0 and at most 60.0"
    assert len(rules.frame) == 2
    drivers = churn.tables[titles.index(next(t for t in titles if t.startswith("What drives")))]
    assert list(drivers.frame.iloc[:, 1]) == [
        "days since the last purchase",
        "unresolved complaints",
    ]
    # the win-back list replaces the high-value list of customers whose p_alive fell
    lists = {tl.key: tl for tl in report.target_lists}
    assert "vip_at_risk" not in lists
    wb = lists["churn_winback"].frame  # by the winback result's names; headers on writing
    assert list(wb["customer_id"]) == ["a", "b", "e"]
    assert wb["reason_1"].iloc[1] == "1 unresolved complaints"
    assert wb["action_1"].iloc[1] == "Resolve the open complaint before any offer"
    assert lists["churn_winback"].headers["action_1"] == "Action for reason 1"
    rec = next(r for r in report.recommendations if r.key == "churn_winback")
    # .1 × (.9 × 160 + .4 × 50 + .5 × 18) = 17.3
    assert rec.expected_impact == pytest.approx(17.3)
    assert rec.customers == 3
    assert "predicted 12-month value ≥ ¥40" in rec.segment
    assert any("audience_min_p_alive" in m for m in churn.methods)
    assert "Cost ¥60 (3 × ¥20 offer cost" in rec.economics


def test_each_customer_is_on_one_target_list_and_the_plan_adds_up(model_ws):
    report, _ = _churn(model_ws)
    ids = {}
    for tl in report.target_lists:
        column = "Customer ID" if "Customer ID" in tl.frame.columns else "customer_id"
        ids[tl.key] = set(tl.frame[column])
    listed = [c for members in ids.values() for c in members]
    assert len(listed) == len(set(listed)), ids
    # a, b, e on the churn-model list; f (loyal, one order 10 days ago) on the second-
    # purchase list; c and d are gone
    assert ids == {"churn_winback": {"a", "b", "e"}, "second_purchase": {"f"}}
    who, money = report.plan_tables
    assert list(who.frame["List"]) == [
        "Win-back list (churn model)",
        "High-value win-back list",
        "Recent first-time buyers (second purchase)",
        "Loyalty programme list",
        "All lists",
    ]
    assert list(who.frame["On the list"]) == ["3", "0", "1", "0", "4"]
    recs = {r.key: r for r in report.recommendations}
    assert set(recs) == {"churn_winback", "second_purchase"}
    total = money.frame.iloc[-1]
    fmt = report_context(model_ws, lang="en").fmt
    assert total["Expected impact"] == fmt.money(sum(r.expected_impact for r in recs.values()))
    assert total["Cost"] == fmt.money(sum(r.cost or 0.0 for r in recs.values()))


def test_the_section_in_chinese(model_ws):
    _, churn = _churn(model_ws, "zh")
    text = " ".join(churn.bullets)
    assert "流失模型评分的 6 位客户中，3 位（50.0%）为高流失风险" in text
    assert "其余 3 位构成挽回名单" in text
    assert "最主要的流失驱动因素：距上次购买天数、未解决投诉数。" in text


@pytest.mark.parametrize(
    ("lang", "header", "action"),
    [
        ("en", "Expected recovered value", "Win-back offer with a personal message"),
        ("zh", "预期挽回价值", "发送个性化召回优惠"),
    ],
)
def test_the_export_is_a_workbook_in_the_language(model_ws, tmp_path, lang, header, action):
    path, customers = export_winback(model_ws.results, tmp_path / "wb.xlsx", lang=lang)
    assert customers == 3
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    assert sheet.max_column == len(SHOWN)
    heads = [c.value for c in sheet[1]]
    assert heads[2] == header
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == f"A1:R{customers + 1}"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["a", "b", "e"]
    assert rows[0][9] == action  # action for a's first reason, long_since_purchase
    assert rows[0][2] == pytest.approx(14.4)
    assert sheet.cell(row=2, column=3).number_format == '"¥"#,##0.00'
    assert sheet.cell(row=2, column=5).number_format == "0.0%"
    assert sheet.column_dimensions["I"].width >= 40  # reasons are readable
    notes = [r[0] for r in book.worksheets[1].iter_rows(values_only=True)]
    assert any("30%" in n and "¥40" in n for n in notes)


def test_the_reports_win_back_sheet_and_csv_read_as_the_export(model_ws, tmp_path):
    paths = build_report(model_ws, lang="zh", formats=("xlsx",), out_dir=tmp_path)
    book = openpyxl.load_workbook(paths["xlsx"])
    sheet = book["挽回名单（流失模型）"]
    heads = [c.value for c in sheet[1]]
    assert heads == [text("zh", f"winback.col.{c}") for c in SHOWN]
    assert sheet.freeze_panes == "C2"  # rank and customer ID stay in view
    assert sheet.auto_filter.ref == "A1:R4"
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["a", "b", "e"]
    row = {h: c for h, c in zip(heads, sheet[2], strict=True)}
    assert row["预期挽回价值"].value == pytest.approx(14.4)
    assert row["预期挽回价值"].number_format == '"¥"#,##0.00'
    assert row["流失概率"].number_format == "0.0%"
    assert row["最近购买日期"].number_format == "yyyy-mm-dd"
    listed = pd.read_csv(paths["list:churn_winback"], encoding="utf-8-sig", dtype=str)
    assert list(listed.columns) == heads
    assert listed["预期挽回价值"].iloc[0] == "14.4"
    assert listed["预期挽回价值"].str.fullmatch(r"\d+(\.\d{1,2})?").all()  # to the cent


def test_the_csv_export_has_the_same_columns(model_ws, tmp_path):
    path, _ = export_winback(model_ws.results, tmp_path / "wb.csv", lang="en")
    frame = pd.read_csv(path, encoding="utf-8-sig")
    assert list(frame.columns)[:3] == ["Rank", "Customer ID", "Expected recovered value"]
    assert len(frame.columns) == len(SHOWN)
    assert list(frame["Customer ID"]) == ["a", "b", "e"]


def test_the_export_without_the_churn_model_is_a_clear_error(clv_ws, tmp_path):
    with pytest.raises(WorkspaceError, match="The list needs the churn model"):
        export_winback(clv_ws.results, tmp_path / "wb.xlsx", lang="en")
    done = subprocess.run(
        [
            *(sys.executable, "-m", "clientlens", "--lang", "en", "-w", str(clv_ws.path)),
            *("export", "winback", "-o", str(tmp_path / "wb.xlsx")),
        ],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "", "COLUMNS": "400", "CLIENTLENS_LANGUAGE": "en"},
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "No win-back list in the latest `clientlens analyze`: " in done.stderr
    assert "clientlens settings --set churn_model=true" in done.stderr
    assert not (tmp_path / "wb.xlsx").exists()
