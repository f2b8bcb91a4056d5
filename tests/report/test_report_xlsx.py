"""The workbook and the target lists' CSVs read like tables a team works from: every sheet
has its header frozen, a filter, widths and number formats, headers in the report's
language, money to the cent; the KPI sheet is wide by month with MoM / YoY."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.demo import generate, load_demo
from clientlens.report import build_report
from clientlens.report.xlsx import number_format
from clientlens.text import catalog, text
from tests.report.conftest import BASE_KPIS, set_kpis

SNAKE = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")
"""A result column's code (``revenue_share``): never a header a reader sees."""
MONEY = re.compile(r"^-?\d+(\.\d{1,2})?$")


def _numeric(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _decimals(value: float) -> int:
    return len(repr(float(value)).split(".")[1].rstrip("0")) if "e" not in repr(value) else 99


def _header_row(sheet) -> int:
    """The row of a sheet's column headers: the row above the frozen panes."""
    return int(re.sub(r"[A-Z]+", "", sheet.freeze_panes)) - 1


def test_number_formats_follow_the_declared_unit():
    assert number_format("currency", False, "¥") == '"¥"#,##0.00'
    assert number_format("currency", True, "BRL ") == '"BRL "#,##0.00'
    assert number_format("share", False, "¥") == "0.0%"
    assert number_format("change", False, "¥") == "+0.0%;-0.0%;0.0%"
    assert number_format("count", True, "¥") == "#,##0"
    assert number_format("count", False, "¥") == "#,##0.00"  # a mean of counts
    assert number_format("days", False, "¥") == "#,##0.0"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_kpi_sheet_is_wide_by_month_with_mom_and_yoy(report_ws, tmp_path, lang):
    set_kpis(report_ws, BASE_KPIS)
    paths = build_report(report_ws, lang=lang, formats=("xlsx",), out_dir=tmp_path)
    book = openpyxl.load_workbook(paths["xlsx"])
    sheet = book[text(lang, "sheet.kpis")]
    rows = list(sheet.iter_rows(values_only=True))
    # The 13 months up to the report month that hold data (2023-06 is 12 months before
    # 2024-06), then the report month's changes; mom_pp / yoy_pp are empty here: no column.
    assert list(rows[0]) == [
        text(lang, "column.kpi"),
        "2023-06",
        "2024-04",
        "2024-05",
        "2024-06",
        text(lang, "column.mom"),
        text(lang, "column.yoy"),
    ]
    if lang == "zh":
        assert list(rows[0])[-2:] == ["环比", "同比"]
    # One row per KPI, in the KPI pack's order, by name.
    names = [text(lang, f"kpi.{k}") for k in ("active_customers", "revenue", "orders")]
    assert [r[0] for r in rows[1:]] == [*names, text(lang, "kpi.repeat_rate")]
    revenue = dict(zip(rows[0], rows[2], strict=True))
    assert revenue["2024-06"] == 12000 and revenue["2023-06"] == 9000
    assert revenue[text(lang, "column.mom")] == pytest.approx(0.2)  # 12,000 / 10,000 − 1
    assert revenue[text(lang, "column.yoy")] == pytest.approx(1 / 3, abs=1e-4)
    assert rows[3][1] is None  # no orders in 2023-06
    # Each row in its unit's format: money, a count, a share; the changes as signed %.
    formats = [[c.number_format for c in row] for row in sheet.iter_rows(min_row=2)]
    assert formats[1][4] == '"¥"#,##0.00'
    assert formats[0][4] == "#,##0"
    assert formats[3][4] == "0.0%"  # repeat_rate is a ratio the pack calls a share
    assert formats[1][5] == formats[1][6] == "+0.0%;-0.0%;0.0%"
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref == "A1:G5"


@pytest.fixture(scope="module")
def demo_books(tmp_path_factory):
    """Both languages' workbooks and CSVs of a small demo shop."""
    # A holdout under 28 days fits BG/NBD without the model selection (minutes on this demo).
    settings = {"today": "2026-11-24", "clv_holdout_days": 7}
    ws = Workspace.init(tmp_path_factory.mktemp("xlsx") / "ws", settings=settings)
    load_demo(ws, generate(600, seed=2, locale="zh"))
    result = ws.analyze()
    assert not result.failed, [(o.name, o.reason) for o in result.failed]
    out = tmp_path_factory.mktemp("out")
    paths = {
        lang: build_report(ws, lang=lang, formats=("xlsx",), out_dir=out) for lang in ("zh", "en")
    }
    ws.close()
    return paths


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_sheet_is_laid_out_and_formatted(demo_books, lang):
    book = openpyxl.load_workbook(demo_books[lang]["xlsx"])
    names = {text(lang, k) for k in ("sheet.summary", "sheet.kpis", "sheet.rfm", "sheet.cohorts")}
    assert names <= set(book.sheetnames)
    assert len(book.sheetnames) >= 10
    for sheet in book.worksheets:
        where = f"{lang} sheet {sheet.title!r}"
        assert len(sheet.title) <= 31 and not re.search(r"[\[\]:*?/\\]", sheet.title), where
        assert sheet.freeze_panes, where
        top = _header_row(sheet)
        headers = [c.value for c in sheet[top] if c.value is not None]
        assert headers and all(isinstance(h, str) for h in headers), where
        assert [h for h in headers if SNAKE.match(h)] == [], where
        if lang == "zh":  # Chinese headers (a KPI sheet's months are digits)
            assert sum(bool(re.search(r"[\u4e00-\u9fff]", h)) for h in headers) >= 2, where
        assert sheet.auto_filter.ref, where
        first, last = sheet.auto_filter.ref.split(":")
        rows = int(re.sub(r"[A-Z]+", "", last))
        assert first == f"A{top}" and rows > top, where
        if sheet.title != text(lang, "sheet.summary"):  # notes follow the summary's table
            assert rows == sheet.max_row, where
        assert all(c.font.bold for c in sheet[top] if c.value is not None), where
        numeric_columns = 0
        for column in sheet.iter_cols(min_row=top + 1):
            numbers = [c for c in column if _numeric(c.value)]
            if not numbers:
                continue
            numeric_columns += 1
            letter = numbers[0].column_letter
            # every number has a format; money is to the cent; dates read as dates
            general = [c.coordinate for c in numbers if c.number_format == "General"]
            assert general == [], (where, letter, general[:3])
            money = [c for c in numbers if "#,##0.00" in c.number_format and '"' in c.number_format]
            assert [c.value for c in money if _decimals(c.value) > 2] == [], (where, letter)
            assert sheet.column_dimensions[letter].width >= 8, (where, letter)
        dates = [
            c
            for row in sheet.iter_rows(min_row=top + 1)
            for c in row
            if isinstance(c.value, dt.datetime)
        ]
        assert all(c.number_format == "yyyy-mm-dd" for c in dates), where
        if sheet.title != text(lang, "sheet.summary"):
            assert numeric_columns >= 1, where
    # The summary keeps its sentences, wrapped, under a frozen title and header.
    summary = book.worksheets[0]
    assert summary["A1"].value == text(lang, "report.title")
    findings = [c for c in summary["C"][_header_row(summary) :] if c.value]
    assert len(findings) >= 5 and all(c.alignment.wrap_text for c in findings)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_target_list_csvs_have_the_sheets_headers_and_money_to_the_cent(demo_books, lang):
    paths = demo_books[lang]
    book = openpyxl.load_workbook(paths["xlsx"])
    lists = {k.removeprefix("list:"): p for k, p in paths.items() if k.startswith("list:")}
    assert len(lists) >= 3
    symbol = "¥"
    for key, path in lists.items():
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        sheet = book[text(lang, f"sheet.list.{key}")]
        headers = [c.value for c in sheet[1]]
        assert list(frame.columns) == headers, key
        assert [h for h in headers if SNAKE.match(h)] == [], key
        assert text(lang, "column.customer_id") in headers, key
        money = [
            c.value for c in sheet[1] if f'"{symbol}"' in sheet.cell(2, c.column).number_format
        ]
        assert money, key
        for header in money:
            bad = [v for v in frame[header] if v and not MONEY.match(v)]
            assert bad == [], (key, header, bad[:3])
        assert len(frame) >= sheet.max_row - 1  # the CSV holds the whole list


def test_every_kpi_and_sheet_name_has_words_that_fit():
    from clientlens.analytics.kpis.kpis import UNITS

    for lang in ("zh", "en"):
        words = catalog(lang)
        assert [k for k in UNITS if f"kpi.{k}" not in words] == [], lang
        sheets = [k for k in words if k.startswith("sheet.")]
        assert len(sheets) >= 13
        assert [
            k for k in sheets if len(words[k]) > 31 or re.search(r"[\[\]:*?/\\]", words[k])
        ] == []
