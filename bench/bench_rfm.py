"""rfm_summary at scale: ClientLens (Ibis on DuckDB) vs hand-written DuckDB SQL vs lifetimes.

Each contender runs in its own process, so the peak RSS printed is its own. lifetimes
runs from a separate interpreter (it needs numpy < 2): set LIFETIMES_PYTHON, or run
`make bench-env` to create .venv-compare.

    python bench/bench_rfm.py --customers 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

HAND_SQL = """
WITH days AS (
  SELECT customer_id, CAST(order_date AS DATE) AS day, sum(amount) AS total,
         count(*) AS n, min(order_date) AS first_ts, max(order_date) AS last_ts
  FROM read_parquet('{path}') GROUP BY 1, 2
), flagged AS (
  SELECT *, day = min(day) OVER (PARTITION BY customer_id) AS is_first FROM days
)
SELECT customer_id,
       count(*) - 1 AS frequency,
       date_diff('day', min(day), max(day)) AS recency,
       date_diff('day', min(day), (SELECT max(CAST(order_date AS DATE)) FROM read_parquet('{path}'))) AS T,
       coalesce(sum(total) FILTER (WHERE NOT is_first) / nullif(count(*) - 1, 0), 0) AS monetary_value,
       sum(n) AS n_orders, sum(total) AS total_amount, min(first_ts), max(last_ts)
FROM flagged GROUP BY customer_id
"""


def _peak_mb() -> float:
    """Peak resident memory of this process image.

    VmHWM, not ru_maxrss: ru_maxrss survives exec, so a child would report the parent's
    peak (which holds the generated data).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_clientlens(path: str) -> dict:
    import ibis

    from clientlens.analytics.customers.rfm import rfm_summary

    con = ibis.duckdb.connect()
    t0 = time.perf_counter()
    orders = con.read_parquet(path)
    result = con.create_table("summary", rfm_summary(orders), temp=True)
    n = result.count().execute()
    return {"seconds": time.perf_counter() - t0, "rows": int(n), "peak_mb": _peak_mb()}


def run_sql(path: str) -> dict:
    import duckdb

    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute("CREATE TEMP TABLE summary AS " + HAND_SQL.format(path=path))
    n = con.execute("SELECT count(*) FROM summary").fetchone()[0]
    return {"seconds": time.perf_counter() - t0, "rows": int(n), "peak_mb": _peak_mb()}


def run_lifetimes(path: str) -> dict:
    import pandas as pd
    from lifetimes.utils import summary_data_from_transaction_data

    t0 = time.perf_counter()
    orders = pd.read_parquet(path)
    summary = summary_data_from_transaction_data(
        orders, "customer_id", "order_date", monetary_value_col="amount", freq="D"
    )
    return {"seconds": time.perf_counter() - t0, "rows": len(summary), "peak_mb": _peak_mb()}


def _child(name: str, path: str, python: str) -> dict:
    out = subprocess.run(
        [python, __file__, "--child", name, "--path", path],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--child")
    parser.add_argument("--path")
    parser.add_argument("--skip-lifetimes", action="store_true")
    args = parser.parse_args()
    if args.child:
        fn = {"clientlens": run_clientlens, "sql": run_sql, "lifetimes": run_lifetimes}
        print(json.dumps(fn[args.child](args.path)))
        return

    from bench._synth import orders_parquet

    path = str(orders_parquet(args.customers))
    import duckdb

    n_orders = duckdb.sql(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
    print(f"rfm_summary: {args.customers:,} customers, {n_orders:,} orders")
    lt_python = os.environ.get("LIFETIMES_PYTHON", str(HERE.parent / ".venv-compare/bin/python"))
    results = {
        "clientlens": _child("clientlens", path, sys.executable),
        "duckdb_sql": _child("sql", path, sys.executable),
    }
    if not args.skip_lifetimes:
        if Path(lt_python).exists():
            results["lifetimes"] = _child("lifetimes", path, lt_python)
        else:
            results["lifetimes"] = {"error": f"no lifetimes interpreter at {lt_python}"}
    print(f"{'contender':<12} {'seconds':>9} {'peak MB':>9} {'rows':>10}")
    for name, r in results.items():
        if "error" in r:
            print(f"{name:<12} {r['error']}")
        else:
            print(f"{name:<12} {r['seconds']:>9.2f} {r['peak_mb']:>9.0f} {r['rows']:>10,}")
    cl, sql = results["clientlens"], results["duckdb_sql"]
    if "error" not in cl and "error" not in sql:
        print(f"clientlens / hand SQL time: {cl['seconds'] / sql['seconds']:.2f}x")
    lt = results.get("lifetimes", {})
    if "error" not in cl and lt and "error" not in lt:
        print(
            f"lifetimes / clientlens time: {lt['seconds'] / cl['seconds']:.1f}x; "
            f"peak memory {lt['peak_mb']:.0f} MB vs {cl['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
