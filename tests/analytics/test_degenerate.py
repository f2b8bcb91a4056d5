"""Degenerate data: analyses that cannot say anything honest are skipped with the reason.

Each workspace is built here from a few rows: a header-only orders file, fifty orders on
one day, and a shop where nobody bought twice. The CLV cases run the real model fits.
"""

from __future__ import annotations

import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.analytics.registry import all_analyses
from clientlens.errors import DataContractError, NotEnoughDataError, TableNotFoundError
from tests.fixtures_degenerate import one_day_orders, single_buyer_orders

EMPTY_REASON = "needs orders: orders is empty, imported with no rows"
ONE_DAY = "not enough history: the orders span 0 days (2024-03-15 to 2024-03-15), at least 1 needed"
NO_REPEAT = (
    "not enough data: the BG/NBD purchase model is not identified: none of the 120 "
    "customers bought on two different days, so no CLV is predicted"
)


def outcomes(result) -> dict[str, tuple[str, str]]:
    return {o.name: (o.status, o.reason) for o in result.outcomes}


@pytest.fixture
def header_only(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,customer_id,order_date,amount\n", encoding="utf-8")
    ws = Workspace.init(tmp_path / "ws", settings={"today": "2026-11-24"})
    assert ws.import_table("orders", str(path)).rows_inserted == 0
    yield ws
    ws.close()


def test_a_header_only_orders_table_reads_as_empty(header_only):
    # It used to be an empty projection (IbisTypeError) for every reader.
    orders = header_only.table("orders")
    assert orders.columns == ("order_id", "customer_id", "order_date", "amount")
    assert orders.count().execute() == 0
    assert header_only.empty_tables() == ["orders"]


def test_header_only_orders_analyze_succeeds_and_says_orders_is_empty(header_only):
    result = header_only.analyze()
    got = outcomes(result)
    assert result.failed == [] and result.ran == []
    assert {status for status, _ in got.values()} == {"skipped"}
    assert got["customer_summary"] == ("skipped", EMPTY_REASON)
    assert got["data_quality"] == ("skipped", EMPTY_REASON)
    # The root cause reaches the analyses built on others.
    assert got["clv"] == (
        "skipped",
        "needs customer_summary, clv_models: orders is empty, imported with no rows",
    )
    assert got["category_mix"] == (
        "skipped",
        "needs orders: orders is empty, imported with no rows; needs order_items, products",
    )
    assert result.observation_end.isoformat() == "2026-11-24"  # the `today` setting
    catalog = header_only.results.catalog().set_index("name")
    assert catalog.loc["rfm_scores", "reason"] == EMPTY_REASON


def test_orders_never_imported_is_still_a_clear_error(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    with pytest.raises(DataContractError) as caught:
        ws.analyze()
    assert str(caught.value) == (
        "The workspace has no orders. Import them first: clientlens import orders FILE"
    )


def test_only_cancelled_orders_skip_with_that_reason(tmp_path):
    ws = Workspace.init(tmp_path / "ws", settings={"today": "2026-11-24"})
    orders = one_day_orders().head(3).assign(status="cancelled")
    ws.import_table("orders", orders)
    got = outcomes(ws.analyze())
    assert got["customer_summary"] == (
        "skipped",
        "needs orders: No completed orders: the statuses found are 'cancelled' 3 (not "
        "counted). Analyses count orders whose status is completed or empty; re-import the "
        "orders with --values status:VALUE=completed for a status that means a completed "
        "purchase.",
    )
    # A mistyped --as-of before every order is refused, not published as an empty run.
    with pytest.raises(DataContractError) as caught:
        ws.analyze(as_of="2014-03-15")
    assert str(caught.value) == (
        "No completed orders on or before --as-of 2014-03-15. Pick a later date."
    )
    ws.close()


@pytest.mark.slow
def test_orders_on_one_day_skip_recency_and_models_with_the_reason(tmp_path):
    ws = Workspace.init(tmp_path / "ws", settings={"today": "2026-11-24"})
    ws.import_table("orders", one_day_orders())
    got = outcomes(ws.analyze())
    assert got["rfm_scores"] == ("skipped", ONE_DAY)
    assert got["clv_models"] == ("skipped", ONE_DAY)
    assert got["rfm_segments"] == ("skipped", f"needs rfm_scores: {ONE_DAY}")
    assert got["churn_risk_bands"] == ("skipped", f"needs churn_risk, clv: {ONE_DAY}")
    assert got["customer_base"] == ("ok", "")
    # Without RFM scores and p_alive nobody is on a win-back or churn-risk list.
    members = ws.results.table("audiences").to_pandas()
    assert set(members["audience"]) == {"second_purchase"}
    ws.close()


@pytest.mark.slow
def test_nobody_repeating_leaves_the_model_unidentified_and_skips_clv(tmp_path):
    ws = Workspace.init(tmp_path / "ws", settings={"today": "2026-11-24"})
    ws.import_table("orders", single_buyer_orders())
    got = outcomes(ws.analyze())
    models = ws.results.table("clv_models").to_pandas()
    final = models[models["stage"] == "final"].set_index("role")
    assert final.loc["purchases", "model"] == "BetaGeo"
    assert not final.loc["purchases", "identified"]
    assert final.loc["spend", "identified"]  # the mean order value is known
    assert got["clv"] == ("skipped", NO_REPEAT)
    for name in ("clv_deciles", "clv_segment_summary", "churn_risk"):
        assert got[name] == ("skipped", f"needs clv: {NO_REPEAT}")
    # The RFM results stand, without a CLV column to fill.
    segments = ws.results.table("rfm_segments").to_pandas()
    assert segments["avg_clv_12m"].isna().all()
    with pytest.raises(TableNotFoundError, match="it was skipped in that run"):
        ws.results.table("clv")
    ws.close()


def test_clv_table_refuses_a_model_that_did_not_converge():
    from clientlens.analytics.value.clv import clv_table

    summary = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "frequency": [2.0, 0.0],
            "recency": [30.0, 0.0],
            "T": [60.0, 40.0],
            "monetary_value": [50.0, 0.0],
            "n_orders": [3, 1],
            "total_amount": [150.0, 20.0],
        }
    )
    models = pd.DataFrame(
        {
            "model": ["BetaGeo", "MeanOrderValue"],
            "role": ["purchases", "spend"],
            "stage": ["final", "final"],
            "params": ['{"r": 1, "alpha": 1, "a": 1, "b": 1}', '{"mean_order_value": 42.5}'],
            "identified": [False, True],
        }
    )
    import ibis

    with pytest.raises(NotEnoughDataError) as caught:
        clv_table(ibis.memtable(summary), models)
    assert str(caught.value) == (
        "the BG/NBD purchase model is not identified: its fit did not converge, "
        "so no CLV is predicted"
    )


def test_cli_analyze_of_header_only_orders_exits_0_and_prints_the_reason(
    header_only, monkeypatch, capsys
):
    import sys

    from clientlens import cli
    from clientlens.cli import main

    header_only.close()
    # rich reads COLUMNS when its console is made, at the CLI's first import
    monkeypatch.setattr(cli.console, "width", 250)
    monkeypatch.setenv("CLIENTLENS_TODAY", "2026-11-24")  # the observation end of no orders
    argv = ["clientlens", "--lang", "en", "-w", str(header_only.path), "analyze"]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exit_info:
        main()
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    row = next(line for line in out.splitlines() if line.startswith("│ customer_summary "))
    assert EMPTY_REASON in row
    n = len(all_analyses())
    assert f"0 analyses stored, {n} skipped, 0 failed (observation end 2026-11-24)." in out
