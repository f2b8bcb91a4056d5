"""How predicted value is spread over the customers: CLV deciles (``clv_deciles``) and the
high / medium / low CLV segments summed (``clv_segment_summary``).

Deciles rank customers by ``clv_12m``, highest first: decile = 1 + floor(10 ×
percent rank), the last decile capped at 10, so decile 1 is the top 10% and tied
values share a decile. Segments are those of the ``clv`` result (top 20% high, next
30% medium, the rest low).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, as_table
from clientlens.analytics.common import ratio
from clientlens.lazy import ibis, ir

DECILES = 10
SEGMENT_ORDER = ("high", "medium", "low")


def clv_deciles(clv: Any) -> ir.Table:
    """Customers and summed ``clv_12m`` per decile of predicted value (1 = top 10%).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": list("abcdefghij"), "clv_12m": [10.0] + [1.0] * 9})
    >>> r = clv_deciles(c).order_by("decile").to_pandas()
    >>> r[["decile", "customers"]].values.tolist()
    [[1, 1], [2, 9]]
    """
    t = as_table(clv)
    rank = ibis.percent_rank().over(order_by=ibis.desc(t.clv_12m))
    t = t.mutate(decile=(rank * DECILES).floor().clip(upper=DECILES - 1).cast("int64") + 1)
    g = t.group_by("decile").agg(customers=t.count().cast("int64"), clv_12m=t.clv_12m.sum())
    total = g.clv_12m.sum().over()
    return g.mutate(
        clv_12m=g.clv_12m.cast("float64"),
        clv_share=ibis.ifelse(total != 0, g.clv_12m / total, ibis.null("float64")).cast("float64"),
    )


def clv_segment_summary(clv: Any) -> ir.Table:
    """Customers and summed ``clv_12m`` per CLV segment, every segment present."""
    t = as_table(clv)
    g = t.group_by("clv_segment").agg(_customers=t.count(), _clv=t.clv_12m.sum())
    segments = ibis.memtable(
        {"clv_segment": list(SEGMENT_ORDER), "segment_order": list(range(1, 4))},
        schema={"clv_segment": "string", "segment_order": "int64"},
    )
    j = segments.left_join(g, segments.clv_segment == g.clv_segment).select(
        segments.clv_segment,
        segments.segment_order,
        customers=g._customers.fill_null(0).cast("int64"),
        clv_12m=g._clv.fill_null(0.0).cast("float64"),
    )
    customers = j.customers.sum().over().cast("float64")
    total = j.clv_12m.sum().over()
    return j.mutate(
        customer_share=ratio(j.customers, customers),
        clv_share=ratio(j.clv_12m, total),
    )


def _build_deciles(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return clv_deciles(inputs["clv"])


def _build_segments(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return clv_segment_summary(inputs["clv"])


ANALYSES = [
    Analysis(
        name="clv_deciles",
        requires=("clv",),
        build=_build_deciles,
        description="Predicted 12-month CLV by customer decile (decile 1 = the top 10% by "
        "clv_12m): how concentrated future value is.",
        columns={
            "decile": Column(
                "int64",
                "Decile of clv_12m, 1 (top 10%) … 10; tied values share a decile.",
                "CLV 十分位（1 = 前 10%）",
            ),
            "customers": Column("int64", "Customers in the decile.", "客户数", "count"),
            "clv_12m": Column(
                "float64",
                "Their predicted 12-month CLV, summed.",
                "预测 12 个月 CLV 合计",
                "currency",
            ),
            "clv_share": Column(
                "float64", "clv_12m / all customers' clv_12m.", "占全部预测 CLV 的比例", "share"
            ),
        },
    ),
    Analysis(
        name="clv_segment_summary",
        requires=("clv",),
        build=_build_segments,
        description="Customers and predicted 12-month CLV per CLV segment (high: top 20%, "
        "medium: next 30%, low: the rest).",
        columns={
            "clv_segment": Column(
                "string", "CLV segment code: high, medium or low.", "CLV 分层代码"
            ),
            "segment_order": Column("int64", "Display order (1 = high).", "显示顺序"),
            "customers": Column(
                "int64", "Customers in the segment (0 when none).", "客户数", "count"
            ),
            "clv_12m": Column(
                "float64",
                "Their predicted 12-month CLV, summed.",
                "预测 12 个月 CLV 合计",
                "currency",
            ),
            "customer_share": Column("float64", "Share of all customers.", "客户占比", "share"),
            "clv_share": Column(
                "float64",
                "clv_12m / all customers' clv_12m (empty when that is 0).",
                "占全部预测 CLV 的比例",
                "share",
            ),
        },
    ),
]
