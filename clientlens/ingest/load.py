"""Loading a validated source into the workspace, all or nothing.

Rows are upserted by the table's key (``order_id`` for orders, ...): re-importing an
overlapping file updates those rows instead of duplicating them, column by column
(:mod:`clientlens.merge`), and re-importing the very file that was the table's latest
import, with the same options, is a no-op. Columns can be derived on the way in from
tables already imported (:mod:`clientlens.ingest.derive`), and ids that point nowhere
are warned about (:mod:`clientlens.ingest.references`). The write itself — the table, the column
registry, the rejects and the run record — is one call, :meth:`Workspace.upsert`, which
makes it all or nothing on each engine (:mod:`clientlens.upsert`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from clientlens.errors import ConfigError, ImportValidationError, Problem
from clientlens.ingest import derive
from clientlens.ingest.read import read_source
from clientlens.ingest.references import unknown_references
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
    """New rows: their key was not stored (every row, for a table without a key)."""
    rows_updated: int = 0
    """Stored rows the file changed."""
    rows_unchanged: int = 0
    """Stored rows the file has and left exactly as they were."""
    rows_rejected: int = 0
    duplicates_merged: int = 0
    columns_updated: list[str] = field(default_factory=list)
    """Columns in which the file changed at least one stored value."""
    amounts_derived: int = 0
    """Orders whose amount was computed from their items (``amount_from="items"``)."""
    ids_mapped: int = 0
    """Rows whose customer id was translated through the ``customer_ids`` map."""
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
    blank_overwrites: bool = False,
    force: bool = False,
    amount_from: str | None = None,
    amount_extra: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate ``source`` against table ``kind`` and load it.

    A row whose key is stored updates that row: columns the file lacks stay as stored,
    and an empty cell keeps the stored value unless ``blank_overwrites``
    (:mod:`clientlens.merge`). The file is skipped as ``"already imported"`` only when
    the same content, with the same mapping and options, was the table's latest import
    (for a table without a key: any earlier import, as its rows would be appended
    again); ``force`` loads it anyway.

    Parameters
    ----------
    amount_from
        ``"items"``: orders without an amount get quantity × unit price of their
        imported order items, plus the file's column ``amount_extra`` (say a freight
        header) when given. An order with no amount and no items is a problem of its row.

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
    derive.check_amount_options(kind, amount_from, amount_extra)
    require_atomic_engine(ws)
    step = progress or (lambda _msg, _frac: None)
    timer = ws.timed()

    step(f"reading {source if isinstance(source, str) else kind}", 0.05)
    raw = read_source(source)
    merged_mapping = {**ws.config.mapping(kind), **dict(mapping or {})}
    options = _options(
        ws, kind, merged_mapping, on_error, blank_overwrites, amount_from, amount_extra
    )
    already = None if force else _already_imported(ws, spec, raw.checksum, options)
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
    today = dt.date.fromisoformat(ws.config.today) if ws.config.today else None
    check_spec = spec
    if amount_from is not None:
        check_spec = derive.amount_spec(amount_extra)
        if amount_extra is not None:
            missing = derive.extra_header_missing([str(h) for h in raw.frame.columns], amount_extra)
            if missing is not None:
                problem = replace(missing, file=raw.label)
                raise ImportValidationError(
                    f"{raw.label}: --amount-extra column {amount_extra!r} is missing; "
                    "nothing was imported.",
                    [problem],
                )
            merged_mapping = {**merged_mapping, amount_extra: derive.AMOUNT_EXTRA}
    checked = validate(kind, raw, mapping=merged_mapping, today=today, spec=check_spec)
    column_map = {h: c for h, c in checked.column_map.items() if c != derive.AMOUNT_EXTRA}
    structural = [p for p in checked.errors if p.row is None]
    step("deriving", 0.45)
    found = _Found(checked.frame, list(checked.problems), len(checked.rejected_rows))
    if not structural:
        _derive(ws, spec, checked, raw.label, amount_from, on_error, found)
    frame, problems, rejected = found.frame, found.problems, found.rejected
    amounts, ids = found.amounts, found.ids

    errors = [p for p in problems if p.severity == "error"]
    result = ImportResult(
        kind,
        raw.label,
        "loaded",
        rows_read=len(raw.frame),
        rows_rejected=rejected,
        duplicates_merged=checked.merged_duplicates,
        amounts_derived=amounts,
        ids_mapped=ids,
        ignored_headers=checked.ignored_headers,
        column_map=column_map,
        warnings=[p for p in problems if p.severity == "warning"],
        problems=problems,
        encoding=raw.encoding,
    )
    if structural or (errors and on_error == "report"):
        n_rows = len({p.row for p in errors if p.row is not None})
        what = (
            "required column(s) missing: " + ", ".join(str(p.column) for p in structural)
            if structural
            else f"{len(errors)} problem(s) in {n_rows} row(s)"
        )
        raise ImportValidationError(
            f"{raw.label}: {what}; nothing was imported. "
            + (
                ""
                if structural
                else "Fix the file, or load the good rows with --on-error quarantine."
            ),
            errors,
        )
    if errors:
        result.status = "loaded with rejects"

    step("loading", 0.7)
    _load(ws, spec, frame, errors, raw.checksum, options, blank_overwrites, result, timer)
    step("done", 1.0)
    return result


@dataclass
class _Found:
    """The rows to load and what was found on the way, as the derivations refine them."""

    frame: pd.DataFrame
    problems: list[Problem]
    rejected: int
    amounts: int = 0
    ids: int = 0


def _derive(
    ws: Workspace,
    spec: TableSpec,
    checked: Validated,
    label: str,
    amount_from: str | None,
    on_error: str,
    found: _Found,
) -> None:
    """Amounts from items, ids through the id map, reference warnings, all in the engine.

    The amounts' problems join the validation's, so a file is fixed once; the id map and
    the reference warnings are skipped when the file is rejected anyway.
    """
    source_names = {c: h for h, c in checked.column_map.items()}
    if amount_from is not None:
        amounts = derive.amounts_from_items(
            ws,
            found.frame,
            checked.source_rows,
            label=label,
            amount_header=source_names.get("amount"),
        )
        found.frame, found.amounts = amounts.frame, amounts.rows
        found.problems = sorted(
            [*found.problems, *amounts.problems], key=lambda p: (p.row or 0, p.column or "")
        )
        found.rejected += len(amounts.problems)
    if on_error == "report" and any(p.severity == "error" for p in found.problems):
        return
    mapped = derive.map_customer_ids(ws, spec.name, found.frame)
    found.frame, found.ids = mapped.frame, mapped.rows
    found.problems += unknown_references(
        ws, spec, found.frame, label=label, source_names=source_names
    )


def _options(
    ws: Workspace,
    kind: str,
    mapping: Mapping[str, str],
    on_error: str,
    blank_overwrites: bool,
    amount_from: str | None,
    amount_extra: str | None,
) -> dict[str, Any]:
    """What, besides the content, decides what an import stores: its mapping and options,
    and the imports of the tables it derives columns from (as their latest run ids)."""
    options: dict[str, Any] = {
        "mapping": dict(sorted(mapping.items())),
        "on_error": on_error,
        "blank_overwrites": blank_overwrites,
    }
    if amount_from is not None:
        options.update(
            amount_from=amount_from,
            amount_extra=amount_extra,
            order_items_run=_latest_import(ws, "order_items"),
        )
    if kind in derive.ID_MAPPED_TABLES:
        options["customer_ids_run"] = _latest_import(ws, derive.ID_MAP)
    return options


def _imports(ws: Workspace, kind: str) -> Any:
    from clientlens.workspace import RUNS

    runs = ws.con.table(RUNS)
    return runs.filter((runs.kind == "import") & (runs.name == kind))


def _latest_import(ws: Workspace, kind: str) -> int | None:
    last = _imports(ws, kind).run_id.max().execute()
    return None if last is None or pd.isna(last) else int(last)


def _already_imported(
    ws: Workspace, spec: TableSpec, checksum: str, options: Mapping[str, Any]
) -> int | None:
    """The run that already stored this content, if importing it again would change nothing.

    With a key, that is the table's latest import when it had the same content and the
    same options; any other state is upserted again (an earlier file may have been
    overwritten since). Without a key, any import of the same content: its rows would be
    appended a second time.
    """
    imports = _imports(ws, spec.name)
    if not spec.key:
        hit = imports.filter(imports.checksum == checksum).run_id.max().execute()
        return None if hit is None or pd.isna(hit) else int(hit)
    latest = imports.order_by(imports.run_id.desc()).limit(1).execute()
    if latest.empty or latest["checksum"].iloc[0] != checksum:
        return None
    details = json.loads(latest["details"].iloc[0] or "{}")
    return int(latest["run_id"].iloc[0]) if details.get("options") == options else None


def _load(
    ws: Workspace,
    spec: TableSpec,
    frame: pd.DataFrame,
    errors: list[Problem],
    checksum: str,
    options: Mapping[str, Any],
    blank_overwrites: bool,
    result: ImportResult,
    timer: Any,
) -> None:
    rejects = pd.DataFrame(
        [
            {
                "source": p.file,
                "row": p.row,
                "column_name": p.column,
                "value": p.value,
                "reason": p.reason,
            }
            for p in errors
        ]
    )
    written = ws.upsert(
        spec.name,
        frame,
        key=spec.key,
        schema=spec.ibis_schema(),
        columns_filled=[c for c in frame.columns if frame[c].notna().any()],
        rejects=rejects,
        blank_overwrites=blank_overwrites,
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
                "amounts_derived": result.amounts_derived,
                "ids_mapped": result.ids_mapped,
                "options": dict(options),
            },
        },
    )
    result.rows_inserted, result.rows_updated = written.inserted, written.updated
    result.rows_unchanged, result.columns_updated = written.unchanged, list(written.columns_updated)
    result.run_id = written.run_id
