"""Loading a validated source into the workspace, all or nothing.

Rows are upserted by the table's key (``order_id`` for orders, ...): re-importing an
overlapping file replaces those rows instead of duplicating them, and re-importing
the very same file (same checksum) is a no-op. The write itself — the table, the column
registry, the rejects and the run record — is one call, :meth:`Workspace.upsert`, which
makes it all or nothing on each engine (:mod:`clientlens.upsert`).

Reading and validation run in DuckDB (:class:`Stage`): on a DuckDB workspace in the
workspace's own connection, as temporary tables, so that the validated rows are
inserted without leaving the engine; on other engines in a private in-memory DuckDB,
from which the validated rows are handed over.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clientlens.errors import ConfigError, ImportValidationError, Problem
from clientlens.ingest.read import read_source
from clientlens.ingest.validate import Options, Validated, validate
from clientlens.schema import TableSpec, table_spec
from clientlens.upsert import Staged, require_atomic_engine

if TYPE_CHECKING:
    import duckdb

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
    rows_updated: int = 0
    rows_rejected: int = 0
    duplicates_merged: int = 0
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

    def close(self) -> None:
        if self.private:
            self.con.close()
            return
        like = self.prefix.replace("_", "\\_") + "%"
        for kind in ("VIEW", "TABLE"):
            source = "duckdb_views()" if kind == "VIEW" else "duckdb_tables()"
            names = self.con.execute(
                f"SELECT view_name FROM {source} WHERE temporary AND view_name LIKE ? ESCAPE '\\'"
                if kind == "VIEW"
                else f"SELECT table_name FROM {source} WHERE temporary AND table_name LIKE ? ESCAPE '\\'",
                [like],
            ).fetchall()
            for (name,) in names:
                self.con.execute(f'DROP {kind} IF EXISTS temp."{name}"')


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
    progress: Progress | None = None,
    sheet: str | int | None = None,
    decimal: str | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
) -> ImportResult:
    """Validate ``source`` against table ``kind`` and load it.

    Parameters
    ----------
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
        :data:`~clientlens.ingest.validate.PROBLEMS_FETCHED`; ``.count`` says how many).
    """
    spec = table_spec(kind)
    on_error = on_error or ws.config.on_error
    if on_error not in {"report", "quarantine"}:
        raise ConfigError(f"on_error must be 'report' or 'quarantine', got {on_error!r}.")
    if decimal is not None and decimal not in {".", ",", "auto"}:
        raise ConfigError(f"decimal must be '.', ',' or 'auto', got {decimal!r}.")
    require_atomic_engine(ws)
    step = progress or (lambda _msg, _frac: None)
    timer = ws.timed()
    options = options_for(ws, values)
    if decimal is not None:
        options = Options(**{**options.__dict__, "decimal": decimal})

    with _stage(ws) as stage:
        step(f"reading {source if isinstance(source, str) else kind}", 0.05)
        raw = read_source(stage.con, f"{stage.prefix}_raw", source, sheet=sheet)
        already = _already_imported(ws, kind, raw.checksum)
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
        merged_mapping = {**ws.config.mapping(kind), **dict(mapping or {})}
        checked = validate(
            kind,
            raw,
            prefix=stage.prefix,
            mapping=merged_mapping,
            options=options,
            known_customers=_known_customers(ws, stage, kind, spec),
        )
        result = ImportResult(
            kind,
            raw.label,
            "loaded",
            rows_read=raw.n_rows,
            rows_rejected=checked.rejected_count,
            duplicates_merged=checked.merged_duplicates,
            ignored_headers=checked.ignored_headers,
            column_map=checked.column_map,
            warnings=checked.warnings,
            problems=checked.problems,
            encoding=raw.encoding,
            decimal=checked.decimal,
            warning_count=checked.warning_count,
        )
        errors = checked.errors
        structural = [p for p in errors if p.row is None]
        if structural or (errors and on_error == "report"):
            n_rows = checked.rejected_count
            what = (
                "required column(s) missing: " + ", ".join(str(p.column) for p in structural)
                if structural
                else f"{checked.error_count} problem(s) in {n_rows} row(s)"
            )
            raise ImportValidationError(
                f"{raw.label}: {what}; nothing was imported. "
                + (
                    ""
                    if structural
                    else "Fix the file, or load the good rows with --on-error quarantine."
                ),
                errors,
                count=checked.error_count,
            )
        if errors:
            result.status = "loaded with rejects"

        step("loading", 0.7)
        _load(ws, spec, checked, raw.checksum, result, timer, stage)
    step("done", 1.0)
    return result


def _known_customers(ws: Workspace, stage: Stage, kind: str, spec: TableSpec) -> str | None:
    """A query, in the stage's connection, of the customer ids already stored."""
    if kind == "customers" or "customer_id" not in spec.names or not ws.has_table("customers"):
        return None
    if ws.row_count("customers") == 0:
        return None
    if not stage.private:
        return 'SELECT customer_id FROM main."customers"'
    ids = ws.con.table("customers").select("customer_id").to_pyarrow()
    stage.con.register(f"{stage.prefix}_known", ids)
    return f'SELECT customer_id FROM "{stage.prefix}_known"'


def _already_imported(ws: Workspace, kind: str, checksum: str) -> int | None:
    import pandas as pd

    from clientlens.workspace import RUNS

    runs = ws.con.table(RUNS)
    hit = (
        runs.filter((runs.kind == "import") & (runs.name == kind) & (runs.checksum == checksum))
        .run_id.max()
        .execute()
    )
    return None if hit is None or pd.isna(hit) else int(hit)


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
    checksum: str,
    result: ImportResult,
    timer: Any,
    stage: Stage,
) -> None:
    rows: Any
    if checked.clean is None:
        import pandas as pd

        rows = pd.DataFrame(columns=checked.columns)
        filled: list[str] = []
    else:
        filled = _filled_columns(stage.con, checked.clean, checked.columns)
        rows = Staged(checked.clean, checked.rows) if not stage.private else checked.frame()
    written = ws.upsert(
        spec.name,
        rows,
        key=spec.key,
        schema=spec.ibis_schema(),
        columns_filled=filled,
        rejects=checked.rejects(),
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
                "warnings": checked.warning_count,
                "duplicates_merged": result.duplicates_merged,
                "decimal": result.decimal,
            },
        },
    )
    result.rows_inserted, result.rows_updated = written.inserted, written.updated
    result.run_id = written.run_id
