"""Customer value, its concentration and profitability (``customer_value``,
``value_concentration``, ``value_summary``).

Revenue is the sum of completed order amounts. Cost comes from ``orders.cost`` when
that column exists, else from ``order_items.quantity × products.cost``; a customer's
margin (revenue − cost) is known only when every one of their orders has a cost, and is
empty otherwise rather than silently understated.

Customers are ranked by revenue, highest first, ties broken by ``customer_id``, so the
ranking, the cumulative shares and the ABC classes are the same on every engine.
A customer is in class A when the customers ranked above them make less than
``a_share`` (0.7) of revenue — the customers who bring the first 70% of revenue,
including the one who crosses the line — in B when they make less than ``b_share``
(0.9), and in C otherwise.

The Gini coefficient is exact: with revenues sorted ascending, x₁ ≤ … ≤ xₙ,
``G = 2 Σ i·xᵢ / (n Σ xᵢ) − (n + 1) / n`` (0 = every customer spends the same,
towards 1 = one customer brings all revenue). Only customers with orders count.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, as_int64, as_table
from clientlens.analytics.common import require_columns
from clientlens.analytics.value.value_summary import value_summary
from clientlens.config import Setting
from clientlens.errors import ConfigError
from clientlens.lazy import ibis, ir

ABC_A_SHARE = Setting("abc_a_share", float, 0.7, "Cumulative revenue share that ends class A.")
ABC_B_SHARE = Setting("abc_b_share", float, 0.9, "Cumulative revenue share that ends class B.")


def _item_costs(orders: ir.Table, order_items: ir.Table, products: ir.Table) -> ir.Table:
    """Orders with a ``_cost`` column from items × product cost (null if any item lacks it)."""
    items = order_items.select("order_id", "product_id", "quantity")
    prod = products.select("product_id", _unit_cost=products.cost.cast("float64"))
    j = items.left_join(prod, "product_id")
    line = j.quantity.cast("float64") * j._unit_cost
    per_order = j.group_by("order_id").agg(_sum=line.sum(), _lines=j.count(), _known=line.count())
    per_order = per_order.select(
        "order_id",
        _cost=ibis.ifelse(
            per_order._lines == per_order._known, per_order._sum, ibis.null("float64")
        ),
    )
    return orders.left_join(per_order, "order_id").drop("order_id_right")


def customer_value(
    orders: Any,
    *,
    order_items: Any = None,
    products: Any = None,
    a_share: float = ABC_A_SHARE.default,
    b_share: float = ABC_B_SHARE.default,
) -> ir.Table:
    """Revenue, cost, margin, rank, cumulative revenue share and ABC class per customer.

    Parameters
    ----------
    orders
        Completed orders with ``order_id``, ``customer_id``, ``amount``; ``cost`` optional.
    order_items, products
        Optional; used for cost (``order_id, product_id, quantity`` and
        ``product_id, cost``) when ``orders`` has no ``cost`` column.
    a_share, b_share
        Cumulative revenue shares that end class A and class B (0 < a < b ≤ 1).

    Returns
    -------
    ibis.Table
        One row per customer with orders: the columns of the ``customer_value`` table.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": ["1", "2", "3", "4"],
    ...     "customer_id": ["a", "b", "b", "c"], "amount": [60.0, 20.0, 10.0, 10.0]})
    >>> v = customer_value(orders).order_by("revenue_rank").to_pandas()
    >>> v[["customer_id", "revenue", "cumulative_revenue_share", "abc_class"]].values.tolist()
    [['a', 60.0, 0.6, 'A'], ['b', 30.0, 0.9, 'A'], ['c', 10.0, 1.0, 'C']]
    """
    if not 0 < a_share < b_share <= 1:
        raise ConfigError(
            f"ABC shares must satisfy 0 < abc_a_share < abc_b_share <= 1; "
            f"got abc_a_share={a_share}, abc_b_share={b_share}."
        )
    t = as_table(orders)
    require_columns(t, ("order_id", "customer_id", "amount"), who="customer_value")
    if "cost" in t.columns:
        t = t.mutate(_cost=t.cost.cast("float64"))
    elif (
        order_items is not None
        and products is not None
        and "cost" in as_table(products).columns
        and "quantity" in as_table(order_items).columns
    ):
        t = _item_costs(t, as_table(order_items), as_table(products))
    else:
        t = t.mutate(_cost=ibis.null("float64"))
    per = t.group_by("customer_id").agg(
        orders=t.count(),
        revenue=t.amount.sum().cast("float64"),
        _cost_sum=t._cost.sum(),
        _cost_known=t._cost.count(),
    )
    cost = ibis.ifelse(per._cost_known == per.orders, per._cost_sum, ibis.null("float64")).cast(
        "float64"
    )
    per = per.mutate(cost=cost, margin=per.revenue - cost)
    order = [per.revenue.desc(), per.customer_id]
    n = per.count().as_scalar()
    total = per.revenue.sum().as_scalar()
    cum = per.revenue.sum().over(ibis.cumulative_window(order_by=order))
    per = per.mutate(
        revenue_rank=as_int64(ibis.row_number().over(order_by=order) + 1),
        revenue_share=per.revenue / total,
        cumulative_revenue_share=cum / total,
        _before=(cum - per.revenue) / total,
        _n=n,
    )
    abc = ibis.cases((per._before < a_share, "A"), (per._before < b_share, "B"), else_="C")
    per = per.mutate(abc_class=abc)
    return per.select(
        "customer_id",
        "orders",
        "revenue",
        "cost",
        "margin",
        margin_rate=(per.margin / per.revenue.nullif(0.0)).cast("float64"),
        revenue_rank="revenue_rank",
        customer_percentile=(per.revenue_rank / per._n).cast("float64"),
        revenue_share="revenue_share",
        cumulative_revenue_share="cumulative_revenue_share",
        abc_class="abc_class",
    )


def value_concentration(value: ir.Table, *, points: int = 100) -> ir.Table:
    """The Pareto (Lorenz-type) curve: top customer share → revenue and margin share.

    Customers ranked by revenue are cut into ``points`` equal steps of customer share;
    each step reports the cumulative shares of its last customer (exactly ``k / points``
    of customers when the count divides, else the next customer up). Fewer customers than
    points give one point per customer. A point 0 (0, 0) starts the curve.

    Parameters
    ----------
    value
        The ``customer_value`` result (``revenue_rank``, ``revenue``, ``margin``, ...).
    points
        Number of steps of the curve.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": ["1", "2", "3", "4"],
    ...     "customer_id": ["a", "b", "b", "c"], "amount": [60.0, 20.0, 10.0, 10.0]})
    >>> c = value_concentration(customer_value(orders), points=2).order_by("point").to_pandas()
    >>> c.point.tolist(), c.customers.tolist(), c.revenue_share.tolist()
    ([0, 1, 2], [0, 1, 3], [0.0, 0.6, 1.0])
    """
    if points < 1:
        raise ConfigError(f"points must be at least 1; got {points}.")
    order = [value.revenue_rank]
    v = value.mutate(
        _n=value.count().as_scalar(),
        _cum_margin=value.margin.sum().over(ibis.cumulative_window(order_by=order)),
    )
    total_margin = ibis.ifelse(
        value.margin.count() == value.count(), value.margin.sum(), ibis.null("float64")
    ).as_scalar()
    v = v.mutate(_point=((v.revenue_rank * points + v._n - 1) / v._n).floor().cast("int64"))
    # the window goes in its own column first: filtering on a window directly does not
    # compile on PySpark
    v = v.mutate(_last_rank=v.revenue_rank.max().over(group_by=v._point))
    last = v.filter(v.revenue_rank == v._last_rank)
    curve = last.select(
        point=last._point,
        customers=last.revenue_rank.cast("int64"),
        customer_share=(last.revenue_rank / last._n).cast("float64"),
        revenue_share=last.cumulative_revenue_share.cast("float64"),
        margin_share=(last._cum_margin / total_margin).cast("float64"),
    )
    origin = value.aggregate(
        point=ibis.literal(0, "int64"),
        customers=ibis.literal(0, "int64"),
        customer_share=ibis.literal(0.0, "float64"),
        revenue_share=ibis.literal(0.0, "float64"),
        margin_share=ibis.ifelse(
            value.margin.count() == value.count(),
            ibis.literal(0.0, "float64"),
            ibis.null("float64"),
        ),
    )
    return ibis.union(origin, curve)


def _value_build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return customer_value(
        inputs["orders"],
        order_items=inputs.get("order_items"),
        products=inputs.get("products"),
        a_share=ctx.setting("abc_a_share"),
        b_share=ctx.setting("abc_b_share"),
    )


def _concentration_build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return value_concentration(inputs["customer_value"])


def _summary_build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return value_summary(
        inputs["customer_value"],
        rfm_scores=inputs.get("rfm_scores"),
        customers=inputs.get("customers"),
    )


ANALYSES = [
    Analysis(
        name="customer_value",
        requires=("orders",),
        optional=("order_items", "products"),
        build=_value_build,
        settings=(ABC_A_SHARE, ABC_B_SHARE),
        description="Per customer with orders: revenue, cost and margin, rank by revenue, "
        "share and cumulative share of revenue, and ABC class.",
        columns={
            "customer_id": Column("string", "Customer.", "客户编号。"),
            "orders": Column("int64", "Completed orders.", "已完成订单数。", unit="count"),
            "revenue": Column(
                "float64",
                "Revenue from the customer's completed orders.",
                "客户已完成订单的销售额。",
                unit="currency",
            ),
            "cost": Column(
                "float64",
                "Cost of those orders (orders.cost, or items × product cost); empty when "
                "any of the customer's orders has no cost.",
                "这些订单的成本（orders.cost，或明细数量 × 商品成本）；客户任一订单缺少成本时为空。",
                unit="currency",
            ),
            "margin": Column(
                "float64",
                "Revenue − cost (gross profit); empty when the cost is unknown.",
                "毛利：销售额 − 成本；成本未知时为空。",
                unit="currency",
            ),
            "margin_rate": Column(
                "float64", "Margin / revenue (0–1).", "毛利率：毛利 / 销售额（0–1）。", unit="share"
            ),
            "revenue_rank": Column(
                "int64",
                "Rank by revenue, 1 = highest (ties by customer id).",
                "按销售额的排名，1 为最高（并列时按客户编号）。",
            ),
            "customer_percentile": Column(
                "float64",
                "Rank / number of customers: the customer is in the top "
                "this fraction of customers (0–1).",
                "排名 / 客户数：该客户位于前这一比例的客户之中（0–1）。",
                unit="share",
            ),
            "revenue_share": Column(
                "float64",
                "The customer's share of all revenue (0–1): contribution.",
                "客户贡献度：该客户占全部销售额的比例（0–1）。",
                unit="share",
            ),
            "cumulative_revenue_share": Column(
                "float64",
                "Share of revenue from this customer and everyone ranked above them (0–1).",
                "该客户及排名在其之前的全部客户的销售额占比（0–1）。",
                unit="share",
            ),
            "abc_class": Column(
                "string",
                "A: the customers who bring the first abc_a_share (70%) of revenue; "
                "B: the next ones up to abc_b_share (90%); C: the rest.",
                "ABC 分类。A：贡献前 abc_a_share（70%）销售额的客户；B：其后直到 abc_b_share"
                "（90%）的客户；C：其余客户。",
            ),
        },
    ),
    Analysis(
        name="value_concentration",
        requires=("customer_value",),
        build=_concentration_build,
        description="Pareto curve of revenue concentration: for the top 1%, 2%, … 100% of "
        "customers by revenue, their share of revenue and of margin.",
        columns={
            "point": Column(
                "int64",
                "Step of the curve, 0–100 (point k is the top k% of customers).",
                "曲线的步点，0–100（第 k 点为前 k% 的客户）。",
            ),
            "customers": Column(
                "int64",
                "Number of top customers at this point.",
                "该点的头部客户数。",
                unit="count",
            ),
            "customer_share": Column(
                "float64",
                "Those customers as a share of all customers (0–1).",
                "这些客户占全部客户的比例（0–1）。",
                unit="share",
            ),
            "revenue_share": Column(
                "float64",
                "Their share of all revenue (0–1).",
                "头部客户贡献占比：他们占全部销售额的比例（0–1）。",
                unit="share",
            ),
            "margin_share": Column(
                "float64",
                "Their share of all margin; empty when cost is unknown.",
                "他们占全部毛利的比例；成本未知时为空。",
                unit="share",
            ),
        },
    ),
    Analysis(
        name="value_summary",
        requires=("customer_value",),
        optional=("rfm_scores", "customers"),
        build=_summary_build,
        description="Revenue concentration and profitability in one table: totals, top "
        "1/5/10/20% shares, Gini, ABC classes, and revenue and margin per RFM segment and "
        "per acquisition channel.",
        columns={
            "section": Column(
                "string",
                "total, top_share, gini, abc, rfm11 (11 RFM segments), rfm8 (8 RFM "
                "segments) or acquisition_channel.",
                "total（合计）、top_share（头部客户占比）、gini（基尼系数）、abc（ABC 分类）、"
                "rfm11（11 个 RFM 分群）、rfm8（8 个 RFM 分群）或 acquisition_channel（获客渠道）。",
            ),
            "group": Column(
                "string",
                "Stable code within the section: all; top_1pct …; revenue; A/B/C; a "
                "segment code; a channel (unknown when missing).",
                "分区内稳定的分组代码：all；top_1pct …；revenue；A/B/C；分群代码；"
                "渠道（缺失时为 unknown）。",
            ),
            "customers": Column(
                "int64", "Customers in the group.", "分组内的客户数。", unit="count"
            ),
            "customer_share": Column(
                "float64",
                "Share of all customers with orders (0–1).",
                "占全部有订单客户的比例（0–1）。",
                unit="share",
            ),
            "revenue": Column(
                "float64", "Revenue of the group.", "分组的销售额。", unit="currency"
            ),
            "revenue_share": Column(
                "float64",
                "Share of all revenue (0–1).",
                "占全部销售额的比例（0–1）。",
                unit="share",
            ),
            "margin": Column(
                "float64",
                "Margin (revenue − cost) of the group; empty when any cost is unknown.",
                "分组的毛利（销售额 − 成本）；任一成本未知时为空。",
                unit="currency",
            ),
            "margin_share": Column(
                "float64", "Share of all margin (0–1).", "占全部毛利的比例（0–1）。", unit="share"
            ),
            "margin_rate": Column(
                "float64",
                "Margin / revenue of the group (0–1).",
                "分组的毛利率：毛利 / 销售额（0–1）。",
                unit="share",
            ),
            "avg_revenue": Column(
                "float64", "Revenue per customer.", "人均销售额。", unit="currency"
            ),
            "avg_margin": Column("float64", "Margin per customer.", "人均毛利。", unit="currency"),
            "value": Column(
                "float64",
                "The section's single figure where it has one: the Gini coefficient "
                "(0 = equal, towards 1 = concentrated).",
                "分区的单一数值（如有）：基尼系数（0 = 完全平均，越接近 1 越集中）。",
                unit="score",
            ),
        },
    ),
]
