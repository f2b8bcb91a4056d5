"""The satisfaction results at scale: ``satisfaction_scores``, ``complaint_summary``,
``complaint_sla`` and ``satisfaction_behaviour`` on the demo business.

Builds (once, cached under bench/.data/) a DuckDB workspace with the demo's orders,
customers, feedback and tickets at ``--customers``, then times each analysis's pure
function on the workspace tables, the way ``analyze`` calls it (completed orders, RFM
scores as an Ibis expression, everything cut to the observation end). Prints wall and
CPU seconds (user + sys of this process: DuckDB's threads count) and the rows in and out.

    python bench/bench_satisfaction.py --customers 200000
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

TABLES = ("customers", "orders", "feedback", "tickets")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def build(path: Path, n_customers: int, seed: int) -> None:
    from clientlens import Workspace
    from clientlens.demo import generate

    if path.exists():
        shutil.rmtree(path)
    t0 = time.perf_counter()
    tables = generate(n_customers=n_customers, seed=seed).tables()
    ws = Workspace.init(path, settings={"today": "2026-11-24"})
    for name in TABLES:
        ws.import_table(name, tables[name])
    ws.close()
    (path / ".bench-complete").write_text("ok")
    print(f"built {path} in {time.perf_counter() - t0:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    path = HERE / ".data" / f"satisfaction_{args.customers}_{args.seed}"
    if args.rebuild or not (path / ".bench-complete").exists():
        build(path, args.customers, args.seed)

    from clientlens import Workspace
    from clientlens.analytics.satisfaction.behaviour import satisfaction_behaviour
    from clientlens.analytics.satisfaction.complaints import complaint_summary
    from clientlens.analytics.satisfaction.scores import satisfaction_scores
    from clientlens.analytics.satisfaction.sla import complaint_sla
    from clientlens.analytics.segments.rfm_segments import rfm_scores

    ws = Workspace(path)
    counts = {name: ws.row_count(name) for name in TABLES}
    end = ws.table("orders").order_date.max().execute().date()
    orders = ws.table("orders")
    orders = orders.filter(orders.status.isnull() | (orders.status == "completed"))
    rfm = rfm_scores(orders, observation_end=end)
    print(f"customers {args.customers:,}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"observation end {end}")
    runs = {
        "satisfaction_scores": lambda: satisfaction_scores(
            ws.table("feedback"),
            observation_end=end,
            customers=ws.table("customers"),
            rfm_scores=rfm,
        ),
        "complaint_summary": lambda: complaint_summary(ws.table("tickets"), observation_end=end),
        "complaint_sla": lambda: complaint_sla(ws.table("tickets"), observation_end=end),
        "satisfaction_behaviour": lambda: satisfaction_behaviour(
            orders,
            observation_end=end,
            feedback=ws.table("feedback"),
            tickets=ws.table("tickets"),
            rfm_scores=rfm,
        ),
    }
    print(f"{'analysis':<24} {'rows':>8} {'wall s':>8} {'CPU s':>8}")
    total_wall = total_cpu = 0.0
    for name, run in runs.items():
        wall, cpu = time.perf_counter(), _cpu()
        out = run()
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        total_wall += wall
        total_cpu += cpu
        print(f"{name:<24} {len(out):>8,} {wall:>8.2f} {cpu:>8.2f}")
    print(f"{'total':<24} {'':>8} {total_wall:>8.2f} {total_cpu:>8.2f}")
    with open("/proc/loadavg") as f:
        print("load average:", " ".join(f.read().split()[:3]))
    ws.close()


if __name__ == "__main__":
    main()
