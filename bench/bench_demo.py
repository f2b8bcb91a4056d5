"""Demo business generator: time and peak memory, and generate + import into a workspace.

Each size runs in its own process so the peak RSS printed is that run's own.

    python bench/bench_demo.py --customers 20000 1000000 --import-up-to 20000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def _peak_mb() -> float:
    """Peak resident memory of this process (VmHWM; ru_maxrss as a fallback)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n_customers: int, with_import: bool) -> dict:
    from clientlens import Workspace
    from clientlens.demo import generate, load_demo

    t0 = time.perf_counter()
    data = generate(n_customers, seed=0, locale="zh")
    out: dict = {
        "customers": n_customers,
        "generate_s": time.perf_counter() - t0,
        "rows": data.row_counts(),
    }
    out["generate_peak_mb"] = _peak_mb()
    if with_import:
        with tempfile.TemporaryDirectory() as tmp:
            ws = Workspace.init(Path(tmp) / "ws")
            t1 = time.perf_counter()
            load_demo(ws, data)
            ws.close()
            out["import_s"] = time.perf_counter() - t1
    out["peak_mb"] = _peak_mb()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, nargs="+", default=[20_000, 1_000_000])
    parser.add_argument(
        "--import-up-to",
        type=int,
        default=20_000,
        help="Also import into a fresh workspace for sizes up to this many customers.",
    )
    parser.add_argument("--child", type=int)
    parser.add_argument("--with-import", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.child, args.with_import)))
        return

    header = f"{'customers':>10} {'orders':>10} {'events':>11} {'generate s':>11} {'gen MB':>8} {'import s':>9} {'total s':>8} {'peak MB':>8}"
    print(header)
    for n in args.customers:
        cmd = [sys.executable, __file__, "--child", str(n)]
        if n <= args.import_up_to:
            cmd.append("--with-import")
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(f"{n:>10,} failed: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        imp = r.get("import_s")
        total = r["generate_s"] + (imp or 0.0)
        print(
            f"{n:>10,} {r['rows']['orders']:>10,} {r['rows']['events']:>11,} "
            f"{r['generate_s']:>11.2f} {r['generate_peak_mb']:>8,.0f} "
            f"{'-' if imp is None else f'{imp:.2f}':>9} {total:>8.2f} {r['peak_mb']:>8,.0f}"
        )
        print("   rows:", ", ".join(f"{k} {v:,}" for k, v in r["rows"].items()))


if __name__ == "__main__":
    main()
