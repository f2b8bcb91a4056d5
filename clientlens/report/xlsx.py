"""The report as an Excel workbook: a summary sheet (findings and recommendations), one
sheet per target list, and the key result tables.

Target lists hold customer IDs and figures only — no names, phones or e-mails — so the
workbook can be shared with the teams that act on it. A list longer than
``max_rows`` is cut to its first rows (lists are sorted by value) and the summary says
so; the CSV beside the report always holds the whole list.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from clientlens.errors import require
from clientlens.report.assemble import Report
from clientlens.report.fmt import Formatter
from clientlens.text import text

MAX_ROWS = 50_000


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    candidate, i = base, 2
    while candidate in used:
        candidate = f"{base[:28]}_{i}"
        i += 1
    used.add(candidate)
    return candidate


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if hasattr(value, "item"):
        return value.item()
    return value


def _write_frame(wb: Any, title: str, frame: pd.DataFrame, used: set[str], bold: Any) -> None:
    ws = wb.create_sheet(_sheet_name(title, used))
    header = []
    for col in frame.columns:
        cell = _cell_obj(ws, str(col), bold)
        header.append(cell)
    ws.append(header)
    for row in frame.head(MAX_ROWS).itertuples(index=False):
        ws.append([_cell(v) for v in row])


def _cell_obj(ws: Any, value: str, font: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.font = font
    return cell


def write_xlsx(report: Report, path: Path, *, currency: str = "CNY") -> Path:
    """Write the workbook to ``path``."""
    openpyxl = require("openpyxl", extra="report", feature="The Excel report")
    from openpyxl.styles import Font

    lang = report.lang
    fmt = Formatter(lang, currency)

    def t(key: str, **values: Any) -> str:
        return text(lang, key, **values)

    bold = Font(bold=True)
    wb = openpyxl.Workbook(write_only=True)
    used: set[str] = set()
    summary = wb.create_sheet(_sheet_name(t("sheet.summary"), used))
    summary.column_dimensions["A"].width = 110
    summary.append([_cell_obj(summary, report.title, Font(bold=True, size=14))])
    summary.append([report.subtitle])
    summary.append([t("report.generated", end=fmt.date(report.observation_end))])
    summary.append([t("xlsx.masked")])
    summary.append([])
    summary.append([_cell_obj(summary, t("section.summary"), bold)])
    for i, (_, sentence) in enumerate(report.summary, 1):
        summary.append([f"{i}. {sentence}"])
    for tl in report.target_lists:
        if len(tl.frame) > MAX_ROWS:
            summary.append([])
            summary.append(
                [
                    t(
                        "xlsx.truncated",
                        title=tl.title,
                        customers=fmt.count(len(tl.frame)),
                        rows=fmt.count(MAX_ROWS),
                    )
                ]
            )

    if report.recommendations:
        recs = pd.DataFrame(
            {
                t("col.recommendation"): [r.text for r in report.recommendations],
                t("col.segment"): [r.segment for r in report.recommendations],
                t("col.customers"): [r.customers for r in report.recommendations],
                t("col.value"): [round(r.value, 2) for r in report.recommendations],
                t("col.impact"): [round(r.expected_impact, 2) for r in report.recommendations],
                t("col.assumption"): [r.assumption for r in report.recommendations],
                t("col.cost"): [
                    None if r.cost is None else round(r.cost, 2) for r in report.recommendations
                ],
                t("col.cost_roi"): [r.economics for r in report.recommendations],
                t("col.left_out"): [r.left_out for r in report.recommendations],
                t("col.owner"): [r.owner for r in report.recommendations],
                t("col.when"): [r.when for r in report.recommendations],
                t("col.kpi"): [r.kpi for r in report.recommendations],
                t("col.list"): [r.target_list for r in report.recommendations],
            }
        )
        _write_frame(wb, t("sheet.recommendations"), recs, used, bold)
    if report.plan_sheet is not None:
        _write_frame(wb, t("sheet.action_lists"), report.plan_sheet, used, bold)
    titles = {tl.key: tl.title for tl in report.target_lists}
    for tl in report.target_lists:
        _write_frame(wb, titles[tl.key], tl.frame, used, bold)
    for section in report.sections:
        for name, frame in section.sheets.items():
            _write_frame(wb, name, frame, used, bold)
    wb.save(str(path))
    return path
