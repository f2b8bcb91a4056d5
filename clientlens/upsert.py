"""The import write: rows upserted by key, filled columns, rejects and the run record.

:meth:`Workspace.upsert <clientlens.workspace.Workspace.upsert>` delegates here; ingest
validates a file and hands over the clean rows, and nothing outside this module and the
workspace writes a canonical table.

What a re-import does to the stored rows (columns the file lacks are kept, empty cells
do not overwrite, unchanged rows are counted and not written) is the rule of
:mod:`clientlens.merge`, run in the engine on both paths. How the write is made
all-or-nothing depends on the engine:

* **DuckDB**: one transaction creates the table if missing, stages the file's rows typed
  like the table, updates in place the stored rows the merge changes, inserts the new
  ones, registers the filled columns, stores the rejects and records the run. Any error
  rolls all of it back.
* **PySpark**: there is no multi-table transaction. The new contents of the table (the
  stored rows merged with the file's, plus its new rows) are built as a separate table
  first; only then are they swapped in with one overwrite step, after which the filled
  columns, the rejects and, last, the run record are appended. A failure before the swap
  leaves the workspace unchanged. When the file changes no stored row and adds none,
  nothing is swapped.
* **PostgreSQL**: one PostgreSQL transaction, as on DuckDB. The file's rows are copied
  (``COPY``) into a temporary table dropped at commit, the merge's ``UPDATE`` and
  ``INSERT`` run from it; the filled columns, the rejects and the run record are written
  in the same transaction, so any error rolls all of it back. The run table is locked
  first, so two imports into one workspace take turns instead of taking the same run id.
* **Any other Ibis backend**: refused with a :class:`~clientlens.errors.WorkspaceError`
  before anything is read, because ClientLens cannot make the write atomic there yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.schema as sch
import pandas as pd

from clientlens.errors import WorkspaceError
from clientlens.merge import Merge, MergeCounts

if TYPE_CHECKING:
    from clientlens.workspace import Workspace

ATOMIC_ENGINES = ("duckdb", "pyspark", "postgres")
_STAGE = "_clientlens_stage_{}"
_NEW = "_clientlens_new_{}"
_DUCKDB_STAGE = "_clientlens_stage"


@dataclass(frozen=True)
class Staged:
    """Validated rows already in the workspace's DuckDB connection, as a temporary table."""

    table: str
    rows: int
    columns: tuple[str, ...]
    """The canonical columns to write (the table may hold others, such as ``_row``)."""

    def __len__(self) -> int:
        return self.rows


@dataclass(frozen=True)
class Upserted:
    """What an upsert wrote."""

    inserted: int
    updated: int
    run_id: int
    unchanged: int = 0
    """Rows whose key was stored and whose stored values the file left as they were."""
    columns_updated: tuple[str, ...] = ()
    """Columns in which at least one stored value changed."""


def require_atomic_engine(ws: Workspace) -> None:
    """Refuse, before any work, an engine on which an import cannot be all-or-nothing."""
    name = getattr(ws.con, "name", ws.engine)
    if name not in ATOMIC_ENGINES:
        raise WorkspaceError(
            f"Imports into a {name} workspace ({ws.path}) are not supported yet: ClientLens "
            "can make an import all-or-nothing only on DuckDB and PySpark. Import into a "
            'workspace with engine = "duckdb" (the default) or "pyspark".'
        )


def upsert(
    ws: Workspace,
    table: str,
    frame: pd.DataFrame | Staged,
    *,
    key: Sequence[str],
    schema: sch.Schema,
    run_record: Mapping[str, Any],
    rejects: pd.DataFrame | None = None,
    columns_filled: Iterable[str] = (),
    blank_overwrites: bool = False,
) -> Upserted:
    """Write ``frame`` into ``table`` by ``key`` and record the run, all or nothing.

    Parameters
    ----------
    table
        Canonical table name; created with ``schema`` (its whole canonical schema) if missing.
    frame
        The validated rows (a frame, or on DuckDB a :class:`Staged` table of the
        workspace's connection); columns a subset of ``schema``. A row whose ``key`` is already
        stored updates the stored row by the rule of :mod:`clientlens.merge`: columns
        ``frame`` lacks stay as stored, and so do stored values where ``frame`` has a
        missing value (unless ``blank_overwrites``). Without a key, rows are appended.
    run_record
        Fields of the run metadata row (``source``, ``checksum``, ``rows_read``, ``status``,
        ``details`` ...). ``run_id``, ``rows_inserted``, ``rows_updated`` and ``rows_loaded``
        are filled in here, and ``rows_unchanged`` and ``columns_updated`` are added to
        ``details``; ``kind`` defaults to ``"import"``, ``name`` to ``table``, and
        ``duration_s`` to the time since ``started_at``.
    rejects
        Bad rows kept in the rejects table (``source, row, column_name, value, reason``);
        ``run_id`` and ``table_name`` are filled in here.
    columns_filled
        Columns the import filled; those not yet registered for ``table`` are registered,
        so :meth:`Workspace.table` shows them.
    blank_overwrites
        A missing value in ``frame`` empties the stored value instead of leaving it.
    """
    require_atomic_engine(ws)
    if isinstance(frame, Staged) and not ws.is_duckdb:
        raise WorkspaceError("Staged rows can only be written to a DuckDB workspace.")
    if ws.is_duckdb:
        return _upsert_duckdb(
            ws, table, frame, key, schema, run_record, rejects, columns_filled, blank_overwrites
        )
    assert not isinstance(frame, Staged)
    if getattr(ws.con, "name", "") == "postgres":
        return _upsert_postgres(
            ws, table, frame, key, schema, run_record, rejects, columns_filled, blank_overwrites
        )
    return _upsert_by_swap(
        ws, table, frame, key, schema, run_record, rejects, columns_filled, blank_overwrites
    )


def _upsert_duckdb(
    ws: Workspace,
    table: str,
    frame: pd.DataFrame | Staged,
    key: Sequence[str],
    schema: sch.Schema,
    run_record: Mapping[str, Any],
    rejects: pd.DataFrame | None,
    columns_filled: Iterable[str],
    blank_overwrites: bool,
) -> Upserted:
    """One transaction: the typed stage, the merge's UPDATE and INSERT, the registry, the run."""
    from clientlens.workspace import COLUMNS, REJECTS

    given = _given_schema(frame, schema)
    with ws.transaction() as writer:
        writer.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({_column_defs(schema)})')
        if isinstance(frame, Staged):
            # Validated in this connection and typed by the contract already: the merge
            # reads the rows where they are, through a view (no copy of millions of rows).
            listed = ", ".join(f'"{c}"' for c in frame.columns)
            writer.execute(
                f'CREATE TEMP VIEW {_DUCKDB_STAGE} AS SELECT {listed} FROM temp."{frame.table}"'
            )
        else:
            # Typed like the table, so the merge compares values of one type on both sides.
            writer.execute(f"CREATE TEMP TABLE {_DUCKDB_STAGE} ({_column_defs(given)})")
            writer.register("_clientlens_rows", frame)
        try:
            if not isinstance(frame, Staged):
                writer.execute(
                    f"INSERT INTO {_DUCKDB_STAGE} BY NAME SELECT * FROM _clientlens_rows"
                )
            if key and isinstance(frame, Staged) and _is_empty(writer, table):
                # the first load of a table: every row is new (the import has checked that
                # no key repeats), so no row needs comparing with what is stored
                writer.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM {_DUCKDB_STAGE}')
                counts = MergeCounts(len(frame), 0, 0, ())
            elif key:
                counts = _merge_sql(
                    writer.execute,
                    lambda sql: writer.execute(sql).df(),
                    "duckdb",
                    table,
                    _DUCKDB_STAGE,
                    schema,
                    given,
                    key,
                    blank_overwrites,
                )
            else:
                writer.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM {_DUCKDB_STAGE}')
                counts = MergeCounts(len(frame), 0, 0, ())
        finally:
            if isinstance(frame, Staged):
                writer.execute(f"DROP VIEW IF EXISTS {_DUCKDB_STAGE}")
            else:
                writer.unregister("_clientlens_rows")
                writer.execute(f"DROP TABLE IF EXISTS {_DUCKDB_STAGE}")
        ws.append(writer, COLUMNS, _new_columns(ws, table, columns_filled))
        run_id = ws.next_run_id()
        ws.append(writer, REJECTS, _rejects(rejects, run_id, table))
        ws.record_run(writer, run_id=run_id, **_run(run_record, table, counts))
    return Upserted(counts.new, counts.updated, run_id, counts.unchanged, counts.columns_updated)


def _is_empty(writer: Any, table: str) -> bool:
    return not writer.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]


def _merge_sql(
    run: Any,
    fetch: Any,
    dialect: str,
    table: str,
    stage: str,
    schema: sch.Schema,
    given: sch.Schema,
    key: Sequence[str],
    blank_overwrites: bool,
) -> MergeCounts:
    """The merge of ``stage`` into ``table`` in one SQL engine: count, update the changed
    rows in place, insert the new ones. Stored rows the file does not change are not
    written. ``run(sql)`` executes a statement, ``fetch(sql)`` returns a query's frame."""
    merge = Merge(
        ibis.table(schema, name=table),
        ibis.table(given, name=stage),
        key=key,
        blank_overwrites=blank_overwrites,
    )
    counts = merge.counts(fetch(str(ibis.to_sql(merge.count_expr(), dialect=dialect))))
    if counts.columns_updated:
        sets = ", ".join(f'"{c}" = u."{c}"' for c in counts.columns_updated)
        on = " AND ".join(f't."{k}" = u."{k}"' for k in key)
        changed = ibis.to_sql(merge.changed_rows(counts.columns_updated), dialect=dialect)
        run(f'UPDATE "{table}" AS t SET {sets} FROM ({changed}) AS u WHERE {on}')
    if counts.new:
        listed = ", ".join(f'"{c}"' for c in given.names)
        new = ibis.to_sql(merge.new_rows(), dialect=dialect)
        run(f'INSERT INTO "{table}" ({listed}) SELECT {listed} FROM ({new}) AS n')
    return counts


def _upsert_postgres(
    ws: Workspace,
    table: str,
    frame: pd.DataFrame,
    key: Sequence[str],
    schema: sch.Schema,
    run_record: Mapping[str, Any],
    rejects: pd.DataFrame | None,
    columns_filled: Iterable[str],
    blank_overwrites: bool,
) -> Upserted:
    """One transaction on the backend's psycopg connection; Ibis' own statements inside
    it (the metadata appends, the run id) run as savepoints of that transaction."""
    from clientlens.workspace import COLUMNS, COLUMNS_SCHEMA, REJECTS, REJECTS_SCHEMA, RUNS

    con = ws.con
    raw = con.con
    stage = _STAGE.format(table)
    cols = ", ".join(c.sql("postgres") for c in schema.to_sqlglot_column_defs("postgres"))
    names = ", ".join(f'"{c}"' for c in frame.columns)
    with raw.transaction(), raw.cursor() as cur:
        cur.execute(f'LOCK TABLE "{RUNS}" IN EXCLUSIVE MODE')
        cur.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({cols})')
        cur.execute(f'CREATE TEMPORARY TABLE "{stage}" (LIKE "{table}") ON COMMIT DROP')
        with cur.copy(f'COPY "{stage}" ({names}) FROM STDIN') as copy:
            for row in _python_rows(frame):
                copy.write_row(row)
        given = _given_schema(frame, schema)
        if key:
            counts = _merge_sql(
                cur.execute,
                lambda sql: _fetch_frame(cur, sql),
                "postgres",
                table,
                stage,
                schema,
                given,
                key,
                blank_overwrites,
            )
        else:
            cur.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{stage}"')
            counts = MergeCounts(len(frame), 0, 0, ())
        ws.append(con, COLUMNS, _new_columns(ws, table, columns_filled), COLUMNS_SCHEMA)
        run_id = ws.next_run_id()
        ws.append(con, REJECTS, _rejects(rejects, run_id, table), REJECTS_SCHEMA)
        ws.record_run(con, run_id=run_id, **_run(run_record, table, counts))
    return Upserted(counts.new, counts.updated, run_id, counts.unchanged, counts.columns_updated)


def _fetch_frame(cur: Any, sql: str) -> pd.DataFrame:
    found = cur.execute(sql)
    return pd.DataFrame(found.fetchall(), columns=[d.name for d in found.description])


def _python_rows(frame: pd.DataFrame) -> Iterator[tuple[Any, ...]]:
    """The rows as Python values (None for every missing value) for psycopg's COPY."""
    plain = frame.astype(object).where(frame.notna(), None)
    return plain.itertuples(index=False, name=None)


def _upsert_by_swap(
    ws: Workspace,
    table: str,
    frame: pd.DataFrame,
    key: Sequence[str],
    schema: sch.Schema,
    run_record: Mapping[str, Any],
    rejects: pd.DataFrame | None,
    columns_filled: Iterable[str],
    blank_overwrites: bool,
) -> Upserted:
    """Build the new contents aside, swap them in with one overwrite, then record the run."""
    from clientlens.workspace import COLUMNS, COLUMNS_SCHEMA, REJECTS, REJECTS_SCHEMA

    con = ws.con
    stage, new = _STAGE.format(table), _NEW.format(table)
    exists = table in con.list_tables()
    counts = MergeCounts(len(frame), 0, 0, ())
    keep_new = False
    try:
        merged = None
        if not exists:
            merged = ibis.memtable(conform_rows(frame, schema), schema=schema)
        elif not frame.empty and key:
            given = _given_schema(frame, schema)
            incoming = ibis.memtable(conform_rows(frame, given), schema=given)
            staged = con.create_table(stage, incoming, overwrite=True)
            merge = Merge(con.table(table), staged, key=key, blank_overwrites=blank_overwrites)
            counts = merge.counts(merge.count_expr().execute())
            if counts.new or counts.updated:  # else the stored rows stay as they are
                merged = merge.table()
        elif not frame.empty:
            old = con.table(table)
            incoming = ibis.memtable(conform_rows(frame, schema), schema=schema)
            merged = old.union(incoming.select(old.columns))
        if merged is not None:
            # Spark cannot overwrite a table while reading it, and a failure while the
            # merge runs must leave the stored table as it was: materialise it aside first.
            con.create_table(new, merged, overwrite=True)
        new_columns = _new_columns(ws, table, columns_filled)
        run_id = ws.next_run_id()
        if merged is not None:
            try:
                con.create_table(table, con.table(new), overwrite=True)  # the swap
            except Exception as exc:  # the engine's own error, with the way back
                keep_new = True
                raise WorkspaceError(
                    f"Replacing table {table!r} with its new contents failed: {exc}. "
                    f"The complete new contents (the stored rows and this file's) are kept "
                    f"in table {new!r} and the import was not recorded; if {table!r} is now "
                    f"missing, rename {new!r} to {table!r} (ALTER TABLE ... RENAME TO ...)."
                ) from exc
    finally:
        for name in (stage,) if keep_new else (stage, new):
            if name in con.list_tables():
                con.drop_table(name)
    ws.append(con, COLUMNS, new_columns, COLUMNS_SCHEMA)
    ws.append(con, REJECTS, _rejects(rejects, run_id, table), REJECTS_SCHEMA)
    ws.record_run(con, run_id=run_id, **_run(run_record, table, counts))
    return Upserted(counts.new, counts.updated, run_id, counts.unchanged, counts.columns_updated)


def _given_schema(frame: pd.DataFrame | Staged, schema: sch.Schema) -> sch.Schema:
    """The part of ``schema`` that ``frame`` has, in the table's order."""
    return ibis.schema({c: t for c, t in schema.items() if c in frame.columns})


def _column_defs(schema: sch.Schema) -> str:
    return ", ".join(c.sql("duckdb") for c in schema.to_sqlglot_column_defs("duckdb"))


def _new_columns(ws: Workspace, table: str, columns_filled: Iterable[str]) -> pd.DataFrame:
    known = set(ws.present_columns(table))
    return pd.DataFrame(
        {"table_name": table, "column_name": [c for c in columns_filled if c not in known]},
        columns=["table_name", "column_name"],
    )


def _rejects(rejects: pd.DataFrame | None, run_id: int, table: str) -> pd.DataFrame:
    from clientlens.workspace import REJECTS_SCHEMA

    if rejects is None or rejects.empty:
        return pd.DataFrame(columns=list(REJECTS_SCHEMA))
    out = rejects.assign(run_id=run_id, table_name=table)
    return out[list(REJECTS_SCHEMA)]


def _run(run_record: Mapping[str, Any], table: str, counts: MergeCounts) -> dict[str, Any]:
    fields: dict[str, Any] = {"kind": "import", "name": table, **run_record}
    if "duration_s" not in fields and fields.get("started_at") is not None:
        fields["duration_s"] = (dt.datetime.now() - fields["started_at"]).total_seconds()
    fields.update(
        rows_inserted=counts.new,
        rows_updated=counts.updated,
        rows_loaded=counts.new + counts.updated,
    )
    details = fields.get("details")
    if details is None or isinstance(details, dict):
        fields["details"] = {
            **(details or {}),
            "rows_unchanged": counts.unchanged,
            "columns_updated": list(counts.columns_updated),
        }
    return fields


def conform_rows(frame: pd.DataFrame, schema: sch.Schema) -> pd.DataFrame:
    """Every column of ``schema`` in its order, missing values as None (NaT for times).

    PySpark's pandas conversion turns a nullable ``Int64`` column with a missing value
    into all nulls, and keeps a float NaN as NaN (so ``sum`` gives NaN where DuckDB skips
    the null); Python objects with None convert exactly.
    """
    out = pd.DataFrame(index=frame.index)
    for name, dtype in schema.items():
        if dtype.is_temporal():  # NaT converts to null already
            out[name] = (
                frame[name]
                if name in frame.columns
                else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
            )
        elif name in frame.columns:
            out[name] = frame[name].astype(object).where(frame[name].notna(), None)
        else:
            out[name] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return out
