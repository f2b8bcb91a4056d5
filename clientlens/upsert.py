"""The import write: rows upserted by key, filled columns, rejects and the run record.

:meth:`Workspace.upsert <clientlens.workspace.Workspace.upsert>` delegates here; ingest
validates a file and hands over the clean rows, and nothing outside this module and the
workspace writes a canonical table.

How the write is made all-or-nothing depends on the engine:

* **DuckDB**: one transaction creates the table if missing, replaces the rows whose key
  is already stored, inserts the rest, registers the filled columns, stores the rejects
  and records the run. Any error rolls all of it back.
* **PySpark**: there is no multi-table transaction. The new contents of the table (stored
  rows whose key is not in the file, plus the file's rows) are built as a separate table
  first; only then are they swapped in with one overwrite step, after which the filled
  columns, the rejects and, last, the run record are appended. A failure before the swap
  leaves the workspace unchanged.
* **PostgreSQL**: one PostgreSQL transaction, as on DuckDB. The file's rows are copied
  (``COPY``) into a temporary table dropped at commit, then the stored rows with those
  keys are deleted and the new ones inserted; the filled columns, the rejects and the run
  record are written in the same transaction, so any error rolls all of it back. The run
  table is locked first, so two imports into one workspace take turns instead of taking
  the same run id.
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

if TYPE_CHECKING:
    from clientlens.workspace import Workspace

ATOMIC_ENGINES = ("duckdb", "pyspark", "postgres")
_STAGE = "_clientlens_stage_{}"
_NEW = "_clientlens_new_{}"


@dataclass(frozen=True)
class Upserted:
    """What an upsert wrote."""

    inserted: int
    updated: int
    run_id: int


def require_atomic_engine(ws: Workspace) -> None:
    """Refuse, before any work, an engine on which an import cannot be all-or-nothing."""
    name = getattr(ws.con, "name", ws.engine)
    if name not in ATOMIC_ENGINES:
        raise WorkspaceError(
            f"Imports into a {name} workspace ({ws.path}) are not supported yet: ClientLens "
            "can make an import all-or-nothing only on DuckDB, PySpark and PostgreSQL. Import "
            'into a workspace with engine = "duckdb" (the default), "pyspark" or "postgres".'
        )


def upsert(
    ws: Workspace,
    table: str,
    frame: pd.DataFrame,
    *,
    key: Sequence[str],
    schema: sch.Schema,
    run_record: Mapping[str, Any],
    rejects: pd.DataFrame | None = None,
    columns_filled: Iterable[str] = (),
) -> Upserted:
    """Write ``frame`` into ``table`` by ``key`` and record the run, all or nothing.

    Parameters
    ----------
    table
        Canonical table name; created with ``schema`` (its whole canonical schema) if missing.
    frame
        The validated rows; columns a subset of ``schema``. Rows whose ``key`` is already
        stored replace the stored row as a whole; without a key, rows are appended.
    run_record
        Fields of the run metadata row (``source``, ``checksum``, ``rows_read``, ``status``,
        ``details`` ...). ``run_id``, ``rows_inserted``, ``rows_updated`` and ``rows_loaded``
        are filled in here; ``kind`` defaults to ``"import"``, ``name`` to ``table``, and
        ``duration_s`` to the time since ``started_at``.
    rejects
        Bad rows kept in the rejects table (``source, row, column_name, value, reason``);
        ``run_id`` and ``table_name`` are filled in here.
    columns_filled
        Columns the import filled; those not yet registered for ``table`` are registered,
        so :meth:`Workspace.table` shows them.
    """
    require_atomic_engine(ws)
    if ws.is_duckdb:
        return _upsert_duckdb(ws, table, frame, key, schema, run_record, rejects, columns_filled)
    if getattr(ws.con, "name", "") == "postgres":
        return _upsert_postgres(ws, table, frame, key, schema, run_record, rejects, columns_filled)
    return _upsert_by_swap(ws, table, frame, key, schema, run_record, rejects, columns_filled)


def _upsert_duckdb(
    ws: Workspace,
    table: str,
    frame: pd.DataFrame,
    key: Sequence[str],
    schema: sch.Schema,
    run_record: Mapping[str, Any],
    rejects: pd.DataFrame | None,
    columns_filled: Iterable[str],
) -> Upserted:
    from clientlens.workspace import COLUMNS, REJECTS

    cols = ", ".join(c.sql("duckdb") for c in schema.to_sqlglot_column_defs("duckdb"))
    with ws.transaction() as writer:
        writer.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({cols})')
        writer.register("_clientlens_stage", frame)
        try:
            updated = 0
            if key:
                on = " AND ".join(f't."{k}" = s."{k}"' for k in key)
                updated = writer.execute(
                    f'SELECT count(*) FROM "{table}" t JOIN _clientlens_stage s ON {on}'
                ).fetchone()[0]
                writer.execute(f'DELETE FROM "{table}" t USING _clientlens_stage s WHERE {on}')
            writer.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _clientlens_stage')
        finally:
            writer.unregister("_clientlens_stage")
        inserted = len(frame) - updated
        ws.append(writer, COLUMNS, _new_columns(ws, table, columns_filled))
        run_id = ws.next_run_id()
        ws.append(writer, REJECTS, _rejects(rejects, run_id, table))
        ws.record_run(writer, run_id=run_id, **_run(run_record, table, inserted, updated))
    return Upserted(inserted, updated, run_id)


def _upsert_postgres(
    ws: Workspace,
    table: str,
    frame: pd.DataFrame,
    key: Sequence[str],
    schema: sch.Schema,
    run_record: Mapping[str, Any],
    rejects: pd.DataFrame | None,
    columns_filled: Iterable[str],
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
        updated = 0
        if key:
            on = " AND ".join(f't."{k}" = s."{k}"' for k in key)
            found = cur.execute(f'SELECT count(*) FROM "{table}" t JOIN "{stage}" s ON {on}')
            updated = int(found.fetchone()[0])
            cur.execute(f'DELETE FROM "{table}" t USING "{stage}" s WHERE {on}')
        cur.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{stage}"')
        inserted = len(frame) - updated
        ws.append(con, COLUMNS, _new_columns(ws, table, columns_filled), COLUMNS_SCHEMA)
        run_id = ws.next_run_id()
        ws.append(con, REJECTS, _rejects(rejects, run_id, table), REJECTS_SCHEMA)
        ws.record_run(con, run_id=run_id, **_run(run_record, table, inserted, updated))
    return Upserted(inserted, updated, run_id)


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
) -> Upserted:
    """Build the new contents aside, swap them in with one overwrite, then record the run."""
    from clientlens.workspace import COLUMNS, COLUMNS_SCHEMA, REJECTS, REJECTS_SCHEMA

    con = ws.con
    stage, new = _STAGE.format(table), _NEW.format(table)
    exists = table in con.list_tables()
    updated = 0
    keep_new = False
    try:
        if not exists or not frame.empty:
            incoming = ibis.memtable(_conform(frame, schema), schema=schema)
            if exists:
                old = con.table(table)
                if key:
                    staged = con.create_table(stage, incoming, overwrite=True)
                    updated = int(old.semi_join(staged, list(key)).count().execute())
                    merged = old.anti_join(staged, list(key)).union(staged.select(old.columns))
                else:
                    merged = old.union(incoming.select(old.columns))
            else:
                merged = incoming
            # Spark cannot overwrite a table while reading it, and a failure while the
            # merge runs must leave the stored table as it was: materialise it aside first.
            con.create_table(new, merged, overwrite=True)
            new_columns = _new_columns(ws, table, columns_filled)
            run_id = ws.next_run_id()
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
        else:  # nothing to write: the stored rows stay as they are
            new_columns = _new_columns(ws, table, columns_filled)
            run_id = ws.next_run_id()
    finally:
        for name in (stage,) if keep_new else (stage, new):
            if name in con.list_tables():
                con.drop_table(name)
    inserted = len(frame) - updated
    ws.append(con, COLUMNS, new_columns, COLUMNS_SCHEMA)
    ws.append(con, REJECTS, _rejects(rejects, run_id, table), REJECTS_SCHEMA)
    ws.record_run(con, run_id=run_id, **_run(run_record, table, inserted, updated))
    return Upserted(inserted, updated, run_id)


def _new_columns(ws: Workspace, table: str, columns_filled: Iterable[str]) -> pd.DataFrame:
    known = set(ws.present_columns(table))
    return pd.DataFrame(
        {"table_name": table, "column_name": [c for c in columns_filled if c not in known]},
        columns=["table_name", "column_name"],
    )


def _rejects(rejects: pd.DataFrame | None, run_id: int, table: str) -> pd.DataFrame:
    from clientlens.workspace import REJECTS_SCHEMA

    if rejects is None or rejects.empty:
        return pd.DataFrame(columns=list(REJECTS_SCHEMA.names))
    out = rejects.assign(run_id=run_id, table_name=table)
    return out[list(REJECTS_SCHEMA.names)]


def _run(run_record: Mapping[str, Any], table: str, inserted: int, updated: int) -> dict[str, Any]:
    fields: dict[str, Any] = {"kind": "import", "name": table, **run_record}
    if "duration_s" not in fields and fields.get("started_at") is not None:
        fields["duration_s"] = (dt.datetime.now() - fields["started_at"]).total_seconds()
    fields.update(rows_inserted=inserted, rows_updated=updated, rows_loaded=inserted + updated)
    return fields


def _conform(frame: pd.DataFrame, schema: sch.Schema) -> pd.DataFrame:
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
