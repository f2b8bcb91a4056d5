"""Loading a validated source into the workspace, all or nothing.

Rows are upserted by the table's key (``order_id`` for orders, ...): re-importing an
overlapping file replaces those rows instead of duplicating them, and re-importing
the very same file (same checksum) is a no-op. The write itself — the table, the column
registry, the rejects and the run record — is one call, :meth:`Workspace.upsert`, which
makes it all or nothing on each engine (:mod:`clientlens.upsert`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from clientlens.errors import ConfigError, ImportValidationError, Problem
from clientlens.ingest.read import read_source
from clientlens.ingest.validate import Validated, validate
from clientlens.schema import TableSpec, table_spec
from clientlens.upsert import require_atomic_engine

if TYPE_CHECKING:
    from clientlens.workspace import Progress, Workspace


@dataclass
class ImportResult:
    """What an import did."""

    table: str
    source: str
    status: str
    """'loaded', 'loaded with rejects' or 'already imported'."""
    rows_read: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_rejected: int = 0
    duplicates_merged: int = 0
    ignored_headers: list[str] = field(default_factory=list)
    column_map: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None
    run_id: int | None = None

    @property
    def rows_loaded(self) -> int:
        return self.rows_inserted + self.rows_updated


def import_table(
    ws: Workspace,
    kind: str,
    source: Any,
    *,
    mapping: Mapping[str, str] | None = None,
    on_error: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate ``source`` against table ``kind`` and load it.

    Raises
    ------
    ImportValidationError
        With ``on_error="report"`` (the default) when any row is bad; the workspace is
        left exactly as it was. ``.problems`` lists every problem.
    """
    spec = table_spec(kind)
    on_error = on_error or ws.config.on_error
    if on_error not in {"report", "quarantine"}:
        raise ConfigError(f"on_error must be 'report' or 'quarantine', got {on_error!r}.")
    require_atomic_engine(ws)
    step = progress or (lambda _msg, _frac: None)
    timer = ws.timed()

    step(f"reading {source if isinstance(source, str) else kind}", 0.05)
    raw = read_source(source)
    already = _already_imported(ws, kind, raw.checksum)
    if already is not None:
        return ImportResult(
            kind,
            raw.label,
            "already imported",
            rows_read=len(raw.frame),
            run_id=already,
            encoding=raw.encoding,
        )

    step("validating", 0.3)
    merged_mapping = {**ws.config.mapping(kind), **dict(mapping or {})}
    known = None
    if kind != "customers" and "customer_id" in spec.names and ws.has_table("customers"):
        known = ws.con.table("customers").customer_id.execute()
        known = known if len(known) else None
    today = dt.date.fromisoformat(ws.config.today) if ws.config.today else None
    checked = validate(kind, raw, mapping=merged_mapping, today=today, known_customers=known)
    result = ImportResult(
        kind,
        raw.label,
        "loaded",
        rows_read=len(raw.frame),
        rows_rejected=len(checked.rejected_rows),
        duplicates_merged=checked.merged_duplicates,
        ignored_headers=checked.ignored_headers,
        column_map=checked.column_map,
        warnings=checked.warnings,
        problems=checked.problems,
        encoding=raw.encoding,
    )
    structural = [p for p in checked.errors if p.row is None]
    if structural or (checked.errors and on_error == "report"):
        n_rows = len({p.row for p in checked.errors if p.row is not None})
        what = (
            "required column(s) missing: " + ", ".join(str(p.column) for p in structural)
            if structural
            else f"{len(checked.errors)} problem(s) in {n_rows} row(s)"
        )
        # a file's rows are its lines; elsewhere say what the numbers count
        numbering = (
            ""
            if raw.row_word == "row" or structural
            else f"Row numbers count {raw.row_word}s from {raw.first_row}. "
        )
        raise ImportValidationError(
            f"{raw.label}: {what}; nothing was imported. {numbering}"
            + (
                ""
                if structural
                else f"Fix the {'file' if raw.row_word == 'row' else 'data'}, or load the "
                "good rows with --on-error quarantine."
            ),
            checked.errors,
        )
    if checked.errors:
        result.status = "loaded with rejects"

    step("loading", 0.7)
    _load(ws, spec, checked, raw.checksum, result, timer)
    step("done", 1.0)
    return result


def _already_imported(ws: Workspace, kind: str, checksum: str) -> int | None:
    from clientlens.workspace import RUNS

    runs = ws.con.table(RUNS)
    hit = (
        runs.filter((runs.kind == "import") & (runs.name == kind) & (runs.checksum == checksum))
        .run_id.max()
        .execute()
    )
    return None if hit is None or pd.isna(hit) else int(hit)


def _load(
    ws: Workspace,
    spec: TableSpec,
    checked: Validated,
    checksum: str,
    result: ImportResult,
    timer: Any,
) -> None:
    frame = checked.frame
    rejects = pd.DataFrame(
        [
            {
                "source": p.file,
                "row": p.row,
                "column_name": p.column,
                "value": p.value,
                "reason": p.reason,
            }
            for p in checked.errors
        ]
    )
    written = ws.upsert(
        spec.name,
        frame,
        key=spec.key,
        schema=spec.ibis_schema(),
        columns_filled=[c for c in frame.columns if frame[c].notna().any()],
        rejects=rejects,
        run_record={
            "started_at": timer.started_at,
            "source": result.source,
            "checksum": checksum,
            "rows_read": result.rows_read,
            "rows_rejected": result.rows_rejected,
            "status": result.status,
            "details": {
                "encoding": result.encoding,
                "columns": result.column_map,
                "ignored_headers": result.ignored_headers,
                "warnings": len(result.warnings),
                "duplicates_merged": result.duplicates_merged,
            },
        },
    )
    result.rows_inserted, result.rows_updated = written.inserted, written.updated
    result.run_id = written.run_id
