"""A small deterministic data set with every canonical table, for engine-parity tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Results of a numerical fit on engine-computed inputs: sums added in another order differ
# in the last bits, and an iterative optimiser (the ETS likelihood) carries that to about
# 1e-7 of its estimates. Everything else agrees to 1e-9
# across engines, and to 1e-12 between two runs on one engine.
FIT_RTOL = {"revenue_forecast": 1e-5, "revenue_forecast_validation": 1e-5}


def parity_tables(n_customers: int = 120, seed: int = 7) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"C{i:04d}" for i in range(n_customers)]
    signup = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 420, n_customers), "D")
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "gender": rng.choice(["male", "female", None], n_customers, p=[0.45, 0.45, 0.1]),
            "age": rng.integers(18, 70, n_customers),
            "occupation": rng.choice(["engineer", "teacher", "student", "retired"], n_customers),
            "income": rng.lognormal(9, 0.5, n_customers).round(0),
            "province": rng.choice(["广东", "浙江", "北京", None], n_customers),
            "city": rng.choice(["广州", "杭州", "北京"], n_customers),
            "signup_date": signup.strftime("%Y-%m-%d"),
            "acquisition_channel": rng.choice(["search", "social", "referral"], n_customers),
        }
    )
    # Customers differ in how often they buy (a gamma-distributed rate) and some stop
    # (an exponential lifetime, about 400 days): without both the CLV models have
    # nothing to estimate, their fits run to the edge of the parameter range, do not
    # converge, and `clv` is rightly skipped. Drawn from their own generator so that the
    # draws of every other table keep their order.
    buyers = np.random.default_rng(seed + 1)
    rate = buyers.gamma(1.0, 1.0, n_customers)
    lifetime_days = buyers.exponential(400.0, n_customers)
    n_orders = rng.poisson(4 * rate) + 1
    cust = np.repeat(np.arange(n_customers), n_orders)
    offsets = rng.integers(0, 540, cust.size) * rng.random(cust.size)
    offsets = np.minimum(offsets, lifetime_days[cust])
    when = (
        signup[cust]
        + pd.to_timedelta(offsets.astype(int), "D")
        + pd.to_timedelta(rng.integers(8 * 60, 23 * 60, cust.size), "min")
    )
    keep = when <= pd.Timestamp("2024-09-30")
    cust, when = cust[keep], when[keep]
    n = cust.size
    orders = pd.DataFrame(
        {
            "order_id": [f"O{i:05d}" for i in range(n)],
            "customer_id": np.array(ids)[cust],
            "order_date": when.strftime("%Y-%m-%d %H:%M:%S"),
            "amount": rng.gamma(2.0, 60.0, n).round(2) + 1,
            "status": rng.choice(["completed", "refunded"], n, p=[0.95, 0.05]),
            "channel": rng.choice(["app", "web"], n),
        }
    )
    orders["cost"] = (orders["amount"] * 0.6).round(2)
    products = pd.DataFrame(
        {
            "product_id": [f"P{i}" for i in range(8)],
            "category": [
                "books",
                "books",
                "phones",
                "phones",
                "fruit",
                "fruit",
                "clothes",
                "clothes",
            ],
            "price": [20.0, 35.0, 900.0, 1500.0, 9.9, 19.9, 99.0, 199.0],
        }
    )
    order_items = pd.DataFrame(
        {
            "order_id": orders["order_id"],
            "product_id": rng.choice(products["product_id"], n),
            "quantity": rng.integers(1, 3, n),
        }
    )
    order_items["unit_price"] = (orders["amount"] / order_items["quantity"]).round(2)
    fb_n = 150
    kinds = rng.choice(["nps", "csat"], fb_n)
    feedback = pd.DataFrame(
        {
            "customer_id": rng.choice(ids, fb_n),
            "date": (
                pd.Timestamp("2023-06-01") + pd.to_timedelta(rng.integers(0, 480, fb_n), "D")
            ).strftime("%Y-%m-%d"),
            "kind": kinds,
            "score": np.where(kinds == "nps", rng.integers(0, 11, fb_n), rng.integers(1, 6, fb_n)),
            "comment": rng.choice(["很好", "物流太慢", "good", None], fb_n),
        }
    )
    tk_n = 40
    opened = pd.Timestamp("2023-06-01") + pd.to_timedelta(rng.integers(0, 480, tk_n), "D")
    tickets = pd.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(tk_n)],
            "customer_id": rng.choice(ids, tk_n),
            "opened_at": opened.strftime("%Y-%m-%d %H:%M"),
            "closed_at": (opened + pd.to_timedelta(rng.integers(1, 200, tk_n), "h")).strftime(
                "%Y-%m-%d %H:%M"
            ),
            "category": rng.choice(["logistics", "quality"], tk_n),
            "status": "closed",
        }
    )
    months = pd.date_range("2023-01-01", "2024-09-01", freq="MS")
    spend = pd.DataFrame(
        [
            (m.strftime("%Y-%m-%d"), ch, float(rng.integers(500, 3000)))
            for m in months
            for ch in ["search", "social", "referral"]
        ],
        columns=["date", "channel", "spend"],
    )
    ev_n = 600
    events = pd.DataFrame(
        {
            "customer_id": rng.choice(ids, ev_n),
            "anonymous_id": [f"A{i % 90}" for i in range(ev_n)],
            "session_id": [f"S{i // 4}" for i in range(ev_n)],
            "timestamp": (
                pd.Timestamp("2024-05-01") + pd.to_timedelta(np.arange(ev_n) * 7, "min")
            ).strftime("%Y-%m-%d %H:%M:%S"),
            "event": rng.choice(["page_view", "product_view", "add_to_cart", "purchase"], ev_n),
            "duration_s": rng.integers(1, 300, ev_n).astype(float),
        }
    )
    return {
        "customers": customers,
        "orders": orders,
        "products": products,
        "order_items": order_items,
        "feedback": feedback,
        "tickets": tickets,
        "marketing_spend": spend,
        "events": events,
    }
