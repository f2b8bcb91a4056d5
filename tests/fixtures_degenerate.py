"""Small order tables of degenerate shops, for the tests that the output stays honest."""

from __future__ import annotations

import pandas as pd


def one_day_orders() -> pd.DataFrame:
    """Fifty orders of forty customers, all on 2024-03-15 (ten customers ordered twice)."""
    return pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(50)],
            "customer_id": [f"c{i % 40}" for i in range(50)],
            "order_date": ["2024-03-15"] * 50,
            "amount": [10.0 + i for i in range(50)],
        }
    )


def single_buyer_orders() -> pd.DataFrame:
    """120 customers with one order each, spread over January to June 2024."""
    days = pd.date_range("2024-01-01", "2024-06-30", freq="D")
    return pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(120)],
            "customer_id": [f"c{i}" for i in range(120)],
            "order_date": [days[(i * 37) % len(days)].date().isoformat() for i in range(120)],
            "amount": [20.0 + (i * 7) % 90 for i in range(120)],
        }
    )
