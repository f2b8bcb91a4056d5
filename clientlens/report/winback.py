"""The win-back list in a reader's words: the report's target list and
``clientlens export winback -o FILE.xlsx`` (or ``.csv``).

The list and its thresholds are the ``winback`` and ``winback_summary`` results
(:mod:`clientlens.analytics.churn.winback`); this module only turns their codes into
words in one language (reasons ``churn_reason.<code>``, the action of each reason
``winback_action.<code>``, the overall action ``churn_action.<code>``), puts headers in
that language, and writes a workbook a team can work from: frozen header, filters,
column widths, number formats, and a sheet that says how the list was made.
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd

from clientlens.analytics.churn.reasons import reason_text
from clientlens.errors import DataContractError, WorkspaceError, require
from clientlens.report.fmt import Formatter
from clientlens.text import text

LIST = "winback"
SUMMARY = "winback_summary"
LIST_COLUMNS = (
    "winback_rank",
    "customer_id",
    "expected_recovered_value",
    "revenue_at_risk",
    "churn_probability",
    "risk_band",
    "p_alive",
    "clv_12m",
    "reason_1",
    "reason_1_value",
    "reason_2",
    "reason_2_value",
    "reason_3",
    "reason_3_value",
    "recommended_action",
    "last_purchase",
    "orders",
    "revenue",
)
SUMMARY_COLUMNS = (
    "at_risk_customers",
    "below_min_p_alive",
    "below_min_clv_12m",
    "customers",
    "revenue_at_risk",
    "expected_recovered_value",
    "min_p_alive",
    "min_clv_12m",
    "min_clv_source",
    "response_rate",
)
SHOWN = (
    "winback_rank",
    "customer_id",
    "expected_recovered_value",
    "revenue_at_risk",
    "churn_probability",
    "risk_band",
    "p_alive",
    "clv_12m",
    "reason_1",
    "action_1",
    "reason_2",
    "action_2",
    "reason_3",
    "action_3",
    "recommended_action",
    "last_purchase",
    "orders",
    "revenue",
)
"""The columns of the list as people read it, in order (codes; headers ``winback.col.*``)."""
MONEY = ("expected_recovered_value", "revenue_at_risk", "clv_12m", "revenue")
PROBABILITY = ("churn_probability", "p_alive")
WIDTHS = {"reason": 44, "action": 48, "recommended_action": 40, "customer_id": 14}


def _reason(lang: str, code: Any, value: Any) -> str:
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return ""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        value = 0.0  # a reason whose number is unknown names none; its words still hold
    return reason_text(lang, str(code), float(value))


def _action(lang: str, code: Any) -> str:
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return ""
    return text(lang, f"winback_action.{code}")


def words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The ``winback`` rows with reasons, actions and the band in words (columns :data:`SHOWN`,
    still named by code)."""
    out = frame.sort_values("winback_rank").reset_index(drop=True).copy()
    for k in (1, 2, 3):
        codes, values = out[f"reason_{k}"], out[f"reason_{k}_value"]
        out[f"action_{k}"] = [_action(lang, c) for c in codes]
        out[f"reason_{k}"] = [_reason(lang, c, v) for c, v in zip(codes, values, strict=True)]
    out["risk_band"] = [text(lang, f"winback.band.{b}") for b in out["risk_band"]]
    out["recommended_action"] = [text(lang, f"churn_action.{a}") for a in out["recommended_action"]]
    out["last_purchase"] = pd.to_datetime(out["last_purchase"]).dt.date
    out[list(MONEY)] = out[list(MONEY)].round(2)
    out[list(PROBABILITY)] = out[list(PROBABILITY)].round(4)
    return out[list(SHOWN)]


def headers(lang: str) -> dict[str, str]:
    """Code → header in ``lang``."""
    return {c: text(lang, f"winback.col.{c}") for c in SHOWN}


def read(results: Any, lang: str = "en") -> tuple[pd.DataFrame, pd.Series]:
    """The ``winback`` list and its ``winback_summary`` row from a results view, or a
    :class:`WorkspaceError` saying the churn model has not run (and how to run it)."""
    if not results.exists or not (results.has(LIST) and results.has(SUMMARY)):
        raise WorkspaceError(_no_model(results, lang))
    frame = results.table(LIST).select(*LIST_COLUMNS).to_pandas()
    summary = results.table(SUMMARY).select(*SUMMARY_COLUMNS).to_pandas()
    return frame, summary.iloc[0]


def _no_model(results: Any, lang: str = "en") -> str:
    if not results.exists:
        why = text(lang, "winback.why.no_run")
    else:
        catalog = results.catalog().set_index("name")
        reason = catalog["reason"].get(LIST) if LIST in catalog.index else None
        if isinstance(reason, str) and reason:
            why = reason.rstrip(". ")
        else:
            why = text(lang, "winback.why.missing", run=results.run_id)
    return text(lang, "cli.winback_no_model", why=why)


def notes(summary: pd.Series, lang: str, fmt: Formatter) -> list[str]:
    """How the list was made, in sentences (the workbook's second sheet, the CSV's top)."""
    return [
        text(
            lang,
            "winback.note.rule",
            min_p_alive=fmt.pct(float(summary["min_p_alive"]), 0),
            min_clv=fmt.money(float(summary["min_clv_12m"])),
            gone=fmt.count(int(summary["below_min_p_alive"])),
            low_value=fmt.count(int(summary["below_min_clv_12m"])),
        ),
        text(lang, "winback.note.rank", rate=fmt.pct(float(summary["response_rate"]), 0)),
    ]


def export_winback(
    results: Any, path: Path, *, lang: str, currency: str = "CNY"
) -> tuple[Path, int]:
    """Write the win-back list to ``path`` (.xlsx or .csv) in ``lang``; returns the path and
    the number of customers."""
    suffix = path.suffix.lower()
    if suffix not in {".xlsx", ".csv"}:
        raise DataContractError(
            f"{path}: the win-back list is written as .xlsx or .csv, not {suffix or '(none)'}."
        )
    frame, summary = read(results, lang)
    fmt = Formatter(lang, currency)
    shown = words(frame, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    about = [
        *notes(summary, lang, fmt),
        text(lang, "winback.note.data", end=fmt.date(results.observation_end), run=results.run_id),
    ]
    if suffix == ".csv":
        shown.rename(columns=headers(lang)).to_csv(path, index=False, encoding="utf-8-sig")
    else:
        _workbook(shown, about, path, lang, fmt)
    return path, len(shown)


def _workbook(shown: pd.DataFrame, about: list[str], path: Path, lang: str, fmt: Formatter) -> None:
    openpyxl = require("openpyxl", extra="report", feature="The win-back workbook")
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = text(lang, "winback.sheet")[:31]
    names = headers(lang)
    ws.append([names[c] for c in SHOWN])
    for row in shown.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    fill = PatternFill("solid", fgColor="DDE5F0")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "C2"  # header row and rank + customer id stay in view
    last = get_column_letter(len(SHOWN))
    ws.auto_filter.ref = f"A1:{last}{max(len(shown) + 1, 2)}"
    money = f'"{fmt.symbol}"#,##0.00' if fmt.symbol else "#,##0.00"
    formats = {c: money for c in MONEY} | {c: "0.0%" for c in PROBABILITY}
    formats |= {"last_purchase": "yyyy-mm-dd", "orders": "#,##0", "winback_rank": "0"}
    for i, code in enumerate(SHOWN, 1):
        letter = get_column_letter(i)
        key = code.split("_")[0] if code.startswith(("reason_", "action_")) else code
        ws.column_dimensions[letter].width = WIDTHS.get(key, max(12, _width(names[code]) + 2))
        if code in formats:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = formats[code]
    info = wb.create_sheet(text(lang, "winback.about")[:31])
    info.column_dimensions["A"].width = 120
    for line in about:
        info.append([line])
        info.cell(row=info.max_row, column=1).alignment = Alignment(wrap_text=True)
    wb.save(str(path))


def _width(header: str) -> int:
    """Columns the header needs: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in header)


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
