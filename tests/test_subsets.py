"""Subset runs: the analyses of one segment, region or channel, cut from the latest run
and published apart from it (clientlens.subsets, clientlens.analytics.subset_run)."""

from __future__ import annotations

import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.errors import ConfigError, DataContractError, WorkspaceError
from clientlens.results import RESULTS_DIR, SUBSETS_DIR, Results
from clientlens.subsets import MEMBERS, Subset
from tests.fixtures_parity import parity_tables

SETTINGS = {"today": "2026-11-24"}


def _filled(ws: Workspace) -> Workspace:
    for kind, frame in parity_tables().items():
        ws.import_table(kind, frame)
    return ws


@pytest.fixture
def analysed(tmp_path):
    ws = _filled(Workspace.init(tmp_path / "ws", settings=SETTINGS))
    ws.analyze()
    yield ws
    ws.close()


def _completed(ws: Workspace) -> pd.DataFrame:
    o = ws.table("orders").to_pandas()
    return o[o["status"].isna() | (o["status"] == "completed")]


def _check_region(ws: Workspace, region: str) -> None:
    full = ws.results
    result = ws.analyze(subset=Subset(region=region))
    assert not result.failed, [(o.name, o.reason) for o in result.failed]
    # the latest run of all customers is still the latest
    assert ws.results.run_id == full.run_id
    sub = Results(ws, subset=result.subset)
    try:
        assert sub.run_id == result.run_id != full.run_id
        assert sub.observation_end == full.observation_end
        people = ws.table("customers").to_pandas()
        ids = set(
            people.loc[(people["province"] == region) | (people["city"] == region), "customer_id"]
        )
        assert set(sub.table(MEMBERS).to_pandas()["customer_id"]) == ids
        orders = _completed(ws)
        mine = orders[orders["customer_id"].isin(ids)]
        base = sub.table("customer_base").to_pandas().iloc[0]
        assert base["customers"] == mine["customer_id"].nunique()
        assert base["revenue"] == pytest.approx(mine["amount"].sum())
        # a customer's own scores are the base run's, on the scale of all customers
        mine_rfm = sub.table("rfm_scores").to_pandas().set_index("customer_id").sort_index()
        all_rfm = full.table("rfm_scores").to_pandas().set_index("customer_id")
        assert set(mine_rfm.index) == ids & set(all_rfm.index)
        pd.testing.assert_frame_equal(mine_rfm, all_rfm.loc[mine_rfm.index], check_like=True)
        catalog = sub.catalog().set_index("name")
        assert catalog.loc["rfm_scores", "status"] == "reused"
        assert catalog.loc["rfm_scores", "computed_in_run"] == full.run_id
        # marketing spend cannot be split by region: acquisition cost says so
        assert catalog.loc["kpi_cac", "status"] == "skipped"
        assert "not split by customer segment or region" in catalog.loc["kpi_cac", "reason"]
    finally:
        sub.close()


def test_a_region_is_analysed_on_its_customers_only(analysed):
    _check_region(analysed, "广东")


@pytest.mark.slow
def test_a_region_on_postgres(postgres_workspace):
    ws = _filled(postgres_workspace)
    ws.analyze()
    _check_region(ws, "广东")
    first = ws.results.run_id
    ws.analyze(only=["kpis"])
    # the next run of all customers leaves the old subset's tables behind, and drops them
    tables = ws.con.list_tables()
    assert not [t for t in tables if t.startswith("_clientlens_published_s")]
    assert not [t for t in tables if t.startswith(f"_clientlens_r{first + 1:06d}_")]
    assert ws.results.has("rfm_scores")


def test_a_segment_keeps_the_segment_of_all_customers(analysed):
    ws = analysed
    counts = ws.results.table("rfm_scores").to_pandas()["segment"].value_counts()
    code = str(counts.index[0])
    result = ws.analyze(subset=Subset(segment=code))
    sub = Results(ws, subset=result.subset)
    try:
        assert set(sub.table("rfm_scores").to_pandas()["segment"]) == {code}
        sizes = sub.table("rfm_segments").to_pandas()
        sizes = sizes[(sizes["scheme"] == "rfm11") & (sizes["customers"] > 0)]
        assert list(sizes["segment"]) == [code]
        assert int(sizes["customers"].iloc[0]) == int(counts.iloc[0])
    finally:
        sub.close()


def test_a_channel_keeps_its_own_marketing_spend(analysed):
    ws = analysed
    result = ws.analyze(subset=Subset(channel="search"))
    sub = Results(ws, subset=result.subset)
    try:
        cac = sub.table("kpi_cac").to_pandas()
        assert set(cac["channel"].dropna()) <= {"search", "all"}
        spend = ws.table("marketing_spend").to_pandas()
        total = cac.loc[cac["channel"] == "search", "spend"].sum()
        assert total == pytest.approx(spend.loc[spend["channel"] == "search", "spend"].sum())
    finally:
        sub.close()


def test_a_new_run_of_all_customers_removes_older_subsets(analysed):
    ws = analysed
    first = ws.analyze(subset=Subset(region="广东"))
    again = ws.analyze(subset=Subset(region="广东"))
    folder = ws.path / RESULTS_DIR / SUBSETS_DIR / first.subset
    assert again.subset == first.subset and again.run_id > first.run_id
    assert [p.name for p in folder.glob("run-*.duckdb")] == [f"run-{again.run_id:06d}.duckdb"]
    latest = ws.analyze(only=["kpis"])
    assert latest.run_id > again.run_id  # run ids are unique across namespaces
    assert not folder.exists()


def test_bad_subsets_are_clear_errors_and_publish_nothing(analysed, tmp_path):
    ws = analysed
    with pytest.raises(ConfigError, match="not a segment code"):
        Subset(segment="nope")
    with pytest.raises(ConfigError, match="printable"):
        Subset(region="a\nb")
    with pytest.raises(DataContractError, match="No customer is in the subset region=火星"):
        ws.analyze(subset=Subset(region="火星"))
    assert not list((ws.path / RESULTS_DIR / SUBSETS_DIR).glob("*"))
    with pytest.raises(ConfigError, match="leave out --as-of and --only"):
        ws.analyze(subset=Subset(region="广东"), only=["kpis"])
    fresh = _filled(Workspace.init(tmp_path / "fresh", settings=SETTINGS))
    with pytest.raises(WorkspaceError, match="a subset is cut from a run of all customers"):
        fresh.analyze(subset=Subset(region="广东"))
    fresh.close()
