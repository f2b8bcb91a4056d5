"""Category mix: what customers buy, overall, per RFM segment, and each customer's top category.

Categories come from ``order_items`` ⋈ ``products``; a line's revenue is quantity ×
``order_items.unit_price``, or × ``products.price`` where the unit price is missing.
Products without a category, or order lines whose product is unknown, form the
category ``unknown``; so do customers without an RFM segment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, as_int64, as_table
from clientlens.analytics.common import completed_orders, ratio, require_columns
from clientlens.lazy import ibis, ir

UNKNOWN = "unknown"
ALL = "all"


def _lines(orders: Any, order_items: Any, products: Any, observation_end: Any) -> ir.Table:
    """Order lines of completed orders: customer_id, order_id, category, quantity, revenue."""
    o = completed_orders(orders, observation_end, who="category_mix")
    items = as_table(order_items)
    prods = as_table(products)
    require_columns(
        items, ("order_id", "product_id", "quantity"), who="category_mix", what="order_items"
    )
    require_columns(prods, ("product_id",), who="category_mix", what="products")
    category = prods.category if "category" in prods.columns else ibis.null("string")
    price = prods.price.cast("float64") if "price" in prods.columns else ibis.null("float64")
    p = prods.select("product_id", _category=category, _price=price)
    j = items.join(o.select("order_id", "customer_id"), "order_id").left_join(
        p, items.product_id == p.product_id
    )
    unit = j.unit_price.cast("float64") if "unit_price" in items.columns else ibis.null("float64")
    return j.select(
        "customer_id",
        "order_id",
        category=j._category.fill_null(UNKNOWN),
        quantity=j.quantity.cast("float64"),
        revenue=(j.quantity.cast("float64") * unit.fill_null(j._price)).fill_null(0.0),
    )


def _per_customer(lines: ir.Table) -> ir.Table:
    """One row per customer and category: orders, quantity, revenue.

    The one pass over order lines; every level is summed from it. An order belongs to
    one customer, so a category's orders in a group are the sum of its customers'."""
    per_order = lines.group_by(["customer_id", "category", "order_id"]).agg(
        quantity=lines.quantity.sum(), revenue=lines.revenue.sum()
    )
    return per_order.group_by(["customer_id", "category"]).agg(
        orders=ibis._.count().cast("int64"),
        quantity=per_order.quantity.sum(),
        revenue=per_order.revenue.sum(),
    )


def _mix(base: ir.Table, level: str, code: Any) -> ir.Table:
    t = base.mutate(group_code=code)
    g = t.group_by(["group_code", "category"]).agg(
        customers=t.count().cast("int64"),
        orders=t.orders.sum().cast("int64"),
        quantity=t.quantity.sum(),
        revenue=t.revenue.sum(),
    )
    return g.mutate(level=ibis.literal(level))


def _shares(mix: ir.Table) -> ir.Table:
    """Each row's share of its group's revenue and units, and its rank in the group."""
    by_group = ["level", "group_code"]
    total_revenue = mix.revenue.sum().over(group_by=by_group)
    total_quantity = mix.quantity.sum().over(group_by=by_group)
    rank = ibis.row_number().over(
        ibis.window(
            group_by=by_group,
            order_by=[ibis.desc(mix.revenue), ibis.desc(mix.quantity), mix.category],
        )
    )
    return mix.mutate(
        revenue_share=ratio(mix.revenue, total_revenue),
        quantity_share=ratio(mix.quantity, total_quantity),
        category_rank=as_int64(rank + 1),
    )


def category_mix(
    orders: Any,
    order_items: Any,
    products: Any,
    *,
    observation_end: Any,
    rfm_scores: Any = None,
) -> ir.Table:
    """Revenue and quantity by category: overall, per RFM segment, and top category per customer.

    Parameters
    ----------
    orders
        Completed orders: ``order_id``, ``customer_id``, ``order_date``, ``amount``.
    order_items
        ``order_id``, ``product_id``, ``quantity``; ``unit_price`` used when present.
    products
        ``product_id``; ``category`` and ``price`` used when present.
    rfm_scores
        Optional per-customer ``customer_id, segment`` (the ``rfm_scores`` result);
        without it there are no segment rows.

    Returns
    -------
    ibis.Table
        Rows with ``level`` ``overall`` (every category), ``segment`` (every segment ×
        category) and ``customer`` (each customer's top category only).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": ["o1", "o2"], "customer_id": ["a", "a"],
    ...     "amount": [30.0, 10.0], "order_date": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    >>> items = pd.DataFrame({"order_id": ["o1", "o2"], "product_id": ["p1", "p2"],
    ...     "quantity": [3, 1], "unit_price": [10.0, 10.0]})
    >>> products = pd.DataFrame({"product_id": ["p1", "p2"], "category": ["books", "fruit"]})
    >>> r = category_mix(orders, items, products, observation_end="2024-01-31")
    >>> r.filter(r.level == "customer").to_pandas()[["category", "revenue_share"]].values.tolist()
    [['books', 0.75]]
    """
    base = _per_customer(_lines(orders, order_items, products, observation_end))
    groups = [_mix(base, "overall", ibis.literal(ALL))]
    if rfm_scores is not None:
        s = as_table(rfm_scores).select("customer_id", _seg="segment")
        bs = base.left_join(s, "customer_id")
        groups.append(_mix(bs, "segment", bs._seg.fill_null(UNKNOWN)))
    # a customer's rows are the per-customer table itself (one customer each); only the
    # top category is kept, so only those rows go through the per-customer window
    customers = base.mutate(
        group_code=base.customer_id,
        customers=ibis.literal(1, "int64"),
        level=ibis.literal("customer"),
    )
    top = _shares(customers)
    top = top.filter(top.category_rank == 1)
    grouped = groups[0]
    for part in groups[1:]:
        grouped = grouped.union(part)
    columns = [
        "level",
        "group_code",
        "category",
        "category_rank",
        "customers",
        "orders",
        "quantity",
        "revenue",
        "revenue_share",
        "quantity_share",
    ]
    mix = _shares(grouped).select(*columns).union(top.select(*columns))
    return mix


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return category_mix(
        inputs["orders"],
        inputs["order_items"],
        inputs["products"],
        observation_end=ctx.observation_end,
        rfm_scores=inputs.get("rfm_scores"),
    )


ANALYSES = [
    Analysis(
        name="category_mix",
        requires=("orders", "order_items", "products"),
        optional=("rfm_scores",),
        build=_build,
        description="Revenue and quantity by product category: for all customers, per RFM "
        "segment (when rfm_scores exists), and each customer's top category with its share.",
        columns={
            "level": Column(
                "string",
                "overall (all customers), segment (an RFM segment) or customer (one "
                "customer's top category only).",
                "overall（全部客户）、segment（一个 RFM 分群）或 customer（仅一位客户的首选品类）。",
            ),
            "group_code": Column(
                "string",
                "all, the RFM segment code, or the customer_id.",
                "all、RFM 分群代码或 customer_id。",
            ),
            "category": Column(
                "string",
                "Product category; unknown for lines without a known category.",
                "商品品类；品类未知的订单明细为 unknown。",
            ),
            "category_rank": Column(
                "int64",
                "Rank of the category in the group by revenue (1 = top), then quantity, then name.",
                "品类在分组内的排名：先按销售额（1 = 最高），再按数量，再按名称。",
            ),
            "customers": Column(
                "int64",
                "Customers of the group who bought the category.",
                "分组内购买该品类的客户数。",
                unit="count",
            ),
            "orders": Column(
                "int64",
                "Completed orders with the category.",
                "含该品类的已完成订单数。",
                unit="count",
            ),
            "quantity": Column(
                "float64", "Units of the category bought.", "购买该品类的件数。", unit="count"
            ),
            "revenue": Column(
                "float64",
                "Line revenue: quantity × unit price (product price when the line has none).",
                "明细销售额：数量 × 单价（明细没有单价时取商品价格）。",
                unit="currency",
            ),
            "revenue_share": Column(
                "float64",
                "revenue / the group's revenue over all categories.",
                "revenue / 分组在全部品类上的销售额。",
                unit="share",
            ),
            "quantity_share": Column(
                "float64",
                "quantity / the group's units over all categories.",
                "quantity / 分组在全部品类上的件数。",
                unit="share",
            ),
        },
    )
]
