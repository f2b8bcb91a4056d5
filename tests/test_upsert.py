"""Workspace.upsert: the whole import write in one call, all or nothing, or refused."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.errors import WorkspaceError
from clientlens.schema import table_spec

ORDERS = table_spec("orders")


def _orders(*rows: tuple[str, str, str, float]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "amount"])
    return frame.assign(order_date=pd.to_datetime(frame["order_date"]))


def _upsert(ws: Workspace, frame: pd.DataFrame, **kwargs):
    return ws.upsert(
        "orders",
        frame,
        key=ORDERS.key,
        schema=ORDERS.ibis_schema(),
        columns_filled=list(frame.columns),
        **kwargs,
    )


def test_upsert_writes_table_columns_rejects_and_run(workspace):
    started = dt.datetime.now()
    rejects = pd.DataFrame(
        [{"source": "x.csv", "row": 4, "column_name": "amount", "value": "ten", "reason": "bad"}]
    )
    first = _upsert(
        workspace,
        _orders(("A", "C1", "2024-01-01", 1.0), ("B", "C2", "2024-01-02", 2.0)),
        rejects=rejects,
        run_record={"started_at": started, "source": "x.csv", "rows_read": 3, "rows_rejected": 1},
    )
    assert (first.inserted, first.updated, first.run_id) == (2, 0, 1)
    second = _upsert(
        workspace,
        _orders(("B", "C2", "2024-01-02", 3.0), ("C", "C1", "2024-02-01", 4.0)),
        run_record={"started_at": started, "source": "y.csv", "rows_read": 2},
    )
    assert (second.inserted, second.updated, second.run_id) == (1, 1, 2)

    orders = workspace.table("orders").order_by("order_id").execute()
    assert list(orders.columns) == ["order_id", "customer_id", "order_date", "amount"]
    assert orders[["order_id", "amount"]].values.tolist() == [["A", 1.0], ["B", 3.0], ["C", 4.0]]
    runs = workspace.runs()
    assert runs[
        ["run_id", "kind", "name", "source", "rows_inserted", "rows_updated", "rows_loaded"]
    ].values.tolist() == [
        [1, "import", "orders", "x.csv", 2, 0, 2],
        [2, "import", "orders", "y.csv", 1, 1, 2],
    ]
    assert (runs["duration_s"] >= 0).all()
    stored = workspace.rejects()
    assert stored[["run_id", "table_name", "row", "value"]].values.tolist() == [
        [1, "orders", 4, "ten"]
    ]
    # The canonical table has its whole schema; only the filled columns are registered.
    assert workspace.con.table("orders").columns == tuple(ORDERS.names)
    assert sorted(workspace.present_columns("orders")) == sorted(
        ["order_id", "customer_id", "order_date", "amount"]
    )


def test_a_failure_at_the_last_step_rolls_the_whole_import_back(workspace, tmp_path, monkeypatch):
    jan = tmp_path / "jan.csv"
    jan.write_text("order_id,customer_id,order_date,amount\nA,C1,2024-01-01,1\nB,C2,2024-01-02,2\n")
    feb = tmp_path / "feb.csv"
    feb.write_text(
        "order_id,customer_id,order_date,amount,channel\nB,C2,2024-01-02,3,app\nC,C1,2024-02-01,4,\n"
    )
    workspace.import_table("orders", str(jan))

    def fail(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(workspace, "record_run", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        workspace.import_table("orders", str(feb))
    with pytest.raises(RuntimeError, match="disk full"):  # a table's first import
        workspace.import_table("customers", pd.DataFrame({"customer_id": ["C1"]}))
    monkeypatch.undo()

    orders = workspace.table("orders").order_by("order_id").execute()
    assert orders[["order_id", "amount"]].values.tolist() == [["A", 1.0], ["B", 2.0]]
    assert "channel" not in workspace.present_columns("orders")
    assert not workspace.has_table("customers")
    assert workspace.runs()["run_id"].tolist() == [1]
    again = workspace.import_table("orders", str(feb))  # not taken for already imported
    assert (again.rows_inserted, again.rows_updated, again.run_id) == (1, 1, 2)


def test_imports_on_an_engine_without_an_atomic_write_are_refused(tmp_path):
    import ibis.backends.sqlite  # noqa: F401 - part of the core install (stdlib sqlite3): never skipped

    ws = Workspace.init(
        tmp_path / "ws",
        settings={"engine": "sqlite", "connection": f"sqlite:///{tmp_path / 'shop.db'}"},
    )
    frame = _orders(("A", "C1", "2024-01-01", 1.0))
    with pytest.raises(WorkspaceError, match=r"sqlite workspace .*not supported yet") as info:
        ws.import_table("orders", frame)
    assert str(ws.path) in str(info.value)
    assert 'engine = "duckdb"' in str(info.value)
    with pytest.raises(WorkspaceError, match="not supported yet"):
        _upsert(ws, frame, run_record={})
    assert not ws.has_table("orders")
    assert ws.runs().empty
    ws.close()
