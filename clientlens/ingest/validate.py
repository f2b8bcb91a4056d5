"""Turning raw values into typed canonical columns, collecting every problem on the way.

Validation never stops at the first bad value: it checks every column of every row
and returns the full list of problems, so a user fixes a file once. Each problem
names the file, the row number in the file, the column (as the file calls it), the
value and the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from clientlens.errors import DataContractError, Problem
from clientlens.ingest.read import RawFrame
from clientlens.schema import TableSpec, resolve_columns, table_spec

DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
    "%Y.%m.%d",
)
_FORMATS_TEXT = ", ".join(
    f.replace("%", "") for f in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日")
)
_MONEY_JUNK = r"[¥￥$€£,，\s元]|RMB|CNY|USD"

_STATUS = {
    "completed": "completed",
    "complete": "completed",
    "paid": "completed",
    "done": "completed",
    "已完成": "completed",
    "完成": "completed",
    "已支付": "completed",
    "交易成功": "completed",
    "已签收": "completed",
    "refunded": "refunded",
    "refund": "refunded",
    "已退款": "refunded",
    "退款": "refunded",
    "退货": "refunded",
    "已退货": "refunded",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "已取消": "cancelled",
    "取消": "cancelled",
    "交易关闭": "cancelled",
}
_GENDER = {
    "男": "male",
    "男性": "male",
    "m": "male",
    "male": "male",
    "man": "male",
    "女": "female",
    "女性": "female",
    "f": "female",
    "female": "female",
    "woman": "female",
}
_FEEDBACK_KIND = {
    "nps": "nps",
    "净推荐值": "nps",
    "推荐度": "nps",
    "csat": "csat",
    "满意度": "csat",
    "客户满意度": "csat",
    "ces": "ces",
    "费力度": "ces",
    "review": "review",
    "评价": "review",
}
_SCORE_RANGE = {"nps": (0, 10), "csat": (1, 5)}


@dataclass
class Validated:
    """The outcome of validating one source."""

    frame: pd.DataFrame
    """Typed canonical columns; rows with errors are dropped."""
    problems: list[Problem]
    rejected_rows: pd.DataFrame
    """The rejected source rows with their row number and reasons."""
    ignored_headers: list[str] = field(default_factory=list)
    column_map: dict[str, str] = field(default_factory=dict)
    merged_duplicates: int = 0
    source_rows: np.ndarray = field(default_factory=lambda: np.array([], dtype=int))
    """The row number in the source of each row of ``frame``."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


class _Collector:
    """Collects problems as (row index array, column, values, reason) batches."""

    def __init__(self, raw: RawFrame, source_names: dict[str, str]):
        self.raw = raw
        self.source_names = source_names  # canonical -> header in the file
        self.batches: list[tuple[np.ndarray, str | None, np.ndarray | None, str, str]] = []

    def add(
        self,
        mask: pd.Series,
        column: str | None,
        values: pd.Series | None,
        reason: str,
        severity: str = "error",
    ) -> None:
        idx = np.flatnonzero(mask.to_numpy(dtype=bool))
        if idx.size:
            vals = None if values is None else values.to_numpy()[idx]
            self.batches.append((idx, column, vals, reason, severity))

    def error_rows(self) -> np.ndarray:
        parts = [b[0] for b in self.batches if b[4] == "error"]
        return np.unique(np.concatenate(parts)) if parts else np.array([], dtype=int)

    def problems(self) -> list[Problem]:
        out: list[Problem] = []
        for idx, column, vals, reason, severity in self.batches:
            col_name = None if column is None else self.source_names.get(column, column)
            for i, pos in enumerate(idx):
                value = None if vals is None else _text(vals[i])
                out.append(
                    Problem(
                        self.raw.label,
                        self.raw.row_number(int(pos)),
                        col_name,
                        value,
                        reason,
                        severity,
                    )
                )
        out.sort(key=lambda p: (p.row or 0, p.column or ""))
        return out


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def _as_text(series: pd.Series) -> pd.Series:
    """Values as stripped text with None for empty; Excel's 1001.0 ids become '1001'."""
    if pd.api.types.is_float_dtype(series):
        ints = series.dropna()
        if len(ints) and (ints == ints.round()).all():
            series = series.astype("Int64")
    text = series.astype("string").str.strip()
    return text.mask(text.isin(["", "nan", "NaN", "None", "NULL", "null", "<NA>", "NaT"]))


def _parse_number(text: pd.Series) -> pd.Series:
    cleaned = text.str.replace(_MONEY_JUNK, "", regex=True)
    return pd.to_numeric(cleaned, errors="coerce").astype("float64")


def _parse_datetime(original: pd.Series, text: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(original):
        out = pd.to_datetime(original)
        return out.dt.tz_localize(None) if out.dt.tz is not None else out
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = text.notna()
    # Excel and Parquet hand over datetime objects inside an object column.
    is_dt = original.map(lambda v: isinstance(v, dt.date)) & todo
    if is_dt.any():
        result[is_dt] = pd.to_datetime(original[is_dt].astype(object), errors="coerce")
        todo &= ~is_dt
    for fmt in DATE_FORMATS:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        ok = parsed.notna()
        result[ok[ok].index] = parsed[ok]
        todo[ok[ok].index] = False
    return result


def validate(
    kind: str,
    raw: RawFrame,
    *,
    mapping: dict[str, str] | None = None,
    today: dt.date | None = None,
    known_customers: pd.Series | None = None,
    spec: TableSpec | None = None,
) -> Validated:
    """Check every row of ``raw`` against the contract of table ``kind``.

    Parameters
    ----------
    kind
        Canonical table name (``orders``, ``customers``, ...).
    raw
        What :func:`clientlens.ingest.read.read_source` returned.
    mapping
        Source header → canonical column, beating the built-in synonyms.
    today
        Dates after this day are rejected as being in the future.
    known_customers
        Customer ids already in the workspace; rows pointing at others get a warning.
    spec
        A contract to check instead of the one of ``kind`` (an import that derives a
        column, such as orders whose amount comes from their items).
    """
    spec = spec or table_spec(kind)
    today = today or dt.date.today()
    headers = [str(h) for h in raw.frame.columns]
    colmap = resolve_columns(kind, headers, mapping, spec=spec)
    source_names = {v: k for k, v in colmap.items()}
    frame = raw.frame.copy()
    frame.columns = headers
    frame = frame[list(colmap)].rename(columns=colmap)
    ignored = [h for h in headers if h not in colmap]

    missing = [c for c in spec.required if c not in frame.columns]
    if missing:
        problems = [
            Problem(
                raw.label,
                None,
                col,
                None,
                f"required column of {kind} is missing; the file has the headers "
                f"{', '.join(map(repr, headers)) or '(none)'} — rename one or use "
                f"--map SOURCE={col}",
            )
            for col in missing
        ]
        return Validated(frame.iloc[0:0], problems, raw.frame.iloc[0:0], ignored, colmap)

    check = _Collector(raw, source_names)
    typed = pd.DataFrame(index=frame.index)
    for col in [c for c in spec.columns if c.name in frame.columns]:
        original = frame[col.name]
        text = _as_text(original)
        if col.required:
            check.add(text.isna(), col.name, original, f"{col.name} is empty")
        if col.type == "string":
            typed[col.name] = text.astype(object).where(text.notna(), None)
        elif col.type in {"float", "int"}:
            values = _parse_number(text)
            check.add(text.notna() & values.isna(), col.name, original, "not a number")
            if col.nonnegative:
                check.add(values < 0, col.name, original, "negative value")
            if col.type == "int":
                frac = values.notna() & (values != values.round())
                check.add(frac, col.name, original, "not a whole number")
                typed[col.name] = values.round().astype("Int64")
            else:
                typed[col.name] = values
        else:
            values = _parse_datetime(original, text)
            check.add(
                text.notna() & values.isna(),
                col.name,
                original,
                f"unparseable date; formats tried: {_FORMATS_TEXT} (with optional time HH:MM[:SS])",
            )
            future = values.dt.normalize() > pd.Timestamp(today)
            check.add(future, col.name, original, f"date is in the future (after {today})")
            typed[col.name] = values.dt.normalize() if col.type == "date" else values

    _normalise_codes(kind, typed, frame, check)
    merged = _check_duplicates(spec, typed, check)
    if known_customers is not None and "customer_id" in typed.columns and kind != "customers":
        unknown = typed["customer_id"].notna() & ~typed["customer_id"].isin(known_customers)
        check.add(
            unknown,
            "customer_id",
            typed["customer_id"],
            "customer not in the customers table (loaded anyway)",
            severity="warning",
        )

    bad = check.error_rows()
    problems = check.problems()
    keep = np.ones(len(typed), dtype=bool)
    keep[bad] = False
    keep &= ~merged.to_numpy()
    rejected = raw.frame.iloc[bad].copy()
    rejected.insert(0, "_row", [raw.row_number(int(i)) for i in bad])
    out = typed.loc[keep, [c for c in spec.names if c in typed.columns]].reset_index(drop=True)
    rows = raw.first_row + np.flatnonzero(keep)
    return Validated(out, problems, rejected, ignored, colmap, int(merged.sum()), rows)


def _normalise_codes(
    kind: str, typed: pd.DataFrame, frame: pd.DataFrame, check: _Collector
) -> None:
    """Map common Chinese/English spellings of coded values onto ClientLens codes."""
    if kind == "orders" and "status" in typed.columns:
        low = typed["status"].str.lower()
        typed["status"] = low.map(_STATUS).fillna(low)
    if kind == "customers" and "gender" in typed.columns:
        low = typed["gender"].str.lower()
        typed["gender"] = low.map(_GENDER).fillna(typed["gender"])
    if kind == "feedback" and "kind" in typed.columns:
        low = typed["kind"].str.lower()
        mapped = low.map(_FEEDBACK_KIND)
        check.add(
            low.notna() & mapped.isna(),
            "kind",
            frame["kind"],
            "unknown feedback kind; expected nps, csat, ces or review",
        )
        typed["kind"] = mapped
        if "score" in typed.columns:
            for k, (lo, hi) in _SCORE_RANGE.items():
                out = (mapped == k) & ((typed["score"] < lo) | (typed["score"] > hi))
                check.add(out, "score", frame["score"], f"{k} score outside {lo}–{hi}")
    if kind == "tickets" and {"opened_at", "closed_at"} <= set(typed.columns):
        check.add(
            typed["closed_at"] < typed["opened_at"],
            "closed_at",
            frame["closed_at"],
            "closed before it was opened",
        )


def _check_duplicates(spec: TableSpec, typed: pd.DataFrame, check: _Collector) -> pd.Series:
    """Exact duplicate rows are merged (warning); same key, other values is an error.

    Returns a mask of the rows dropped as exact duplicates of an earlier row.
    """
    no_merge = pd.Series(False, index=typed.index)
    if typed.empty:
        return no_merge
    key = [k for k in spec.key if k in typed.columns]
    exact = typed.duplicated(keep="first")
    if exact.any():
        check.add(
            exact, None, None, "exact duplicate of an earlier row (merged)", severity="warning"
        )
    if not key:
        return exact
    rest = typed[~exact]
    dup_key = rest.duplicated(subset=key, keep=False) & rest[key].notna().all(axis=1)
    if dup_key.any():
        first_pos = rest.reset_index().groupby(key, dropna=True)["index"].transform("min")
        first_pos.index = rest.index
        later = dup_key & (first_pos != rest.index)
        mask = pd.Series(False, index=typed.index)
        mask[later[later].index] = True
        first_rows = first_pos[later].map(check.raw.row_number)
        label = "+".join(key)
        values = typed[key[0]].astype(str)
        for row_no in sorted(set(first_rows)):
            rows = first_rows[first_rows == row_no].index
            sub = pd.Series(False, index=typed.index)
            sub[rows] = True
            check.add(
                sub,
                key[0],
                values,
                f"duplicate {label} with different values (first seen on row {row_no})",
            )
    return exact


def reject_table(validated: Validated) -> pd.DataFrame:
    """Rejected rows as (row, column, value, reason), one line per problem."""
    rows = [
        {"row": p.row, "column": p.column, "value": p.value, "reason": p.reason}
        for p in validated.errors
    ]
    return pd.DataFrame(rows, columns=["row", "column", "value", "reason"])


def ensure_columns(spec: TableSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """Add the canonical columns a source lacked, as typed nulls, in contract order."""
    out = frame.copy()
    for col in spec.columns:
        if col.name in out.columns:
            continue
        if col.type == "string":
            out[col.name] = pd.Series([None] * len(out), dtype=object)
        elif col.type == "int":
            out[col.name] = pd.array([pd.NA] * len(out), dtype="Int64")
        elif col.type == "float":
            out[col.name] = np.nan
        else:
            out[col.name] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    return out[spec.names]


__all__ = ["DATE_FORMATS", "DataContractError", "Validated", "ensure_columns", "validate"]
