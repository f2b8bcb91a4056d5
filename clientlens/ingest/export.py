"""Exporting a workspace table to CSV, Parquet or Excel, with personal data masked.

Columns the contract marks as personal (name, phone, email) are masked by default:
``13812345678`` → ``138****5678``, ``wang@example.com`` → ``w***@example.com``,
``王小明`` → ``王**``. ``unmasked=True`` exports them as stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from clientlens.errors import DataContractError
from clientlens.schema import TABLES

if TYPE_CHECKING:
    from clientlens.workspace import Workspace

EXCEL_MAX_ROWS = 1_048_575


def mask_pii(table: ir.Table, kind: str) -> ir.Table:
    """Mask the personal-data columns of canonical table ``kind`` (engine-side)."""
    spec = TABLES.get(kind)
    if spec is None:
        return table
    changes = {}
    for col in spec.columns:
        if not col.pii or col.name not in table.columns:
            continue
        value = table[col.name].cast("string")
        n = value.length()
        if col.name == "phone":
            masked = ibis.ifelse(
                n >= 7, value.left(3) + "****" + value.right(4), value.left(1) + "***"
            )
        elif col.name == "email":
            at = value.find("@")
            masked = ibis.ifelse(at > 0, value.left(1) + "***" + value.substr(at), "***")
        else:
            masked = value.left(1) + ibis.literal("*").repeat(ibis.greatest(n - 1, 1))
        changes[col.name] = value.isnull().ifelse(ibis.null("string"), masked)
    return table.mutate(**changes) if changes else table


def export_table(ws: Workspace, name: str, path: Path, *, unmasked: bool = False) -> Path:
    """Write table ``name`` to ``path``; the format follows the extension."""
    table = ws.table(name)
    if not unmasked:
        table = mask_pii(table, name)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        table.to_csv(path)
    elif suffix in {".parquet", ".pq"}:
        table.to_parquet(path)
    elif suffix == ".xlsx":
        n = int(table.count().execute())
        if n > EXCEL_MAX_ROWS:
            raise DataContractError(
                f"{name} has {n:,} rows, more than an Excel sheet holds ({EXCEL_MAX_ROWS:,}); "
                "export to .csv or .parquet instead."
            )
        frame = table.execute()
        for col in frame.select_dtypes(include=["datetimetz"]).columns:
            frame[col] = frame[col].dt.tz_localize(None)
        frame.to_excel(path, index=False, sheet_name=name[:31], engine="openpyxl")
    else:
        raise DataContractError(
            f"{path}: unknown export format {suffix or '(none)'}; use .csv, .parquet or .xlsx."
        )
    return path
