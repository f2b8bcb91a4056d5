"""Fixtures of the model tests: the published CDNOW and donation data, read in place."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import shared_data


@pytest.fixture(scope="session")
def cdnow_summary() -> pd.DataFrame:
    """CDNOW calibration summary (2,357 customers, weeks) with customer_id from ID."""
    frame = pd.read_csv(shared_data("cdnow_customers_summary.csv"))
    return frame.rename(columns={"ID": "customer_id"})


@pytest.fixture(scope="session")
def cdnow_with_spend() -> pd.DataFrame:
    frame = pd.read_csv(shared_data("cdnow_customers_summary_with_transactions.csv"))
    return frame.rename(
        columns={"ID": "customer_id", "x": "frequency", "t_x": "recency", "zbar": "monetary_value"}
    )
