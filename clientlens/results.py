"""Published result runs: how ``analyze`` writes results and how everyone else reads them.

A *run* is the set of result tables one ``clientlens analyze`` produced, with a catalog
of what is in it. Runs are written aside and published in one step, so a reader (the
report, the dashboard, the API, a notebook) always sees one complete run: the previous
run stays readable until the new one is complete, then the new one becomes the latest.

Readers use :class:`Results` (``ws.results``) and nothing else::

    ws = Workspace("shop")
    ws.results.table("rfm_segments").to_pandas()
    ws.results.catalog()
    ws.results.runs()

A :class:`Results` view is pinned to the run that was latest when it was opened; every
table it hands out comes from that run until :meth:`Results.refresh`.

Where runs live (docs/architecture.md gives the reasons):

* **DuckDB** (the default): DuckDB lets one process write a database file only while no
  other process has it open, so results cannot live in the workspace file that imports
  and ``analyze`` write. Each run is its own file, ``results/run-000007.duckdb``, written
  under a ``.partial`` name through the writer's connection (``ATTACH``), checkpointed,
  closed, renamed into place, and then named in ``results/LATEST`` (replaced atomically).
  A published file is never written again, so any number of processes open it
  read-only while an import or the next ``analyze`` writes the workspace file.
* **Other engines** (PySpark, PostgreSQL …), which have no such lock: a run's tables are
  ``_clientlens_r000007_<name>`` in the engine, its catalog rows go to
  ``_clientlens_results``, and the run is published by one insert into
  ``_clientlens_published``; readers take the highest published run.

Only the newest ``results_keep_runs`` runs are kept.

**Subset runs.** ``clientlens analyze --segment/--region/--channel`` (and the dashboard's
global filters) analyse the customers of one subset (:mod:`clientlens.subsets`) and
publish the run in that subset's own namespace, never as the latest run: on DuckDB in
``results/subsets/<key>/`` (its own ``LATEST``), elsewhere by an insert into
``_clientlens_published_s<key>``. The key holds the id of the run the subset was cut
from, so a new run of all customers leaves the older subsets behind, and its publication
removes them. Run ids are unique across namespaces.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientlens.errors import TableNotFoundError, WorkspaceError
from clientlens.lazy import ibis, ir, pd

if TYPE_CHECKING:
    from clientlens.workspace import Workspace

RESULTS_DIR = "results"
LATEST = "LATEST"
CATALOG = "_clientlens_catalog"
"""In a DuckDB run file: one row per analysis of the run (also skipped and failed ones)."""
RUN = "_clientlens_run"
"""In a DuckDB run file: the run's own row."""
ENGINE_CATALOG = "_clientlens_results"
ENGINE_PUBLISHED = "_clientlens_published"
SUBSETS_DIR = "subsets"

CATALOG_SCHEMA: dict[str, str] = {
    "run_id": "int64",
    "name": "string",
    "status": "string",  # ok, skipped, failed, reused
    "rows": "int64",
    "seconds": "float64",
    "created_at": "timestamp",
    "computed_in_run": "int64",
    "inputs": "string",  # JSON: {canonical table: checksum of its latest import}
    "reason": "string",
}
RUN_SCHEMA: dict[str, str] = {
    "run_id": "int64",
    "started_at": "timestamp",
    "published_at": "timestamp",
    "observation_end": "date",
    "as_of": "date",
    "only": "string",
    "inputs": "string",
    "analyses": "int64",
    "failed": "int64",
}
"""The run files' catalog and run tables: columns and types (plain data, so that importing
this module does not import Ibis)."""

NO_RESULTS = "No analysis results in the workspace yet. Run `clientlens analyze` first."


def _duckdb_file(directory: Path, run_id: int) -> Path:
    return directory / f"run-{run_id:06d}.duckdb"


def _run_file(directory: Path, run_id: int) -> Path:
    """The file of published run ``run_id``; :class:`WorkspaceError` when it is gone."""
    path = _duckdb_file(directory, run_id)
    if not path.is_file():
        raise WorkspaceError(f"Result run {run_id} is not in {directory} (removed?).")
    return path


def _latest_file_run(directory: Path) -> int | None:
    """The run ``directory/LATEST`` names; None before the first ``analyze``."""
    try:
        pointer = json.loads((directory / LATEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return int(pointer["run_id"])


def latest_row_counts(ws: Workspace) -> dict[str, int]:
    """Rows of each result table of the latest published run (:meth:`Results.names`), by name.

    On DuckDB the run file is read by DuckDB itself, without Ibis
    (:func:`~clientlens.workspace.read_duckdb`), so ``clientlens tables`` answers at once.
    """
    if ws.engine != "duckdb":
        results = ws.results
        return {name: results.row_count(name) for name in results.names()} if results.exists else {}
    from clientlens.workspace import duckdb_row_counts, read_duckdb

    directory = ws.path / RESULTS_DIR
    run_id = _latest_file_run(directory)
    if run_id is None:
        return {}
    with read_duckdb(_run_file(directory, run_id)) as con:
        # no bound parameters: binding one makes the duckdb module import pandas
        query = f"SELECT name FROM \"{CATALOG}\" WHERE status IN ('ok', 'reused') ORDER BY name"
        names = con.execute(query).fetchall()
        return duckdb_row_counts(con, [name for (name,) in names])


def _plain_nulls(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with pandas' ``pd.NA`` in its string columns as ``None``.

    Spark pickles a frame's cells to the JVM, where ``pd.NA`` arrives as an opaque object
    and is stored as its Java name instead of a null.
    """
    strings = [c for c in frame.columns if isinstance(frame[c].dtype, pd.StringDtype)]
    if not strings:
        return frame
    out = frame.copy()
    for col in strings:
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def _engine_table(run_id: int, name: str) -> str:
    return f"_clientlens_r{run_id:06d}_{name}"


def _results_dir(ws: Workspace, subset: str | None) -> Path:
    """Where a namespace's DuckDB run files live: ``results/``, or a subset's folder."""
    root = ws.path / RESULTS_DIR
    return root if subset is None else root / SUBSETS_DIR / subset


def _published_table(subset: str | None) -> str:
    """The engine table whose rows publish a namespace's runs."""
    return ENGINE_PUBLISHED if subset is None else f"{ENGINE_PUBLISHED}_s{subset}"


def subset_base(subset: str) -> int:
    """The id of the run a subset key was cut from (``000007_…`` → 7)."""
    return int(subset.split("_", 1)[0])


@dataclass
class RunRecord:
    """What a writer knows of the run it writes."""

    run_id: int
    started_at: dt.datetime
    observation_end: dt.date | None = None
    as_of: dt.date | None = None
    only: tuple[str, ...] = ()
    inputs: Mapping[str, str] = field(default_factory=dict)
    catalog: list[dict[str, Any]] = field(default_factory=list)


class Results:
    """Read access to one published run (``ws.results``).

    Parameters
    ----------
    ws
        The workspace.
    run_id
        A published run; default: the latest.
    subset
        A subset key (:meth:`clientlens.subsets.Subset.key`): read that subset's runs
        instead of the runs of all customers.
    """

    def __init__(self, ws: Workspace, run_id: int | None = None, *, subset: str | None = None):
        self._ws = ws
        self.subset = subset
        self._con: Any = None
        self._run_id: int | None = None
        self._catalog: pd.DataFrame | None = None
        self._pin(run_id)

    # -- which run -----------------------------------------------------------------------
    @property
    def _duck(self) -> bool:
        return self._ws.engine == "duckdb"

    @property
    def _dir(self) -> Path:
        return _results_dir(self._ws, self.subset)

    def latest_run_id(self) -> int | None:
        """The latest published run, or None before the first ``analyze``."""
        if self._duck:
            return _latest_file_run(self._dir)
        con = self._ws.con
        published = _published_table(self.subset)
        if published not in con.list_tables():
            return None
        last = con.table(published).run_id.max().execute()
        return None if last is None or pd.isna(last) else int(last)

    def _pin(self, run_id: int | None) -> None:
        self.close()
        self._run_id = run_id if run_id is not None else self.latest_run_id()
        self._catalog = None
        if self._run_id is None or not self._duck:
            return
        self._con = ibis.duckdb.connect(str(_run_file(self._dir, self._run_id)), read_only=True)

    def refresh(self) -> bool:
        """Move to the latest published run; True when it changed."""
        latest = self.latest_run_id()
        if latest == self._run_id:
            return False
        self._pin(latest)
        return True

    def close(self) -> None:
        if self._con is not None:
            self._con.disconnect()
        self._con = None

    @property
    def run_id(self) -> int:
        """The run this view reads."""
        if self._run_id is None:
            raise WorkspaceError(NO_RESULTS)
        return self._run_id

    @property
    def exists(self) -> bool:
        """True when a run is published (and this view reads one)."""
        return self._run_id is not None

    # -- what is in it -------------------------------------------------------------------
    def catalog(self) -> pd.DataFrame:
        """One row per analysis of the run: name, status, rows, created_at,
        computed_in_run (earlier for results reused by ``analyze --only``), inputs
        (checksums of the imports it read, JSON) and reason (skipped or failed)."""
        if self._catalog is None:
            run = self.run_id
            if self._duck:
                frame = self._con.table(CATALOG).to_pandas()
            else:
                t = self._ws.con.table(ENGINE_CATALOG)
                frame = t.filter(t.run_id == run).to_pandas()
            self._catalog = frame.sort_values("name", kind="stable").reset_index(drop=True)
        return self._catalog

    def run(self) -> dict[str, Any]:
        """The run's own record: run_id, started_at, published_at, observation_end, ..."""
        runs = self.runs()
        row = runs[runs["run_id"] == self.run_id]
        if row.empty:
            raise WorkspaceError(f"Result run {self.run_id} has no record.")
        return dict(row.iloc[0])

    @property
    def observation_end(self) -> dt.date:
        """Observation end of the run's data (the ``--as-of`` date or the last order)."""
        value = self.run()["observation_end"]
        return pd.Timestamp(value).date()

    def runs(self) -> pd.DataFrame:
        """Every published run still kept, oldest first."""
        if self._duck:
            frames = []
            for path in sorted(self._dir.glob("run-*.duckdb")):
                con = (
                    self._con
                    if self._run_id is not None and path == _duckdb_file(self._dir, self._run_id)
                    else None
                )
                own = con is None
                try:
                    con = con or ibis.duckdb.connect(str(path), read_only=True)
                    frames.append(con.table(RUN).to_pandas())
                except Exception:
                    continue
                finally:
                    if own and con is not None:
                        con.disconnect()
            if not frames:
                return pd.DataFrame(columns=list(RUN_SCHEMA))
            return pd.concat(frames, ignore_index=True).sort_values("run_id", ignore_index=True)
        con = self._ws.con
        published = _published_table(self.subset)
        if published not in con.list_tables():
            return pd.DataFrame(columns=list(RUN_SCHEMA))
        return con.table(published).order_by("run_id").to_pandas()

    def names(self) -> list[str]:
        """Results the run holds (analyses that ran or were reused)."""
        cat = self.catalog()
        return sorted(cat.loc[cat["status"].isin(["ok", "reused"]), "name"])

    def has(self, name: str) -> bool:
        return self.exists and name in self._physical_names()

    def _physical_names(self) -> set[str]:
        if self._duck:
            return set(self._con.list_tables())
        prefix = _engine_table(self.run_id, "")
        return {n[len(prefix) :] for n in self._ws.con.list_tables() if n.startswith(prefix)}

    def table(self, name: str) -> ir.Table:
        """Result table ``name`` of this run, as an Ibis table."""
        if not self.has(name):
            if not self.exists:
                raise TableNotFoundError(NO_RESULTS)
            status = self.catalog().set_index("name")["status"].get(name)
            why = {
                "skipped": "it was skipped in that run",
                "failed": "it failed in that run",
            }.get(str(status), "no analysis of that name ran")
            raise TableNotFoundError(
                f"The latest results (run {self.run_id}) have no table {name!r}: {why}. "
                "See `clientlens analyses`, then run `clientlens analyze`."
            )
        if self._duck:
            return self._con.table(name)
        return self._ws.con.table(_engine_table(self.run_id, name))

    def columns(self, name: str) -> list[str]:
        return list(self.table(name).columns)

    def row_count(self, name: str) -> int:
        return int(self.table(name).count().execute())


class RunWriter:
    """Writes one run through the workspace's own connection, then publishes it.

    Used by the analysis runner only: ``begin`` → ``write`` … → ``publish`` (or ``abort``).
    """

    def __init__(
        self,
        ws: Workspace,
        record: RunRecord,
        base: Results | None = None,
        *,
        subset: str | None = None,
    ):
        self.ws = ws
        self.record = record
        self.subset = subset
        self._duck = ws.engine == "duckdb"
        self._dir = _results_dir(ws, subset)
        self._alias = f"clientlens_run_{record.run_id}"
        self._done = False
        if self._duck:
            self._dir.mkdir(parents=True, exist_ok=True)
            self._partial = _duckdb_file(self._dir, record.run_id).with_suffix(".duckdb.partial")
            self._partial.unlink(missing_ok=True)
            if base is not None:  # analyze --only: start from a copy of the run it builds on
                shutil.copyfile(_duckdb_file(self._dir, base.run_id), self._partial)
            ws.con.attach(str(self._partial), name=self._alias)
            for meta in (CATALOG, RUN):
                if meta in self._list():
                    ws.con.drop_table(meta, database=self._db)
        elif base is not None:
            for name in base.names():
                ws.con.create_table(
                    _engine_table(record.run_id, name), base.table(name), overwrite=True
                )

    @classmethod
    def begin(
        cls,
        ws: Workspace,
        record_args: Mapping[str, Any],
        base: Results | None = None,
        *,
        subset: str | None = None,
    ) -> RunWriter:
        """Open a writer for the next run id (in a subset's namespace when ``subset``)."""
        run_id = next_run_id(ws)
        record = RunRecord(run_id=run_id, started_at=dt.datetime.now(), **record_args)
        return cls(ws, record, base, subset=subset)

    @property
    def _db(self) -> tuple[str, str]:
        return (self._alias, "main")

    def _list(self) -> list[str]:
        return list(self.ws.con.list_tables(database=self._db))

    def write(
        self, name: str, data: ir.Table | pd.DataFrame, schema: ibis.Schema | None = None
    ) -> int:
        """Store ``data`` as result ``name`` of this run; return its row count.

        ``schema``, the result's declared columns, types a frame on engines that would
        otherwise infer each column from its values (Spark calls a column of nulls VOID
        and cannot store it).
        """
        con = self.ws.con
        if self._duck:
            con.create_table(name, data, database=self._db, overwrite=True)
        else:
            if isinstance(data, pd.DataFrame):
                data = _plain_nulls(data)
                if schema is not None and list(data.columns) == list(schema):
                    data = ibis.memtable(data, schema=schema)
            con.create_table(_engine_table(self.record.run_id, name), data, overwrite=True)
        return int(self.table(name).count().execute())

    def table(self, name: str) -> ir.Table:
        """A table written in this run (or carried from the run it builds on)."""
        if self._duck:
            return self.ws.con.table(name, database=self._db)
        return self.ws.con.table(_engine_table(self.record.run_id, name))

    def has(self, name: str) -> bool:
        if self._duck:
            return name in self._list()
        return _engine_table(self.record.run_id, name) in self.ws.con.list_tables()

    def note(self, name: str, status: str, **fields: Any) -> None:
        """Add the catalog row of one analysis (ok, skipped, failed or reused).

        A skipped or failed result is removed from the run: ``analyze --only`` starts from
        a copy of the latest run, whose stale table readers would otherwise still find.
        """
        if status in {"skipped", "failed"} and self.has(name):
            if self._duck:
                self.ws.con.drop_table(name, database=self._db)
            else:
                self.ws.con.drop_table(_engine_table(self.record.run_id, name))
        row = dict.fromkeys(CATALOG_SCHEMA)
        row.update(
            run_id=self.record.run_id,
            name=name,
            status=status,
            created_at=dt.datetime.now(),
            inputs=json.dumps(dict(self.record.inputs), sort_keys=True),
        )
        row.update(fields)
        self.record.catalog = [r for r in self.record.catalog if r["name"] != name]
        self.record.catalog.append(row)

    def publish(self, observation_end: dt.date) -> int:
        """Make the run the latest, in one step; return its id."""
        rec = self.record
        now = dt.datetime.now()
        catalog = pd.DataFrame(rec.catalog, columns=list(CATALOG_SCHEMA))
        run = pd.DataFrame(
            [
                {
                    "run_id": rec.run_id,
                    "started_at": rec.started_at,
                    "published_at": now,
                    "observation_end": observation_end,
                    "as_of": rec.as_of,
                    "only": ",".join(rec.only),
                    "inputs": json.dumps(dict(rec.inputs), sort_keys=True),
                    "analyses": int((catalog["status"].isin(["ok", "reused"])).sum()),
                    "failed": int((catalog["status"] == "failed").sum()),
                }
            ],
            columns=list(RUN_SCHEMA),
        )
        con = self.ws.con
        if self._duck:
            con.create_table(
                CATALOG, ibis.memtable(catalog, schema=CATALOG_SCHEMA), database=self._db
            )
            con.create_table(RUN, ibis.memtable(run, schema=RUN_SCHEMA), database=self._db)
            con.raw_sql(f'CHECKPOINT "{self._alias}"')
            con.detach(self._alias)
            final = _duckdb_file(self._dir, rec.run_id)
            os.replace(self._partial, final)
            _write_pointer(self._dir, rec.run_id)
        else:
            published = _published_table(self.subset)
            for name, schema in ((ENGINE_CATALOG, CATALOG_SCHEMA), (published, RUN_SCHEMA)):
                if name not in con.list_tables():
                    con.create_table(name, schema=schema)
            con.insert(ENGINE_CATALOG, ibis.memtable(catalog, schema=CATALOG_SCHEMA))
            # the one step that publishes: readers take the highest published run id
            con.insert(published, ibis.memtable(run, schema=RUN_SCHEMA))
        self._done = True
        if self.subset is None:
            prune(self.ws, keep=int(self.ws.config.results_keep_runs))
        else:  # a subset keeps its newest run; its base's next run makes it obsolete
            prune_subset(self.ws, self.subset, keep=1)
        return rec.run_id

    def abort(self) -> None:
        """Drop what this run wrote; the latest published run stays as it was."""
        if self._done:
            return
        con = self.ws.con
        if self._duck:
            with contextlib.suppress(Exception):
                con.detach(self._alias)
            self._partial.unlink(missing_ok=True)
            if self.subset is not None:  # a subset that never published leaves no folder
                with contextlib.suppress(OSError):
                    self._dir.rmdir()
        else:
            prefix = _engine_table(self.record.run_id, "")
            for name in con.list_tables():
                if name.startswith(prefix):
                    con.drop_table(name)
        self._done = True


def _engine_run_of(name: str) -> int | None:
    """The run id of an engine-side run table ``_clientlens_r000007_<name>``."""
    prefix = "_clientlens_r"
    digits = name[len(prefix) : len(prefix) + 6]
    if (
        name.startswith(prefix)
        and digits.isdigit()
        and name[len(prefix) + 6 : len(prefix) + 7] == "_"
    ):
        return int(digits)
    return None


@contextlib.contextmanager
def run_tables(ws: Workspace, results: Results) -> Iterator[Callable[[str], ir.Table]]:
    """The tables of published run ``results`` on the workspace's own connection, so a
    writer can copy from them in the engine: ``with run_tables(ws, r) as table: table(name)``.

    On DuckDB the run file is attached read-only for the block; other engines hold every
    run's tables already.
    """
    if ws.engine != "duckdb":
        yield lambda name: ws.con.table(_engine_table(results.run_id, name))
        return
    alias = f"clientlens_base_{results.run_id}"
    ws.con.attach(str(_run_file(results._dir, results.run_id)), name=alias, read_only=True)
    try:
        yield lambda name: ws.con.table(name, database=(alias, "main"))
    finally:
        with contextlib.suppress(Exception):
            ws.con.detach(alias)


def _write_pointer(directory: Path, run_id: int) -> None:
    tmp = directory / f"{LATEST}.tmp"
    tmp.write_text(json.dumps({"run_id": run_id}), encoding="utf-8")
    os.replace(tmp, directory / LATEST)


def next_run_id(ws: Workspace) -> int:
    """One more than any run id used so far (published, pruned, or aborted: the run
    metadata of the workspace names the run each analysis wrote to)."""
    seen = [0]
    details = ws.runs()["details"].dropna()
    seen += [int(json.loads(d)["results_run"]) for d in details if '"results_run"' in str(d)]
    if ws.engine == "duckdb":
        directory = ws.path / RESULTS_DIR
        for folder in (directory, *sorted((directory / SUBSETS_DIR).glob("*"))):
            for path in folder.glob("run-*.duckdb*"):
                digits = path.name[4:10]
                if digits.isdigit():
                    seen.append(int(digits))
            with contextlib.suppress(FileNotFoundError, ValueError, KeyError, NotADirectoryError):
                seen.append(int(json.loads((folder / LATEST).read_text())["run_id"]))
    else:
        tables = ws.con.list_tables()
        seen += [r for r in map(_engine_run_of, tables) if r is not None]
        for published in (t for t in tables if t.startswith(ENGINE_PUBLISHED)):
            last = ws.con.table(published).run_id.max().execute()
            if last is not None and not pd.isna(last):
                seen.append(int(last))
    return max(seen) + 1


def prune(ws: Workspace, keep: int) -> list[int]:
    """Remove all but the newest ``keep`` published runs, and every subset cut from an
    older run than the latest; return the removed ids.

    A reader that still has a removed DuckDB run open keeps reading it (the file's data
    stay until the last reader closes it); its next :meth:`Results.refresh` moves on.
    """
    keep = max(1, keep)
    removed: list[int] = []
    if ws.engine == "duckdb":
        directory = ws.path / RESULTS_DIR
        files = sorted(directory.glob("run-*.duckdb"))
        for path in files[:-keep]:
            path.unlink(missing_ok=True)
            removed.append(int(path.name[4:10]))
        latest = _latest_file_run(directory)
        for folder in sorted((directory / SUBSETS_DIR).glob("*")):
            if latest is None or subset_base(folder.name) != latest:
                removed += [int(p.name[4:10]) for p in folder.glob("run-*.duckdb")]
                shutil.rmtree(folder, ignore_errors=True)
        return sorted(removed)
    con = ws.con
    tables = con.list_tables()
    if ENGINE_PUBLISHED not in tables:
        return removed
    published = sorted(int(r) for r in con.table(ENGINE_PUBLISHED).run_id.execute())
    kept = set(published[-keep:])
    prefix = ENGINE_PUBLISHED + "_s"
    for name in tables:
        if not name.startswith(prefix):
            continue
        if subset_base(name[len(prefix) :]) == published[-1]:
            kept |= {int(r) for r in con.table(name).run_id.execute()}
        else:
            con.drop_table(name)
    for name in tables:
        run = _engine_run_of(name)
        if run is not None and run not in kept:
            con.drop_table(name)
            removed.append(run)
    return sorted(set(removed))


def prune_subset(ws: Workspace, subset: str, keep: int = 1) -> list[int]:
    """Remove all but the newest ``keep`` runs of one subset; return the removed ids."""
    removed: list[int] = []
    if ws.engine == "duckdb":
        for path in sorted(_results_dir(ws, subset).glob("run-*.duckdb"))[:-keep]:
            path.unlink(missing_ok=True)
            removed.append(int(path.name[4:10]))
        return removed
    con = ws.con
    published = _published_table(subset)
    runs = sorted(int(r) for r in con.table(published).run_id.execute())
    stale = set(runs[:-keep])
    for name in con.list_tables():
        run = _engine_run_of(name)
        if run is not None and run in stale:
            con.drop_table(name)
            removed.append(run)
    return sorted(set(removed))


def input_checksums(runs: pd.DataFrame, tables: Iterable[str]) -> dict[str, str]:
    """The checksum of each canonical table's latest successful import (run metadata)."""
    out: dict[str, str] = {}
    imports = runs[(runs["kind"] == "import") & runs["status"].astype(str).str.startswith("loaded")]
    for name in tables:
        rows = imports[imports["name"] == name]
        if not rows.empty:
            out[name] = str(rows["checksum"].iloc[-1])
    return out


def publish_tables(ws: Workspace, tables: Mapping[str, ir.Table | pd.DataFrame]) -> int:
    """Publish a new run that holds ``tables`` and every other result of the latest run.

    For results computed outside ``analyze`` (a notebook's own scoring, test fixtures):
    readers see them through ``ws.results`` like any other. Returns the new run id.
    """
    base = Results(ws)
    if not base.exists:
        base.close()
        raise WorkspaceError(NO_RESULTS)
    writer = RunWriter.begin(ws, {"only": tuple(tables), "inputs": {}}, base=base)
    try:
        for row in base.catalog().to_dict("records"):
            if row["status"] in {"ok", "reused"} and row["name"] not in tables:
                writer.note(
                    str(row["name"]),
                    "reused",
                    **{k: row[k] for k in ("rows", "created_at", "computed_in_run", "inputs")},
                )
        for name, data in tables.items():
            rows = writer.write(name, data)
            writer.note(name, "ok", rows=rows, computed_in_run=writer.record.run_id)
        run_id = writer.publish(base.observation_end)
    except BaseException:
        writer.abort()
        raise
    finally:
        base.close()
    ws.forget_results()
    return run_id
