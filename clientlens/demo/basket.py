"""What is in each demo order: items, prices paid, order amount, cost and status.

Items per order and the products chosen depend on the customer's segment (VIPs buy more
and dearer items) and favourite category; festival days carry discounts. The order
amount is the sum of its items, so order and item tables agree to the cent. Orders that
led to a quality or returns ticket are often refunded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientlens.demo import seasons
from clientlens.demo.catalog import (
    CATEGORY_SHARE,
    Catalog,
    category_offsets,
    product_cdf,
)
from clientlens.demo.customers import SEGMENTS, Population
from clientlens.demo.process import TICKET_CATEGORIES, History

CANCEL_RATE = 0.025
REFUND_RATE = 0.03
REFUND_AFTER_TICKET = 0.5
"""Chance that an order with a quality or returns ticket ends refunded."""
STATUSES = np.array(["completed", "refunded", "cancelled"], dtype=object)


@dataclass
class Baskets:
    item_order: np.ndarray
    """Per order item: position of its order; sorted, one row per (order, product)."""
    item_product: np.ndarray
    item_quantity: np.ndarray
    item_unit_price: np.ndarray
    order_amount: np.ndarray
    order_cost: np.ndarray
    order_status: np.ndarray
    """Index into STATUSES."""
    order_channel: np.ndarray


def fill_baskets(
    rng: np.random.Generator, pop: Population, hist: History, catalog: Catalog
) -> Baskets:
    n_orders = hist.order_customer.size
    seg = pop.segment[hist.order_customer]
    extra = np.array([s.extra_items for s in SEGMENTS])[seg]
    n_items = 1 + rng.poisson(extra)
    item_order = np.repeat(np.arange(n_orders), n_items)
    item_seg = seg[item_order]

    # 60% of items from the customer's favourite category, the rest by category share.
    favourite = pop.favourite_category[hist.order_customer][item_order]
    other = rng.choice(CATEGORY_SHARE.size, size=item_order.size, p=CATEGORY_SHARE)
    category = np.where(rng.random(item_order.size) < 0.6, favourite, other)
    cdf = product_cdf(catalog, np.array([s.price_exponent for s in SEGMENTS]))
    u = rng.random(item_order.size)
    slot = (u[:, None] > cdf[item_seg, category]).sum(axis=1)
    product = category_offsets(catalog)[category] + slot

    # Merge repeats of a product within an order: (order_id, product_id) is the key.
    key = item_order.astype(np.int64) * catalog.size + product
    quantity_each = rng.geometric(0.8, item_order.size)
    key_unique, inverse = np.unique(key, return_inverse=True)
    quantity = np.bincount(inverse, weights=quantity_each).astype(np.int64)
    item_order = key_unique // catalog.size
    product = key_unique % catalog.size

    # Festival discount of the day, and a 10% coupon on one order in five.
    coupon = np.where(rng.random(n_orders) < 0.2, 0.9, 1.0)
    paid_share = seasons.price_factor()[hist.order_day] * coupon
    unit_price = np.round(catalog.price[product] * paid_share[item_order], 2)
    line = unit_price * quantity
    amount = np.round(np.bincount(item_order, weights=line, minlength=n_orders), 2)
    cost = np.round(
        np.bincount(item_order, weights=catalog.cost[product] * quantity, minlength=n_orders), 2
    )

    # A customer's first order always goes through (it is how they became customers),
    # unless a ticket about it ends in a refund below.
    first = np.zeros(n_orders, dtype=bool)
    first[np.unique(hist.order_customer, return_index=True)[1]] = True
    status = np.zeros(n_orders, dtype=np.int64)
    status[(rng.random(n_orders) < REFUND_RATE) & ~first] = 1
    product_ticket = np.isin(
        hist.ticket_category,
        [TICKET_CATEGORIES.index("quality"), TICKET_CATEGORIES.index("returns")],
    )
    about = hist.ticket_order[product_ticket]
    status[about[rng.random(about.size) < REFUND_AFTER_TICKET]] = 1
    # Cancelled orders never shipped, so no ticket is about one of them.
    cancel = rng.random(n_orders) < CANCEL_RATE
    cancel[hist.ticket_order] = False
    cancel[first] = False
    status[cancel] = 2

    # Customers mostly order through their usual channel (app, mini program or web).
    usual = pop.order_channel[hist.order_customer]
    channel = np.where(
        rng.random(n_orders) < 0.8, usual, rng.choice(3, size=n_orders, p=[0.55, 0.3, 0.15])
    )
    return Baskets(item_order, product, quantity, unit_price, amount, cost, status, channel)
