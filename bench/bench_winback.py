"""Time of the win-back results (``churn_score_bands``, ``winback``, ``winback_summary``) on
synthetic churn scores of N customers, executed on DuckDB as ``analyze`` runs them.

The scores are drawn at random (seeded): churn probability uniform, p_alive beta(2, 2),
predicted value lognormal, reasons from the catalog. Training the churn model itself is
bench/bench_churn.py; this measures only what the win-back list adds after it. Prints
wall and CPU seconds (user + sys) per result and the rows written.

    nice -n 10 python bench/bench_winback.py --customers 100000 1000000
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _scores(n: int, seed: int = 0) -> tuple[Any, Any, Any]:
    import numpy as np
    import pandas as pd

    from clientlens.analytics.churn.reasons import REASONS

    rng = np.random.default_rng(seed)
    ids = [f"C{i:08d}" for i in range(n)]
    p = rng.uniform(0, 1, n)
    clv = rng.lognormal(5, 1.5, n)
    codes = np.array([r.code for r in REASONS], dtype=object)
    scores = pd.DataFrame(
        {
            "customer_id": ids,
            "churn_probability": p,
            "risk_band": np.select([p >= 0.7, p >= 0.4], ["high", "medium"], "low"),
            **{
                col: (
                    codes[rng.integers(0, len(codes), n)]
                    if not col.endswith("value")
                    else rng.uniform(0, 100, n)
                )
                for col in (
                    "reason_1",
                    "reason_1_value",
                    "reason_2",
                    "reason_2_value",
                    "reason_3",
                    "reason_3_value",
                )
            },
            "clv_12m": clv,
            "revenue_at_risk": p * clv,
            "recommended_action": "win_back_offer",
        }
    )
    clv_frame = pd.DataFrame({"customer_id": ids, "p_alive": rng.beta(2, 2, n), "clv_12m": clv})
    summary = pd.DataFrame(
        {
            "customer_id": ids,
            "n_orders": rng.integers(1, 30, n),
            "total_amount": rng.lognormal(6, 1, n),
            "last_purchase": pd.Timestamp("2025-12-31")
            - pd.to_timedelta(rng.integers(0, 365, n), "D"),
        }
    )
    return scores, clv_frame, summary


def run(n: int) -> None:
    import ibis

    from clientlens.analytics.churn.churn_score_bands import churn_score_bands
    from clientlens.analytics.churn.winback import winback, winback_summary

    con = ibis.duckdb.connect()
    scores, clv, summary = _scores(n)
    for name, frame in (("churn_scores", scores), ("clv", clv), ("customer_summary", summary)):
        con.create_table(name, frame)
    s, c, cs = (con.table(x) for x in ("churn_scores", "clv", "customer_summary"))
    steps = {
        "churn_score_bands": lambda: churn_score_bands(s),
        "winback": lambda: winback(s, c, cs),
        "winback_summary": lambda: winback_summary(s, c, con.table("winback")),
    }
    for name, build in steps.items():
        wall, cpu = time.perf_counter(), _cpu()
        con.create_table(name, build(), overwrite=True)
        rows = con.table(name).count().execute()
        print(
            f"{n:>10,} customers  {name:<18} {rows:>9,} rows  "
            f"{time.perf_counter() - wall:6.2f} s wall  {_cpu() - cpu:6.2f} s CPU"
        )
    con.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000])
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}")
    for n in args.customers:
        run(n)


if __name__ == "__main__":
    main()
