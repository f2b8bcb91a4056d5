"""Point-in-time examples for the spend model: churn's features plus the spend windows.

Each example is a customer at a cutoff: the churn model's features at that cutoff
(:func:`~clientlens.analytics.churn.features.churn_features`, every row dated on or before
it), the spend of the ``horizon_days`` up to it (the naive baseline's forecast) and, when
labelled, the spend of the ``horizon_days`` after it (the label). Every customer with a
completed order on or before the cutoff is described, however long ago: a customer gone
for years has a forecast too (near zero), and leaving them out would flatter both the
model and the baseline.

The model trains on a seeded sample of customers (:func:`sample_inputs`), so a workspace
of millions of customers trains on as many examples as one of a few hundred thousand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from clientlens.analytics.churn.features import available_groups, churn_features
from clientlens.lazy import ibis, ir, np, pd

EVERY_CUSTOMER_DAYS = 1_000_000
"""A population window no customer's recency reaches: everyone who ever bought."""

SAMPLED_TABLES = ("orders", "events", "feedback", "tickets", "customers")
"""Tables limited to the sampled customers (order items follow their orders)."""


def feature_groups(inputs: Mapping[str, ir.Table]) -> list[str]:
    """The churn feature groups the inputs support, without BG/NBD's p_alive: fitting a
    purchase model at every cutoff would cost more than the whole spend model."""
    return [g for g in available_groups(inputs) if g != "p_alive"]


def spend_windows(
    orders: ir.Table, cutoff: dt.date, horizon_days: int, *, labelled: bool = True
) -> ir.Table:
    """``customer_id, last_spend`` (completed orders in the ``horizon_days`` up to and
    including ``cutoff``) and, when ``labelled``, ``next_spend`` (the ``horizon_days``
    after it), per customer with any order in those windows."""
    start = ibis.literal(cutoff - dt.timedelta(days=horizon_days))
    c = ibis.literal(cutoff)
    end = ibis.literal(cutoff + dt.timedelta(days=horizon_days))
    o = orders.mutate(_day=orders.order_date.cast("date"), _amount=orders.amount.cast("float64"))
    o = o.filter((o._day > start) & (o._day <= (end if labelled else c)))
    cols = {"last_spend": ibis.ifelse(o._day <= c, o._amount, 0.0).sum()}
    if labelled:
        cols["next_spend"] = ibis.ifelse(o._day > c, o._amount, 0.0).sum()
    return o.group_by("customer_id").agg(**cols)


def spend_frame(
    inputs: Mapping[str, ir.Table],
    cutoff: dt.date,
    horizon_days: int,
    groups: list[str],
    *,
    labelled: bool = True,
) -> pd.DataFrame:
    """Features at ``cutoff`` of every customer who bought by then, with ``last_spend``
    and (``labelled``) ``next_spend``, zero without orders in the window; by customer_id."""
    f = churn_features(inputs, cutoff, population_days=EVERY_CUSTOMER_DAYS, groups=groups)
    w = spend_windows(inputs["orders"], cutoff, horizon_days, labelled=labelled)
    windows = [c for c in w.columns if c != "customer_id"]
    joined = f.left_join(w, "customer_id")
    table = joined.select(*f.columns, *[joined[c].fill_null(0.0).name(c) for c in windows])
    frame = table.to_pandas().sort_values("customer_id", kind="stable").reset_index(drop=True)
    frame["cutoff"] = cutoff
    return frame


def sample_inputs(
    inputs: Mapping[str, ir.Table], max_customers: int, seed: int
) -> tuple[dict[str, ir.Table], np.ndarray | None, int]:
    """The inputs limited to ``max_customers`` customers drawn with ``seed``, the ids
    drawn (None when there are no more customers than that: all are kept) and the
    customers there are.

    The draw is over the sorted ids, so the same data and seed give the same sample on
    every engine.
    """
    ids = inputs["orders"].select("customer_id").distinct().to_pandas()["customer_id"]
    ids = np.sort(ids.astype(str).to_numpy())
    if len(ids) <= max_customers:
        return dict(inputs), None, len(ids)
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(ids, size=max_customers, replace=False))
    keep = ibis.memtable(pd.DataFrame({"customer_id": chosen}))
    out = dict(inputs)
    for name in SAMPLED_TABLES:
        if name in out and "customer_id" in out[name].columns:
            table = out[name]
            keep_typed = keep.mutate(customer_id=keep.customer_id.cast(table.customer_id.type()))
            out[name] = table.semi_join(keep_typed, "customer_id")
    if "order_items" in out:
        out["order_items"] = out["order_items"].semi_join(
            out["orders"].select("order_id"), "order_id"
        )
    # Read once: every cutoff's features then scan the sample, not the whole workspace.
    for name in (*SAMPLED_TABLES, "order_items"):
        if name in out and out[name] is not inputs.get(name):
            out[name] = ibis.memtable(out[name].to_pandas())
    return out, chosen, len(ids)
