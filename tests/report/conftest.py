"""A tiny analysed workspace for the report, with a hand-written ``kpis`` table.

Six customers, nine orders up to 2024-06-30; ``customer_summary`` and the RFM results
come from ``analyze``
and ``kpis`` is written by hand (its declared columns) so that each test can change one
number and watch the sentence change.
"""

from __future__ import annotations

import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.results import publish_tables

ORDERS = pd.DataFrame(
    {
        "order_id": [f"O{i}" for i in range(9)],
        "customer_id": ["a", "a", "a", "b", "b", "c", "d", "e", "f"],
        "order_date": [
            "2024-01-05",
            "2024-03-10",
            "2024-06-01",
            "2024-02-01",
            "2024-05-20",
            "2023-12-01",
            "2024-04-15",
            "2024-06-10",
            "2024-06-20",
        ],
        "amount": [100.0, 50.0, 150.0, 80.0, 20.0, 60.0, 40.0, 30.0, 70.0],
    }
)

KPI_COLUMNS = [
    "period",
    "period_label",
    "is_complete",
    "is_latest",
    "kpi",
    "unit",
    "value",
    "previous_value",
    "mom",
    "mom_pp",
    "last_year_value",
    "yoy",
    "yoy_pp",
    "window_days",
]


def kpi_rows(values: dict[str, tuple[str, dict[str, float]]]) -> pd.DataFrame:
    """``{kpi: (unit, {"2024-06": v, "2024-05": v, ...})}`` as a ``kpis`` table."""
    rows = []
    for kpi, (unit, by_month) in values.items():
        for label, value in by_month.items():
            y, m = int(label[:4]), int(label[5:])
            prev = f"{y}-{m - 1:02d}" if m > 1 else f"{y - 1}-12"
            last_year = f"{y - 1}-{m:02d}"
            pv, ly = by_month.get(prev), by_month.get(last_year)
            rows.append(
                {
                    "period": pd.Timestamp(f"{label}-01"),
                    "period_label": label,
                    "is_complete": True,
                    "is_latest": label == "2024-06",
                    "kpi": kpi,
                    "unit": unit,
                    "value": value,
                    "previous_value": pv,
                    "mom": (value - pv) / pv if pv else None,
                    "mom_pp": None,
                    "last_year_value": ly,
                    "yoy": (value - ly) / ly if ly else None,
                    "yoy_pp": None,
                    "window_days": None,
                }
            )
    frame = pd.DataFrame(rows, columns=KPI_COLUMNS)
    for col in (
        "previous_value",
        "mom",
        "mom_pp",
        "last_year_value",
        "yoy",
        "yoy_pp",
        "window_days",
    ):
        frame[col] = frame[col].astype("float64")
    return frame


BASE_KPIS = {
    "revenue": (
        "currency",
        {"2023-06": 9000.0, "2024-04": 9500.0, "2024-05": 10000.0, "2024-06": 12000.0},
    ),
    "active_customers": (
        "count",
        {"2023-06": 800.0, "2024-04": 950.0, "2024-05": 1000.0, "2024-06": 1000.0},
    ),
    "orders": ("count", {"2024-04": 1200.0, "2024-05": 1250.0, "2024-06": 1300.0}),
    "repeat_rate": ("ratio", {"2024-04": 0.30, "2024-05": 0.30, "2024-06": 0.305}),
}


ANALYSED = [
    "customer_summary",
    "customer_base",
    "purchase_order_buckets",
    "rfm_scores",
    "rfm_segments",
    "cohort_retention",
    "retention_baseline",
    "audiences",
    "audience_summary",
    "data_coverage",
    "data_quality",
]
"""The results the tiny workspace holds: those the report reads from orders alone,
without the CLV models (slow) and the KPI pack (written by hand)."""


@pytest.fixture
def report_ws(tmp_path):
    ws = Workspace.init(tmp_path / "ws", settings={"today": "2026-11-24"})
    ws.import_table("orders", ORDERS)
    result = ws.analyze(as_of="2024-06-30", only=ANALYSED)
    assert [o.status for o in result.outcomes] == ["ok"] * len(ANALYSED)
    yield ws
    ws.close()


def set_kpis(ws: Workspace, values: dict[str, tuple[str, dict[str, float]]]) -> None:
    publish_tables(ws, {"kpis": kpi_rows(values)})


def rebuild(ws: Workspace, *names: str) -> None:
    """Build the analyses ``names`` again on the latest published results.

    A test that publishes a result by hand (``clv``, ``profile_distribution``) rebuilds the
    results the report derives from it, as ``analyze`` would have: ``analyze --only``
    recomputes ``names`` and reuses every other result, hand-published ones included.
    """
    ws.analyze(as_of=ws.results.observation_end, only=list(names))
