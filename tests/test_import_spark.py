"""Imports on PySpark (local mode): a failed import changes nothing; overlaps upsert.

Spark has no transaction over several tables, so the upsert builds the new table aside
and swaps it in with one overwrite step, then records the run (clientlens.upsert).
"""

from __future__ import annotations

import pandas as pd
import pytest

from clientlens import ImportValidationError, Workspace
from clientlens.errors import WorkspaceError
from tests.conftest import require
from tests.test_import import BAD_ORDERS, EXPECTED_BAD

pytestmark = [pytest.mark.spark, pytest.mark.slow]

JAN = "order_id,customer_id,order_date,amount\nA,C1,2024-01-01,1\nB,C2,2024-01-02,2\n"
FEB = "order_id,customer_id,order_date,amount\nB,C2,2024-01-02,3\nC,C1,2024-02-01,4\n"


@pytest.fixture(scope="module")
def spark_ws(tmp_path_factory):
    require("spark")  # in CI (CLIENTLENS_REQUIRE) a missing Spark fails, never skips
    from pyspark.sql import SparkSession

    # A session another module left running (test_parity keeps its workspace open) would
    # hand this workspace its catalog, canonical tables included; start from a fresh one.
    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()
    ws = Workspace.init(
        tmp_path_factory.mktemp("spark") / "ws",
        settings={"engine": "pyspark", "today": "2026-11-24"},
    )
    yield ws
    ws.close()


def _state(ws: Workspace) -> dict[str, list[list[object]]]:
    """Every table's rows, sorted, as plain values; NaN and None both become None."""
    out = {}
    for name in ws.list_tables():
        if name.startswith("ibis_"):  # Spark lists ibis' in-memory temp views too
            continue
        frame = ws.con.table(name).execute().astype(object)
        frame = frame.where(frame.notna(), None)
        out[name] = sorted(frame.values.tolist(), key=str)
    return out


def test_failed_imports_leave_the_spark_workspace_unchanged(spark_ws, tmp_path, monkeypatch):
    jan, feb, bad = tmp_path / "jan.csv", tmp_path / "feb.csv", tmp_path / "bad.csv"
    jan.write_text(JAN)
    feb.write_text(FEB)
    bad.write_text(BAD_ORDERS)
    first = spark_ws.import_table("orders", str(jan))
    assert (first.rows_inserted, first.rows_updated) == (2, 0)
    stored = spark_ws.table("orders").order_by("order_id").execute()
    assert stored[["order_id", "customer_id", "amount"]].values.tolist() == [
        ["A", "C1", 1.0],
        ["B", "C2", 2.0],
    ]
    before = _state(spark_ws)

    with pytest.raises(ImportValidationError) as info:
        spark_ws.import_table("orders", str(bad))
    assert {(p.row, p.column, p.value) for p in info.value.problems} == EXPECTED_BAD
    assert _state(spark_ws) == before

    # The merge itself fails (say, the cluster loses an executor): the stored table and
    # the run log are untouched and the temporary tables are gone.
    con = spark_ws.con
    real_create = con.create_table

    def fail_building(name, *args, **kwargs):
        if name == "_clientlens_new_orders":
            raise RuntimeError("executor lost")
        return real_create(name, *args, **kwargs)

    monkeypatch.setattr(con, "create_table", fail_building)
    with pytest.raises(RuntimeError, match="executor lost"):
        spark_ws.import_table("orders", str(feb))
    assert _state(spark_ws) == before

    # The swap step fails: the error says where the complete new contents are.
    def fail_swapping(name, obj=None, **kwargs):
        if name == "orders" and obj is not None:
            raise RuntimeError("disk full")
        return real_create(name, obj, **kwargs)

    monkeypatch.setattr(con, "create_table", fail_swapping)
    with pytest.raises(WorkspaceError, match="kept in table '_clientlens_new_orders'"):
        spark_ws.import_table("orders", str(feb))
    kept = con.table("_clientlens_new_orders").order_by("order_id").execute()
    assert kept[["order_id", "amount"]].values.tolist() == [["A", 1.0], ["B", 3.0], ["C", 4.0]]
    monkeypatch.undo()
    con.drop_table("_clientlens_new_orders")
    assert _state(spark_ws) == before
    assert spark_ws.runs()["run_id"].tolist() == [first.run_id]


def _customers(ws: Workspace) -> list[list[object]]:
    stored = ws.table("customers").order_by("customer_id").execute()
    assert list(stored.columns) == ["customer_id", "gender", "age", "income", "city"]
    return stored.astype(object).where(stored.notna(), None).values.tolist()


def test_partial_updates_on_spark_as_on_duckdb(spark_ws, workspace, tmp_path):
    first = tmp_path / "c1.csv"
    first.write_text("customer_id,city,age,income\nK1,杭州,30,5000\nK2,上海,41,7000\n")
    second = tmp_path / "c2.csv"  # K2 moves and has no age or income here; K3 is new; K4 is bad
    second.write_text(
        "customer_id,city,gender,age,income\nK2,北京,女,,\nK3,深圳,男,25,8000\nK4,广州,男,-3,100\n"
    )
    orders = tmp_path / "orders.csv"  # an orders file imported as customers by mistake
    orders.write_text(
        "order_id,customer_id,order_date,amount\nO1,K1,2024-01-01,5\nO2,K3,2024-01-02,6\n"
    )
    runs_before = len(spark_ws.runs())
    k1, k3 = ["K1", None, 30, 5000.0, "杭州"], ["K3", "male", 25, 8000.0, "深圳"]
    for ws in (spark_ws, workspace):
        a = ws.import_table("customers", str(first))
        b = ws.import_table("customers", str(second), on_error="quarantine")
        assert (a.rows_inserted, a.rows_updated, a.rows_rejected) == (2, 0, 0)
        assert (b.rows_inserted, b.rows_updated, b.rows_unchanged, b.rows_rejected) == (1, 1, 0, 1)
        assert b.columns_updated == ["gender", "city"]
        assert ws.row_count("customers") == 3
        # Empty cells kept K2's stored age and income.
        assert _customers(ws) == [k1, ["K2", "female", 41, 7000.0, "北京"], k3]
        # Missing numbers are nulls, not NaN, on both engines: aggregates skip them.
        income = ws.table("customers").income
        assert (income.count().execute(), income.sum().execute()) == (3, 20000.0)
        rejects = ws.rejects()
        rejects = rejects[rejects["table_name"] == "customers"]
        assert rejects[["run_id", "row", "column_name", "value"]].values.tolist() == [
            [b.run_id, 4, "age", "-3"]
        ]

        c = ws.import_table("customers", str(orders))  # only customer_id maps: nothing changes
        assert (c.rows_inserted, c.rows_updated, c.rows_unchanged) == (0, 0, 2)
        d = ws.import_table("customers", str(second), on_error="quarantine", blank_overwrites=True)
        assert (d.rows_updated, d.rows_unchanged, d.columns_updated) == (1, 1, ["age", "income"])
        assert _customers(ws) == [k1, ["K2", "female", None, None, "北京"], k3]
        e = ws.import_table("customers", str(first))  # A after B: not skipped, A's values back
        assert (e.status, e.rows_updated, e.rows_unchanged) == ("loaded", 1, 1)
        assert e.columns_updated == ["age", "income", "city"]
        assert _customers(ws) == [k1, ["K2", "female", 41, 7000.0, "上海"], k3]
        assert ws.import_table("customers", str(first)).status == "already imported"
    runs = spark_ws.runs().iloc[runs_before:]
    assert runs[
        ["name", "rows_inserted", "rows_updated", "rows_rejected", "status"]
    ].values.tolist() == [
        ["customers", 2, 0, 0, "loaded"],
        ["customers", 1, 1, 1, "loaded with rejects"],
        ["customers", 0, 0, 0, "loaded"],
        ["customers", 0, 1, 1, "loaded with rejects"],
        ["customers", 0, 1, 0, "loaded"],
    ]


def test_derived_amounts_id_map_and_reference_warnings_on_spark(spark_ws, tmp_path):
    from tests.test_import_derived import ITEMS, ORDERS

    items, orders = tmp_path / "items.csv", tmp_path / "orders.csv"
    items.write_text(ITEMS)
    orders.write_text(ORDERS)
    spark_ws.import_table("order_items", str(items))
    result = spark_ws.import_table("orders", str(orders), amount_from="items", amount_extra="运费")
    assert (result.rows_inserted, result.amounts_derived) == (2, 2)
    amounts = spark_ws.table("orders").filter(lambda t: t.order_id.isin(["O1", "O2"]))
    assert amounts.order_by("order_id").amount.execute().tolist() == [32.0, 31.5]

    again = spark_ws.import_table("order_items", str(items), force=True)
    # O1 and O2 are stored (and the first test's A and B): O4's item points nowhere
    assert [w.reason for w in again.warnings] == [
        "1 row(s) point to no row of orders: order_id not found there (loaded anyway); "
        "the first: O4"
    ]
    assert (again.rows_inserted, again.rows_unchanged) == (0, 4)

    spark_ws.import_table(
        "customer_ids", pd.DataFrame({"source_id": ["D1"], "customer_id": ["K1"]})
    )
    events = spark_ws.import_table(
        "events",
        pd.DataFrame(
            {"anonymous_id": ["D1", "D2"], "timestamp": ["2024-02-01"] * 2, "event": ["view"] * 2}
        ),
    )
    assert events.ids_mapped == 1
    stored = spark_ws.table("events").order_by("anonymous_id").execute()
    assert stored["customer_id"].astype(object).where(
        stored["customer_id"].notna(), None
    ).tolist() == [
        "K1",
        None,
    ]
    assert not [t for t in spark_ws.list_tables() if t.startswith("_clientlens_scratch")]
