"""A pyspark workspace from the command line, one process per command, as a user runs it.

``clientlens init`` (with ``engine = "pyspark"`` in clientlens.toml), ``import`` of all of
CDNOW, ``tables``, ``analyze`` and ``report`` each start their own Spark: the tables
must outlive every process (the workspace's catalog, clientlens.spark), and Spark's own
log must stay out of the output. The same commands on a DuckDB workspace are the peer:
the result tables and the report's target lists must come out the same.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import SETTINGS_PREFIX, read_cdnow_master

pytestmark = [pytest.mark.spark, pytest.mark.slow]

# What Spark, log4j, Hive, Derby and the JVM print when they reach the terminal
SPARK_NOISE = re.compile(
    r"\d\d/\d\d/\d\d \d\d:\d\d:\d\d (INFO|WARN|ERROR)|log4j|NativeCodeLoader|SparkContext|"
    r"setLogLevel|WARNING: |\[Stage \d|Hive|Derby|datanucleus|py4j|Traceback",
    re.IGNORECASE,
)
LIST_ID = "Customer ID"
"""The customer-id header of the English target-list CSVs (localised headers)."""
CDNOW_ORDERS = 69_659
CDNOW_CUSTOMERS = 23_570


def _cli(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_PREFIX)}
    env |= {"COLUMNS": "200", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.run(
        [sys.executable, "-m", "clientlens", "--lang", "en", "--workspace", str(workspace), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=workspace.parent,
        check=False,
        timeout=3600,
    )
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    noise = [ln for ln in (proc.stdout + proc.stderr).splitlines() if SPARK_NOISE.search(ln)]
    assert noise == [], (args, noise)
    return proc


def _table_rows(tables_output: str) -> dict[str, tuple[str, int]]:
    """`clientlens tables` as {table: (kind, rows)}."""
    out = {}
    for line in tables_output.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if len(cells) == 3 and cells[2].replace(",", "").isdigit():
            out[cells[0]] = (cells[1], int(cells[2].replace(",", "")))
    return out


def _session(root: Path, engine: str, orders: Path) -> dict[str, object]:
    """init, import, tables, analyze, tables, report in separate processes."""
    ws = root / engine
    ws.mkdir()
    (ws / "clientlens.toml").write_text(f'engine = "{engine}"\nlanguage = "en"\n')
    created = _cli(ws, "init")
    assert created.stdout.splitlines() == [
        f"Workspace ready at {ws.resolve()}",
        "Currency: CNY (change it with `clientlens settings --set currency=USD`)",
    ]
    imported = _cli(ws, "import", "orders", str(orders))
    assert f"{CDNOW_ORDERS:,} new, 0 updated, 0 unchanged, 0 rejected" in imported.stdout
    before = _table_rows(_cli(ws, "tables").stdout)
    analyzed = _cli(ws, "analyze")
    after = _table_rows(_cli(ws, "tables").stdout)
    _cli(ws, "report", "--format", "html", "--output", str(root / f"report_{engine}"))
    lists = {
        p.name: pd.read_csv(p, dtype={LIST_ID: str})
        for p in sorted((root / f"report_{engine}").glob("*.csv"))
    }
    html = (root / f"report_{engine}" / "report_1998-06_en.html").read_text()
    subset = _cli(ws, "analyze", "--segment", "champions")
    return {
        "before": before,
        "analyze": analyzed.stdout,
        "after": after,
        "lists": lists,
        "html": html,
        "subset": subset.stdout,
    }


def _outcomes(analyze_output: str) -> dict[str, tuple[str, str]]:
    """`clientlens analyze`'s table as {analysis: (status, rows)} (seconds left out)."""
    out = {}
    for line in analyze_output.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if len(cells) >= 4 and cells[1] in {"ok", "skipped", "failed"}:
            out[cells[0]] = (cells[1], cells[2])
    return out


def test_a_pyspark_workspace_lasts_across_cli_processes(tmp_path):
    orders = read_cdnow_master()
    orders.insert(0, "order_id", [f"O{i}" for i in range(len(orders))])
    csv = tmp_path / "cdnow_orders.csv"
    orders[["order_id", "customer_id", "order_date", "amount"]].to_csv(csv, index=False)

    spark = _session(tmp_path, "pyspark", csv)
    # the import, done by an earlier process, is there for the next one
    assert spark["before"] == {
        "_clientlens_columns": ("metadata", 4),
        "_clientlens_rejects": ("metadata", 0),
        "_clientlens_runs": ("metadata", 1),
        "orders": ("data", CDNOW_ORDERS),
    }
    assert "37 analyses stored, 18 skipped, 0 failed (observation end 1998-06-30)." in str(
        spark["analyze"]
    )
    after = spark["after"]
    assert isinstance(after, dict)
    assert after["customer_summary"] == ("result", CDNOW_CUSTOMERS)
    assert after["_clientlens_runs"] == ("metadata", 1 + 55)  # the import and each analysis
    assert (tmp_path / "pyspark" / "logs" / "spark.log").stat().st_size > 0  # where it went

    duck = _session(tmp_path, "duckdb", csv)
    assert spark["after"] == duck["after"]
    # the RFM win-back list is empty on CDNOW: every lapsed customer fails the
    # probability-alive floor of the action lists, so it writes no file
    assert (
        list(spark["lists"])
        == list(duck["lists"])
        == [
            "report_1998-06_en_loyalty.csv",
            "report_1998-06_en_vip_at_risk.csv",
        ]
    )
    # The same customers with the same values. Amounts summed in another order differ in
    # the last bits (3363.9300000000003 on Spark, 3363.93 on DuckDB), which may swap two
    # customers of equal revenue in the list's order, so rows are compared by customer.
    for name, frame in spark["lists"].items():
        pd.testing.assert_frame_equal(
            frame.sort_values(LIST_ID, ignore_index=True),
            duck["lists"][name].sort_values(LIST_ID, ignore_index=True),
            rtol=1e-12,
        )
    assert "23,570" in str(spark["html"]) and "23,570" in str(duck["html"])
    # one segment analysed apart, the same on both engines
    assert "Stored as the results of the subset segment=champions" in str(spark["subset"])
    subset = _outcomes(str(spark["subset"]))
    assert subset == _outcomes(str(duck["subset"]))
    assert subset["rfm_scores"][0] == "ok" and subset["kpis"][0] == "ok"
