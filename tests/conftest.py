"""Shared test helpers: where the real public data sets live, and small workspaces."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def shared_data(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: ClientLens tests read ../shared/data beside the repo.")
    return path


def read_cdnow_master() -> pd.DataFrame:
    """CDNOW_master.txt as orders: customer_id (str), order_date, amount, n_cds."""
    raw = pd.read_csv(
        shared_data("CDNOW_master.txt"), sep=r"\s+", dtype={"customer_id": str, "date": str}
    )
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "order_date": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "amount": raw["dollar_value"].astype(float),
            "n_cds": raw["number_of_cds"],
        }
    )


@pytest.fixture(scope="session")
def cdnow_master() -> pd.DataFrame:
    return read_cdnow_master()


@pytest.fixture
def workspace(tmp_path):
    from clientlens import Workspace

    ws = Workspace.init(tmp_path / "ws", settings={"today": "2026-11-24"})
    yield ws
    ws.close()
