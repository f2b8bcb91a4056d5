"""The reader never crashes and never guesses silently (issue: trustworthy import, part 1)."""

from __future__ import annotations

import pytest

from clientlens import ImportValidationError
from clientlens.errors import DataContractError
from tests.ingest.conftest import state

HEADER = "order_id,customer_id,order_date,amount\n"


def _problems(info: pytest.ExceptionInfo) -> set[tuple[int | None, str | None]]:
    return {(p.row, p.column) for p in info.value.problems}


def test_a_trailing_delimiter_is_a_problem_of_that_row_only(seeded, write):
    ws, before = seeded
    path = write("o.csv", HEADER + "A,C1,2024-01-02,10,\nB,C1,2024-01-03,12\n")
    with pytest.raises(ImportValidationError) as info:
        ws.import_table("orders", path)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.value) == (2, None, "A,C1,2024-01-02,10,")
    assert problem.reason.startswith("the row has 5 fields but the header has 4")
    assert state(ws) == before


def test_an_extra_field_does_not_shift_columns_or_flag_the_next_row(workspace, write):
    path = write("o.csv", HEADER + "A,C1,2024-01-02,7,99\nB,C1,2024-01-03,12\nC,C2,2024-01-04\n")
    result = workspace.import_table("orders", path, on_error="quarantine")
    assert result.rows_rejected == 2
    assert {(p.row, p.reason.split(" (")[0]) for p in result.problems} == {
        (2, "the row has 5 fields but the header has 4"),
        (4, "the row has 3 fields but the header has 4"),
    }
    stored = workspace.table("orders").execute()
    assert stored[["order_id", "amount"]].values.tolist() == [["B", 12.0]]


def test_quotes_and_line_breaks_inside_values(workspace, write):
    path = write(
        "c.csv",
        'customer_id,name,city\nC1,"Wang, Xiaoming",Beijing\nC2,"two\nlines",Shanghai\n'
        "C3,plain,Hangzhou,extra\n",
    )
    result = workspace.import_table("customers", path, on_error="quarantine")
    assert [(p.row, p.column) for p in result.problems if p.severity == "error"] == [(4, None)]
    stored = workspace.table("customers").order_by("customer_id").execute()
    assert stored["name"].tolist() == ["Wang, Xiaoming", "two\nlines"]


@pytest.mark.parametrize(
    "rows",
    [
        b"A,C1,2024-01-02,10.5\r\nB,C2,2024-01-03,11\r\n",  # LF header, CRLF rows
        b"A,C1,2024-01-02,10.5\nB,C2,2024-01-03,11\r\n",  # one row of each
        b"A,C1,2024-01-02,10.5\rB,C2,2024-01-03,11\r\n",  # an old Mac ending, then CRLF
    ],
)
def test_mixed_line_endings_are_read_exactly(workspace, write, rows):
    path = write("o.csv", HEADER.encode() + rows)
    result = workspace.import_table("orders", path)
    assert result.rows_inserted == 2
    stored = workspace.table("orders").order_by("order_id").execute()
    assert stored[["order_id", "customer_id", "amount"]].values.tolist() == [
        ["A", "C1", 10.5],
        ["B", "C2", 11.0],
    ]


def test_an_unterminated_quote_is_a_clear_error_naming_the_row(seeded, write):
    ws, before = seeded
    path = write("o.csv", HEADER + 'A,C1,2024-01-02,"10\nB,C1,2024-01-03,12\n')
    with pytest.raises(DataContractError, match=r"o\.csv: cannot read as CSV at .*2.*quote"):
        ws.import_table("orders", path)
    assert state(ws) == before


def test_whitespace_delimited_text_is_read(workspace, write):
    path = write(
        "cdnow.txt",
        " order_id customer_id  order_date amount\r\n 1  00001 19970101   11.77\r\n"
        " 2 00002  19970112 12.00\r\n",
    )
    result = workspace.import_table("orders", path)
    assert result.rows_inserted == 2
    stored = workspace.table("orders").order_by("order_id").execute()
    assert stored["customer_id"].tolist() == ["00001", "00002"]
    assert stored["amount"].tolist() == [11.77, 12.0]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_with_and_without_bom_is_read(workspace, write, encoding):
    text = "订单号\t客户ID\t下单时间\t实付金额\nD1\t会员1\t2024-03-01\t12.5\n"
    path = write("unicode.txt", text, encoding=encoding)
    result = workspace.import_table("orders", path)
    assert result.encoding == encoding
    stored = workspace.table("orders").execute()
    assert stored[["order_id", "customer_id", "amount"]].values.tolist() == [["D1", "会员1", 12.5]]


def test_a_directory_is_named_as_such(seeded, tmp_path):
    ws, before = seeded
    with pytest.raises(DataContractError, match="is a directory, not a file"):
        ws.import_table("orders", str(tmp_path))
    assert state(ws) == before


def test_an_empty_file_and_a_header_only_file(seeded, write):
    ws, before = seeded
    with pytest.raises(DataContractError, match="the file is empty"):
        ws.import_table("orders", write("e.csv", ""))
    assert state(ws) == before
    result = ws.import_table("orders", write("h.csv", HEADER))
    assert (result.rows_read, result.rows_inserted, result.rows_updated) == (0, 0, 0)


def test_duplicate_headers_are_a_clear_error(seeded, write):
    ws, before = seeded
    path = write("o.csv", "order_id,customer_id,order_date,amount,amount\nA,C1,2024-01-02,1,2\n")
    with pytest.raises(DataContractError, match=r"names 'amount' twice \(columns 4 and 5\)"):
        ws.import_table("orders", path)
    assert state(ws) == before


def test_a_cover_sheet_before_the_data_lists_the_sheets(workspace, tmp_path):
    import pandas as pd

    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"说明": ["订单导出 2024"]}).to_excel(xl, sheet_name="封面", index=False)
        pd.DataFrame(
            {"order_id": ["A"], "customer_id": ["C1"], "order_date": ["2024-01-02"], "amount": [3]}
        ).to_excel(xl, sheet_name="订单", index=False)
    before = state(workspace)
    with pytest.raises(ImportValidationError) as info:
        workspace.import_table("orders", str(path))
    assert state(workspace) == before
    assert "the workbook's sheets are '封面', '订单'" in info.value.problems[0].reason
    assert "--sheet NAME" in info.value.problems[0].reason
    result = workspace.import_table("orders", str(path), sheet="订单")
    assert result.rows_inserted == 1
    with pytest.raises(DataContractError, match="no sheet 'Orders'; the sheets are '封面', '订单'"):
        workspace.import_table("orders", str(path), sheet="Orders")


def test_an_empty_sheet_is_a_clear_error(workspace, tmp_path):
    import openpyxl

    path = tmp_path / "empty.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "空"
    book.create_sheet("数据")
    book.save(path)
    with pytest.raises(
        DataContractError, match=r"sheet '空' is empty\. The sheets are '空', '数据'"
    ):
        workspace.import_table("orders", str(path))


def test_a_float_looking_id_in_csv_is_the_same_id(workspace, write):
    workspace.import_table("customers", write("c.csv", "customer_id,name\n123,王\n"))
    result = workspace.import_table("orders", write("o.csv", HEADER + "A,123.0,2024-01-02,1\n"))
    assert result.warnings == []
    assert workspace.table("orders").customer_id.execute().tolist() == ["123"]
