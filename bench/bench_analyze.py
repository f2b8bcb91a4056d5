"""`clientlens analyze` at scale: every analysis on 1M customers / about 6M orders.

Two steps, each in its own process so the peak memory printed is the analysis run's
own (VmHWM of the analyze process, not of the one that generated the data):

1. build (not timed against the target, but its time is printed): generate the data
   and import, through the public ``Workspace.import_table``, every table that some
   registered analysis reads, into a workspace cached under bench/.data/ (reused by
   later runs; ``--rebuild`` redoes it, e.g. after an analysis of a new table lands);
2. analyze: ``Workspace.analyze()``, printing each analysis's seconds, the input
   preparation (orders cut to completed ones and every table cut to the observation
   end), the total and the peak RSS.

The data come from ``clientlens.demo.generate`` when it is installed (``--source
demo``), else from bench/_synth.py (``--source synth``). Targets: under 60 s and under
4 GB peak on a 2-core machine.

    python bench/bench_analyze.py --customers 1000000

``--engine pyspark`` runs the same analyze on a pyspark workspace (local mode,
``--spark-driver-memory``, default 6g). That workspace is not imported through
validation (at a million customers the pandas validation of the import alone takes
longer than the analyze): it is built from the cached DuckDB workspace of the same data
(built first if missing), whose canonical tables, filled-columns registry and import
records are written to Parquet by DuckDB and stored as Spark tables with the DuckDB
tables' types, so both engines analyse the same rows. On pyspark the peak memory and
CPU seconds are the Python process's plus the driver JVM's (a child process).

    python bench/bench_analyze.py --customers 1000000 --source demo --engine pyspark
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

TARGET_SECONDS = 60.0
TARGET_PEAK_MB = 4096.0
DONE_MARKER = ".bench-complete"


def _peak_mb() -> float:
    """Peak resident memory of this process (VmHWM; see bench_rfm.py for why not ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _tables(source: str, n_customers: int, seed: int) -> dict:
    if source == "demo":
        from clientlens.demo import generate

        return generate(n_customers=n_customers, seed=seed).tables()
    from bench._synth import synth_business

    return synth_business(n_customers, seed)


def build(path: Path, source: str, n_customers: int, seed: int) -> dict:
    """Generate and import every table; returns seconds per step and row counts."""
    from clientlens import Workspace
    from clientlens.analytics.registry import all_analyses

    t0 = time.perf_counter()
    tables = _tables(source, n_customers, seed)
    timings = {"generate": time.perf_counter() - t0}
    # tables no registered analysis reads (web events, today) only make the import longer
    used = {"orders"} | {n for a in all_analyses() for n in (*a.requires, *a.optional)}
    unused = sorted(set(tables) - used)
    for kind in unused:
        del tables[kind]
    rows = {}
    ws = Workspace.init(path, settings={"today": "2099-12-31"})
    # customers first: later imports check their customer_id against it
    order = sorted(tables, key=lambda k: (k != "customers", k != "products", k))
    for kind in order:
        frame = tables.pop(kind)
        t = time.perf_counter()
        ws.import_table(kind, frame)
        timings[f"import {kind}"] = time.perf_counter() - t
        rows[kind] = len(frame)
        del frame
    ws.close()
    marker = {"rows": rows, "not_imported": unused}
    (path / DONE_MARKER).write_text(json.dumps(marker), encoding="utf-8")
    return {"seconds": timings, "rows": rows, "not_imported": unused, "peak_mb": _peak_mb()}


def build_pyspark(path: Path, duck_path: Path, driver_memory: str) -> dict:
    """A pyspark workspace holding the DuckDB workspace's canonical tables (see the
    module docstring); returns seconds per table and row counts."""
    import duckdb
    import ibis

    from clientlens import Workspace
    from clientlens.analytics.registry import all_analyses
    from clientlens.config import CONFIG_FILE
    from clientlens.schema import TABLE_NAMES
    from clientlens.workspace import COLUMNS, RUNS

    path.mkdir(parents=True)
    (path / CONFIG_FILE).write_text(
        f'engine = "pyspark"\ntoday = "2099-12-31"\nspark_driver_memory = "{driver_memory}"\n',
        encoding="utf-8",
    )
    parquet = path / "parquet-copy"
    parquet.mkdir()
    ws = Workspace(path)
    duck = duckdb.connect(str(duck_path / "clientlens.duckdb"), read_only=True)
    ibis_duck = ibis.duckdb.from_connection(duck)
    # as build() does: tables no registered analysis reads only make the copy longer
    used = {"orders"} | {n for a in all_analyses() for n in (*a.requires, *a.optional)}
    present = set(ibis_duck.list_tables())
    stored = present & used
    queries = {name: f'SELECT * FROM "{name}"' for name in TABLE_NAMES if name in stored}
    queries[COLUMNS] = f'SELECT * FROM "{COLUMNS}"'
    queries[RUNS] = f"SELECT * FROM \"{RUNS}\" WHERE kind = 'import'"  # not its analyses
    t = time.perf_counter()
    ws.con  # noqa: B018 - Spark's start-up, apart from the copies
    timings, rows = {"spark start-up": time.perf_counter() - t}, {}
    for name, query in queries.items():
        t = time.perf_counter()
        file = parquet / f"table-{name}.parquet"  # Spark skips files named _*
        duck.execute(f"COPY ({query}) TO '{file}' (FORMAT parquet)")
        schema = ibis_duck.table(name).schema()
        table = ws.con.read_parquet(str(file)).cast(schema)
        ws.con.create_table(name, table, overwrite=True)
        rows[name] = ws.row_count(name)
        timings[f"copy {name}"] = time.perf_counter() - t
    duck.close()
    ws.close()
    shutil.rmtree(parquet)
    canonical = {k: v for k, v in rows.items() if k in TABLE_NAMES}
    unused = sorted(set(TABLE_NAMES) & present - used)
    marker = {"rows": canonical, "not_imported": unused, "from": str(duck_path)}
    (path / DONE_MARKER).write_text(json.dumps(marker), encoding="utf-8")
    return {"seconds": timings, "rows": canonical, "not_imported": unused, "peak_mb": _peak_mb()}


def _jvm_pid() -> int | None:
    """The driver JVM pyspark started for this process, if any."""
    if "pyspark" not in sys.modules:
        return None
    from pyspark import SparkContext

    proc = getattr(SparkContext._gateway, "proc", None)
    return proc.pid if proc is not None else None


def _jvm_stat() -> tuple[float, float]:
    """CPU seconds and peak RSS (MB) of the driver JVM; zeros without one."""
    pid = _jvm_pid()
    if pid is None:
        return 0.0, 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0, 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    hwm = next((int(ln.split()[1]) / 1024 for ln in status if ln.startswith("VmHWM:")), 0.0)
    return cpu, hwm


def _cpu_seconds() -> float:
    """CPU time of this process, all threads (DuckDB's included), and of Spark's JVM."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + _jvm_stat()[0]


def _peak_total_mb() -> float:
    """Peak RSS of this process plus that of Spark's JVM (each its own peak)."""
    return _peak_mb() + _jvm_stat()[1]


def analyze(path: Path) -> dict:
    """Run every analysis; wall and CPU seconds per analysis, input preparation, total
    and peak. CPU seconds do not depend on what else the machine runs: on 2 idle cores
    an analysis takes between half its CPU seconds (fully parallel) and all of them."""
    from clientlens import Workspace

    marks: list[tuple[str, float, float, float]] = []

    def progress(msg: str, _frac: float) -> None:
        marks.append((msg, time.perf_counter(), _cpu_seconds(), _peak_total_mb()))
        print(f"  {marks[-1][1] - t0:7.1f} s  {msg}", file=sys.stderr, flush=True)

    ws = Workspace(path)
    started = time.perf_counter()
    ws.con  # noqa: B018 - Spark's start-up is measured apart from the analyze
    start_seconds = time.perf_counter() - started
    t0, c0 = time.perf_counter(), _cpu_seconds()
    result = ws.analyze(progress=progress)
    total, total_cpu = time.perf_counter() - t0, _cpu_seconds() - c0
    peak = _peak_total_mb()
    # progress names each analysis as it starts; the next mark is where it ended
    cpu = {mark[0]: nxt[2] - mark[2] for mark, nxt in itertools.pairwise(marks)}
    # the process's peak so far when the analysis ended: where the peak was reached
    peak_after = {mark[0]: nxt[3] for mark, nxt in itertools.pairwise(marks)}
    outcomes = [
        {
            "name": o.name,
            "status": o.status,
            "rows": o.rows,
            "seconds": o.seconds,
            "cpu_seconds": cpu.get(o.name, 0.0),
            "peak_mb_after": peak_after.get(o.name, 0.0),
            "reason": o.reason,
        }
        for o in result.outcomes
    ]
    ws.close()
    prepare = marks[1] if len(marks) > 1 else (None, t0, c0, 0.0)
    return {
        "observation_end": str(result.observation_end),
        "prepare_seconds": prepare[1] - t0,
        "prepare_cpu_seconds": prepare[2] - c0,
        "prepare_peak_mb_after": prepare[3],
        "total_seconds": total,
        "total_cpu_seconds": total_cpu,
        "outcomes": outcomes,
        "peak_mb": peak,
        "engine": ws.engine,
        "start_seconds": start_seconds,
    }


def _child(step: str, args: argparse.Namespace, path: Path, duck: Path | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", step, "--path", str(path)]
    cmd += ["--customers", str(args.customers), "--seed", str(args.seed), "--source", args.source]
    cmd += ["--spark-driver-memory", args.spark_driver_memory]
    if duck is not None:
        cmd += ["--duckdb-path", str(duck)]
    # the child's stderr (progress, errors) passes straight through
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{step} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _source(requested: str) -> str:
    if requested != "auto":
        return requested
    try:
        from clientlens.demo import generate  # noqa: F401
    except ImportError:
        return "synth"
    return "demo"


def _print_built(path: Path, built: dict) -> None:
    print(f"built {path.name}: " + ", ".join(f"{k} {v:,}" for k, v in built["rows"].items()))
    if built["not_imported"]:
        print("  not imported (no analysis reads them): " + ", ".join(built["not_imported"]))
    print(
        "  "
        + ", ".join(f"{k} {v:.1f} s" for k, v in built["seconds"].items())
        + f"; peak {built['peak_mb']:,.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", choices=("auto", "demo", "synth"), default="auto")
    parser.add_argument("--rebuild", action="store_true", help="Regenerate the workspace.")
    parser.add_argument("--engine", choices=("duckdb", "pyspark"), default="duckdb")
    parser.add_argument("--spark-driver-memory", default="6g")
    parser.add_argument("--child")
    parser.add_argument("--path")
    parser.add_argument("--duckdb-path")
    args = parser.parse_args()
    if args.child:
        path = Path(args.path)
        if args.child == "build":
            result = build(path, args.source, args.customers, args.seed)
        elif args.child == "build-pyspark":
            result = build_pyspark(path, Path(args.duckdb_path), args.spark_driver_memory)
        else:
            result = analyze(path)
        print(json.dumps(result))
        return

    args.source = _source(args.source)
    path = HERE / ".data" / f"analyze_{args.source}_{args.customers}_{args.seed}"
    if args.rebuild or not (path / DONE_MARKER).exists():
        shutil.rmtree(path, ignore_errors=True)
        _print_built(path, _child("build", args, path))
    if args.engine == "pyspark":
        duck, path = path, path.with_name(path.name + "_pyspark")
        if args.rebuild or not (path / DONE_MARKER).exists():
            shutil.rmtree(path, ignore_errors=True)
            _print_built(path, _child("build-pyspark", args, path, duck))
    rows = json.loads((path / DONE_MARKER).read_text(encoding="utf-8"))["rows"]
    print(
        f"clientlens analyze on {args.engine}: {args.customers:,} customers, "
        f"{rows['orders']:,} orders ({args.source} data)"
    )
    run = _child("analyze", args, path)
    if args.engine == "pyspark":
        print(f"Spark start-up (not in the total): {run['start_seconds']:.1f} s")
    print(f"{'analysis':<28} {'status':<8} {'rows':>12} {'seconds':>8} {'cpu s':>8} {'peak MB':>8}")
    print(
        f"{'(prepare inputs)':<28} {'':<8} {'':>12} {run['prepare_seconds']:>8.2f} "
        f"{run['prepare_cpu_seconds']:>8.2f} {run['prepare_peak_mb_after']:>8,.0f}"
    )
    for o in run["outcomes"]:
        print(
            f"{o['name']:<28} {o['status']:<8} {o['rows']:>12,} {o['seconds']:>8.2f} "
            f"{o['cpu_seconds']:>8.2f} {o['peak_mb_after']:>8,.0f}  {o['reason']}"
        )
    print("(peak MB: the process's peak RSS so far when the analysis ended)")
    print(f"CPU seconds in all: {run['total_cpu_seconds']:.1f}")
    ok = run["total_seconds"] < TARGET_SECONDS and run["peak_mb"] < TARGET_PEAK_MB
    print(
        f"total {run['total_seconds']:.1f} s, peak RSS {run['peak_mb']:,.0f} MB "
        f"(observation end {run['observation_end']}); target < {TARGET_SECONDS:.0f} s and "
        f"< {TARGET_PEAK_MB / 1024:.0f} GB: {'met' if ok else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
