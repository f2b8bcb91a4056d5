"""How a result column reads in the workbook and in a target list's CSV: its header in
the reader's language, its unit, and its values as written.

One rule for every sheet and list, taken from the result contract rather than decided per
sheet: the unit is the column's declared unit (:data:`clientlens.analytics.base.UNITS`,
through :func:`~clientlens.analytics.registry.declared_columns`), the header is the text
catalog's ``column.<table>.<name>`` when one table means something of its own by a name
(``audiences.revenue`` is revenue to date), else ``column.<name>``.

>>> import pandas as pd
>>> from clientlens.report.sections.base import Sheet
>>> sheet = Sheet("rfm_segments", pd.DataFrame({"customers": [858], "revenue": [222920.4499999998]}))
>>> [(c.header, c.unit) for c in shown_columns(sheet, "zh")]
[('客户数', 'count'), ('销售额', 'currency')]
>>> written(sheet, shown_columns(sheet, "en"), "en")["revenue"].tolist()
[222920.45]
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from clientlens.analytics.registry import declared_columns
from clientlens.report.sections.base import Sheet
from clientlens.text import catalog

DECIMALS: dict[str, int] = {
    "currency": 2,
    "share": 4,
    "probability": 4,
    "change": 4,
    "ratio": 4,
    "points": 2,
    "percent": 2,
    "score": 2,
    "count": 2,
    "days": 1,
    "hours": 1,
    "years": 2,
    "": 4,
}
"""Decimals a value of each unit keeps when written: money to the cent; a share, a
probability or a change to a hundredth of a percent (what its 0.0% format can show, and
one more digit)."""

FRACTIONS = frozenset({"share", "probability", "change", "ratio"})
"""Units whose whole numbers are not counts (100% is 1): never written as integers."""


@dataclass(frozen=True)
class Shown:
    """One column as the reader sees it."""

    name: str
    header: str
    unit: str
    integral: bool
    """Whole numbers only (declared int64, or every value whole): no decimals shown."""
    numeric: bool


def header(lang: str, table: str, name: str) -> str:
    """The header of result column ``table.name`` in ``lang`` (``column.<table>.<name>``,
    else ``column.<name>``); a column neither names is a missing catalog key."""
    words = catalog(lang)
    specific = f"column.{table}.{name}"
    return words[specific] if specific in words else words[f"column.{name}"]


def _whole(values: pd.Series) -> bool:
    present = values.dropna()
    return bool(present.empty or (present % 1 == 0).all())


def shown_columns(sheet: Sheet, lang: str) -> list[Shown]:
    """The columns of ``sheet`` in order, with header, unit and whether they hold whole
    numbers (the row-unit column is not shown)."""
    declared = declared_columns().get(sheet.table, {})
    out = []
    for name in sheet.frame.columns:
        if name == sheet.row_unit:
            continue
        column = declared.get(name)
        unit = sheet.units.get(name, column.unit if column is not None else "")
        values = sheet.frame[name]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        integral = numeric and (
            pd.api.types.is_integer_dtype(values) or (unit not in FRACTIONS and _whole(values))
        )
        out.append(
            Shown(
                name=str(name),
                header=sheet.headers.get(name) or header(lang, sheet.table, str(name)),
                unit=unit,
                integral=bool(integral),
                numeric=bool(numeric),
            )
        )
    return out


def written(sheet: Sheet, columns: list[Shown], lang: str) -> pd.DataFrame:
    """The values of ``columns`` as written (the row-unit column kept last when there is
    one): money to the cent and other fractions by :data:`DECIMALS`, whole numbers as
    integers, timestamps as dates (a list to act on needs the day, not the second), and
    true / false in words."""
    words = catalog(lang)
    out = {}
    units = sheet.frame[sheet.row_unit] if sheet.row_unit else None
    for col in columns:
        values = sheet.frame[col.name]
        if pd.api.types.is_bool_dtype(values) or _is_flags(values):
            values = values.map(
                lambda v: None if pd.isna(v) else words["cell.yes" if v else "cell.no"]
            )
        elif pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.date.astype(object).where(values.notna(), None)
        elif col.numeric and col.unit == "per_row" and units is not None:
            values = pd.Series(
                [round(v, DECIMALS.get(u, 4)) for v, u in zip(values, units, strict=True)],
                index=values.index,
            )
        elif col.numeric and col.integral and not pd.api.types.is_integer_dtype(values):
            values = values.round().astype("Int64")
        elif col.numeric and not col.integral:
            values = values.round(DECIMALS.get(col.unit, 4))
        out[col.name] = values
    frame = pd.DataFrame(out, index=sheet.frame.index)
    if units is not None and sheet.row_unit is not None:
        frame[sheet.row_unit] = units
    return frame


def _is_flags(values: pd.Series) -> bool:
    """An object column of True / False (a nullable boolean read back with gaps)."""
    if values.dtype != object:
        return False
    present = values.dropna()
    return not present.empty and all(isinstance(v, bool) for v in present.head(100))


def as_read(sheet: Sheet, lang: str) -> pd.DataFrame:
    """``sheet`` with headers in ``lang`` and its values as written: what a target list's
    CSV holds."""
    columns = shown_columns(sheet, lang)
    frame = written(sheet, columns, lang)[[c.name for c in columns]]
    frame.columns = [c.header for c in columns]
    return frame
