"""Importing a million-customer business from CSV files, every validation rule on.

Two measurements, each in a fresh process so that the peak memory printed is the
import's own (VmHWM), on CSV files written once and cached under bench/.data/:

1. ``demo``: the files of ``clientlens.demo.generate(n)`` — customers, orders (about
   6M at 1M customers), order items (about 8.5M) and feedback — imported one after
   the other into a new workspace with ``Workspace.import_table`` (customers first,
   so the later files are checked against them). Target: under 30 s in all, peak
   under 2 GB.
2. ``bad``: the orders file with 1,000 rows spoiled (a text amount, an impossible date,
   an empty customer id, in turn), spread evenly through it, imported with the CLI's
   default ``on_error="report"``: rejected, all 1,000 problems counted, the first 50
   shown. Target: under 15 s.

    python bench/bench_import_scale.py --customers 1000000
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

TABLES = ("customers", "orders", "order_items", "feedback")
BAD_ROWS = 1000
TARGET_DEMO_S, TARGET_BAD_S, TARGET_PEAK_MB = 30.0, 15.0, 2048.0


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process, all threads: less sensitive than wall time to what
    else the machine runs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def write_files(folder: Path, n_customers: int, seed: int) -> dict[str, int]:
    """The demo tables as CSV files (UTF-8, as a shop's exports would be), and a spoiled
    copy of the orders file."""
    import duckdb

    from clientlens.demo import generate

    folder.mkdir(parents=True, exist_ok=True)
    tables = generate(n_customers=n_customers, seed=seed).tables()
    con = duckdb.connect()
    rows = {}
    for kind in TABLES:
        frame = tables.pop(kind)
        con.register("frame", frame)
        con.execute(f"COPY frame TO '{folder / (kind + '.csv')}' (HEADER, DELIMITER ',')")
        con.unregister("frame")
        rows[kind] = len(frame)
        del frame
    n = rows["orders"]
    every = n // BAD_ROWS
    # row k of the data (0-based) is line k + 2 of the file; spoil one row in every `every`
    spoil = f"k % {every} = {every // 2} AND k // {every} < {BAD_ROWS} AND (k // {every}) % 3"
    con.execute(
        f"CREATE TABLE o AS SELECT * FROM read_csv('{folder / 'orders.csv'}', all_varchar = true)"
    )
    con.execute(
        f"""COPY (
            SELECT * EXCLUDE (k) REPLACE (
                CASE WHEN {spoil} = 2 THEN NULL ELSE customer_id END AS customer_id,
                CASE WHEN {spoil} = 0 THEN 'n/a yuan' ELSE amount END AS amount,
                CASE WHEN {spoil} = 1 THEN '2024-02-30' ELSE order_date END AS order_date)
            FROM (SELECT *, rowid AS k FROM o) ORDER BY k
        ) TO '{folder / "orders_bad.csv"}' (HEADER)"""
    )
    (folder / "rows.json").write_text(json.dumps(rows), encoding="utf-8")
    return rows


def import_demo(folder: Path, workdir: Path) -> dict:
    from clientlens import Workspace

    ws = Workspace.init(workdir / "ws", settings={"today": "2099-12-31"})
    seconds, cpu = {}, {}
    for kind in TABLES:
        t, c = time.perf_counter(), _cpu()
        result = ws.import_table(kind, str(folder / f"{kind}.csv"))
        seconds[kind], cpu[kind] = time.perf_counter() - t, _cpu() - c
        print(
            f"  {kind:<12} {seconds[kind]:6.1f} s  {result.rows_inserted:>10,} rows  "
            f"{result.rows_rejected} rejected, {result.warning_count} warning(s)",
            file=sys.stderr,
            flush=True,
        )
    ws.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "total": sum(seconds.values()),
        "total_cpu": sum(cpu.values()),
        "peak_mb": _peak_mb(),
    }


def import_bad(folder: Path, workdir: Path) -> dict:
    from clientlens import ImportValidationError, Workspace

    ws = Workspace.init(workdir / "ws_bad", settings={"today": "2099-12-31"})
    t, c = time.perf_counter(), _cpu()
    try:
        ws.import_table("orders", str(folder / "orders_bad.csv"))
        outcome = {"rejected": False}
    except ImportValidationError as exc:
        shown = exc.problems[:50]
        outcome = {
            "rejected": True,
            "counted": exc.count,
            "rows": len({p.row for p in exc.problems}),
            "first_rows": [p.row for p in shown[:5]],
            "shown": len(shown),
            "stored_after": ws.has_table("orders"),
        }
    outcome["seconds"], outcome["cpu"] = time.perf_counter() - t, _cpu() - c
    outcome["peak_mb"] = _peak_mb()
    ws.close()
    return outcome


def _child(step: str, folder: Path, workdir: Path) -> dict:
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            step,
            "--folder",
            str(folder),
            "--workdir",
            str(workdir),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    sys.stderr.write(proc.stderr)
    if proc.returncode:
        raise SystemExit(f"{step} failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", choices=["demo", "bad"])
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    if args.child:
        run = import_demo if args.child == "demo" else import_bad
        print(json.dumps(run(args.folder, args.workdir)))
        return

    folder = HERE / ".data" / f"import_csv_{args.customers}_{args.seed}"
    if not (folder / "rows.json").exists():
        t = time.perf_counter()
        rows = write_files(folder, args.customers, args.seed)
        print(f"wrote the CSV files in {time.perf_counter() - t:.1f} s: {rows}", file=sys.stderr)
    rows = json.loads((folder / "rows.json").read_text(encoding="utf-8"))
    sizes = {k: (folder / f"{k}.csv").stat().st_size / 1e6 for k in TABLES}
    workdir = folder / "work"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir()
    print(f"importing {args.customers:,} customers' CSV files", file=sys.stderr)
    demo = _child("demo", folder, workdir)
    bad = _child("bad", folder, workdir)
    shutil.rmtree(workdir, ignore_errors=True)

    print(f"\nimport of the demo business at {args.customers:,} customers (CSV, all rules on)")
    print(f"{'table':<12} {'rows':>11} {'MB':>7} {'seconds':>8} {'cpu s':>7}")
    for kind in TABLES:
        print(
            f"{kind:<12} {rows[kind]:>11,} {sizes[kind]:>7.0f} {demo['seconds'][kind]:>8.2f} "
            f"{demo['cpu'][kind]:>7.1f}"
        )
    ok = demo["total"] < TARGET_DEMO_S and demo["peak_mb"] < TARGET_PEAK_MB
    print(
        f"total {demo['total']:.1f} s ({demo['total_cpu']:.1f} CPU s), peak {demo['peak_mb']:,.0f} MB; target < {TARGET_DEMO_S:.0f} s "
        f"and < {TARGET_PEAK_MB:,.0f} MB: {'met' if ok else 'NOT met'}"
    )
    print(f"\norders with {BAD_ROWS:,} bad rows spread through {rows['orders']:,}")
    print(
        f"rejected: {bad['rejected']}, problems counted: {bad.get('counted')}, rows: "
        f"{bad.get('rows')}, shown: {bad.get('shown')} (first rows {bad.get('first_rows')}), "
        f"stored afterwards: {bad.get('stored_after')}; {bad['seconds']:.1f} s "
        f"({bad['cpu']:.1f} CPU s), "
        f"peak {bad['peak_mb']:,.0f} MB; target < {TARGET_BAD_S:.0f} s: "
        f"{'met' if bad['seconds'] < TARGET_BAD_S and bad.get('counted') == BAD_ROWS else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
