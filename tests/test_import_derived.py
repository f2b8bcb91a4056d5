"""Derived and linked data: amounts from order items, the customer id map, and warnings
for ids that point nowhere."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from clientlens import ImportValidationError, Workspace
from clientlens.errors import ConfigError, DataContractError
from tests.test_import import _checksums

ITEMS = (
    "order_id,product_id,quantity,unit_price\n"
    "O1,P1,2,10.5\n"
    "O1,P2,1,5\n"
    "O2,P1,3,10.5\n"
    "O4,P2,1,\n"  # no unit price: O4's amount cannot be derived
)
# No amount column; 运费 (freight) is added to the items' total, an empty cell adding 0.
ORDERS = "订单号,客户ID,下单时间,运费\nO1,C1,2024-03-01,6\nO2,C2,2024-03-02,\n"


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def with_items(workspace, tmp_path):
    workspace.import_table("order_items", _write(tmp_path, "items.csv", ITEMS))
    return workspace


def _amounts(ws: Workspace) -> list[list[object]]:
    return ws.table("orders").order_by("order_id")[["order_id", "amount"]].execute().values.tolist()


def test_amounts_from_items_plus_a_named_extra_column(with_items, tmp_path):
    path = _write(tmp_path, "orders.csv", ORDERS)
    result = with_items.import_table("orders", path, amount_from="items", amount_extra="运费")
    assert (result.status, result.rows_inserted, result.amounts_derived) == ("loaded", 2, 2)
    assert result.column_map == {
        "订单号": "order_id",
        "客户ID": "customer_id",
        "下单时间": "order_date",
    }
    assert _amounts(with_items) == [["O1", 2 * 10.5 + 5 + 6], ["O2", 3 * 10.5]]
    assert "amount" in with_items.present_columns("orders")
    assert '"amounts_derived": 2' in with_items.runs()["details"].iloc[-1]


def test_an_amount_in_the_file_is_kept(with_items, tmp_path):
    path = _write(
        tmp_path,
        "o.csv",
        "order_id,customer_id,order_date,amount\nO1,C1,2024-03-01,99\nO2,C2,2024-03-02,\n",
    )
    result = with_items.import_table("orders", path, amount_from="items")
    assert result.amounts_derived == 1
    assert _amounts(with_items) == [["O1", 99.0], ["O2", 31.5]]


def test_an_order_with_no_amount_and_no_items_is_a_problem_not_a_zero(with_items, tmp_path):
    with_items.import_table("orders", _write(tmp_path, "first.csv", ORDERS), amount_from="items")
    before = _checksums(with_items)
    path = _write(
        tmp_path,
        "more.csv",
        "order_id,customer_id,order_date,amount\n"
        "O2,C2,2024-03-02,\n"
        "O3,C1,2024-03-03,\n"  # row 3: no items at all
        "O4,C1,2024-03-04,\n",  # row 4: an item without a unit price
    )
    with pytest.raises(ImportValidationError) as info:
        with_items.import_table("orders", path, amount_from="items")
    assert [(p.file, p.row, p.column, p.value, p.reason) for p in info.value.problems] == [
        (
            path,
            3,
            "amount",
            "",
            "no amount, and no order items of this order to derive it from (--amount-from items)",
        ),
        (
            path,
            4,
            "amount",
            "",
            "no amount, and 1 of its 1 order items have no quantity or unit_price to derive "
            "it from (--amount-from items)",
        ),
    ]
    assert _checksums(with_items) == before

    kept = with_items.import_table("orders", path, amount_from="items", on_error="quarantine")
    assert (kept.status, kept.rows_rejected, kept.rows_unchanged) == ("loaded with rejects", 2, 1)
    assert _amounts(with_items) == [["O1", 26.0], ["O2", 31.5]]
    rejects = with_items.rejects()
    assert rejects[["row", "column_name", "run_id"]].values.tolist() == [
        [3, "amount", kept.run_id],
        [4, "amount", kept.run_id],
    ]


def test_amount_options_that_cannot_apply_are_refused_before_anything_changes(with_items, tmp_path):
    before = _checksums(with_items)
    path = _write(tmp_path, "orders.csv", ORDERS)
    with pytest.raises(ConfigError, match="--amount-extra adds to derived amounts"):
        with_items.import_table("orders", path, amount_extra="运费")
    with pytest.raises(ConfigError, match="amounts can only come from items"):
        with_items.import_table("orders", path, amount_from="products")
    with pytest.raises(ConfigError, match="--amount-from applies to orders, not to customers"):
        with_items.import_table("customers", path, amount_from="items")
    with pytest.raises(ImportValidationError, match="--amount-extra column 'freight'") as info:
        with_items.import_table("orders", path, amount_from="items", amount_extra="freight")
    [problem] = info.value.problems
    assert (problem.file, problem.row, problem.column) == (path, None, "freight")
    assert "the file has the headers '订单号', '客户ID', '下单时间', '运费'" in problem.reason
    with pytest.raises(ImportValidationError, match="required column"):
        with_items.import_table("orders", path)  # without --amount-from, amount is required
    assert _checksums(with_items) == before


def test_amounts_from_items_need_imported_items(workspace, tmp_path):
    path = _write(tmp_path, "orders.csv", ORDERS)
    with pytest.raises(DataContractError, match=r"none are imported\. Import them first"):
        workspace.import_table("orders", path, amount_from="items")
    assert not workspace.has_table("orders")


def test_the_id_map_translates_later_logs(workspace, tmp_path):
    early = pd.DataFrame({"anonymous_id": ["D1"], "timestamp": ["2024-01-01"], "event": ["view"]})
    workspace.import_table("events", early)
    workspace.import_table("customers", pd.DataFrame({"customer_id": ["C1", "C2"]}))
    ids = _write(tmp_path, "ids.csv", "设备ID,客户ID\nD1,C1\nO9,C2\nD7,C7\n")
    mapped = workspace.import_table("customer_ids", ids)
    assert mapped.column_map == {"设备ID": "source_id", "客户ID": "customer_id"}
    assert [str(w) for w in mapped.warnings] == [
        f"{ids}, column '客户ID': 1 row(s) point to no row of customers: customer_id not found "
        "there (loaded anyway); the first: C7"
    ]

    events = workspace.import_table(
        "events",
        pd.DataFrame(
            {
                "customer_id": [None, "C2", None, "O9"],
                "anonymous_id": ["D1", "D1", "D5", None],
                "timestamp": ["2024-02-01", "2024-02-02", "2024-02-03", "2024-02-04"],
                "event": ["view", "view", "cart", "buy"],
            }
        ),
    )
    assert (events.rows_inserted, events.ids_mapped) == (4, 2)
    stored = workspace.table("events").order_by("timestamp").execute()
    assert stored[["anonymous_id", "customer_id"]].astype(object).where(
        stored[["anonymous_id", "customer_id"]].notna(), None
    ).values.tolist() == [
        ["D1", None],  # imported before the map: unchanged
        ["D1", "C1"],  # by device
        ["D1", "C2"],  # its own customer id wins over the device's
        ["D5", None],  # a device the map does not know
        [None, "C2"],  # an order number in the customer column
    ]
    feedback = workspace.import_table(
        "feedback",
        pd.DataFrame(
            {
                "订单号": ["O9", "C1"],
                "date": ["2024-03-01"] * 2,
                "kind": ["nps"] * 2,
                "score": [9, 7],
            }
        ),
        mapping={"订单号": "customer_id"},
    )
    assert (feedback.ids_mapped, feedback.warnings) == (1, [])
    assert sorted(workspace.table("feedback").customer_id.execute()) == ["C1", "C2"]


def test_a_log_is_imported_again_after_the_id_map_changes(workspace, tmp_path):
    tickets = _write(
        tmp_path, "t.csv", "ticket_id,customer_id,opened_at\nT1,O9,2024-03-01\nT2,C1,2024-03-02\n"
    )
    first = workspace.import_table("tickets", tickets)
    assert first.ids_mapped == 0
    workspace.import_table(
        "customer_ids", pd.DataFrame({"source_id": ["O9"], "customer_id": ["C2"]})
    )
    again = workspace.import_table("tickets", tickets)  # the same file, a new map: not skipped
    assert (again.status, again.ids_mapped, again.rows_updated, again.rows_unchanged) == (
        "loaded",
        1,
        1,
        1,
    )
    stored = workspace.table("tickets").order_by("ticket_id").customer_id.execute().tolist()
    assert stored == ["C2", "C1"]
    assert workspace.import_table("tickets", tickets).status == "already imported"


def test_ids_that_point_nowhere_are_warned_about_with_counts(workspace, tmp_path):
    workspace.import_table("products", pd.DataFrame({"product_id": ["P1"]}))
    workspace.import_table(
        "orders",
        pd.DataFrame(
            {"order_id": ["O1"], "customer_id": ["C1"], "order_date": ["2024-01-01"], "amount": [1]}
        ),
    )
    workspace.import_table("customers", pd.DataFrame({"customer_id": ["C1"]}))
    items = _write(
        tmp_path,
        "items.csv",
        "订单号,sku,数量\nO1,P1,1\nO7,P1,1\nO3,P9,2\nO7,P8,1\nO3,P1,1\n",
    )
    result = workspace.import_table("order_items", items)
    assert result.rows_inserted == 5  # loaded anyway
    assert [(w.column, w.severity, w.row) for w in result.warnings] == [
        ("订单号", "warning", None),
        ("sku", "warning", None),
    ]
    assert [w.reason for w in result.warnings] == [
        "4 row(s) point to no row of orders: order_id not found there (loaded anyway); "
        "the first: O7, O3",
        "2 row(s) point to no row of products: product_id not found there (loaded anyway); "
        "the first: P9, P8",
    ]
    feedback = workspace.import_table(
        "feedback",
        pd.DataFrame(
            {
                "customer_id": ["C1", "X1", "X2", "X3", "X4", "X5", "X6"],
                "date": ["2024-03-01"] * 7,
                "kind": ["csat"] * 7,
                "score": [5] * 7,
            }
        ),
    )
    assert [w.reason for w in feedback.warnings] == [
        "6 row(s) point to no row of customers: customer_id not found there (loaded anyway); "
        "the first: X1, X2, X3, X4, X5"
    ]
    tickets = workspace.import_table(
        "tickets",
        pd.DataFrame({"ticket_id": ["T1"], "customer_id": ["X9"], "opened_at": ["2024-03-01"]}),
    )
    assert [w.reason for w in tickets.warnings] == [
        "1 row(s) point to no row of customers: customer_id not found there (loaded anyway); "
        "the first: X9"
    ]
    assert workspace.row_count("feedback") == 7 and workspace.row_count("tickets") == 1


def test_the_cli_states_derived_amounts_and_reference_warnings(with_items, tmp_path):
    path = _write(tmp_path, "orders.csv", ORDERS)
    with_items.close()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "clientlens",
            "--lang",
            "en",
            "-w",
            str(with_items.path),
            "import",
            "orders",
            path,
            "--amount-from",
            "items",
            "--amount-extra",
            "运费",
        ],
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": "", "CLIENTLENS_TODAY": "2026-11-24"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"Imported orders from {path}: 2 new, 0 updated, 0 unchanged")
    assert "Amounts from order items: 2 order(s) (quantity × unit_price + 运费)" in lines
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "clientlens", "--lang", "en", "-w", str(with_items.path)),
            *("import", "orders", path, "--amount-extra", "运费"),
        ],
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": ""},
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "Error: --amount-extra adds to derived amounts: give --amount-from items."
    )
