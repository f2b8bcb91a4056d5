"""The workspace: one Ibis connection, the canonical tables, results and run metadata.

A workspace is a directory holding ``clientlens.toml`` (settings) and, with the
default engine, ``clientlens.duckdb`` (the data). Nothing else in ClientLens opens a
database connection.

>>> import clientlens as cl
>>> ws = cl.Workspace.init("my_shop")
>>> ws.import_table("orders", "orders.csv").status
'loaded'
>>> ws.table("orders").count().execute()
6
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.schema as sch
import ibis.expr.types as ir
import pandas as pd

from clientlens.config import CONFIG_FILE, Config, load_config
from clientlens.errors import ConfigError, TableNotFoundError, WorkspaceError
from clientlens.schema import TABLE_NAMES

if TYPE_CHECKING:
    from clientlens.results import Results
    from clientlens.upsert import Upserted

DB_FILE = "clientlens.duckdb"
ENV_WORKSPACE = "CLIENTLENS_WORKSPACE"
RUNS = "_clientlens_runs"
COLUMNS = "_clientlens_columns"
REJECTS = "_clientlens_rejects"
META_TABLES = (RUNS, COLUMNS, REJECTS)

RUNS_SCHEMA = ibis.schema(
    {
        "run_id": "int64",
        "kind": "string",
        "name": "string",
        "started_at": "timestamp",
        "duration_s": "float64",
        "source": "string",
        "checksum": "string",
        "rows_read": "int64",
        "rows_loaded": "int64",
        "rows_inserted": "int64",
        "rows_updated": "int64",
        "rows_rejected": "int64",
        "status": "string",
        "observation_end": "date",
        "details": "string",
    }
)
COLUMNS_SCHEMA = ibis.schema({"table_name": "string", "column_name": "string"})
REJECTS_SCHEMA = ibis.schema(
    {
        "run_id": "int64",
        "table_name": "string",
        "source": "string",
        "row": "int64",
        "column_name": "string",
        "value": "string",
        "reason": "string",
    }
)

Progress = Callable[[str, float], None]
"""Called with a step description and the fraction done (0..1)."""


def find_workspace(path: str | os.PathLike[str] | None = None) -> Path:
    """Where the workspace is: ``path``, else $CLIENTLENS_WORKSPACE, else the current directory.

    A ``clientlens.toml`` in the current directory may point elsewhere with
    ``[workspace] path = "..."``. Any of them may name the workspace's ``clientlens.duckdb``
    instead of its directory; see :func:`workspace_directory`.
    """
    if path is not None:
        return workspace_directory(path)
    if os.environ.get(ENV_WORKSPACE):
        return workspace_directory(os.environ[ENV_WORKSPACE])
    here = Path.cwd()
    file = here / CONFIG_FILE
    if file.is_file():
        from clientlens.config import read_config_file

        target = read_config_file(file).get("workspace", {}).get("path")
        if target:
            return workspace_directory((here / target).resolve())
    return here


def workspace_directory(path: str | os.PathLike[str]) -> Path:
    """The workspace directory ``path`` names: itself, or the folder of its ``clientlens.duckdb``.

    Raises
    ------
    WorkspaceError
        When ``path`` is some other existing file.
    """
    given = Path(path)
    if given.is_dir():
        return given
    if given.name == DB_FILE:
        return given.parent
    if given.exists():
        raise WorkspaceError(
            f"{given} is a file, not a workspace directory. Point --workspace or "
            f"{ENV_WORKSPACE} at the workspace's directory (the one holding {CONFIG_FILE}) "
            f"or at its {DB_FILE}."
        )
    return given


class Workspace:
    """Owns the connection to the workspace database.

    Parameters
    ----------
    path
        Workspace directory (created by :meth:`init`). Default: see :func:`find_workspace`.
    settings
        Setting overrides (highest priority), e.g. ``{"engine": "pyspark"}``.
    connection
        An existing Ibis backend to use instead of opening one (tests, notebooks).
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        settings: Mapping[str, Any] | None = None,
        connection: Any = None,
    ):
        self.path = find_workspace(path)
        self.config: Config = load_config(self.path, settings)
        self._con = connection
        self._results: Any = None
        # DuckDB's file and Spark's metastore both live in the workspace directory
        local = self.engine in ("duckdb", "pyspark")
        if self._con is None and local and not self.path.is_dir():
            raise WorkspaceError(
                f"No workspace at {self.path}. Create one with `clientlens init {self.path}` "
                "or point to one with --workspace / CLIENTLENS_WORKSPACE."
            )

    # -- connection -------------------------------------------------------------------
    @classmethod
    def init(cls, path: str | os.PathLike[str], **kwargs: Any) -> Workspace:
        """Create a workspace directory with a commented clientlens.toml, then open it.

        ``path`` may also name the workspace's ``clientlens.duckdb``; its folder is used.
        """
        directory = workspace_directory(path)
        toml = directory / CONFIG_FILE
        try:
            directory.mkdir(parents=True, exist_ok=True)
            if not toml.exists():
                toml.write_text(_TOML_TEMPLATE, encoding="utf-8")
        except OSError as exc:
            raise WorkspaceError(
                f"Cannot create a workspace at {directory}: {exc.strerror or exc}. "
                "Choose a directory you can write to."
            ) from None
        return cls(directory, **kwargs)

    @property
    def engine(self) -> str:
        return str(self.config.engine)

    @property
    def con(self) -> Any:
        """The Ibis backend, opened on first use."""
        if self._con is None:
            self._con = self._connect()
            self._ensure_meta()
        return self._con

    def _connect(self) -> Any:
        engine = self.engine
        if engine == "duckdb":
            return ibis.duckdb.connect(str(self.path / DB_FILE))
        if engine == "pyspark":
            # the catalog persists in the workspace folder; see clientlens.spark
            from clientlens.spark import spark_session

            return ibis.pyspark.connect(spark_session(self.path, self.config))
        if self.config.connection:
            try:
                return ibis.connect(self.config.connection)
            except Exception as exc:  # backends raise their own connection errors
                raise WorkspaceError(
                    f"Cannot connect to {self.config.connection!r}: {exc}"
                ) from exc
        raise ConfigError(
            f"engine = {engine!r} needs a connection URL: set 'connection' in {CONFIG_FILE} "
            "or CLIENTLENS_CONNECTION."
        )

    def close(self) -> None:
        self.forget_results()
        if self._con is not None and hasattr(self._con, "disconnect"):
            self._con.disconnect()
        self._con = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def is_duckdb(self) -> bool:
        return getattr(self.con, "name", "") == "duckdb"

    def _ensure_meta(self) -> None:
        existing = set(self._con.list_tables())
        for name, schema in (
            (RUNS, RUNS_SCHEMA),
            (COLUMNS, COLUMNS_SCHEMA),
            (REJECTS, REJECTS_SCHEMA),
        ):
            if name not in existing:
                self._con.create_table(name, schema=schema)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """All-or-nothing writes. On DuckDB a real transaction on the raw connection."""
        if not self.is_duckdb:
            yield self.con
            return
        raw = self.con.con
        raw.execute("BEGIN TRANSACTION")
        try:
            yield raw
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        raw.execute("COMMIT")

    # -- tables -----------------------------------------------------------------------
    def list_tables(self) -> list[str]:
        return sorted(self.con.list_tables())

    def has_table(self, name: str) -> bool:
        return name in self.con.list_tables()

    def present_columns(self, name: str) -> list[str]:
        """Columns of a canonical table that any import has filled."""
        cols = self.con.table(COLUMNS)
        rows = cols.filter(cols.table_name == name).column_name.execute()
        return list(rows)

    def table(self, name: str) -> ir.Table:
        """A canonical table (only the columns its imports provided) or a result table
        of the latest published run (``ws.results.table``)."""
        if name not in TABLE_NAMES and not name.startswith("_clientlens"):
            return self.results.table(name)
        if not self.has_table(name):
            hint = (
                f"Import it with `clientlens import {name} FILE`."
                if name in TABLE_NAMES
                else "Run `clientlens analyze` to compute results."
            )
            raise TableNotFoundError(f"The workspace has no table {name!r}. {hint}")
        t = self.con.table(name)
        if name in TABLE_NAMES:
            present = set(self.present_columns(name))
            t = t.select([c for c in t.columns if c in present])
        return t

    def canonical_tables(self) -> dict[str, ir.Table]:
        """The canonical tables that exist and hold rows."""
        out = {}
        for name in TABLE_NAMES:
            if self.has_table(name):
                t = self.table(name)
                if t.count().execute() > 0:
                    out[name] = t
        return out

    def row_count(self, name: str) -> int:
        return int(self.con.table(name).count().execute())

    def runs(self) -> pd.DataFrame:
        """Run metadata: imports and analyses, newest last."""
        return self.con.table(RUNS).order_by("run_id").execute()

    def rejects(self) -> pd.DataFrame:
        return self.con.table(REJECTS).order_by(["run_id", "row"]).execute()

    def record_run(self, writer: Any, *, run_id: int | None = None, **fields: Any) -> int:
        """Append one row to the run metadata (inside the caller's transaction)."""
        run_id = self.next_run_id() if run_id is None else run_id
        row: dict[str, Any] = dict.fromkeys(RUNS_SCHEMA.names)
        row.update(fields, run_id=run_id)
        if isinstance(row.get("details"), dict):
            row["details"] = json.dumps(row["details"], ensure_ascii=False, default=str)
        frame = pd.DataFrame([row], columns=list(RUNS_SCHEMA.names))
        self.append(writer, RUNS, frame, RUNS_SCHEMA)
        return run_id

    def next_run_id(self) -> int:
        last = self.con.table(RUNS).run_id.max().execute()
        return 1 if last is None or pd.isna(last) else int(last) + 1

    def append(self, writer: Any, name: str, frame: pd.DataFrame, schema: Any = None) -> None:
        """Append rows to ``name`` with the writer ``transaction()`` handed out."""
        if frame.empty:
            return
        if self.is_duckdb:
            view = f"_append_{name.strip('_')}"
            writer.register(view, frame)
            try:
                writer.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM "{view}"')
            finally:
                writer.unregister(view)
        else:
            table = ibis.memtable(frame, schema=schema) if schema is not None else frame
            self.con.insert(name, table)

    # -- results ----------------------------------------------------------------------
    @property
    def results(self) -> Results:
        """The published analysis results (the latest run when first read); see
        :mod:`clientlens.results`. The report, the dashboard and the API read only here."""
        if self._results is None:
            from clientlens.results import Results

            self._results = Results(self)
        return self._results

    def forget_results(self) -> None:
        """Close the results view; the next ``ws.results`` opens the latest run."""
        if self._results is not None:
            self._results.close()
        self._results = None

    def upsert(
        self,
        table: str,
        frame: pd.DataFrame,
        *,
        key: Sequence[str],
        schema: sch.Schema,
        run_record: Mapping[str, Any],
        rejects: pd.DataFrame | None = None,
        columns_filled: Iterable[str] = (),
    ) -> Upserted:
        """The whole write of an import, all or nothing; see :mod:`clientlens.upsert`."""
        from clientlens.upsert import upsert

        return upsert(
            self,
            table,
            frame,
            key=key,
            schema=schema,
            run_record=run_record,
            rejects=rejects,
            columns_filled=columns_filled,
        )

    # -- the library's verbs ----------------------------------------------------------
    def import_table(
        self,
        kind: str,
        source: Any,
        *,
        mapping: Mapping[str, str] | None = None,
        on_error: str | None = None,
        progress: Progress | None = None,
    ) -> Any:
        """Validate and load ``source`` into canonical table ``kind``; see clientlens.ingest."""
        from clientlens.ingest.load import import_table

        return import_table(
            self, kind, source, mapping=mapping, on_error=on_error, progress=progress
        )

    def analyze(
        self,
        *,
        as_of: dt.date | str | None = None,
        only: list[str] | None = None,
        progress: Progress | None = None,
    ) -> Any:
        """Run every analysis whose inputs exist; see clientlens.analytics.runner."""
        from clientlens.analytics.runner import run_analyses

        return run_analyses(self, as_of=as_of, only=only, progress=progress)

    def export(self, name: str, path: str | os.PathLike[str], *, unmasked: bool = False) -> Path:
        """Write a table to CSV, Parquet or Excel (by the file's extension)."""
        from clientlens.ingest.export import export_table

        return export_table(self, name, Path(path), unmasked=unmasked)

    def timed(self) -> _Timer:
        return _Timer()


class _Timer:
    def __init__(self) -> None:
        self.started_at = dt.datetime.now()
        self._t0 = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self._t0


_TOML_TEMPLATE = """\
# ClientLens workspace settings. Every setting can also be given as an environment
# variable CLIENTLENS_<NAME> or a command-line flag; see `clientlens settings`.

# engine = "duckdb"        # or "pyspark", or any Ibis backend with connection = "..."
# spark_master = "spark://host:7077"     # pyspark: a cluster (default: local[*])
# spark_driver_memory = "4g"
# spark_warehouse = "hdfs:///clientlens/shop"  # pyspark on a cluster: shared storage
# language = "zh"          # zh or en: report and messages
# currency = "CNY"
# rfm_bins = 5

# Source header -> canonical column, per table, for headers ClientLens does not know:
# [mapping.orders]
# "交易流水号" = "order_id"
"""
