"""PostgreSQL beside DuckDB on CDNOW (69,659 orders): import, re-import, analyze, and
importing from a database table instead of a CSV file.

Starts a throw-away PostgreSQL server on 127.0.0.1 (tests/postgres_server.py; Debian's
postgresql package) unless --url names a database to use. Every figure is one run, and
each PostgreSQL figure is printed with its ratio to the DuckDB one measured in the same run.

    python bench/bench_postgres.py
    python bench/bench_postgres.py --url postgresql://me@localhost/bench
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

AS_OF = "1998-06-30"


def _timed(step: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = step()
    return time.perf_counter() - started, out


def _cdnow_csv(directory: Path) -> tuple[Path, Path, int]:
    """CDNOW_master as an orders CSV, and the same orders with every amount changed."""
    from tests.conftest import read_cdnow_master

    raw = read_cdnow_master()
    orders = raw.assign(order_id=[f"O{i}" for i in range(len(raw))])[
        ["order_id", "customer_id", "order_date", "amount"]
    ]
    first, changed = directory / "orders.csv", directory / "orders_changed.csv"
    orders.to_csv(first, index=False)
    orders.assign(amount=orders["amount"] + 1).to_csv(changed, index=False)
    return first, changed, len(orders)


def _load_text_table(url: str, csv_path: Path) -> None:
    """The CSV as a table of text columns, the staging table a business would have."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as con, csv_path.open(encoding="utf-8") as f:
        header = f.readline().strip().split(",")
        con.execute("CREATE TABLE staged_orders (" + ", ".join(f'"{c}" text' for c in header) + ")")
        with con.cursor().copy("COPY staged_orders FROM STDIN (FORMAT csv)") as copy:
            copy.write(f.read())


def run(url: str, root: Path) -> tuple[list[tuple[str, float, float]], tuple[int, float, float]]:
    """(step, DuckDB s, PostgreSQL s) per step; (orders, CSV s, table s) for the source."""
    from clientlens import DatabaseSource, Workspace

    first, changed, n = _cdnow_csv(root)
    duck = Workspace.init(root / "duck", settings={"today": "2026-11-24"})
    pg = Workspace.init(
        root / "pg", settings={"engine": "postgres", "connection": url, "today": "2026-11-24"}
    )
    rows: list[tuple[str, float, float]] = []
    for label, step in (
        (f"import {n:,} new orders (CSV)", lambda ws: ws.import_table("orders", str(first))),
        (f"re-import {n:,} changed orders", lambda ws: ws.import_table("orders", str(changed))),
        ("analyze (every analysis)", lambda ws: ws.analyze(as_of=AS_OF)),
    ):
        d, _ = _timed(lambda step=step: step(duck))
        p, out = _timed(lambda step=step: step(pg))
        if hasattr(out, "failed"):
            assert not out.failed, [(o.name, o.reason) for o in out.failed]
        rows.append((label, d, p))
    duck.close()
    pg.close()

    _load_text_table(url, first)
    from_csv = Workspace.init(root / "from_csv", settings={"today": "2026-11-24"})
    from_db = Workspace.init(root / "from_db", settings={"today": "2026-11-24"})
    c, _ = _timed(lambda: from_csv.import_table("orders", str(first)))
    d, result = _timed(
        lambda: from_db.import_table("orders", DatabaseSource(url, table="staged_orders"))
    )
    assert result.rows_inserted == n
    return rows, (n, c, d)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="An empty PostgreSQL database (default: start a server).")
    args = parser.parse_args()
    server = None
    url = args.url
    if url is None:
        from tests import postgres_server

        server = postgres_server.start()
        url = server.url(server.create_database("bench"))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows, (n, csv_s, table_s) = run(url, Path(tmp))
    finally:
        if server is not None:
            server.stop()
    print("workspace engine:")
    print(f"  {'step':<36} {'DuckDB s':>9} {'PostgreSQL s':>13} {'ratio':>6}")
    for label, duck_s, pg_s in rows:
        print(f"  {label:<36} {duck_s:>9.2f} {pg_s:>13.2f} {pg_s / duck_s:>5.2f}x")
    print(f"source of a DuckDB workspace's import of {n:,} orders:")
    print(f"  CSV file {csv_s:.2f} s, PostgreSQL table {table_s:.2f} s ({table_s / csv_s:.2f}x)")


if __name__ == "__main__":
    main()
