"""When analyze trains a new churn model and when it scores with the stored one."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.analytics.churn.churn_model import MODEL_NAME
from clientlens.analytics.churn.retraining import (
    MODEL_FORMAT,
    orders_fingerprint,
    retrain_reason,
)
from clientlens.analytics.runner import run_analyses
from clientlens.demo import generate
from clientlens.demo.load import load_demo
from clientlens.models.store import ModelStore

END = dt.date(2024, 6, 30)
OPTIONS = {"horizon_days": 90, "seed": 0}


def _orders(extra: list[tuple[str, str, float]] = ()) -> ibis.Table:  # type: ignore[assignment]
    rows = [("a", "2024-01-01", 10.0), ("a", "2024-06-20", 20.5), ("b", "2024-03-01", 5.0)]
    rows = [*rows, *extra]
    return ibis.memtable(
        pd.DataFrame(
            {
                "customer_id": [r[0] for r in rows],
                "order_date": pd.to_datetime([r[1] for r in rows]),
                "amount": [r[2] for r in rows],
            }
        )
    )


def _card(**changes) -> dict:
    card = {
        "format": MODEL_FORMAT,
        "groups": ["rfm", "trend", "regularity", "p_alive"],
        "training": {"observation_end": END.isoformat(), "options": OPTIONS},
        "orders_fingerprint": orders_fingerprint(_orders(), END),
    }
    return card | changes


def _reason(card, *, orders=None, end=END, options=OPTIONS, groups=None, days=30):
    return retrain_reason(
        card,
        orders=_orders() if orders is None else orders,
        observation_end=end,
        training=options,
        groups=_card()["groups"] if groups is None else groups,
        max_age_days=days,
    )


def test_fingerprint_by_hand_counts_only_orders_up_to_the_end():
    later = _orders([("c", "2024-07-01", 99.0)])
    assert orders_fingerprint(later, END) == {
        "orders": 3,
        "customers": 2,
        "revenue": 35.5,
        "first_day": "2024-01-01",
        "last_day": "2024-06-20",
    }


def test_the_stored_model_serves_until_a_reason_to_retrain():
    assert _reason(_card()) is None
    # new orders after its end change nothing it was trained on
    newer = _orders([("c", "2024-07-20", 9.0)])
    assert _reason(_card(), orders=newer, end=END + dt.timedelta(days=20)) is None
    assert _reason(_card(), days=0) == "churn_retrain_days = 0"
    assert _reason(None) == "no stored model"
    assert _reason(_card(format=1)) == "stored by an older ClientLens"
    assert _reason(_card(), options={**OPTIONS, "seed": 1}) == "other settings"
    assert _reason(_card(), groups=["rfm", "trend", "regularity", "service", "p_alive"]) == (
        "other feature groups"
    )
    assert _reason(_card(), end=END + dt.timedelta(days=31)) == (
        "the stored model's data end 31 days before the observation end"
    )
    assert _reason(_card(), end=END - dt.timedelta(days=1)) == (
        "the stored model saw data after the observation end"
    )
    corrected = _orders([("b", "2024-03-02", 1.0)])  # an order before its end, added late
    assert _reason(_card(), orders=corrected) == "the orders it was trained on changed"


@pytest.mark.slow
def test_analyze_reuses_the_stored_model_and_retrains_when_told(tmp_path):
    demo = generate(1_500, seed=4, locale="en")
    settings = {"churn_model": True, "churn_training_cutoffs": 3}
    ws = Workspace.init(tmp_path / "ws", settings=settings)
    load_demo(ws, demo)
    store = ModelStore(ws.path / "models")
    only = ["churn_validation", "churn_scores"]

    def scored_version() -> set[int]:
        return set(ws.results.table("churn_scores").model_version.to_pandas())

    run_analyses(ws, only=only)
    assert store.versions(MODEL_NAME) == [1] and scored_version() == {1}
    first = ws.results.table("churn_scores").to_pandas()
    run_analyses(ws, only=only)  # same data, same settings: scored with version 1
    assert store.versions(MODEL_NAME) == [1] and scored_version() == {1}
    again = ws.results.table("churn_scores").to_pandas()
    pd.testing.assert_frame_equal(first, again)
    ws.close()

    ws = Workspace(tmp_path / "ws", settings={**settings, "churn_seed": 7})
    run_analyses(ws, only=only)
    assert store.versions(MODEL_NAME) == [1, 2] and scored_version() == {2}
    assert store.card(MODEL_NAME)["trained_because"] == "other settings"
    ws.close()

    ws = Workspace(tmp_path / "ws", settings={**settings, "churn_seed": 7, "churn_retrain_days": 0})
    run_analyses(ws, only=only)
    assert store.versions(MODEL_NAME) == [1, 2, 3] and scored_version() == {3}
    assert store.card(MODEL_NAME)["trained_because"] == "churn_retrain_days = 0"
    ws.close()
