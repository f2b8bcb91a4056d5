"""Import: every bad row reported, atomic failure, encodings, mapping, upsert, quarantine."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pandas as pd
import pytest

from clientlens import ImportValidationError, Workspace
from clientlens.errors import DataContractError
from tests.ingest.conftest import state as _checksums

GOOD_ORDERS = (
    "order_id,customer_id,order_date,amount,status\n"
    "O1,C1,2024-01-05 10:00:00,100.50,completed\n"
    "O2,C1,2024-02-03,80,completed\n"
    "O3,C2,2024-03-01,50,refunded\n"
)
# Row numbers count the header as row 1.
BAD_ORDERS = (
    "order_id,customer_id,order_date,amount\n"
    "B1,C1,2024-04-01,10\n"  # row 2: good
    "B2,,2024-04-02,10\n"  # row 3: empty customer id
    "B3,C1,2024-04-31,10\n"  # row 4: unparseable date (April has 30 days)
    "B4,C1,2024-04-04,ten\n"  # row 5: non-numeric amount
    "B5,C1,2024-04-05,-3\n"  # row 6: negative amount
    "B6,C1,2099-01-01,10\n"  # row 7: date in the future
    "B1,C2,2024-04-07,11\n"  # row 8: duplicate key with other values
    "B8,C1,2024-04-08,12\n"  # row 9: good
)
EXPECTED_BAD = {
    (3, "customer_id", ""),
    (4, "order_date", "2024-04-31"),
    (5, "amount", "ten"),
    (6, "amount", "-3"),
    (7, "order_date", "2099-01-01"),
    (8, "order_id", "B1"),
}


def test_good_file_loads_with_chinese_status_normalised(workspace, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(GOOD_ORDERS)
    result = workspace.import_table("orders", str(path))
    assert (result.rows_inserted, result.rows_updated, result.rows_rejected) == (3, 0, 0)
    orders = workspace.table("orders").order_by("order_id").execute()
    assert orders["amount"].tolist() == [100.5, 80.0, 50.0]
    assert orders["order_date"].iloc[0] == pd.Timestamp("2024-01-05 10:00:00")
    assert orders["status"].tolist() == ["completed", "completed", "refunded"]
    runs = workspace.runs()
    assert runs[["kind", "name", "rows_loaded", "status"]].values.tolist() == [
        ["import", "orders", 3, "loaded"]
    ]
    assert runs["checksum"].iloc[0] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_bad_row_is_reported_and_nothing_changes(workspace, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(GOOD_ORDERS)
    workspace.import_table("orders", str(good))
    before = _checksums(workspace)
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_ORDERS)
    with pytest.raises(ImportValidationError) as info:
        workspace.import_table("orders", str(bad))
    found = {(p.row, p.column, p.value) for p in info.value.problems}
    assert found == EXPECTED_BAD
    assert all(p.file == str(bad) and p.reason for p in info.value.problems)
    assert _checksums(workspace) == before


def test_cli_prints_every_problem_and_exits_2(workspace, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_ORDERS)
    workspace.close()
    before = _checksums(Workspace(workspace.path))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "clientlens",
            "--lang",
            "en",
            "--workspace",
            str(workspace.path),
            "import",
            "orders",
            str(bad),
        ],
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": ""},
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    for row, column, value in EXPECTED_BAD:
        assert any(
            f"│ {row} " in ln and column in ln and (value or "empty") in ln for ln in lines
        ), (row, column, proc.stderr)
    assert "6 problem(s)" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _checksums(Workspace(workspace.path)) == before


def test_quarantine_loads_good_rows_and_keeps_bad_ones(workspace, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_ORDERS)
    result = workspace.import_table("orders", str(bad), on_error="quarantine")
    assert result.status == "loaded with rejects"
    assert sorted(workspace.table("orders").order_id.execute()) == ["B1", "B8"]
    rejects = workspace.rejects()
    assert sorted(rejects["row"].unique()) == [3, 4, 5, 6, 7, 8]
    assert set(rejects["reason"]) >= {"negative value", "not a number"}


def test_gbk_csv_with_chinese_headers_imports_without_mapping(workspace, tmp_path):
    text = (
        "订单编号,会员号,下单时间,实付金额,订单状态\n"
        "D1,会员001,2024年03月01日,￥1288.00,已完成\n"
        "D2,会员002,2024/03/02 14:30,99.9,已退款\n"
    )
    path = tmp_path / "订单.csv"
    path.write_bytes(text.encode("gbk"))
    result = workspace.import_table("orders", str(path))
    assert result.encoding == "gb18030"
    assert result.column_map == {
        "订单编号": "order_id",
        "会员号": "customer_id",
        "下单时间": "order_date",
        "实付金额": "amount",
        "订单状态": "status",
    }
    orders = workspace.table("orders").order_by("order_id").execute()
    assert orders["customer_id"].tolist() == ["会员001", "会员002"]
    assert orders["amount"].tolist() == [1288.0, 99.9]
    assert orders["status"].tolist() == ["completed", "refunded"]
    assert orders["order_date"].tolist() == [
        pd.Timestamp("2024-03-01"),
        pd.Timestamp("2024-03-02 14:30"),
    ]


def test_utf8_bom_and_explicit_mapping(workspace, tmp_path):
    path = tmp_path / "o.csv"
    path.write_bytes("\ufeff流水号,客户编号,日期,金额\nZ1,C1,2024-05-01,5\n".encode())
    with pytest.raises(ImportValidationError, match="required column"):
        workspace.import_table("orders", str(path))
    result = workspace.import_table("orders", str(path), mapping={"流水号": "order_id"})
    assert result.encoding == "utf-8-sig"
    assert workspace.table("orders").order_id.execute().tolist() == ["Z1"]


def test_next_month_appends_and_overlaps_do_not_duplicate(workspace, tmp_path):
    jan = tmp_path / "jan.csv"
    jan.write_text("order_id,customer_id,order_date,amount\nA,C1,2024-01-01,1\nB,C2,2024-01-02,2\n")
    feb = tmp_path / "feb.csv"  # repeats B with a corrected amount, adds C
    feb.write_text("order_id,customer_id,order_date,amount\nB,C2,2024-01-02,3\nC,C1,2024-02-01,4\n")
    workspace.import_table("orders", str(jan))
    again = workspace.import_table("orders", str(jan))
    assert again.status == "already imported"
    second = workspace.import_table("orders", str(feb))
    assert (second.rows_inserted, second.rows_updated) == (1, 1)
    orders = workspace.table("orders").order_by("order_id").execute()
    assert orders[["order_id", "amount"]].values.tolist() == [["A", 1.0], ["B", 3.0], ["C", 4.0]]


def test_exact_duplicate_rows_are_merged_with_a_warning(workspace, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text(
        "order_id,customer_id,order_date,amount\nA,C1,2024-01-01,1\nA,C1,2024-01-01,1\n"
    )
    result = workspace.import_table("orders", str(path))
    assert result.duplicates_merged == 1
    assert [w.row for w in result.warnings] == [3]
    assert workspace.row_count("orders") == 1


def test_excel_and_parquet_sources(workspace, tmp_path):
    frame = pd.DataFrame(
        {
            "客户ID": [1001, 1002],
            "性别": ["男", "女"],
            "年龄": [30, 41],
            "省份": ["广东", "浙江"],
            "手机号": ["13812345678", "13987654321"],
        }
    )
    xlsx = tmp_path / "c.xlsx"
    frame.to_excel(xlsx, index=False)
    workspace.import_table("customers", str(xlsx))
    customers = workspace.table("customers").order_by("customer_id").execute()
    assert customers["customer_id"].tolist() == ["1001", "1002"]
    assert customers["gender"].tolist() == ["male", "female"]
    assert customers["age"].tolist() == [30, 41]
    pq = tmp_path / "o.parquet"
    pd.DataFrame(
        {
            "order_id": ["P1"],
            "customer_id": ["1001"],
            "order_date": pd.to_datetime(["2024-06-01"]),
            "amount": [9.5],
        }
    ).to_parquet(pq)
    result = workspace.import_table("orders", str(pq))
    assert result.rows_inserted == 1 and result.warnings == []


def test_orders_of_unknown_customers_are_a_warning_only(workspace):
    workspace.import_table("customers", pd.DataFrame({"customer_id": ["C1"]}))
    result = workspace.import_table(
        "orders",
        pd.DataFrame(
            {
                "order_id": ["1", "2"],
                "customer_id": ["C1", "C404"],
                "order_date": ["2024-01-01", "2024-01-02"],
                "amount": [1, 2],
            }
        ),
    )
    assert result.rows_inserted == 2
    assert [str(w) for w in result.warnings] == [
        "<DataFrame>, column 'customer_id': 1 row(s) point to no row of customers: "
        "customer_id not found there (loaded anyway); the first: C404"
    ]
    assert [w.severity for w in result.warnings] == ["warning"]


def test_export_masks_personal_data(workspace, tmp_path):
    workspace.import_table(
        "customers",
        pd.DataFrame(
            {
                "customer_id": ["C1"],
                "name": ["王小明"],
                "phone": ["13812345678"],
                "email": ["wang@example.com"],
            }
        ),
    )
    out = workspace.export("customers", tmp_path / "c.csv")
    row = pd.read_csv(out, dtype=str).iloc[0]
    assert (row["name"], row["phone"], row["email"]) == ("王**", "138****5678", "w***@example.com")
    raw = pd.read_csv(workspace.export("customers", tmp_path / "u.csv", unmasked=True), dtype=str)
    assert raw["phone"].iloc[0] == "13812345678"


def test_unknown_kind_and_undecodable_file(workspace, tmp_path):
    from clientlens.errors import ConfigError

    with pytest.raises(ConfigError, match="Valid kinds"):
        workspace.import_table("invoices", pd.DataFrame({"a": [1]}))
    path = tmp_path / "x.csv"
    path.write_bytes(b"order_id\n\xff\xfe\xfa\n")
    with pytest.raises(DataContractError, match="gb18030"):
        workspace.import_table("orders", str(path))
