"""A ticket closed, or first answered, before it was opened is refused with a message that
names the file, the row, the column as the file spells it, and the value (issue 13)."""

from __future__ import annotations

import pandas as pd
import pytest

from clientlens import ImportValidationError
from tests.ingest.conftest import state

TICKETS = (
    "工单号,客户ID,创建时间,关闭时间,类别\n"
    "T1,C1,2024-01-02 09:00,2024-01-02 12:00,物流\n"
    "T2,C2,2024-01-05 10:00,2024-01-04 08:30,质量\n"
    "T3,C3,2024-01-06 10:00,,质量\n"
)


def test_closed_before_opened_names_file_row_column_and_value(seeded, write):
    ws, before = seeded
    path = write("tickets.csv", TICKETS)
    with pytest.raises(ImportValidationError) as info:
        ws.import_table("tickets", path)
    assert state(ws) == before  # nothing was imported
    (problem,) = info.value.problems
    # Row 3 of the file (the header is row 1); the column as the file names it.
    assert (problem.file, problem.row, problem.column, problem.value) == (
        path,
        3,
        "关闭时间",
        "2024-01-04 08:30",
    )
    assert problem.reason == "closed before it was opened"
    assert str(problem) == (
        f"{path}, row 3, column '关闭时间': closed before it was opened (value '2024-01-04 08:30')"
    )
    assert str(info.value).startswith(f"{path}: 1 problem(s) in 1 row(s); nothing was imported.")


def test_a_ticket_still_open_and_one_closed_later_import(seeded, write):
    ws, _ = seeded
    path = write("tickets.csv", TICKETS.replace("2024-01-04 08:30", "2024-01-05 18:00"))
    ws.import_table("tickets", path)
    rows = ws.table("tickets").order_by("ticket_id").to_pandas()
    assert rows["ticket_id"].tolist() == ["T1", "T2", "T3"]
    assert rows["closed_at"].isna().tolist() == [False, False, True]


RESPONSES = (
    "工单号,客户ID,创建时间,首次响应时间,关闭时间\n"
    "T1,C1,2024-01-02 09:00,2024-01-02 10:30,2024-01-02 12:00\n"
    "T2,C2,2024-01-05 10:00,2024-01-05 09:59,2024-01-05 18:00\n"
    "T3,C3,2024-01-06 10:00,,\n"
)


def test_first_response_before_opened_names_file_row_column_and_value(seeded, write):
    ws, before = seeded
    path = write("tickets.csv", RESPONSES)
    with pytest.raises(ImportValidationError) as info:
        ws.import_table("tickets", path)
    assert state(ws) == before  # nothing was imported
    (problem,) = info.value.problems
    # T2 answered a minute before it was opened: row 3, under the file's Chinese header
    assert str(problem) == (
        f"{path}, row 3, column '首次响应时间': first response before the ticket was opened "
        "(value '2024-01-05 09:59')"
    )
    assert (problem.file, problem.row, problem.column) == (path, 3, "首次响应时间")


def test_first_response_imports_and_an_unanswered_ticket_keeps_none(seeded, write):
    ws, _ = seeded
    path = write("tickets.csv", RESPONSES.replace("2024-01-05 09:59", "2024-01-05 10:00"))
    ws.import_table("tickets", path)
    rows = ws.table("tickets").order_by("ticket_id").to_pandas()
    # a reply in the very minute of opening is allowed; T3 awaits one
    assert rows["first_response_at"].tolist()[:2] == [
        pd.Timestamp("2024-01-02 10:30"),
        pd.Timestamp("2024-01-05 10:00"),
    ]
    assert pd.isna(rows["first_response_at"].iloc[2])
