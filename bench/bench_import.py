"""The import write at scale: ClientLens's column-wise merge vs DuckDB's own upsert.

A DuckDB workspace holds ``--orders`` orders; an update of ``--update-share`` of them
(half with a new status, half with an empty channel that must not blank the stored one)
plus as many new orders is then written through ``Workspace.upsert``, the step this
bench is about (validation and reading are not timed). The peer, in the same run, is
DuckDB doing the same merge natively on a table with a primary key:
``INSERT ... ON CONFLICT (order_id) DO UPDATE SET c = coalesce(excluded.c, c)``, which
keeps absent and empty values as ClientLens does but counts nothing.

    python bench/bench_import.py --orders 1000000 --update-share 0.1
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

COLUMNS = ["order_id", "customer_id", "order_date", "amount", "status", "channel"]


def make_orders(n: int, seed: int = 0, start: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 730, n)
    return pd.DataFrame(
        {
            "order_id": [f"O{i:09d}" for i in range(start, start + n)],
            "customer_id": [f"C{c:07d}" for c in rng.integers(0, n // 5 + 1, n)],
            "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D"),
            "amount": rng.gamma(2.0, 60.0, n).round(2),
            "status": "completed",
            "channel": rng.choice(["app", "web", "store"], n),
        }
    )


def make_update(base: pd.DataFrame, share: float, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(len(base) * share)
    changed = base.iloc[rng.choice(len(base), n, replace=False)].copy()
    half = n // 2
    changed.iloc[:half, changed.columns.get_loc("status")] = "refunded"
    changed.iloc[half:, changed.columns.get_loc("channel")] = None  # must not blank
    fresh = make_orders(n, seed=seed + 1, start=len(base))
    return pd.concat([changed, fresh], ignore_index=True)


def run_clientlens(base: pd.DataFrame, update: pd.DataFrame, where: Path) -> dict:
    from clientlens import Workspace
    from clientlens.schema import table_spec

    spec = table_spec("orders")
    ws = Workspace.init(where / "ws")

    def write(frame: pd.DataFrame) -> tuple[float, object]:
        t0 = time.perf_counter()
        done = ws.upsert(
            "orders",
            frame,
            key=spec.key,
            schema=spec.ibis_schema(),
            columns_filled=COLUMNS,
            run_record={"started_at": dt.datetime.now(), "source": "bench"},
        )
        return time.perf_counter() - t0, done

    first_s, _ = write(base)
    update_s, done = write(update)
    nulls = ws.con.table("orders").channel.isnull().sum().execute()
    ws.close()
    return {
        "first_s": first_s,
        "update_s": update_s,
        "counts": (done.inserted, done.updated, done.unchanged),
        "channel_nulls": int(nulls),
    }


def run_duckdb(base: pd.DataFrame, update: pd.DataFrame, where: Path) -> dict:
    con = duckdb.connect(str(where / "peer.duckdb"))
    con.execute(
        "CREATE TABLE orders (order_id VARCHAR PRIMARY KEY, customer_id VARCHAR, "
        "order_date TIMESTAMP, amount DOUBLE, status VARCHAR, channel VARCHAR)"
    )
    sets = ", ".join(f"{c} = coalesce(excluded.{c}, orders.{c})" for c in COLUMNS[1:])
    t0 = time.perf_counter()
    con.register("rows", base)
    con.execute("INSERT INTO orders SELECT * FROM rows")
    first_s = time.perf_counter() - t0
    con.unregister("rows")
    t0 = time.perf_counter()
    con.register("rows", update)
    con.execute(
        f"INSERT INTO orders SELECT * FROM rows ON CONFLICT (order_id) DO UPDATE SET {sets}"
    )
    update_s = time.perf_counter() - t0
    nulls = con.execute("SELECT count(*) FROM orders WHERE channel IS NULL").fetchone()[0]
    con.close()
    return {"first_s": first_s, "update_s": update_s, "channel_nulls": int(nulls)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--update-share", type=float, default=0.1)
    args = parser.parse_args()
    base = make_orders(args.orders)
    update = make_update(base, args.update_share)
    with tempfile.TemporaryDirectory() as tmp:
        ours = run_clientlens(base, update, Path(tmp))
        peer = run_duckdb(base, update, Path(tmp))
    print(f"orders stored: {len(base):,}; update rows: {len(update):,}")
    print(f"ClientLens new/updated/unchanged: {ours['counts']}")
    for name, r in (("ClientLens Workspace.upsert", ours), ("DuckDB ON CONFLICT", peer)):
        print(
            f"{name:28s} first write {r['first_s']:7.2f} s   update {r['update_s']:7.2f} s   "
            f"empty channels after: {r['channel_nulls']}"
        )
    print(
        f"ratio ClientLens / DuckDB: first {ours['first_s'] / peer['first_s']:.2f}x, "
        f"update {ours['update_s'] / peer['update_s']:.2f}x"
    )


if __name__ == "__main__":
    main()
