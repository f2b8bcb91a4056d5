"""The per-customer BTYD summary as a result table (``customer_summary``)."""

from __future__ import annotations

from collections.abc import Mapping

from clientlens.analytics.base import Analysis, AnalysisContext, Column
from clientlens.analytics.customers.rfm import rfm_summary
from clientlens.lazy import ir


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return rfm_summary(inputs["orders"], observation_end=ctx.observation_end, freq="D")


ANALYSES = [
    Analysis(
        name="customer_summary",
        requires=("orders",),
        build=_build,
        description="Per customer: repeat purchase days, recency and age in days, mean "
        "repeat spend, orders and revenue (the CLV models' input).",
        columns={
            "customer_id": Column("string", "Customer.", "客户编号。"),
            "frequency": Column(
                "float64",
                "Repeat purchase days: days with a purchase, minus the first one.",
                "重复购买天数：有购买的天数减去首个购买日。",
                unit="count",
            ),
            "recency": Column(
                "float64",
                "Days from the first to the last purchase day (0 for one-time buyers).",
                "首个到最后一个购买日的天数（只购买过一次的客户为 0）。",
                unit="days",
            ),
            "T": Column(
                "float64",
                "Days from the first purchase to the observation end (the customer's age).",
                "首次购买到观察截止日的天数（客户的“年龄”）。",
                unit="days",
            ),
            "monetary_value": Column(
                "float64",
                "Mean spend of the repeat purchase days (0 for one-time buyers).",
                "重复购买日的平均消费金额（只购买过一次的客户为 0）。",
                unit="currency",
            ),
            "n_orders": Column("int64", "Completed orders.", "已完成订单数。", unit="count"),
            "total_amount": Column(
                "float64",
                "Revenue from the customer's completed orders.",
                "客户已完成订单的销售额。",
                unit="currency",
            ),
            "first_purchase": Column(
                "timestamp", "Time of the first completed order.", "首个已完成订单的时间。"
            ),
            "last_purchase": Column(
                "timestamp", "Time of the last completed order.", "最后一个已完成订单的时间。"
            ),
        },
    )
]
