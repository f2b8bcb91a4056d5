"""The same analyses give the same results on DuckDB, on PySpark (local mode) and on
PostgreSQL (a server the tests start on loopback, tests/postgres_server.py).

Every workspace is filled through the public import path, so each engine's upsert is
exercised too; then every registered analysis runs on each engine and the sorted
results must agree with DuckDB's, column by column, with the declared types.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.analytics.registry import all_analyses
from tests.fixtures_parity import FIT_RTOL, parity_tables

pytestmark = pytest.mark.slow

AS_OF = "2024-06-30"
# every analysis, trained ones too; the 18 complete months to the as-of date allow a
# 4-month backtest of the monthly forecast (12 months before its first origin)
SETTINGS = {
    "today": "2026-11-24",
    "churn_model": True,
    "spend_model": True,
    "revenue_forecast_backtest_origins": 4,
    # a target for a count, a currency KPI, a rate and one where lower is better
    "kpi_targets": "orders=40; revenue=2000; repeat_rate=0.1; churn_rate=0.5",
}
PEERS = [
    pytest.param("pyspark", marks=pytest.mark.spark),
    pytest.param("postgres", marks=pytest.mark.postgres),
]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
            frame[col] = frame[col].dt.tz_localize(None)
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].astype("datetime64[ns]")
    keys = [c for c in frame.columns if not pd.api.types.is_float_dtype(frame[c])]
    return frame.sort_values(keys or list(frame.columns)).reset_index(drop=True)


def _filled(ws: Workspace) -> Workspace:
    for kind, frame in parity_tables().items():
        ws.import_table(kind, frame)
    return ws


@pytest.fixture(scope="module")
def duck(tmp_path_factory):
    ws = _filled(Workspace.init(tmp_path_factory.mktemp("parity") / "duck", settings=SETTINGS))
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def duck_run(duck):
    return duck.analyze(as_of=AS_OF)


@pytest.fixture(scope="module", params=PEERS)
def peer(request, tmp_path_factory):
    """A workspace on another engine, filled with the same tables."""
    root = tmp_path_factory.mktemp("parity")
    settings = {**SETTINGS, "engine": request.param}
    if request.param == "postgres":
        server = request.getfixturevalue("postgres_server")
        settings["connection"] = server.url(server.create_database("parity"))
    ws = _filled(Workspace.init(root / request.param, settings=settings))
    yield ws
    if request.param == "postgres":  # Spark's session stays for the modules after this one
        ws.close()


@pytest.fixture(scope="module")
def peer_run(peer):
    return peer.analyze(as_of=AS_OF)


def test_imports_agree(duck, peer):
    for kind in parity_tables():
        a = _sorted(duck.table(kind).execute())
        b = _sorted(peer.table(kind).execute())
        pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_every_analysis_agrees(duck, duck_run, peer, peer_run):
    assert not duck_run.failed, [(o.name, o.reason) for o in duck_run.failed]
    assert not peer_run.failed, [(o.name, o.reason) for o in peer_run.failed]
    assert [o.status for o in duck_run.outcomes] == [o.status for o in peer_run.outcomes]
    names = [a.name for a in all_analyses()]
    assert {o.name for o in duck_run.ran} == set(names)
    for name in names:
        a = _sorted(duck.table(name).execute())
        b = _sorted(peer.table(name).execute())
        assert list(a.columns) == list(b.columns), name
        assert len(a) == len(b) > 0, name
        for col in a.columns:
            # an integer column of nulls reads back as float NaN from DuckDB, None from Spark
            if pd.api.types.is_float_dtype(a[col]) or pd.api.types.is_float_dtype(b[col]):
                np.testing.assert_allclose(
                    a[col].astype(float),
                    b[col].astype(float),
                    rtol=FIT_RTOL.get(name, 1e-9),
                    atol=1e-9,
                    err_msg=f"{name}.{col}",
                )
            else:
                assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), f"{name}.{col}"


def test_every_result_has_its_declared_types_on_each_engine(duck, duck_run, peer, peer_run):
    assert not duck_run.failed and not peer_run.failed
    problems = {
        ws.con.name: [
            p for a in all_analyses() for p in a.schema_problems(ws.table(a.name).schema())
        ]
        for ws in (duck, peer)
    }
    assert problems == {"duckdb": [], peer.con.name: []}


@pytest.fixture(scope="module")
def engines(duck, duck_run, peer, peer_run):
    assert not duck_run.failed and not peer_run.failed
    return {"duckdb": duck, peer.con.name: peer}


def test_no_customer_is_on_two_action_lists_and_the_total_is_their_sum(engines):
    for engine, ws in engines.items():
        members = ws.table("audiences").execute()
        assert members["customer_id"].is_unique, engine
        s = ws.table("audience_summary").execute().set_index("audience")
        lists = s.drop(index="all")
        # the churn model ran: its win-back list is the first list, exactly
        assert set(members.loc[members["audience"] == "churn_winback", "customer_id"]) == set(
            ws.table("winback").execute()["customer_id"]
        ), engine
        for col in ("customers", "revenue", "expected_impact", "cost", "left_out_gone"):
            assert s.loc["all", col] == pytest.approx(lists[col].sum()), (engine, col)
        parts = lists[["higher_priority", "left_out_gone", "left_out_low_value", "customers"]]
        assert (parts.sum(axis=1) == lists["rule_customers"]).all(), engine
