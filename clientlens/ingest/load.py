"""Loading a validated source into the workspace, all or nothing.

Rows are upserted by the table's key (``order_id`` for orders, ...): re-importing an
overlapping file updates those rows instead of duplicating them, column by column
(:mod:`clientlens.merge`), and re-importing the very file that was the table's latest
import, with the same options, is a no-op. Columns can be derived on the way in from
tables already imported (:mod:`clientlens.ingest.derive`), and ids that point nowhere
are warned about (:mod:`clientlens.ingest.references`). The write itself — the table,
the column registry, the rejects and the run record — is one call,
:meth:`Workspace.upsert`, which makes it all or nothing on each engine
(:mod:`clientlens.upsert`).

Reading and validation run in DuckDB (:class:`Stage`): on a DuckDB workspace in the
workspace's own connection, as temporary tables, so that the validated rows are
inserted without leaving the engine; on other engines in a private in-memory DuckDB,
from which the validated rows are handed over.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from clientlens.errors import ConfigError, ImportValidationError, Problem
from clientlens.ingest import derive
from clientlens.ingest.read import drop_temporary, read_source
from clientlens.ingest.references import unknown_references
from clientlens.ingest.validate import Options, Validated, validate
from clientlens.schema import TableSpec, table_spec
from clientlens.upsert import Staged, require_atomic_engine

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from clientlens.workspace import Progress, Workspace

_STAGES = itertools.count(1)


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
    decimal: str | None = None
    """The decimal separator the numbers were read with ('.' or ','), if the file had any."""
    warning_count: int = 0

    @property
    def rows_loaded(self) -> int:
        return self.rows_inserted + self.rows_updated


class Stage:
    """An import's scratch space in DuckDB, its temporary tables dropped at the end.

    On a DuckDB workspace it is the workspace's own connection (the validated rows are
    then inserted by one SQL statement); on any other engine a private in-memory DuckDB.
    """

    def __init__(self, ws: Workspace):
        import duckdb

        self.private = not ws.is_duckdb
        self.con: duckdb.DuckDBPyConnection = duckdb.connect() if self.private else ws.con.con
        self.prefix = f"_clientlens_import_{next(_STAGES)}"
        # DuckDB draws its own progress bar on stderr for long queries: not over ours
        self.con.execute("SET enable_progress_bar = false")
        # Bounded memory whatever the file's size: DuckDB evicts its cache of stored tables
        # and spills scratch tables to disk beyond the limit (restored at the end).
        self._memory_limit: str | None = None
        limit = int(ws.config.import_memory_mb)
        if limit > 0:
            self._memory_limit = str(
                self.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]  # type: ignore[index]
            )
            self.con.execute(f"SET memory_limit = '{limit}MB'")

    def close(self) -> None:
        if self.private:
            self.con.close()
            return
        drop_temporary(self.con, prefix=self.prefix)
        if self._memory_limit is not None:
            self.con.execute(f"SET memory_limit = '{self._memory_limit}'")


@contextmanager
def _stage(ws: Workspace) -> Iterator[Stage]:
    stage = Stage(ws)
    try:
        yield stage
    finally:
        stage.close()


def options_for(ws: Workspace, values: Mapping[str, Mapping[str, str]] | None = None) -> Options:
    """The value-reading options of ``ws``'s settings, with ``values`` over its vocabularies."""
    config = ws.config
    today = dt.date.fromisoformat(config.today) if config.today else None
    merged: dict[str, dict[str, str]] = {k: dict(v) for k, v in config.vocabularies().items()}
    for column, extra in (values or {}).items():
        merged.setdefault(column, {}).update(extra)
    return Options(
        decimal=str(config.decimal),
        timezone=str(config.timezone),
        currency=str(config.currency),
        today=today,
        values=merged,
    )


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
    sheet: str | int | None = None,
    decimal: str | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
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
    sheet
        The sheet of an Excel workbook (name or 0-based index; default the first).
    decimal
        '.', ',' or 'auto', for this import (default: the ``decimal`` setting).
    values
        Extra spellings of coded values, ``{"status": {"已揽收": "completed"}}``.

    Raises
    ------
    ImportValidationError
        With ``on_error="report"`` (the default) when any row is bad; the workspace is
        left exactly as it was. ``.problems`` lists the problems (the first
        :data:`~clientlens.ingest.rules.PROBLEMS_FETCHED`; ``.count`` says how many).
    """
    spec = table_spec(kind)
    on_error = on_error or ws.config.on_error
    if on_error not in {"report", "quarantine"}:
        raise ConfigError(f"on_error must be 'report' or 'quarantine', got {on_error!r}.")
    if decimal is not None and decimal not in {".", ",", "auto"}:
        raise ConfigError(f"decimal must be '.', ',' or 'auto', got {decimal!r}.")
    derive.check_amount_options(kind, amount_from, amount_extra)
    require_atomic_engine(ws)
    step = progress or (lambda _msg, _frac: None)
    timer = ws.timed()
    reading = options_for(ws, values)
    if decimal is not None:
        reading = replace(reading, decimal=decimal)

    with _stage(ws) as stage:
        step(f"reading {source if isinstance(source, str) else kind}", 0.05)
        raw = read_source(stage.con, f"{stage.prefix}_raw", source, sheet=sheet)
        merged_mapping = {**ws.config.mapping(kind), **dict(mapping or {})}
        options = _options(
            ws, kind, merged_mapping, on_error, blank_overwrites, amount_from, amount_extra
        )
        options.update(_reading_options(reading, raw.sheet))
        already = None if force else _already_imported(ws, spec, raw.checksum, options)
        if already is not None:
            return ImportResult(
                kind,
                raw.label,
                "already imported",
                rows_read=raw.n_rows,
                run_id=already,
                encoding=raw.encoding,
            )

        step("validating", 0.3)
        check_spec = spec
        if amount_from is not None:
            check_spec = derive.amount_spec(amount_extra)
            if amount_extra is not None:
                missing = derive.extra_header_missing(raw.headers, amount_extra)
                if missing is not None:
                    raise ImportValidationError(
                        f"{raw.label}: --amount-extra column {amount_extra!r} is missing; "
                        "nothing was imported.",
                        [replace(missing, file=raw.label)],
                    )
                merged_mapping = {**merged_mapping, amount_extra: derive.AMOUNT_EXTRA}
        checked = validate(
            kind, raw, prefix=stage.prefix, mapping=merged_mapping, options=reading, spec=check_spec
        )
        column_map = {h: c for h, c in checked.column_map.items() if c != derive.AMOUNT_EXTRA}
        structural = [p for p in checked.errors if p.row is None]
        found = _Found(None, list(checked.problems), checked.rejected_count)
        found.errors, found.warnings = checked.error_count, checked.warning_count
        if not structural:
            step("deriving", 0.45)
            _derive(ws, spec, checked, stage, raw.label, amount_from, on_error, found)
        errors = [p for p in found.problems if p.severity == "error"]
        result = ImportResult(
            kind,
            raw.label,
            "loaded",
            rows_read=raw.n_rows,
            rows_rejected=found.rejected,
            duplicates_merged=checked.merged_duplicates,
            amounts_derived=found.amounts,
            ids_mapped=found.ids,
            ignored_headers=checked.ignored_headers,
            column_map=column_map,
            warnings=[p for p in found.problems if p.severity == "warning"],
            problems=found.problems,
            encoding=raw.encoding,
            decimal=checked.decimal,
            warning_count=found.warnings,
        )
        if structural or (errors and on_error == "report"):
            what = (
                "required column(s) missing: " + ", ".join(str(p.column) for p in structural)
                if structural
                else f"{found.errors} problem(s) in {found.rejected} row(s)"
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
                errors,
                count=found.errors,
            )
        if errors:
            result.status = "loaded with rejects"

        step("loading", 0.7)
        _load(
            ws, spec, checked, found, raw.checksum, options, blank_overwrites, result, timer, stage
        )
    step("done", 1.0)
    return result


@dataclass
class _Found:
    """The rows to load and what was found on the way, as the derivations refine them.

    ``frame`` stays None while the validated rows are still only the stage's table (the
    fast path: nothing is derived, so nothing is fetched into Python)."""

    frame: pd.DataFrame | None
    problems: list[Problem]
    rejected: int
    amounts: int = 0
    ids: int = 0
    errors: int = 0
    warnings: int = 0
    extra_rejects: list[Problem] = field(default_factory=list)
    """Errors found after validation (derived amounts), for the rejects table."""


def _derive(
    ws: Workspace,
    spec: TableSpec,
    checked: Validated,
    stage: Stage,
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
    id_map = spec.name in derive.ID_MAPPED_TABLES and ws.has_table(derive.ID_MAP)
    if amount_from is not None or id_map or stage.private:
        found.frame = checked.frame()
    if amount_from is not None and found.frame is not None:
        rows = checked.frame(with_rows=True)["_row"].to_numpy()
        amounts = derive.amounts_from_items(
            ws, found.frame, rows, label=label, amount_header=source_names.get("amount")
        )
        found.frame, found.amounts = amounts.frame, amounts.rows
        found.problems = sorted(
            [*found.problems, *amounts.problems], key=lambda p: (p.row or 0, p.column or "")
        )
        found.rejected += len(amounts.problems)
        found.errors += len(amounts.problems)
        found.extra_rejects += amounts.problems
    if on_error == "report" and found.errors:
        return
    if found.frame is not None:
        mapped = derive.map_customer_ids(ws, spec.name, found.frame)
        found.frame, found.ids = mapped.frame, mapped.rows
        given: Any = found.frame
    else:
        given = ws.con.table(checked.clean)
    warnings = unknown_references(ws, spec, given, label=label, source_names=source_names)
    found.problems += warnings
    found.warnings += len(warnings)


def _reading_options(reading: Options, sheet: str | None) -> dict[str, Any]:
    """How values were read, as part of the options that decide what an import stores."""
    return {
        "decimal": reading.decimal,
        "timezone": reading.timezone,
        "values": {k: dict(sorted(v.items())) for k, v in sorted(reading.values.items())},
        "sheet": sheet,
    }


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
    import pandas as pd

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
    import pandas as pd

    imports = _imports(ws, spec.name)
    if not spec.key:
        hit = imports.filter(imports.checksum == checksum).run_id.max().execute()
        return None if hit is None or pd.isna(hit) else int(hit)
    latest = imports.order_by(imports.run_id.desc()).limit(1).execute()
    if latest.empty or latest["checksum"].iloc[0] != checksum:
        return None
    details = json.loads(latest["details"].iloc[0] or "{}")
    return int(latest["run_id"].iloc[0]) if details.get("options") == options else None


def _filled_columns(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> list[str]:
    if not columns:
        return []
    counts = con.execute(
        "SELECT " + ", ".join(f'count("{c}")' for c in columns) + f' FROM "{table}"'
    ).fetchone()
    return [c for c, n in zip(columns, counts or [0] * len(columns), strict=True) if n]


def _load(
    ws: Workspace,
    spec: TableSpec,
    checked: Validated,
    found: _Found,
    checksum: str,
    options: Mapping[str, Any],
    blank_overwrites: bool,
    result: ImportResult,
    timer: Any,
    stage: Stage,
) -> None:
    import pandas as pd

    rows: Any
    if found.frame is not None:
        rows = found.frame
        filled = [c for c in rows.columns if rows[c].notna().any()]
    elif checked.clean is None:
        rows = pd.DataFrame(columns=checked.columns)
        filled = []
    else:
        filled = _filled_columns(stage.con, checked.clean, checked.columns)
        rows = Staged(checked.clean, checked.rows, tuple(checked.columns))
    rejects = checked.rejects()
    if found.extra_rejects:
        extra = pd.DataFrame(
            [
                {
                    "source": p.file,
                    "row": p.row,
                    "column_name": p.column,
                    "value": p.value,
                    "reason": p.reason,
                }
                for p in found.extra_rejects
            ]
        )
        rejects = pd.concat([rejects, extra], ignore_index=True) if len(rejects) else extra
    written = ws.upsert(
        spec.name,
        rows,
        key=spec.key,
        schema=spec.ibis_schema(),
        columns_filled=filled,
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
                "warnings": result.warning_count,
                "duplicates_merged": result.duplicates_merged,
                "decimal": result.decimal,
                "amounts_derived": result.amounts_derived,
                "ids_mapped": result.ids_mapped,
                "options": dict(options),
            },
        },
    )
    result.rows_inserted, result.rows_updated = written.inserted, written.updated
    result.rows_unchanged, result.columns_updated = written.unchanged, list(written.columns_updated)
    result.run_id = written.run_id
