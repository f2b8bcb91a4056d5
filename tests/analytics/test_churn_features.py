"""Point-in-time churn features: by hand, and unmoved by anything dated after the cutoff."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest

from clientlens.analytics.churn.features import available_groups, churn_features, churn_labels
from clientlens.analytics.runner import cut_inputs
from clientlens.demo import generate

CUTOFF = dt.date(2024, 6, 30)


def _orders(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(len(rows))],
            "customer_id": [r[0] for r in rows],
            "order_date": pd.to_datetime([r[1] for r in rows]),
            "amount": [r[2] for r in rows],
        }
    )


def test_features_by_hand():
    # a: days 2024-01-01, -03-01, -05-01, -06-20 (gaps 60, 61, 50); b: one order 2023-08-01;
    # c: last order 2023-06-01, more than 365 days before the cutoff: not in the population.
    orders = _orders(
        [
            ("a", "2024-01-01", 10.0),
            ("a", "2024-03-01", 20.0),
            ("a", "2024-05-01", 30.0),
            ("a", "2024-06-20", 40.0),
            ("b", "2023-08-01", 5.0),
            ("c", "2023-06-01", 7.0),
            ("a", "2024-07-02", 99.0),  # after the cutoff
        ]
    )
    tickets = pd.DataFrame(
        {
            "ticket_id": ["t1", "t2", "t3"],
            "customer_id": ["a", "a", "b"],
            "opened_at": pd.to_datetime(["2024-06-01", "2024-06-10", "2024-07-05"]),
            "closed_at": pd.to_datetime(["2024-06-02", "2024-07-03", None]),
        }
    )
    inputs = {"orders": ibis.memtable(orders), "tickets": ibis.memtable(tickets)}
    f = churn_features(inputs, CUTOFF, population_days=365).to_pandas().set_index("customer_id")
    assert sorted(f.index) == ["a", "b"]
    a, b = f.loc["a"], f.loc["b"]
    assert (a.recency_days, a.tenure_days, a.n_orders, a.total_amount) == (10, 181, 4, 100)
    # last 90 days (2024-04-02 .. 06-30): 05-01 and 06-20; the 90 before: 03-01
    assert (a.orders_90d, a.orders_prev_90d, a.amount_90d, a.amount_prev_90d) == (2, 1, 70, 20)
    assert a.mean_gap_days == pytest.approx(57.0)
    sd = pd.Series([60.0, 61.0, 50.0]).std(ddof=0)
    assert a.gap_cv == pytest.approx(sd / 57.0)
    assert a.overdue_ratio == pytest.approx(10 / 57)
    # t2 closes after the cutoff: open on the cutoff day; t3 opens after it: unseen
    assert (a.open_complaints, a.resolved_complaints) == (1, 1)
    assert (b.open_complaints, b.resolved_complaints) == (0, 0)
    assert (b.recency_days, b.n_orders, b.purchase_days) == (334, 1, 1)
    assert pd.isna(b.mean_gap_days) and pd.isna(b.overdue_ratio)

    bought = churn_labels(inputs["orders"], CUTOFF, 30).to_pandas()
    assert bought["customer_id"].tolist() == ["a"]


@pytest.fixture(scope="module")
def demo():
    return generate(400, seed=4, locale="en")


def _features(tables: dict[str, pd.DataFrame], cutoff: dt.date) -> pd.DataFrame:
    inputs = cut_inputs({k: ibis.memtable(v) for k, v in tables.items()}, None)
    assert available_groups(inputs) == [
        "rfm",
        "trend",
        "regularity",
        "basket",
        "web",
        "service",
        "satisfaction",
        "demographics",
        "p_alive",
    ]
    f = churn_features(inputs, cutoff, population_days=365).to_pandas()
    return f.sort_values("customer_id").reset_index(drop=True)


def _later(frame: pd.DataFrame, column: str, cutoff: dt.date, **changes: object) -> pd.DataFrame:
    """Copies of the frame's rows, dated 1 to len days after the cutoff, with changes."""
    copy = frame.copy()
    after = pd.Timestamp(cutoff) + pd.to_timedelta(1 + copy.index.to_numpy() % 60, unit="D")
    copy[column] = after.astype(frame[column].dtype) if frame[column].dtype != object else after
    for name, value in changes.items():
        copy[name] = value(copy) if callable(value) else value
    dates = pd.to_datetime(copy[column])
    assert dates.notna().all() and (dates.dt.date > cutoff).all()  # really dated after it
    return pd.concat([frame, copy], ignore_index=True)


def test_rows_dated_after_the_cutoff_change_no_feature(demo):
    cutoff = dt.date(2025, 11, 15)  # inside the web window, so web features are present
    tables = demo.tables()
    before = _features(tables, cutoff)
    assert before["sessions_90d"].notna().any() and before["last_nps"].notna().any()

    later = dict(tables)
    later["orders"] = _later(
        tables["orders"], "order_date", cutoff, order_id=lambda f: "late-" + f["order_id"]
    )
    extra_items = tables["order_items"].copy()
    extra_items["order_id"] = "late-" + extra_items["order_id"]
    later["order_items"] = pd.concat([tables["order_items"], extra_items], ignore_index=True)
    later["events"] = _later(tables["events"], "timestamp", cutoff)
    later["feedback"] = _later(tables["feedback"], "date", cutoff, score=0.0)
    later["tickets"] = _later(
        tables["tickets"], "opened_at", cutoff, ticket_id=lambda f: "late-" + f["ticket_id"]
    )
    after = _features(later, cutoff)
    assert len(later["orders"]) == 2 * len(tables["orders"])
    pd.testing.assert_frame_equal(before, after)
