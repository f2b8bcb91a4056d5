import numpy as np
import pandas as pd
import pytest

from clientlens.analytics.lifecycle.lifecycle import (
    lifecycle_stages,
    lifecycle_summary,
    lifecycle_transitions,
)
from clientlens.errors import ConfigError

END = "2024-06-15"  # mid-June: June is judged on the 15th
MONTHS = ["2023-10", "2023-11", "2023-12", "2024-01", "2024-02", "2024-03", "2024-04"]
MONTHS += ["2024-05", "2024-06"]


def _orders():
    rows = [
        ("a", "2023-12-05 10:00"),
        ("a", "2024-01-20 10:00"),
        ("a", "2024-06-10 10:00"),
        ("b", "2023-11-30 23:00"),
        ("c", "2024-03-01 09:00"),
        ("c", "2024-03-20 09:00"),
        ("c", "2024-05-05 09:00"),
        ("d", "2023-10-15 12:00"),
        ("d", "2024-05-31 12:00"),
        ("d", "2024-06-01 12:00"),
        ("e", "2024-06-15 22:00"),
        ("f", "2024-06-16 08:00"),  # after the observation end: left out
        ("g", "2024-01-01 08:00"),
        ("g", "2024-04-01 08:00"),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["amount"] = 10.0
    return frame


MONTH_ENDS = [str(d.date()) for d in pd.date_range("2023-10-31", "2024-05-31", freq="ME")]
MONTH_ENDS += [END]


@pytest.fixture(scope="module")
def stages():
    """Every customer's stage at every month end: lifecycle_stages as of each month end.

    The stage at a month end depends only on orders up to it, so cutting the orders
    there gives the history; this checks the month-by-month rule, not just the latest.
    """
    parts = []
    for day in MONTH_ENDS:
        s = lifecycle_stages(_orders(), observation_end=day).to_pandas()
        s["month"] = pd.to_datetime(s["month"]).dt.strftime("%Y-%m")
        parts.append(s)
    s = pd.concat(parts)
    return s.sort_values(["customer_id", "month"]).reset_index(drop=True)


def _of(stages, who, col="stage"):
    one = stages[stages.customer_id == who]
    return dict(zip(one.month, one[col], strict=True))


def test_stages_by_hand(stages):
    # a: new Dec; Jan bought (Dec 31 was 26 days) active; Feb 29: 40 days active;
    # Mar 31: 71 at risk; Apr 30: 101 at risk; May 31: 132 dormant; Jun bought after
    # being dormant at May's end -> reactivated (5 days on Jun 15).
    assert list(_of(stages, "a").values()) == [
        "new", "active", "active", "at_risk", "at_risk", "dormant", "reactivated",
    ]  # fmt: skip
    assert list(_of(stages, "a", "days_since_last_purchase").values()) == [
        26, 11, 40, 71, 101, 132, 5,
    ]  # fmt: skip
    # b: one order Nov 30; 31, 62, 91, 122, 152, 183, 198 days at the following ends.
    assert list(_of(stages, "b").values()) == [
        "new", "active", "at_risk", "at_risk", "dormant", "dormant", "churned", "churned",
    ]  # fmt: skip
    # c: two orders in March are one month; May's order keeps it active.
    assert list(_of(stages, "c").values()) == ["new", "active", "active", "active"]
    # d: churned by Apr 30 (198 days), back on May 31, bought again in June -> active.
    assert list(_of(stages, "d").values()) == [
        "new", "active", "at_risk", "at_risk", "dormant", "dormant", "churned",
        "reactivated", "active",
    ]  # fmt: skip
    assert _of(stages, "e") == {"2024-06": "new"}
    assert "f" not in set(stages.customer_id)
    # g: at risk at Mar 31 (90 days) then buys: active, not reactivated; May 31 is
    # exactly 60 days after Apr 1 -> at risk.
    assert list(_of(stages, "g").values()) == [
        "new", "active", "at_risk", "active", "at_risk", "at_risk",
    ]  # fmt: skip
    assert len(stages) == 7 + 8 + 4 + 9 + 1 + 6


def test_previous_stage_is_last_months_stage(stages):
    for _, one in stages.groupby("customer_id"):
        assert one.previous_stage.iloc[0] == "none"
        assert one.previous_stage.iloc[1:].tolist() == one.stage.iloc[:-1].tolist()
    assert _of(stages, "d", "purchased_in_month")["2024-05"]
    assert not _of(stages, "d", "purchased_in_month")["2024-04"]


@pytest.fixture(scope="module")
def transitions():
    t = lifecycle_transitions(_orders(), observation_end=END).to_pandas()
    t["month"] = pd.to_datetime(t.month).dt.strftime("%Y-%m")
    return t


def test_transitions_equal_the_month_end_stages(stages, transitions):
    expected = stages.groupby(["month", "previous_stage", "stage"]).size()
    got = transitions.set_index(["month", "from_stage", "to_stage"]).customers
    assert got.sort_index().to_dict() == expected.sort_index().to_dict()


def test_transitions_by_hand(transitions):
    t = transitions
    june = t[t.is_latest_month]
    assert set(june.month) == {"2024-06"} and not june.month_complete.any()
    moves = {(r.from_stage, r.to_stage): r.customers for r in june.itertuples()}
    assert moves == {
        ("none", "new"): 1,  # e's first month
        ("dormant", "reactivated"): 1,  # a
        ("churned", "churned"): 1,  # b
        ("active", "active"): 1,  # c
        ("reactivated", "active"): 1,  # d
        ("at_risk", "at_risk"): 1,  # g
    }
    feb = t[t.month == "2024-02"].set_index(["from_stage", "to_stage"])
    # Jan 31 at risk: b (stays) and d (-> dormant): half each; a active -> active;
    # g was new in January -> active.
    assert feb.share[("at_risk", "at_risk")] == 0.5
    assert feb.share[("at_risk", "dormant")] == 0.5
    assert feb.customers[("active", "active")] == 1
    assert feb.customers[("new", "active")] == 1
    np.testing.assert_allclose(t.groupby(["month", "from_stage"]).share.sum(), 1.0)


def test_summary_by_hand():
    t = lifecycle_transitions(_orders(), observation_end=END)
    summary = lifecycle_summary(t).to_pandas()
    june = summary[pd.to_datetime(summary.month) == "2024-06-01"].set_index("stage")
    # June 15: a reactivated, b churned, c and d active, e new, g at risk.
    assert june.customers.to_dict() == {
        "new": 1, "active": 2, "at_risk": 1, "dormant": 0, "churned": 1, "reactivated": 1,
    }  # fmt: skip
    assert june.customer_share["active"] == pytest.approx(2 / 6)
    assert june.stage_order["reactivated"] == 6 and june.stage_order["churned"] == 5
    assert not june.month_complete.any()
    assert len(summary) == 9 * 6  # every month Oct 2023 .. Jun 2024 has all six stages
    may = summary[pd.to_datetime(summary.month) == "2024-05-01"]
    assert may.month_complete.all() and may.customers.sum() == 5  # e not yet a customer


def test_windows_come_from_arguments():
    b_orders = _orders()[lambda o: o.customer_id == "b"]
    t = lifecycle_transitions(
        b_orders, observation_end=END, at_risk_days=30, dormant_days=45, churned_days=90
    ).to_pandas()
    # 31 days at Dec 31 -> at risk; 62 -> dormant; 91 -> churned.
    assert t.sort_values("month").to_stage.tolist()[:4] == ["new", "at_risk", "dormant", "churned"]
    with pytest.raises(ConfigError, match="lifecycle_dormant_days"):
        lifecycle_transitions(_orders(), observation_end=END, dormant_days=200)
    with pytest.raises(ConfigError, match="lifecycle_dormant_days"):
        lifecycle_stages(_orders(), observation_end=END, at_risk_days=90, dormant_days=60)


def _stages_by_loop(orders: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """The module docstring's rule, applied month by month in plain Python."""
    rows = []
    end_month = end.to_period("M")
    for customer, days in orders.groupby("customer_id").order_date:
        days = sorted(days.dt.normalize())
        month = days[0].to_period("M")
        previous = None
        while month <= end_month:
            judged = min(month.end_time.normalize(), end)
            last = max(d for d in days if d <= judged)
            gap = (judged - last).days
            bought = any(d.to_period("M") == month for d in days)
            if previous is None:
                stage = "new"
            elif bought and previous in ("dormant", "churned"):
                stage = "reactivated"
            else:
                stage = ["active", "at_risk", "dormant", "churned"][
                    (gap >= 60) + (gap >= 120) + (gap >= 180)
                ]
            rows.append((customer, str(month), stage, gap))
            previous, month = stage, month + 1
    return pd.DataFrame(rows, columns=["customer_id", "month", "stage", "days"])


@pytest.mark.slow
def test_equals_a_month_by_month_loop_on_cdnow(cdnow_master):
    sample = sorted(cdnow_master.customer_id.unique())[:600]
    orders = cdnow_master[cdnow_master.customer_id.isin(sample)]
    end = pd.Timestamp("1998-03-15")
    orders = orders[orders.order_date <= end]
    expected = _stages_by_loop(orders, end)
    assert set(expected.stage) == {"new", "active", "at_risk", "dormant", "churned", "reactivated"}

    latest = lifecycle_stages(orders, observation_end=end).to_pandas()
    latest = latest.sort_values("customer_id").reset_index(drop=True)
    want = expected[expected.month == "1998-03"].sort_values("customer_id")
    assert latest.stage.tolist() == want.stage.tolist()
    assert latest.previous_stage.tolist() == want.previous.tolist()
    assert latest.days_since_last_purchase.tolist() == want.days.tolist()

    moves = lifecycle_transitions(orders, observation_end=end).to_pandas()
    moves["month"] = pd.to_datetime(moves["month"]).dt.strftime("%Y-%m")
    got = moves.set_index(["month", "from_stage", "to_stage"]).customers.sort_index()
    want_moves = expected.groupby(["month", "previous", "stage"]).size().sort_index()
    assert got.to_dict() == want_moves.to_dict()


def _stages_by_loop(orders: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """The module docstring's rule, applied month by month in plain Python."""
    rows = []
    end_month = end.to_period("M")
    for customer, days in orders.groupby("customer_id").order_date:
        days = sorted(days.dt.normalize())
        month = days[0].to_period("M")
        previous = "none"
        while month <= end_month:
            judged = min(month.end_time.normalize(), end)
            last = max(d for d in days if d <= judged)
            gap = (judged - last).days
            bought = any(d.to_period("M") == month for d in days)
            if previous == "none":
                stage = "new"
            elif bought and previous in ("dormant", "churned"):
                stage = "reactivated"
            else:
                stage = ["active", "at_risk", "dormant", "churned"][
                    (gap >= 60) + (gap >= 120) + (gap >= 180)
                ]
            rows.append((customer, str(month), previous, stage, gap))
            previous, month = stage, month + 1
    return pd.DataFrame(rows, columns=["customer_id", "month", "previous", "stage", "days"])
