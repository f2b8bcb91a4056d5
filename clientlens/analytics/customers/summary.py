"""The per-customer BTYD summary as a result table (``customer_summary``)."""

from __future__ import annotations

from collections.abc import Mapping

import ibis.expr.types as ir

from clientlens.analytics.base import Analysis, AnalysisContext
from clientlens.analytics.customers.rfm import rfm_summary


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
            "customer_id": "Customer.",
            "frequency": "Repeat purchase days: days with a purchase, minus the first one.",
            "recency": "Days from the first to the last purchase day (0 for one-time buyers).",
            "T": "Days from the first purchase to the observation end (the customer's age).",
            "monetary_value": "Mean spend of the repeat purchase days (0 for one-time buyers).",
            "n_orders": "Completed orders.",
            "total_amount": "Revenue from the customer's completed orders.",
            "first_purchase": "Time of the first completed order.",
            "last_purchase": "Time of the last completed order.",
        },
    )
]
