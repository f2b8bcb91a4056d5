"""Updates that lose nothing: a re-import changes only what its file says.

Columns absent from a file stay as stored, empty cells keep stored values (unless
blank_overwrites), a re-import is skipped only when it repeats the table's latest import
with the same options, and the summary says what changed.
"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from clientlens import ImportValidationError, Workspace
from tests.test_import import _checksums

CUSTOMERS = (
    "customer_id,name,gender,age,city\n"
    "C1,王小明,男,30,杭州\n"
    "C2,李娜,女,41,上海\n"
    "C3,张伟,男,25,北京\n"
)
# The orders export, imported as customers by mistake: only customer_id maps.
ORDERS_AS_CUSTOMERS = (
    "order_id,customer_id,order_date,amount\n"
    "O1,C1,2024-01-05,100\n"
    "O2,C2,2024-02-03,80\n"
    "O3,C1,2024-03-01,50\n"
)
# C2 moved and has no age in this export; C3's row is the same as stored.
MOVED = "customer_id,name,gender,age,city\nC2,李娜,女,,深圳\nC3,张伟,男,25,北京\n"


def _customers(ws: Workspace) -> list[list[object]]:
    frame = ws.table("customers").order_by("customer_id").execute().astype(object)
    return frame.where(frame.notna(), None).values.tolist()


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


STORED = [
    ["C1", "王小明", "male", 30, "杭州"],
    ["C2", "李娜", "female", 41, "上海"],
    ["C3", "张伟", "male", 25, "北京"],
]


def test_columns_absent_from_the_file_are_left_as_stored(workspace, tmp_path):
    workspace.import_table("customers", _write(tmp_path, "c.csv", CUSTOMERS))
    result = workspace.import_table("customers", _write(tmp_path, "o.csv", ORDERS_AS_CUSTOMERS))
    assert result.status == "loaded"
    assert (result.rows_inserted, result.rows_updated, result.rows_unchanged) == (0, 0, 2)
    assert result.columns_updated == []
    assert result.ignored_headers == ["order_id", "order_date", "amount"]
    assert _customers(workspace) == STORED
    details = workspace.runs()["details"].iloc[-1]
    assert '"rows_unchanged": 2' in details and '"columns_updated": []' in details


def test_an_empty_cell_keeps_the_stored_value_unless_blanks_overwrite(workspace, tmp_path):
    workspace.import_table("customers", _write(tmp_path, "c.csv", CUSTOMERS))
    moved = _write(tmp_path, "moved.csv", MOVED)
    result = workspace.import_table("customers", moved)
    assert (result.rows_inserted, result.rows_updated, result.rows_unchanged) == (0, 1, 1)
    assert result.columns_updated == ["city"]
    assert _customers(workspace)[1] == ["C2", "李娜", "female", 41, "深圳"]

    blanked = workspace.import_table("customers", moved, blank_overwrites=True)
    assert blanked.status == "loaded"  # other options: not taken for the same import
    assert (blanked.rows_inserted, blanked.rows_updated, blanked.rows_unchanged) == (0, 1, 1)
    assert blanked.columns_updated == ["age"]
    assert _customers(workspace) == [STORED[0], ["C2", "李娜", "female", None, "深圳"], STORED[2]]


def test_the_same_content_with_a_new_mapping_is_applied(workspace, tmp_path):
    path = _write(tmp_path, "m.csv", "客户ID,会员手机\nC1,13812345678\nC2,13987654321\n")
    first = workspace.import_table("customers", path)
    assert first.ignored_headers == ["会员手机"]
    again = workspace.import_table("customers", path, mapping={"会员手机": "phone"})
    assert again.status == "loaded"
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged) == (0, 2, 0)
    assert again.columns_updated == ["phone"]
    phones = workspace.table("customers").order_by("customer_id").phone.execute().tolist()
    assert phones == ["13812345678", "13987654321"]
    same = workspace.import_table("customers", path, mapping={"会员手机": "phone"})
    assert (same.status, same.run_id) == ("already imported", again.run_id)


def test_import_a_then_b_then_a_again_restores_a(workspace, tmp_path):
    a = _write(tmp_path, "a.csv", CUSTOMERS)
    b = _write(tmp_path, "b.csv", MOVED)
    workspace.import_table("customers", a)
    workspace.import_table("customers", b)
    again = workspace.import_table("customers", a)
    assert again.status == "loaded"
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged) == (0, 1, 2)
    assert again.columns_updated == ["city"]
    assert _customers(workspace) == STORED

    repeat = workspace.import_table("customers", a)
    assert (repeat.status, repeat.run_id) == ("already imported", again.run_id)
    forced = workspace.import_table("customers", a, force=True)
    assert forced.status == "loaded" and forced.run_id == again.run_id + 1
    assert (forced.rows_inserted, forced.rows_updated, forced.rows_unchanged) == (0, 0, 3)
    assert _customers(workspace) == STORED


def test_a_table_without_a_key_is_not_appended_twice_unless_forced(workspace, tmp_path):
    path = _write(
        tmp_path, "f.csv", "customer_id,date,kind,score\nC1,2024-01-05,nps,9\nC2,2024-01-06,nps,3\n"
    )
    workspace.import_table("feedback", path)
    again = workspace.import_table("feedback", path, mapping={"备注": "comment"})
    assert again.status == "already imported"  # other options, but the rows would double
    assert workspace.row_count("feedback") == 2
    forced = workspace.import_table("feedback", path, force=True)
    assert (forced.status, forced.rows_inserted) == ("loaded", 2)
    assert workspace.row_count("feedback") == 4


def test_a_rejected_update_changes_nothing(workspace, tmp_path):
    workspace.import_table("customers", _write(tmp_path, "c.csv", CUSTOMERS))
    before = _checksums(workspace)
    bad = _write(tmp_path, "bad.csv", "customer_id,age,city\nC1,,宁波\nC2,-4,\n")
    with pytest.raises(ImportValidationError) as info:
        workspace.import_table("customers", bad, blank_overwrites=True)
    assert [(p.row, p.column, p.value, p.reason) for p in info.value.problems] == [
        (3, "age", "-4", "negative value")
    ]
    assert _checksums(workspace) == before


def test_updates_merge_in_sql_without_rewriting_unchanged_rows(workspace, tmp_path):
    workspace.import_table("customers", _write(tmp_path, "c.csv", CUSTOMERS))
    frame = pd.DataFrame({"customer_id": ["C3", "C4"], "age": [26, None]})
    result = workspace.import_table("customers", frame)
    assert (result.rows_inserted, result.rows_updated, result.rows_unchanged) == (1, 1, 0)
    assert result.columns_updated == ["age"]
    assert _customers(workspace) == [
        *STORED[:2],
        ["C3", "张伟", "male", 26, "北京"],
        ["C4", None, None, None, None],
    ]


def _cli(ws: Workspace, lang: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clientlens", "--lang", lang, "-w", str(ws.path), *args],
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": "", "CLIENTLENS_TODAY": "2026-11-24"},
        check=False,
    )


def test_the_cli_summary_says_what_changed_in_both_languages(workspace, tmp_path):
    a = _write(tmp_path, "a.csv", CUSTOMERS)
    b = _write(tmp_path, "b.csv", MOVED)
    workspace.import_table("customers", a)
    workspace.close()
    en = _cli(workspace, "en", "import", "customers", b)
    assert en.returncode == 0, en.stderr
    lines = en.stdout.splitlines()
    assert lines[0].startswith(
        f"Imported customers from {b}: 0 new, 1 updated, 1 unchanged, 0 rejected ("
    )
    assert "Updated columns: city" in lines
    same = _cli(workspace, "en", "import", "customers", b)
    assert same.stdout.strip() == (
        f"{b} is the latest import into customers, with the same content and options; "
        "nothing changed. --force applies it again."
    )
    zh = _cli(workspace, "zh", "import", "customers", b, "--blank-overwrites")
    assert zh.returncode == 0, zh.stderr
    lines = zh.stdout.splitlines()
    assert lines[0].startswith(
        f"已导入 customers（{b}）：新增 0 行，更新 1 行，未变 1 行，拒绝 0 行（"
    )
    assert "更新的列：age" in lines
    forced = _cli(workspace, "en", "import", "customers", b, "--blank-overwrites", "--force")
    assert forced.stdout.splitlines()[0].startswith(
        f"Imported customers from {b}: 0 new, 0 updated, 2 unchanged, 0 rejected ("
    )
