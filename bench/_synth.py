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


CHANNELS = ("search", "social", "referral", "app_store", "offline")
CATEGORIES = ("books", "phones", "fruit", "clothes", "beauty", "home", "toys", "sports")


def synth_business(n_customers: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Every canonical table but events, around :func:`synth_orders`, so that every
    analysis of ``clientlens analyze`` has its inputs (vectorised; ~1 minute at 1M).

    Customers sign up on their first order day; about 6 % of orders are refunded or
    cancelled; an order has 1-3 items (about 1.5); one customer in ten answers a
    survey (NPS or CSAT); spend is daily per acquisition channel; tickets come from
    one customer in twenty-five.
    """
    rng = np.random.default_rng(seed + 1)
    orders = synth_orders(n_customers, seed)
    n = len(orders)
    orders["status"] = rng.choice(
        np.array(["completed", "refunded", "cancelled"]), n, p=[0.94, 0.04, 0.02]
    )
    orders["channel"] = rng.choice(np.array(["app", "web", "store"]), n, p=[0.5, 0.35, 0.15])
    orders["cost"] = np.round(orders["amount"].to_numpy() * rng.uniform(0.4, 0.8, n), 2)

    ids = np.char.add("C", np.arange(n_customers).astype(str))
    first = orders.groupby("customer_id", sort=False).order_date.min()
    signup = first.reindex(ids).dt.normalize()
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "gender": rng.choice(np.array(["male", "female", "unknown"]), n_customers),
            "age": rng.integers(18, 75, n_customers),
            "province": rng.choice(np.array(["广东", "浙江", "北京", "上海", "四川"]), n_customers),
            "city": rng.choice(np.array(["广州", "杭州", "北京", "上海", "成都"]), n_customers),
            "signup_date": signup.to_numpy(),
            "acquisition_channel": rng.choice(np.array(CHANNELS), n_customers),
        }
    )

    n_products = 400
    products = pd.DataFrame(
        {
            "product_id": np.char.add("P", np.arange(n_products).astype(str)),
            "category": rng.choice(np.array(CATEGORIES), n_products),
            "price": np.round(rng.gamma(2.0, 40.0, n_products) + 5, 2),
        }
    )
    products["cost"] = np.round(products["price"] * 0.6, 2)
    items_per_order = rng.choice(np.array([1, 2, 3]), n, p=[0.6, 0.3, 0.1])
    order_pos = np.repeat(np.arange(n), items_per_order)
    # distinct products within an order: an offset from a random start
    within = np.arange(order_pos.size) - np.repeat(
        np.cumsum(items_per_order) - items_per_order, items_per_order
    )
    start = rng.integers(0, n_products, n)
    product = (start[order_pos] + within * 7) % n_products
    quantity = rng.integers(1, 4, order_pos.size)
    order_items = pd.DataFrame(
        {
            "order_id": orders["order_id"].to_numpy()[order_pos],
            "product_id": products["product_id"].to_numpy()[product],
            "quantity": quantity,
            "unit_price": np.round(
                orders["amount"].to_numpy()[order_pos] / items_per_order[order_pos] / quantity, 2
            ),
        }
    )

    start_day, end_day = pd.Timestamp("2023-01-01"), orders["order_date"].max().normalize()
    n_fb = n_customers // 10
    kinds = rng.choice(np.array(["nps", "csat"]), n_fb)
    feedback = pd.DataFrame(
        {
            "customer_id": rng.choice(ids, n_fb),
            "date": start_day
            + pd.to_timedelta(rng.integers(0, (end_day - start_day).days + 1, n_fb), "D"),
            "kind": kinds,
            "score": np.where(
                kinds == "nps", rng.integers(0, 11, n_fb), rng.integers(1, 6, n_fb)
            ).astype(float),
        }
    )

    days = pd.date_range(start_day, end_day, freq="D")
    marketing_spend = pd.DataFrame(
        {
            "date": np.repeat(days, len(CHANNELS)),
            "channel": np.tile(np.array(CHANNELS), len(days)),
            "spend": np.round(rng.gamma(4.0, 2_000.0, len(days) * len(CHANNELS)), 2),
        }
    )

    n_tk = n_customers // 25
    opened = start_day + pd.to_timedelta(
        rng.integers(0, (end_day - start_day).days * 24 * 60, n_tk), "min"
    )
    tickets = pd.DataFrame(
        {
            "ticket_id": np.char.add("T", np.arange(n_tk).astype(str)),
            "customer_id": rng.choice(ids, n_tk),
            "opened_at": opened,
            "closed_at": opened + pd.to_timedelta(rng.integers(1, 240, n_tk), "h"),
            "category": rng.choice(np.array(["logistics", "quality", "price", "service"]), n_tk),
            "status": "closed",
        }
    )
    return {
        "customers": customers,
        "orders": orders,
        "products": products,
        "order_items": order_items,
        "feedback": feedback,
        "marketing_spend": marketing_spend,
        "tickets": tickets,
    }
