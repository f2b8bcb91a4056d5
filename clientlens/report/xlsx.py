"""The report as an Excel workbook: a summary sheet (findings and recommendations), one
sheet per target list, and the key result tables.

Every sheet reads like a table a team works from: the header row frozen (with the
customer ID, or the first column, beside it), a filter over the data, columns as wide as
their contents, and each number in the format of its declared unit (money with the
currency symbol and to the cent, shares and changes as percentages, counts with
thousands separators, dates as dates), under headers in the report's language
(:mod:`clientlens.report.columns`).

Target lists hold customer IDs and figures only — no names, phones or e-mails — so the
workbook can be shared with the teams that act on it. A list longer than
``max_rows`` is cut to its first rows (lists are sorted by value) and the summary says
so; the CSV beside the report always holds the whole list.

The workbook is written in openpyxl's write-only mode, which streams rows to the file:
a million-customer report writes four lists of 50,000 rows. Layout (frozen panes,
widths) is set before the first row, the filter when the rows are known; one styled
cell per column is refilled row by row, since write-only mode writes a row as it is
appended.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from clientlens.errors import require
from clientlens.report.assemble import Report
from clientlens.report.columns import Shown, shown_columns, written
from clientlens.report.fmt import Formatter
from clientlens.report.sections.base import Sheet
from clientlens.text import text

MAX_ROWS = 50_000
WIDTH_MIN, WIDTH_MAX = 8, 50
"""Column widths in characters (a Chinese character counts two): a column is as wide as
its header and its widest value among the first :data:`WIDTH_SAMPLE` rows, capped so
that one long text does not push the rest off the screen (its cells wrap)."""
WIDTH_SAMPLE = 500
"""Rows read for the widths: lists are sorted by value, so their widest numbers come first."""
HEADER_FILL = "DDE5F0"
SUMMARY_WIDTH = 100


def number_format(unit: str, integral: bool, symbol: str) -> str | None:
    """The Excel number format of a value of ``unit`` (None: text, as it is)."""
    if unit == "currency":
        return f'"{symbol}"#,##0.00'
    if unit in {"share", "probability"}:
        return "0.0%"
    if unit == "change":
        return "+0.0%;-0.0%;0.0%"
    if unit == "points":
        return "+0.0;-0.0;0.0"
    if unit == "percent":
        return '0.0"%"'
    if unit == "ratio":
        return "0.00"
    if unit == "score":
        return "0" if integral else "0.00"
    if unit in {"days", "hours", "years"}:
        return "#,##0" if integral else "#,##0.0"
    return "#,##0" if integral else "#,##0.00"


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31]
    candidate, i = base, 2
    while candidate in used:
        candidate = f"{base[:28]} {i}"
        i += 1
    used.add(candidate)
    return candidate


def _width(value: Any) -> int:
    """Characters ``value`` takes on screen: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def _python(values: pd.Series) -> list[Any]:
    """A column's values as Python objects for openpyxl, None where missing (timestamps
    are dates by now: :func:`~clientlens.report.columns.written`)."""
    return values.astype(object).where(values.notna(), None).tolist()


def _value_width(col: Shown, values: pd.Series, symbol: str) -> int:
    present = values.head(WIDTH_SAMPLE).dropna()
    if present.empty:
        return 0
    if col.numeric and col.unit != "per_row":
        widest = float(present.abs().max())
        digits = len(f"{widest:,.0f}") + (0 if col.integral else 3)
        if col.unit == "currency":
            digits += _width(symbol) + 3
        return digits + 1  # the sign
    if col.numeric:
        return len(f"{float(present.abs().max()):,.2f}") + _width(symbol) + 1
    if isinstance(present.iloc[0], dt.date):
        return 10
    return max(_width(v) for v in present)


class _Styles:
    """The workbook's few styles, made once."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        self.bold = Font(bold=True)
        self.title = Font(bold=True, size=14)
        self.fill = PatternFill("solid", fgColor=HEADER_FILL)
        self.header_align = Alignment(wrap_text=True, vertical="center")
        self.wrap = Alignment(wrap_text=True, vertical="top")


def _styled(ws: Any, value: Any = None, **style: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    for name, v in style.items():
        setattr(cell, name, v)
    return cell


def _header_row(ws: Any, headers: Iterable[str], styles: _Styles) -> list[Any]:
    return [
        _styled(ws, h, font=styles.bold, fill=styles.fill, alignment=styles.header_align)
        for h in headers
    ]


def write_sheet(
    wb: Any, name: str, sheet: Sheet, lang: str, fmt: Formatter, styles: _Styles
) -> Any:
    """One table on its own sheet: header, frozen panes, filter, widths, number formats."""
    from openpyxl.utils import get_column_letter

    columns = shown_columns(sheet, lang)
    values = written(sheet, columns, lang)
    ws = wb.create_sheet(name)
    names = [c.name for c in columns]
    # The identifier a reader looks rows up by stays in view: the customer ID when there
    # is one, else the first column (a KPI's, a segment's name).
    key = names.index("customer_id") + 1 if "customer_id" in names else 1
    ws.freeze_panes = f"{get_column_letter(min(key, len(names)) + 1)}2"
    wrapped = set()
    for i, col in enumerate(columns, 1):
        natural = max(_width(col.header), _value_width(col, values[col.name], fmt.symbol)) + 2
        if not col.numeric and natural > WIDTH_MAX:
            wrapped.add(col.name)
        width = min(max(natural, WIDTH_MIN), WIDTH_MAX)
        ws.column_dimensions[get_column_letter(i)].width = width
    if any(_width(c.header) + 2 > WIDTH_MAX for c in columns):
        ws.row_dimensions[1].height = 32
    ws.append(_header_row(ws, (c.header for c in columns), styles))

    formats = {c.name: "yyyy-mm-dd" if _is_dates(values[c.name]) else None for c in columns} | {
        c.name: number_format(c.unit, c.integral, fmt.symbol)
        for c in columns
        if c.numeric and c.unit != "per_row"
    }
    # One reusable cell per styled column: write-only mode writes a row as it is appended.
    protos: list[Any] = []
    for c in columns:
        style: dict[str, Any] = {}
        if formats.get(c.name):
            style["number_format"] = formats[c.name]
        if c.name in wrapped:
            style["alignment"] = styles.wrap
        protos.append(_styled(ws, **style) if style else None)
    row_units = list(values[sheet.row_unit]) if sheet.row_unit else []
    by_row = [bool(row_units) and c.numeric and c.unit == "per_row" for c in columns]
    # Column by column into Python values once (None when missing), then row by row.
    data = [_python(values[c]) for c in names]
    for r, row in enumerate(zip(*data, strict=True)):
        cells: list[Any] = list(row)
        for i, v in enumerate(row):
            if v is None:
                continue
            if by_row[i]:  # the KPI sheet: each row in its own unit
                unit = str(row_units[r])
                number = number_format(unit, unit == "count", fmt.symbol)
                cells[i] = _styled(ws, v, number_format=number)
            elif protos[i] is not None:
                protos[i].value = v
                cells[i] = protos[i]
        ws.append(cells)
    last = get_column_letter(len(names))
    ws.auto_filter.ref = f"A1:{last}{max(len(values), 1) + 1}"
    return ws


def _is_dates(values: pd.Series) -> bool:
    present = values.dropna()
    return not present.empty and isinstance(present.iloc[0], dt.date)


def _summary(wb: Any, report: Report, fmt: Formatter, used: set[str], styles: _Styles) -> None:
    """The findings as a numbered table under the title, the notes after it."""
    lang = report.lang

    def t(key: str, **values: Any) -> str:
        return text(lang, key, **values)

    ws = wb.create_sheet(_sheet_name(t("sheet.summary"), used))
    sections = {s.key: s.title for s in report.sections}
    ws.column_dimensions["A"].width = WIDTH_MIN
    width = max([_width(v) for v in sections.values()] + [10]) + 2
    ws.column_dimensions["B"].width = min(width, 30)
    ws.column_dimensions["C"].width = SUMMARY_WIDTH
    top = [
        [_styled(ws, report.title, font=styles.title)],
        [report.subtitle],
        [t("report.generated", end=fmt.date(report.observation_end))],
        [t("xlsx.masked")],
    ]
    header = len(top) + 1
    ws.freeze_panes = f"A{header + 1}"  # the title and the findings' header stay in view
    for row in top:
        ws.append(row)
    ws.append(
        _header_row(ws, (t("xlsx.col.number"), t("xlsx.col.section"), t("section.summary")), styles)
    )
    for i, (finding, sentence) in enumerate(report.summary, 1):
        section = sections.get(finding.section, finding.section)
        ws.append(
            [
                _styled(ws, i, number_format="0", alignment=styles.wrap),
                _styled(ws, section, alignment=styles.wrap),
                _styled(ws, sentence, alignment=styles.wrap),
            ]
        )
    ws.auto_filter.ref = f"A{header}:C{header + max(len(report.summary), 1)}"
    for tl in report.target_lists:
        if len(tl.frame) > MAX_ROWS:
            note = t(
                "xlsx.truncated",
                title=tl.title,
                customers=fmt.count(len(tl.frame)),
                rows=fmt.count(MAX_ROWS),
            )
            ws.append([])
            ws.append([None, None, _styled(ws, note, alignment=styles.wrap)])


def list_sheet_name(lang: str, key: str) -> str:
    """A target list's sheet: a short name (``sheet.list.<key>``), as the list's title
    rarely fits Excel's 31 characters."""
    return text(lang, f"sheet.list.{key}")


def _recommendations(report: Report) -> Sheet:
    lang = report.lang
    recs = report.recommendations
    lists = {tl.key for tl in report.target_lists}
    frame = pd.DataFrame(
        {
            "recommendation": [r.text for r in recs],
            "segment": [r.segment for r in recs],
            "customers": [r.customers for r in recs],
            "value": [float(r.value) for r in recs],
            "impact": [float(r.expected_impact) for r in recs],
            "assumption": [r.assumption for r in recs],
            "cost": [None if r.cost is None else float(r.cost) for r in recs],
            "cost_roi": [r.economics for r in recs],
            "left_out": [r.left_out for r in recs],
            "owner": [r.owner for r in recs],
            "when": [r.when for r in recs],
            "kpi": [r.kpi for r in recs],
            # the sheet that lists the customers, by its name in this workbook
            "list": [
                list_sheet_name(lang, r.target_list) if r.target_list in lists else "" for r in recs
            ],
        }
    )
    headers = {c: text(lang, f"col.{c}") for c in frame.columns}
    units = {"customers": "count", "value": "currency", "impact": "currency", "cost": "currency"}
    return Sheet("", frame, headers=headers, units=units)


def write_xlsx(report: Report, path: Path, *, currency: str = "CNY") -> Path:
    """Write the workbook to ``path``."""
    openpyxl = require("openpyxl", extra="report", feature="The Excel report")

    lang = report.lang
    fmt = Formatter(lang, currency)
    styles = _Styles()
    wb = openpyxl.Workbook(write_only=True)
    used: set[str] = set()
    _summary(wb, report, fmt, used, styles)
    sheets: list[tuple[str, Sheet]] = []
    if report.recommendations:
        sheets.append((text(lang, "sheet.recommendations"), _recommendations(report)))
    if report.plan_sheet is not None:
        sheets.append((text(lang, "sheet.action_lists"), report.plan_sheet))
    for tl in report.target_lists:
        listed = Sheet(tl.table, tl.frame.head(MAX_ROWS), tl.headers)
        sheets.append((list_sheet_name(lang, tl.key), listed))
    for section in report.sections:
        sheets += list(section.sheets.items())
    for name, sheet in sheets:
        write_sheet(wb, _sheet_name(name, used), sheet, lang, fmt, styles)
    wb.save(str(path))
    return path
