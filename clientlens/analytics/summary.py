"""The per-customer BTYD summary as a result table (``customer_summary``)."""

from __future__ import annotations

from collections.abc import Mapping

import ibis.expr.types as ir

from clientlens.analytics.base import Analysis, AnalysisContext
from clientlens.analytics.rfm import rfm_summary


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return rfm_summary(inputs["orders"], observation_end=ctx.observation_end, freq="D")


ANALYSES = [
    Analysis(
        name="customer_summary",
        requires=("orders",),
        build=_build,
        description="Per customer: repeat purchase days, recency and age in days, mean "
        "repeat spend, orders and revenue (the CLV models' input).",
    )
]
