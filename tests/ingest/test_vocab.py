"""Order status and other coded values in Chinese and English (trustworthy import, part 3)."""

from __future__ import annotations

import pytest

from clientlens.errors import ConfigError

HEADER = "order_id,customer_id,order_date,amount,status\n"


def _statuses(ws) -> list[str]:
    return ws.table("orders").order_by("order_id").status.execute().tolist()


def test_common_statuses_map_onto_codes(workspace, write):
    rows = [
        "delivered", "shipped", "invoiced", "已完成", "已发货", "已签收",
        "canceled", "Cancelled", "已取消", "refunded", "退款", "processing", "待付款",
    ]  # fmt: skip
    text = HEADER + "".join(f"O{i:02d},C1,2024-01-02,1,{s}\n" for i, s in enumerate(rows))
    result = workspace.import_table("orders", write("o.csv", text))
    assert result.warnings == []
    assert _statuses(workspace) == [
        *["completed"] * 6, *["cancelled"] * 3, *["refunded"] * 2, *["pending"] * 2
    ]  # fmt: skip


def test_an_unknown_status_is_kept_and_warned_about_once_with_its_count(workspace, write):
    text = HEADER + "A,C1,2024-01-02,1,已揽收\nB,C1,2024-01-03,1,已揽收\nC,C1,2024-01-04,1,paid\n"
    result = workspace.import_table("orders", write("o.csv", text))
    (warning,) = result.warnings
    assert (warning.row, warning.column, warning.value) == (None, "status", "已揽收")
    assert warning.reason.startswith("unknown order status in 2 row(s); kept as '已揽收'")
    assert "--values status:已揽收=CODE" in warning.reason
    assert _statuses(workspace) == ["已揽收", "已揽收", "completed"]


def test_values_flag_and_config_extend_the_vocabulary(workspace, write):
    text = HEADER + "A,C1,2024-01-02,1,已揽收\nB,C1,2024-01-03,1,拒收\n"
    (workspace.path / "clientlens.toml").write_text(
        '[values.status]\n"拒收" = "cancelled"\n', encoding="utf-8"
    )
    from clientlens import Workspace

    ws = Workspace(workspace.path, settings={"today": "2026-11-24"})
    result = ws.import_table(
        "orders", write("o.csv", text), values={"status": {"已揽收": "completed"}}
    )
    assert result.warnings == []
    assert _statuses(ws) == ["completed", "cancelled"]


def test_a_vocabulary_code_that_does_not_exist_is_a_config_error(workspace, write):
    text = HEADER + "A,C1,2024-01-02,1,已揽收\n"
    with pytest.raises(ConfigError, match=r"cannot map to 'done'; the codes of orders\.status are"):
        workspace.import_table(
            "orders", write("o.csv", text), values={"status": {"已揽收": "done"}}
        )


def test_no_completed_orders_lists_the_statuses_found_and_how_each_counts(workspace, write):
    text = (
        HEADER
        + "A,C1,2024-01-02,1,已揽收\nB,C1,2024-01-03,1,canceled\nC,C2,2024-01-04,1,canceled\n"
    )
    workspace.import_table("orders", write("o.csv", text))
    outcomes = {o.name: o for o in workspace.analyze().outcomes}
    summary = outcomes["customer_summary"]
    assert summary.status == "skipped"
    assert summary.reason == (
        "needs orders: No completed orders: the statuses found are 'cancelled' 2 (not "
        "counted), '已揽收' 1 (not counted: unknown status). Analyses count orders whose "
        "status is completed or empty; re-import the orders with --values "
        "status:VALUE=completed for a status that means a completed purchase."
    )
