"""PostgreSQL: importing from a database table or query, and a workspace on PostgreSQL.

A database source goes through the same mapping and validation as a file, so the same
rows give the same problems; only the row numbers differ, by the CSV file's header line
(a result's rows are counted from 1). A postgres workspace writes each import in one
PostgreSQL transaction (clientlens.upsert). The server is the session's throw-away one
on loopback (tests/postgres_server.py).
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

from clientlens import DatabaseSource, ImportValidationError, Workspace
from clientlens.errors import DataContractError, WorkspaceError
from tests.conftest import REPO
from tests.postgres_server import PASSWORD
from tests.test_import import BAD_ORDERS, EXPECTED_BAD

pytestmark = pytest.mark.postgres

JAN = "order_id,customer_id,order_date,amount\nA,C1,2024-01-01,1\nB,C2,2024-01-02,2\n"
FEB = "order_id,customer_id,order_date,amount\nB,C2,2024-01-02,3\nC,C1,2024-02-01,4\n"


def _load_text_table(url: str, name: str, csv_text: str) -> None:
    """A table of text columns holding the CSV's rows, in the file's order."""
    import psycopg

    header, *rows = list(csv.reader(io.StringIO(csv_text)))
    columns = ", ".join(f'"{c}" text' for c in header)
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f'CREATE TABLE "{name}" ({columns})')
        with con.cursor().copy(f'COPY "{name}" FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)


def _problems(error: ImportValidationError) -> list[tuple[int | None, str | None, str | None, str]]:
    return sorted((p.row, p.column, p.value, p.reason) for p in error.problems)


def _as_result_rows(problem: tuple[int | None, str | None, str | None, str]):
    """A CSV problem as the same data read from a database reports it: rows one lower."""
    row, column, value, reason = problem
    reason = re.sub(r"row (\d+)", lambda m: f"row {int(m.group(1)) - 1}", reason)
    return (None if row is None else row - 1, column, value, reason)


def test_a_table_with_bad_rows_gives_the_problems_of_the_same_csv(
    workspace, postgres_url, tmp_path
):
    _load_text_table(postgres_url, "orders", BAD_ORDERS)
    path = tmp_path / "bad.csv"
    path.write_text(BAD_ORDERS)
    with pytest.raises(ImportValidationError) as from_csv:
        workspace.import_table("orders", str(path))
    with pytest.raises(ImportValidationError) as from_db:
        workspace.import_table("orders", DatabaseSource(postgres_url, table="orders"))

    assert _problems(from_db.value) == [_as_result_rows(p) for p in _problems(from_csv.value)]
    assert {(p.row + 1, p.column, p.value) for p in from_db.value.problems} == EXPECTED_BAD
    masked = postgres_url.replace(f":{PASSWORD}@", ":***@")
    assert {p.file for p in from_db.value.problems} == {f"{masked} table orders"}
    message = str(from_db.value)
    assert message.startswith(f"{masked} table orders: 6 problem(s) in 6 row(s)")
    assert "Row numbers count result rows from 1." in message
    assert PASSWORD not in message + "".join(map(str, from_db.value.problems))
    assert not workspace.has_table("orders")

    # quarantine: the good rows load, the rejects are kept naming the source, no password
    loaded = workspace.import_table(
        "orders", DatabaseSource(postgres_url, table="orders"), on_error="quarantine"
    )
    assert (loaded.rows_inserted, loaded.rows_rejected) == (2, 6)
    assert workspace.table("orders").order_by("order_id").order_id.execute().tolist() == [
        "B1",
        "B8",
    ]
    rejects = workspace.rejects()
    assert set(rejects["source"]) == {f"{masked} table orders"}
    assert sorted(rejects["row"]) == [2, 3, 4, 5, 6, 7]
    assert workspace.runs()["source"].tolist() == [f"{masked} table orders"]


def test_typed_columns_and_a_query_import_as_their_values(workspace, postgres_server):
    db = postgres_server.create_database()
    with postgres_server.connect(db) as con:
        con.execute(
            "CREATE SCHEMA sales; CREATE TABLE sales.orders (order_id text, customer_id text,"
            " order_date timestamptz, amount numeric(10, 2), status text, n int, d date)"
        )
        con.execute(
            "INSERT INTO sales.orders VALUES"
            " ('X1', 'C1', '2024-01-05 18:00:00.250+08', 10.5, '已完成', 3, '2024-01-01'),"
            " ('X2', 'C2', '2024-02-01 00:00:00+00', 20, NULL, NULL, NULL),"
            " ('X3', 'C1', '2024-03-01 12:30:00+00', 7.25, 'refunded', 1, '2024-03-01')"
        )
    url = postgres_server.url(db)
    result = workspace.import_table("orders", DatabaseSource(url, table="sales.orders"))
    assert (result.rows_read, result.rows_inserted, result.rows_rejected) == (3, 3, 0)
    assert result.ignored_headers == ["n", "d"]
    stored = workspace.table("orders").order_by("order_id").execute()
    assert stored.astype(object).where(stored.notna(), None).values.tolist() == [
        # the time zone's 18:00 at +08 is 10:00 UTC; fractions of a second are dropped
        ["X1", "C1", pd.Timestamp("2024-01-05 10:00:00"), 10.5, "completed"],
        ["X2", "C2", pd.Timestamp("2024-02-01 00:00:00"), 20.0, None],
        ["X3", "C1", pd.Timestamp("2024-03-01 12:30:00"), 7.25, "refunded"],
    ]
    again = workspace.import_table("orders", DatabaseSource(url, table="sales.orders"))
    assert again.status == "already imported"

    query = (
        'SELECT order_id AS 订单号, customer_id AS "客户ID", order_date AS 下单时间,'
        " amount * 2 AS 实付金额 FROM sales.orders WHERE amount > 8 ORDER BY order_id"
    )
    update = workspace.import_table("orders", DatabaseSource(url, query=query))
    assert (update.rows_inserted, update.rows_updated) == (0, 2)
    assert update.column_map == {
        "订单号": "order_id",
        "客户ID": "customer_id",
        "下单时间": "order_date",
        "实付金额": "amount",
    }
    amounts = workspace.table("orders").order_by("order_id").amount.execute().tolist()
    assert amounts == [21.0, 40.0, 7.25]
    masked = url.replace(f":{PASSWORD}@", ":***@")
    assert workspace.runs()["source"].iloc[-1] == (
        f"{masked} query 'SELECT order_id AS 订单号, customer_id AS \"客户ID\", order_date A…'"
    )


def test_a_source_that_cannot_be_read_is_one_clear_error(workspace, postgres_server):
    db = postgres_server.create_database()
    with postgres_server.connect(db) as con:
        con.execute("CREATE TABLE customers (customer_id text)")
    url = postgres_server.url(db)
    masked = url.replace(f":{PASSWORD}@", ":***@")
    cases = [
        (
            DatabaseSource(url, table="orders"),
            f"{masked} table orders: no table 'orders' in that database; it has customers.",
        ),
        (
            DatabaseSource(postgres_server.url(db, password="wrong-pw"), table="orders"),
            f'{masked}: cannot connect: connection failed: connection to server at "127.0.0.1", '
            f"port {postgres_server.port} failed: FATAL:  password authentication failed for "
            'user "clientlens"',
        ),
        (
            DatabaseSource(url, query="SELECT customer_id FROM nowhere"),
            f"{masked} query 'SELECT customer_id FROM nowhere': the query failed: "
            'relation "nowhere" does not exist',
        ),
    ]
    for source, message in cases:
        with pytest.raises(DataContractError) as info:
            workspace.import_table("orders", source)
        assert str(info.value) == message
        assert PASSWORD not in str(info.value) and "wrong-pw" not in str(info.value)
        assert "wrong-pw" not in repr(source) and PASSWORD not in repr(source)
    assert workspace.runs().empty


def test_cli_imports_from_a_table_and_names_the_source_without_its_password(
    workspace, postgres_url
):
    _load_text_table(postgres_url, "staged_orders", BAD_ORDERS)
    _load_text_table(postgres_url, "good_orders", JAN)
    workspace.close()

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "clientlens", "--lang", "en", "-w", str(workspace.path), *args],
            capture_output=True,
            text=True,
            env={"COLUMNS": "250", "PATH": "", "PYTHONPATH": str(REPO)},
            check=False,
        )

    masked = postgres_url.replace(f":{PASSWORD}@", ":***@")
    bad = cli("import", "orders", "--from", postgres_url, "--table", "staged_orders")
    assert bad.returncode == 2, bad.stderr
    for row, column, value in EXPECTED_BAD:  # the CSV's row numbers, less its header line
        assert any(
            f"│ {row - 1} " in line and column in line and (value or "empty") in line
            for line in bad.stderr.splitlines()
        ), (row, column, bad.stderr)
    assert f"Error: {masked} table staged_orders: 6 problem(s) in 6 row(s)" in bad.stderr
    assert "Traceback" not in bad.stderr and PASSWORD not in bad.stdout + bad.stderr

    good = cli("import", "orders", "--from", postgres_url, "--table", "good_orders")
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith(
        f"Imported orders from {masked} table good_orders: 2 new, 0 updated, 0 unchanged, 0 rejected"
    )
    both = cli("import", "orders", "x.csv", "--from", postgres_url, "--table", "good_orders")
    assert (both.returncode, both.stderr.strip()) == (
        2,
        "Error: Import from x.csv or from --from, not both.",
    )
    neither = cli("import", "orders", "--from", postgres_url)
    assert neither.returncode == 2 and PASSWORD not in neither.stderr
    assert "name either a table (--table) or a query (--query)" in neither.stderr


# --- a workspace on PostgreSQL --------------------------------------------------------


def _state(ws: Workspace) -> dict[str, list[list[object]]]:
    """Every table's rows, sorted, as plain values; NaN and None both become None."""
    out = {}
    for name in ws.list_tables():
        frame = ws.con.table(name).execute().astype(object)
        frame = frame.where(frame.notna(), None)
        out[name] = sorted(frame.values.tolist(), key=str)
    return out


def test_imports_into_a_postgres_workspace_upsert_and_fail_whole(
    postgres_workspace, tmp_path, monkeypatch
):
    ws = postgres_workspace
    jan, feb, bad = tmp_path / "jan.csv", tmp_path / "feb.csv", tmp_path / "bad.csv"
    jan.write_text(JAN)
    feb.write_text(FEB + "D,C3,2024-02-02,5\n")
    bad.write_text(BAD_ORDERS)
    first = ws.import_table("orders", str(jan))
    assert (first.rows_inserted, first.rows_updated, first.run_id) == (2, 0, 1)
    before = _state(ws)

    with pytest.raises(ImportValidationError) as info:
        ws.import_table("orders", str(bad))
    assert {(p.row, p.column, p.value) for p in info.value.problems} == EXPECTED_BAD
    assert _state(ws) == before

    # The last step fails: the rows, the registered columns and the run are rolled back,
    # and so is a table's creation on its first import.
    def fail(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ws, "record_run", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        ws.import_table("orders", str(feb))
    with pytest.raises(RuntimeError, match="disk full"):
        ws.import_table("customers", pd.DataFrame({"customer_id": ["C1"], "city": ["杭州"]}))
    monkeypatch.undo()
    assert _state(ws) == before
    assert not ws.has_table("customers")

    second = ws.import_table("orders", str(feb))
    assert (second.rows_inserted, second.rows_updated, second.run_id) == (2, 1, 2)
    stored = ws.table("orders").order_by("order_id").execute()
    assert stored[["order_id", "customer_id", "amount"]].values.tolist() == [
        ["A", "C1", 1.0],
        ["B", "C2", 3.0],
        ["C", "C1", 4.0],
        ["D", "C3", 5.0],
    ]
    assert stored["order_date"].tolist() == [
        pd.Timestamp(d) for d in ("2024-01-01", "2024-01-02", "2024-02-01", "2024-02-02")
    ]
    runs = ws.runs()
    assert runs[["run_id", "name", "rows_inserted", "rows_updated", "status"]].values.tolist() == [
        [1, "orders", 2, 0, "loaded"],
        [2, "orders", 2, 1, "loaded"],
    ]
    assert not [t for t in ws.con.list_tables() if t.startswith("_clientlens_stage")]


def test_overlapping_customers_upsert_on_postgres_as_on_duckdb(
    postgres_workspace, workspace, tmp_path
):
    first = tmp_path / "c1.csv"
    first.write_text("customer_id,city,age,income\nK1,杭州,30,5000\nK2,上海,41,7000\n")
    second = tmp_path / "c2.csv"  # K2 moves; its empty age and income keep the stored values
    second.write_text(
        "customer_id,city,gender,age,income\nK2,北京,女,,\nK3,深圳,男,25,8000\nK4,广州,男,-3,100\n"
    )
    for ws in (postgres_workspace, workspace):
        a = ws.import_table("customers", str(first))
        b = ws.import_table("customers", str(second), on_error="quarantine")
        assert (a.rows_inserted, a.rows_updated, a.rows_rejected) == (2, 0, 0)
        assert (b.rows_inserted, b.rows_updated, b.rows_rejected) == (1, 1, 1)
        stored = ws.table("customers").order_by("customer_id").execute()
        assert list(stored.columns) == ["customer_id", "gender", "age", "income", "city"]
        assert stored.astype(object).where(stored.notna(), None).values.tolist() == [
            ["K1", None, 30, 5000.0, "杭州"],
            ["K2", "female", 41, 7000.0, "北京"],
            ["K3", "male", 25, 8000.0, "深圳"],
        ]
        income = ws.table("customers").income
        assert (income.count().execute(), income.sum().execute()) == (3, 20000.0)
        rejects = ws.rejects()
        assert rejects[["run_id", "row", "column_name", "value"]].values.tolist() == [
            [b.run_id, 4, "age", "-3"]
        ]


def _one_order(order_id: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"order_id": [order_id], "customer_id": ["C1"], "order_date": ["2024-01-01"], "amount": [1]}
    )


def test_an_import_waits_while_another_holds_the_run_table(
    postgres_workspace, postgres_server, postgres_url
):
    """Imports into one workspace take turns: each locks the run table for its whole
    transaction, so a second one waits instead of taking the same run id."""
    ws = postgres_workspace
    ws.import_table("orders", _one_order("A"))
    database = postgres_url.rsplit("/", 1)[1]
    results: dict[str, object] = {}
    with postgres_server.connect(database) as other:
        other.execute("BEGIN")
        other.execute('LOCK TABLE "_clientlens_runs" IN EXCLUSIVE MODE')  # another import's
        thread = threading.Thread(
            target=lambda: results.update(second=ws.import_table("orders", _one_order("B")))
        )
        thread.start()
        waiting = 0
        for _ in range(600):  # until the import waits for the lock (60 s at most)
            waiting = other.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                " WHERE NOT l.granted AND c.relname = '_clientlens_runs'"
            ).fetchone()[0]
            if waiting:
                break
            time.sleep(0.1)
        assert waiting == 1
        stored = other.execute("SELECT order_id FROM orders ORDER BY order_id").fetchall()
        assert stored == [("A",)]
        other.execute("COMMIT")
    thread.join(60)
    assert results["second"].run_id == 2
    assert ws.table("orders").order_by("order_id").order_id.execute().tolist() == ["A", "B"]


def test_a_workspace_connection_error_hides_the_password(tmp_path, postgres_server):
    url = postgres_server.url(password="wrong-pw")
    ws = Workspace(tmp_path / "ws", settings={"engine": "postgres", "connection": url})
    with pytest.raises(WorkspaceError) as info:
        ws.con  # noqa: B018 - opening is the test
    masked = url.replace(":wrong-pw@", ":***@")
    assert str(info.value).startswith(f"Cannot connect to '{masked}': connection failed:")
    assert "wrong-pw" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
