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
import itertools
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientlens.config import CONFIG_FILE, Config, load_config, setting, write_setting
from clientlens.errors import ConfigError, TableNotFoundError, WorkspaceError
from clientlens.lazy import ibis, ir, pd, sch
from clientlens.schema import TABLE_NAMES, TABLES

if TYPE_CHECKING:
    from clientlens.results import Results
    from clientlens.upsert import Upserted

DB_FILE = "clientlens.duckdb"
ENV_WORKSPACE = "CLIENTLENS_WORKSPACE"
RUNS = "_clientlens_runs"
COLUMNS = "_clientlens_columns"
REJECTS = "_clientlens_rejects"
META_TABLES = (RUNS, COLUMNS, REJECTS)

RUNS_SCHEMA: dict[str, str] = {
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
COLUMNS_SCHEMA: dict[str, str] = {"table_name": "string", "column_name": "string"}
REJECTS_SCHEMA: dict[str, str] = {
    "run_id": "int64",
    "table_name": "string",
    "source": "string",
    "row": "int64",
    "column_name": "string",
    "value": "string",
    "reason": "string",
}
"""The metadata tables' columns and types (plain data: Ibis builds them into schemas)."""

_SCRATCH = itertools.count(1)

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


@contextmanager
def read_duckdb(file: Path) -> Iterator[Any]:
    """A read-only connection to the DuckDB database ``file`` by the ``duckdb`` module
    itself, not through Ibis: for listings that must not wait seconds for Ibis to import.

    Raises
    ------
    WorkspaceError
        When the file cannot be opened, for example while another process writes it.
    """
    import duckdb

    try:
        con = duckdb.connect(str(file), read_only=True)
    except duckdb.Error as exc:
        raise WorkspaceError(
            f"Cannot read {file}: {exc}. If an import or analyze is running, try again "
            "when it has finished."
        ) from None
    try:
        yield con
    finally:
        con.close()


def duckdb_row_counts(con: Any, names: Iterable[str] | None = None) -> dict[str, int]:
    """Rows of the tables ``names`` (default: every table, in name order), by name, on a
    connection from :func:`read_duckdb`."""
    if names is None:
        found = con.execute(
            "SELECT DISTINCT table_name FROM information_schema.tables "
            "WHERE table_catalog = current_database() AND table_schema = current_schema() "
            "ORDER BY table_name"
        ).fetchall()
        names = [name for (name,) in found]
    return {
        name: int(con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in names
    }


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
    subset
        A subset key (:meth:`clientlens.subsets.Subset.key`): ``ws.results`` reads that
        subset's latest run (the report and the dashboard of one segment or region).
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        settings: Mapping[str, Any] | None = None,
        connection: Any = None,
        subset: str | None = None,
    ):
        self.path = find_workspace(path)
        self.subset = subset
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
    def init(
        cls, path: str | os.PathLike[str], *, currency: str | None = None, **kwargs: Any
    ) -> Workspace:
        """Create a workspace directory with a commented clientlens.toml, then open it.

        ``path`` may also name the workspace's ``clientlens.duckdb``; its folder is used.
        ``currency`` (a three-letter code) is written to clientlens.toml; a bad code is
        refused before anything is created.
        """
        directory = workspace_directory(path)
        toml = directory / CONFIG_FILE
        if currency is not None:
            setting("currency").parse(currency, "--currency")
        try:
            directory.mkdir(parents=True, exist_ok=True)
            if not toml.exists():
                toml.write_text(_TOML_TEMPLATE, encoding="utf-8")
            if currency is not None:
                write_setting(directory, "currency", currency)
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
            from clientlens.urls import mask_url, scrub

            url = str(self.config.connection)
            if engine in ("postgres", "postgresql"):
                from clientlens.errors import require

                require("psycopg", extra="postgres", feature="The postgres engine")
            try:
                return ibis.connect(url)
            except Exception as exc:  # backends raise their own connection errors
                # from None: the backend's own exception may quote the URL, password and all
                raise WorkspaceError(
                    f"Cannot connect to {mask_url(url)!r}: {scrub(str(exc), url)}"
                ) from None
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
            # A header-only import fills no column: the table still has its contract's
            # required columns (and no rows), never an empty projection.
            present = set(self.present_columns(name)) or set(TABLES[name].required)
            t = t.select([c for c in t.columns if c in present])
        return t

    def canonical_tables(self) -> dict[str, ir.Table]:
        """The canonical tables that exist and hold rows (see :meth:`empty_tables`)."""
        out = {}
        for name in TABLE_NAMES:
            if self.has_table(name):
                t = self.table(name)
                if t.count().execute() > 0:
                    out[name] = t
        return out

    def empty_tables(self) -> list[str]:
        """The canonical tables that were imported but hold no rows (a header-only file)."""
        return [n for n in TABLE_NAMES if self.has_table(n) and self.row_count(n) == 0]

    def row_count(self, name: str) -> int:
        return int(self.con.table(name).count().execute())

    def row_counts(self) -> dict[str, int]:
        """Rows of every table in the workspace database, by name, in name order.

        With the default engine and no connection open yet, the DuckDB file is read
        read-only by DuckDB itself, without Ibis, so ``clientlens tables`` answers at once.
        """
        file = self.path / DB_FILE
        if self._con is None and self.engine == "duckdb" and file.is_file():
            with read_duckdb(file) as con:
                return duckdb_row_counts(con)
        return {name: self.row_count(name) for name in self.list_tables()}

    def runs(self) -> pd.DataFrame:
        """Run metadata: imports and analyses, newest last."""
        return self.con.table(RUNS).order_by("run_id").execute()

    def rejects(self) -> pd.DataFrame:
        return self.con.table(REJECTS).order_by(["run_id", "row"]).execute()

    def record_run(self, writer: Any, *, run_id: int | None = None, **fields: Any) -> int:
        """Append one row to the run metadata (inside the caller's transaction)."""
        run_id = self.next_run_id() if run_id is None else run_id
        row: dict[str, Any] = dict.fromkeys(RUNS_SCHEMA)
        row.update(fields, run_id=run_id)
        if isinstance(row.get("details"), dict):
            row["details"] = json.dumps(row["details"], ensure_ascii=False, default=str)
        frame = pd.DataFrame([row], columns=list(RUNS_SCHEMA))
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

    @contextmanager
    def scratch_table(self, frame: pd.DataFrame, schema: sch.Schema) -> Iterator[ir.Table]:
        """``frame`` registered in the engine, typed by ``schema``, for the duration of a
        ``with`` block: what an import joins to stored tables before it writes. Nothing is
        left behind (an Ibis memtable would stay registered until the process ends)."""
        from clientlens.upsert import conform_rows

        rows = conform_rows(frame, schema)
        name = f"_clientlens_scratch_{next(_SCRATCH)}"
        if self.is_duckdb:
            import pyarrow as pa

            raw = self.con.con
            arrow = pa.Table.from_pandas(rows, schema=schema.to_pyarrow(), preserve_index=False)
            raw.register(name, arrow)
            try:
                yield self.con.table(name)
            finally:
                raw.unregister(name)
            return
        if getattr(self.con, "name", "") != "pyspark":  # PostgreSQL and other engines
            self.con.create_table(name, rows, schema=schema, temp=True)
            try:
                yield self.con.table(name)
            finally:
                self.con.drop_table(name, force=True)
            return
        from ibis.backends.pyspark.datatypes import PySparkSchema

        session = self.con._session
        session.createDataFrame(
            rows, schema=PySparkSchema.from_ibis(schema), verifySchema=False
        ).createOrReplaceTempView(name)
        try:
            yield self.con.table(name)
        finally:
            session.catalog.dropTempView(name)

    # -- results ----------------------------------------------------------------------
    @property
    def results(self) -> Results:
        """The published analysis results (the latest run when first read); see
        :mod:`clientlens.results`. The report, the dashboard and the API read only here."""
        if self._results is None:
            from clientlens.results import Results

            self._results = Results(self, subset=self.subset)
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
        blank_overwrites: bool = False,
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
            blank_overwrites=blank_overwrites,
        )

    # -- the library's verbs ----------------------------------------------------------
    def import_table(
        self,
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
        **options: Any,
    ) -> Any:
        """Validate and load ``source`` into canonical table ``kind``; see
        :func:`clientlens.ingest.load.import_table` for the options (``sheet``,
        ``decimal``, ``values`` among them)."""
        from clientlens.ingest.load import import_table

        return import_table(
            self,
            kind,
            source,
            mapping=mapping,
            on_error=on_error,
            blank_overwrites=blank_overwrites,
            force=force,
            amount_from=amount_from,
            amount_extra=amount_extra,
            progress=progress,
            **options,
        )

    def analyze(
        self,
        *,
        as_of: dt.date | str | None = None,
        only: list[str] | None = None,
        progress: Progress | None = None,
        subset: Any = None,
    ) -> Any:
        """Run every analysis whose inputs exist; see clientlens.analytics.runner.

        ``subset`` (a :class:`clientlens.subsets.Subset`) analyses the customers of one
        segment, region or channel of the latest run instead, in that subset's namespace.
        """
        from clientlens.analytics.runner import run_analyses

        return run_analyses(self, as_of=as_of, only=only, progress=progress, subset=subset)

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

# engine = "duckdb"        # or "pyspark", or "postgres" with connection = "postgresql://..."
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
