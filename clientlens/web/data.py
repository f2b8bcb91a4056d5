"""What the dashboard reads: the latest published results run, and the personal-data
snapshot beside it.

Pages and the API read published results only (``ws.results``): every request thread
holds its own read-only view of the latest run file (DuckDB connections are not shared
between threads), moves to a newer run when ``analyze`` publishes one, and never opens
the workspace's own database file for a request, so an ``import`` or ``analyze`` runs
beside the server without waiting for it (docs/architecture.md).

Names, phones, e-mails, region and acquisition channel are not results: they are the
canonical ``customers`` table's. The dashboard copies the columns it shows, and each
customer's feedback and tickets, into ``web/snapshot-<run>/*.parquet`` once per run, by
opening the workspace file read-only for the copy (about a second at a million
customers). While an import or analyze holds that file the copy waits for the next
request; pages show customer ids without names meanwhile. Viewers read the snapshot
through :func:`clientlens.ingest.export.mask_pii`, applied in the engine.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clientlens.errors import WorkspaceError
from clientlens.web.users import WEB_DIR

SNAPSHOT_TABLES: dict[str, tuple[str, ...]] = {
    "customers": (
        "customer_id",
        "name",
        "gender",
        "age",
        "province",
        "city",
        "acquisition_channel",
        "signup_date",
        "phone",
        "email",
    ),
    "feedback": ("customer_id", "date", "kind", "score", "comment", "channel"),
    "tickets": (
        "ticket_id",
        "customer_id",
        "opened_at",
        "first_response_at",
        "closed_at",
        "category",
        "severity",
        "status",
        "description",
    ),
}
"""The canonical columns the dashboard shows beside results (those present are copied)."""
META_SNAPSHOT: dict[str, str] = {
    "imports": "SELECT * FROM _clientlens_runs WHERE kind = 'import' ORDER BY run_id",
    "rejects": 'SELECT * FROM _clientlens_rejects ORDER BY run_id DESC, "row" LIMIT 10000',
}
"""The import log and the latest rejected rows, for the Data page (fixed queries)."""
RETRY_SECONDS = 30.0


@dataclass
class _ThreadView:
    ws: Any
    attached: set[str]
    subsets: OrderedDict[str, Any] = field(default_factory=OrderedDict)
    """Workspace views of subset runs (``Workspace(subset=key)``), newest used last."""


SUBSET_VIEWS = 8
"""Subset views one request thread keeps open."""


class WebData:
    """Per-thread read-only views of the latest results run, and the run's snapshot."""

    def __init__(self, workspace: Path, settings: dict[str, Any] | None = None):
        self.path = Path(workspace)
        self.settings = dict(settings or {})
        self._local = threading.local()
        self._lock = threading.Lock()
        self._snapshot_tried: dict[int, float] = {}
        self._ends: dict[int, Any] = {}
        self._names: dict[int, frozenset[str]] = {}

    # -- results ---------------------------------------------------------------------------
    def _view(self) -> _ThreadView:
        view: _ThreadView | None = getattr(self._local, "view", None)
        if view is None:
            from clientlens.workspace import Workspace

            view = _ThreadView(Workspace(self.path, settings=self.settings), set())
            self._local.view = view
        return view

    def results(self) -> Any:
        """This thread's view of the latest published run (refreshed when a new one is out)."""
        view = self._view()
        results = view.ws.results
        if results.refresh():
            view.attached.clear()
        return results

    def run_key(self) -> tuple[str, int]:
        """Which run of which workspace the thread reads: the start of every kept answer's key."""
        return (str(self.path), self.results().run_id)

    # -- subset runs (the global filters) ---------------------------------------------------
    def subset_key(self, subset: Any) -> str | None:
        """The namespace of ``subset`` cut from the thread's latest run (None before one)."""
        results = self.results()
        return subset.key(results.run_id) if results.exists else None

    def subset_view(self, key: str) -> Any | None:
        """This thread's workspace view whose ``results`` is the published run of subset
        ``key`` (refreshed when rebuilt), or None while there is none."""
        from clientlens.results import LATEST, RESULTS_DIR, SUBSETS_DIR, Results
        from clientlens.workspace import Workspace

        view = self._view()
        ws = view.subsets.get(key)
        if ws is None:
            duck = view.ws.engine == "duckdb"
            if duck and not (self.path / RESULTS_DIR / SUBSETS_DIR / key / LATEST).is_file():
                return None
            if not duck and Results(view.ws, subset=key).latest_run_id() is None:
                return None
            # other engines share the thread's connection (one Spark session, one pool)
            ws = Workspace(
                self.path,
                settings=self.settings,
                connection=None if duck else view.ws.con,
                subset=key,
            )
            base = key.split("_", 1)[0]
            for other in [k for k in view.subsets if not k.startswith(base + "_")]:
                view.subsets.pop(other).forget_results()  # cut from an older run: removed
            view.subsets[key] = ws
            while len(view.subsets) > SUBSET_VIEWS:
                _, old = view.subsets.popitem(last=False)
                old.forget_results()
        view.subsets.move_to_end(key)
        ws.results.refresh()
        return ws if ws.results.exists else None

    def has(self, name: str, results: Any = None) -> bool:
        """``results.has(name)`` for the thread's run (or ``results``), answered from a set
        kept per run (asking DuckDB for a run file's tables costs milliseconds, many times
        a page)."""
        results = results if results is not None else self.results()
        if not results.exists:
            return False
        run_id = results.run_id
        names = self._names.get(run_id)
        if names is None:
            names = self._names[run_id] = frozenset(
                n for n in results.names() if results.has(n)
            ) | frozenset(n for n in ("_input_orders",) if results.has(n))
        return name in names

    def observation_end(self) -> Any:
        """The observation end of the thread's run (read once per run: the run record
        sits in every run file, which ``Results.run()`` opens one by one)."""
        results = self.results()
        if not results.exists:
            return None
        run_id = results.run_id
        if run_id not in self._ends:
            self._ends[run_id] = results.observation_end
        return self._ends[run_id]

    @property
    def config(self) -> Any:
        return self._view().ws.config

    # -- the snapshot of personal data -----------------------------------------------------
    def snapshot_dir(self, run_id: int) -> Path:
        return self.path / WEB_DIR / f"snapshot-{run_id:06d}"

    def snapshot_table(self, name: str) -> Any | None:
        """The run's snapshot of canonical table ``name`` as an Ibis table on this thread's
        results connection, or None when the workspace has no such table (or it could not
        be copied yet)."""
        results = self.results()
        if not results.exists:
            return None
        run_id = results.run_id
        path = self.snapshot_dir(run_id) / f"{name}.parquet"
        if not path.exists() and not self._take_snapshot(run_id):
            return None
        if not path.exists():
            return None
        view = self._view()
        alias = f"_web_{name}_{run_id}"  # name: a key of SNAPSHOT_TABLES or META_SNAPSHOT
        backend = results.table("_clientlens_run").get_backend()
        if alias not in view.attached:
            backend.read_parquet(str(path), table_name=alias)
            view.attached.add(alias)
        return backend.table(alias)

    def has_snapshot(self) -> bool:
        """True when the thread's run has its snapshot (answers made without it, ids
        only, are not kept once it exists)."""
        results = self.results()
        return results.exists and (self.snapshot_dir(results.run_id) / "done").exists()

    def _take_snapshot(self, run_id: int) -> bool:
        """Copy the snapshot tables for ``run_id``; False when the workspace is busy."""
        with self._lock:
            target = self.snapshot_dir(run_id)
            if (target / "done").exists():
                return True
            last = self._snapshot_tried.get(run_id)
            if last is not None and time.monotonic() - last < RETRY_SECONDS:
                return False
            self._snapshot_tried[run_id] = time.monotonic()
            try:
                write_snapshot(self._view().ws, target)
            except WorkspaceError:
                return False
            for old in (self.path / WEB_DIR).glob("snapshot-*"):
                if old != target and old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
            return True


def write_snapshot(ws: Any, target: Path) -> None:
    """Copy :data:`SNAPSHOT_TABLES` of ``ws`` into ``target`` as Parquet files."""
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    if ws.engine == "duckdb":
        from clientlens.workspace import DB_FILE, read_duckdb

        db = ws.path / DB_FILE
        if db.exists():
            with read_duckdb(db) as con:
                present = {
                    (t, c)
                    for t, c in con.execute(
                        "SELECT table_name, column_name FROM information_schema.columns"
                    ).fetchall()
                }
                for table, columns in SNAPSHOT_TABLES.items():
                    cols = [c for c in columns if (table, c) in present]
                    if "customer_id" not in cols:
                        continue
                    select = ", ".join(f'"{c}"' for c in cols)  # names from SNAPSHOT_TABLES only
                    out = str(partial / f"{table}.parquet").replace("'", "''")
                    con.execute(
                        f"COPY (SELECT {select} FROM \"{table}\") TO '{out}' (FORMAT parquet)"
                    )
                tables = {t for t, _ in present}
                for name, query in META_SNAPSHOT.items():
                    source = "_clientlens_runs" if name == "imports" else "_clientlens_rejects"
                    if source in tables:
                        out = str(partial / f"{name}.parquet").replace("'", "''")
                        con.execute(f"COPY ({query}) TO '{out}' (FORMAT parquet)")
    else:
        for table, columns in SNAPSHOT_TABLES.items():
            if not ws.has_table(table):
                continue
            t = ws.table(table)
            cols = [c for c in columns if c in t.columns]
            if "customer_id" in cols:
                t.select(*cols).to_parquet(partial / f"{table}.parquet")
    (partial / "done").write_text("ok", encoding="utf-8")
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(target)
    partial.rename(target)
