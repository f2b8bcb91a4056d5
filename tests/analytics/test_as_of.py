"""`analyze(as_of=D)` re-analyses a past day exactly.

Every registered analysis, run with ``as_of=D`` on the full data, must give the same
result table as a plain ``analyze()`` on a workspace whose data was cut at D before
import (what a user would have exported on day D): orders up to D, customers signed up
by D, feedback, events and spend up to D, tickets opened by D with those closed later
still open, order items of the kept orders.

D is a day with a completed order, so that the plain run's observation end (its last
completed order) is D too.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.analytics.registry import all_analyses
from tests.fixtures_parity import FIT_RTOL, parity_tables

pytestmark = pytest.mark.slow


def _as_of_day(tables: dict[str, pd.DataFrame]) -> dt.date:
    """The last day with a completed order on or before 2024-06-15 (events start in May)."""
    orders = tables["orders"]
    days = pd.to_datetime(orders.order_date).dt.date
    completed = days[(orders.status == "completed") & (days <= dt.date(2024, 6, 15))]
    return completed.max()


def _cut(tables: dict[str, pd.DataFrame], day: dt.date) -> dict[str, pd.DataFrame]:
    def upto(frame: pd.DataFrame, column: str) -> pd.DataFrame:
        when = pd.to_datetime(frame[column]).dt.date
        return frame[frame[column].isna() | (when <= day)]

    out = dict(tables)
    out["orders"] = upto(tables["orders"], "order_date")
    out["order_items"] = tables["order_items"][
        tables["order_items"].order_id.isin(out["orders"].order_id)
    ]
    out["customers"] = upto(tables["customers"], "signup_date")
    out["feedback"] = upto(tables["feedback"], "date")
    out["events"] = upto(tables["events"], "timestamp")
    out["marketing_spend"] = upto(tables["marketing_spend"], "date")
    tickets = upto(tables["tickets"], "opened_at").copy()
    late = pd.to_datetime(tickets.closed_at).dt.date > day
    tickets.loc[late, "closed_at"] = None
    tickets.loc[late, "status"] = "open"
    out["tickets"] = tickets
    return out


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in frame.columns if not pd.api.types.is_float_dtype(frame[c])]
    return frame.sort_values(keys or list(frame.columns)).reset_index(drop=True)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("as_of")
    tables = parity_tables()
    day = _as_of_day(tables)
    # every analysis, trained ones too; the 16 complete months to the as-of day allow a
    # 4-month backtest of the monthly forecast (12 months before its first origin)
    settings = {
        "today": "2026-11-24",
        "churn_model": True,
        "spend_model": True,
        "revenue_forecast_backtest_origins": 4,
    }
    full = Workspace.init(root / "full", settings=settings)
    past = Workspace.init(root / "past", settings=settings)
    for kind, frame in tables.items():
        full.import_table(kind, frame)
    for kind, frame in _cut(tables, day).items():
        if len(frame):  # nobody imports an empty export
            past.import_table(kind, frame)
    as_of_run = full.analyze(as_of=day)
    plain_run = past.analyze()
    yield day, full, past, as_of_run, plain_run
    full.close()
    past.close()


def test_both_runs_see_the_same_day(two_runs):
    day, full, _, as_of_run, plain_run = two_runs
    assert as_of_run.observation_end == plain_run.observation_end == day
    assert [o.status for o in as_of_run.outcomes] == [o.status for o in plain_run.outcomes]
    assert not as_of_run.failed, [(o.name, o.reason) for o in as_of_run.failed]
    runs = full.runs()
    analysis_runs = runs[runs.kind == "analysis"]
    assert len(analysis_runs) == len(all_analyses())
    assert {pd.Timestamp(d).date() for d in analysis_runs.observation_end} == {day}


@pytest.mark.parametrize("analysis", all_analyses(), ids=lambda a: a.name)
def test_as_of_equals_data_cut_beforehand(two_runs, analysis):
    _, full, past, _, _ = two_runs
    a = _sorted(full.table(analysis.name).execute())
    b = _sorted(past.table(analysis.name).execute())
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b), analysis.name
    for col in a.columns:
        if pd.api.types.is_float_dtype(a[col]):
            # parallel sums may differ in the last bits (an optimiser carries them
            # further: FIT_RTOL); nothing else may differ
            np.testing.assert_allclose(
                a[col].astype(float),
                b[col].astype(float),
                rtol=FIT_RTOL.get(analysis.name, 1e-12),
                err_msg=col,
            )
        else:
            assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), col
