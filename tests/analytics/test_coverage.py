"""What the analysis saw against what was imported, through the runner's import-side inputs."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

# Seven orders up to 2024-06-30 (two refunded, one cancelled) and one after it; one
# customer signed up after it. Two further rows are rejected at import.
ORDERS = (
    "order_id,customer_id,order_date,amount,status\n"
    "O1,a,2024-01-05,100,completed\n"
    "O2,a,2024-03-10,50,refunded\n"
    "O3,b,2024-02-01,80,completed\n"
    "O4,b,2024-05-20,20,cancelled\n"
    "O5,c,2024-06-01,60,completed\n"
    "O6,c,2024-06-10,30,refunded\n"
    "O7,d,2024-06-30,70,\n"
    "O8,d,2024-07-15,90,completed\n"
    "O9,,2024-06-15,10,completed\n"
    "O10,e,2024-06-16,-5,completed\n"
)
CUSTOMERS = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "e"],
        "signup_date": ["2023-12-01", "2024-01-15", "2024-05-01", "2024-06-01", "2024-08-01"],
    }
)
ONLY = ["data_coverage", "data_quality"]


def fill(ws, tmp_path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")
    ws.import_table("orders", str(path), on_error="quarantine")
    ws.import_table("customers", CUSTOMERS)


@pytest.fixture
def analysed(workspace, tmp_path):
    fill(workspace, tmp_path)
    result = workspace.analyze(as_of="2024-06-30", only=ONLY)
    assert [o.status for o in result.outcomes] == ["ok", "ok"]
    return workspace


def test_data_quality_counts_what_was_seen_and_left_out(analysed):
    q = analysed.table("data_quality").to_pandas().iloc[0]
    # seen: O1, O3, O5 and O7 (no status counts as completed); O8 is after the end
    assert q["orders"] == 4
    assert pd.Timestamp(q["first_order_date"]).date() == dt.date(2024, 1, 5)
    assert pd.Timestamp(q["last_order_date"]).date() == dt.date(2024, 6, 30)
    assert pd.Timestamp(q["observation_end"]).date() == dt.date(2024, 6, 30)
    # left out by status, of the 7 orders up to the end: O2, O4, O6
    assert (q["orders_up_to_end"], q["orders_excluded"]) == (7, 3)
    assert q["excluded_share"] == pytest.approx(3 / 7)
    assert q["rows_rejected"] == 2


def test_data_coverage_rows_as_imported_and_as_analysed(analysed):
    c = analysed.table("data_coverage").to_pandas().sort_values("display_order")
    assert list(c["table_name"]) == ["orders", "customers"]  # the data contract's order
    rows = c.set_index("table_name")
    # imported up to the as-of day: O1 … O7 of every status (O8 came later), customers
    # a … d (e signed up later); analysed: the four completed orders
    assert rows.loc["orders", ["imported_rows", "analysed_rows"]].tolist() == [7, 4]
    assert rows.loc["customers", ["imported_rows", "analysed_rows"]].tolist() == [4, 4]


def test_without_as_of_every_imported_row_counts(workspace, tmp_path):
    fill(workspace, tmp_path)
    workspace.analyze(only=ONLY)
    rows = workspace.table("data_coverage").to_pandas().set_index("table_name")
    assert rows["imported_rows"].to_dict() == {"orders": 8, "customers": 5}
    q = workspace.table("data_quality").to_pandas().iloc[0]
    # the last completed order (O8, 2024-07-15) is the observation end
    assert (q["orders"], q["orders_up_to_end"], q["orders_excluded"]) == (5, 8, 3)
