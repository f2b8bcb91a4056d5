"""Numbers: decimal separators, ambiguity, non-finite and absurd values (trustworthy import, 2)."""

from __future__ import annotations

import pytest

from clientlens import ImportValidationError, Workspace
from tests.ingest.conftest import state

HEADER = "order_id;customer_id;order_date;amount\n"


def _amounts(ws: Workspace) -> list[float]:
    return ws.table("orders").order_by("order_id").amount.execute().tolist()


def test_decimal_commas_in_a_semicolon_file_are_read_as_decimals(workspace, write):
    path = write("eu.csv", HEADER + "A;C1;2024-01-02;12,50\nB;C1;2024-01-03;1.234,50\n")
    result = workspace.import_table("orders", path)
    assert result.decimal == ","
    assert _amounts(workspace) == [12.5, 1234.5]


def test_decimal_points_and_thousands_commas(workspace, write):
    path = write(
        "us.csv",
        'order_id,customer_id,order_date,amount\nA,C1,2024-01-02,"1,299.50"\n'
        'B,C1,2024-01-03,12.5\nC,C1,2024-01-04,"1,234"\nD,C1,2024-01-05,"2,000,000"\n',
    )
    result = workspace.import_table("orders", path)
    assert result.decimal == "."
    assert _amounts(workspace) == [1299.5, 12.5, 1234.0, 2000000.0]


def test_without_commas_an_ambiguous_number_follows_the_files_decimal_points(workspace, write):
    # no number holds a comma, so shapes and values are read in one pass: 1.234 is read
    # under the '.' that 2.5 shows, as the two-pass reading of a file with commas would
    path = write("dots.csv", HEADER + "A;C1;2024-01-02;1.234\nB;C1;2024-01-03;2.5\n")
    result = workspace.import_table("orders", path)
    assert result.decimal == "."
    assert _amounts(workspace) == [1.234, 2.5]


def test_an_ambiguous_number_is_a_problem_when_the_file_does_not_say(seeded, write):
    ws, before = seeded
    path = write("amb.csv", HEADER + "A;C1;2024-01-02;1.234\nB;C1;2024-01-03;7\n")
    with pytest.raises(ImportValidationError) as info:
        ws.import_table("orders", path)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "amount", "1.234")
    assert problem.reason.startswith("ambiguous number")
    assert state(ws) == before
    ws.import_table("orders", path, decimal=",")
    assert ws.table("orders").filter(
        ws.table("orders").order_id == "A"
    ).amount.execute().tolist() == [1234.0]


def test_a_separator_that_contradicts_the_setting_is_a_problem(tmp_path, write):
    ws = Workspace.init(tmp_path / "dot", settings={"today": "2026-11-24", "decimal": "."})
    path = write(
        "eu.csv", HEADER + "A;C1;2024-01-02;12,50\nB;C1;2024-01-03;1.234,50\nC;C1;2024-01-04;3\n"
    )
    with pytest.raises(ImportValidationError) as info:
        ws.import_table("orders", path)
    assert [(p.row, p.value) for p in info.value.problems] == [(2, "12,50"), (3, "1.234,50")]
    assert all("the decimal setting is '.'" in p.reason for p in info.value.problems)
    assert not ws.has_table("orders")


def test_a_mix_within_one_file_flags_the_minority(seeded, write):
    ws, before = seeded
    path = write(
        "mix.csv", HEADER + "A;C1;2024-01-02;12,50\nB;C1;2024-01-03;3,25\nC;C1;2024-01-04;4.75\n"
    )
    with pytest.raises(ImportValidationError) as info:
        ws.import_table("orders", path)
    (problem,) = info.value.problems
    assert (problem.row, problem.value) == (4, "4.75")
    assert "the other numbers of this file use ','" in problem.reason
    assert state(ws) == before


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("inf", "not a finite number"),
        ("-Infinity", "not a finite number"),
        ("nan", "amount is empty"),  # a missing value, like NULL, and amount is required
        ("1e308", "implausibly large number"),
        ("1e309", "not a finite number"),
        ("9999999999999", "implausibly large number"),
    ],
)
def test_non_finite_and_absurd_numbers_are_rejected(seeded, write, value, reason):
    ws, before = seeded
    path = write("x.csv", HEADER + f"A;C1;2024-01-02;{value}\n")
    with pytest.raises(ImportValidationError) as info:
        ws.import_table("orders", path)
    (problem,) = info.value.problems
    shown = "" if value == "nan" else value
    assert (problem.row, problem.column, problem.value) == (2, "amount", shown)
    assert problem.reason.startswith(reason)
    assert state(ws) == before


def test_currency_signs_of_another_currency_are_warned_about(workspace, write):
    path = write(
        "brl.csv",
        'order_id,customer_id,order_date,amount\nA,C1,2024-01-02,"R$ 12.50"\nB,C1,2024-01-03,R$ 3.00\n',
    )
    result = workspace.import_table("orders", path)
    assert _amounts(workspace) == [12.5, 3.0]
    (warning,) = result.warnings
    assert warning.column == "amount"
    assert warning.reason.startswith(
        "2 value(s) carry the sign of BRL, but the workspace's currency is CNY"
    )
