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
"""

from __future__ import annotations

import argparse
import itertools
import json
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


def _cpu_seconds() -> float:
    """CPU time of this process, all threads (DuckDB's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def analyze(path: Path) -> dict:
    """Run every analysis; wall and CPU seconds per analysis, input preparation, total
    and peak. CPU seconds do not depend on what else the machine runs: on 2 idle cores
    an analysis takes between half its CPU seconds (fully parallel) and all of them."""
    from clientlens import Workspace

    marks: list[tuple[str, float, float, float]] = []

    def progress(msg: str, _frac: float) -> None:
        marks.append((msg, time.perf_counter(), _cpu_seconds(), _peak_mb()))
        print(f"  {marks[-1][1] - t0:7.1f} s  {msg}", file=sys.stderr, flush=True)

    ws = Workspace(path)
    t0, c0 = time.perf_counter(), _cpu_seconds()
    result = ws.analyze(progress=progress)
    total, total_cpu = time.perf_counter() - t0, _cpu_seconds() - c0
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
        "peak_mb": _peak_mb(),
    }


def _child(step: str, args: argparse.Namespace, path: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", step, "--path", str(path)]
    cmd += ["--customers", str(args.customers), "--seed", str(args.seed), "--source", args.source]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", choices=("auto", "demo", "synth"), default="auto")
    parser.add_argument("--rebuild", action="store_true", help="Regenerate the workspace.")
    parser.add_argument("--child")
    parser.add_argument("--path")
    args = parser.parse_args()
    if args.child:
        path = Path(args.path)
        result = (
            build(path, args.source, args.customers, args.seed)
            if args.child == "build"
            else analyze(path)
        )
        print(json.dumps(result))
        return

    args.source = _source(args.source)
    path = HERE / ".data" / f"analyze_{args.source}_{args.customers}_{args.seed}"
    if args.rebuild or not (path / DONE_MARKER).exists():
        shutil.rmtree(path, ignore_errors=True)
        built = _child("build", args, path)
        print(f"built {path.name}: " + ", ".join(f"{k} {v:,}" for k, v in built["rows"].items()))
        if built["not_imported"]:
            print("  not imported (no analysis reads them): " + ", ".join(built["not_imported"]))
        print(
            "  "
            + ", ".join(f"{k} {v:.1f} s" for k, v in built["seconds"].items())
            + f"; peak {built['peak_mb']:,.0f} MB"
        )
    rows = json.loads((path / DONE_MARKER).read_text(encoding="utf-8"))["rows"]
    print(
        f"clientlens analyze: {args.customers:,} customers, {rows['orders']:,} orders "
        f"({args.source} data)"
    )
    run = _child("analyze", args, path)
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
