"""Dates and times: every promised format, time zones, fractional seconds (trustworthy import, 2)."""

from __future__ import annotations

import pandas as pd
import pytest

from clientlens import ImportValidationError, Workspace


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("2024.01.03 10:15", "2024-01-03 10:15:00"),
        ("2024.01.03", "2024-01-03 00:00:00"),
        ("2024-01-03T10:15:00.250", "2024-01-03 10:15:00.250"),
        ("2024-01-03 10:15:00.123456789", "2024-01-03 10:15:00.123456"),
        ("2024-01-03T10:15:00Z", "2024-01-03 10:15:00"),
        ("2024-01-03T10:15:00+08:00", "2024-01-03 02:15:00"),
        ("2024-01-03T10:15:00.5-0300", "2024-01-03 13:15:00.5"),
        ("2024年1月3日 10:15", "2024-01-03 10:15:00"),
        ("20240103", "2024-01-03 00:00:00"),
    ],
)
def test_promised_date_formats_are_read(workspace, write, text, stored):
    path = write("o.csv", f"order_id,customer_id,order_date,amount\nA,C1,{text},1\n")
    workspace.import_table("orders", path)
    assert workspace.table("orders").order_date.execute().tolist() == [pd.Timestamp(stored)]


def test_zoned_times_convert_to_the_configured_zone(tmp_path, write):
    ws = Workspace.init(
        tmp_path / "sh", settings={"today": "2026-11-24", "timezone": "Asia/Shanghai"}
    )
    path = write(
        "o.csv",
        "order_id,customer_id,order_date,amount\nA,C1,2024-01-03T23:30:00Z,1\n"
        "B,C1,2024-01-03 09:00:00,1\n",
    )
    ws.import_table("orders", path)
    stored = ws.table("orders").order_by("order_id").order_date.execute().tolist()
    # 23:30 UTC is 07:30 the next day in Shanghai; a time without a zone stays as written
    assert stored == [pd.Timestamp("2024-01-04 07:30:00"), pd.Timestamp("2024-01-03 09:00:00")]


def test_an_impossible_date_is_a_problem_naming_the_formats(workspace, write):
    path = write("o.csv", "order_id,customer_id,order_date,amount\nA,C1,2024-02-30,1\n")
    with pytest.raises(ImportValidationError) as info:
        workspace.import_table("orders", path)
    (problem,) = info.value.problems
    assert (problem.row, problem.value) == (2, "2024-02-30")
    assert problem.reason.startswith(
        "unparseable date; formats tried: Y-m-d, Y/m/d, Ymd, Y年m月d日, Y.m.d"
    )
