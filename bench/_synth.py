"""Synthetic transaction logs for benchmarks: N customers, about 6 orders each."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).resolve().parent / ".data"


def synth_orders(n_customers: int, seed: int = 0, orders_per_customer: float = 6.0) -> pd.DataFrame:
    """Orders from a simple buy-till-you-die process over 3 years (vectorised)."""
    rng = np.random.default_rng(seed)
    first = rng.integers(0, 3 * 365, n_customers)
    counts = 1 + rng.poisson(orders_per_customer - 1, n_customers)
    cust = np.repeat(np.arange(n_customers), counts)
    span = 3 * 365 - first
    offset = (rng.random(cust.size) * span[cust]).astype(np.int64)
    is_first = np.r_[True, cust[1:] != cust[:-1]]
    offset[is_first] = 0
    day = pd.Timestamp("2023-01-01") + pd.to_timedelta(first[cust] + offset, "D")
    seconds = pd.to_timedelta(rng.integers(8 * 3600, 23 * 3600, cust.size), "s")
    return pd.DataFrame(
        {
            "order_id": np.arange(cust.size).astype(str),
            "customer_id": np.char.add("C", cust.astype(str)),
            "order_date": day + seconds,
            "amount": np.round(rng.gamma(2.0, 50.0, cust.size) + 1, 2),
        }
    )


def orders_parquet(n_customers: int, seed: int = 0) -> Path:
    """Write (once) and return the Parquet file of ``synth_orders(n_customers)``."""
    DATA_DIR.mkdir(exist_ok=True)
    path = DATA_DIR / f"orders_{n_customers}_{seed}.parquet"
    if not path.exists():
        synth_orders(n_customers, seed).to_parquet(path, index=False)
    return path
