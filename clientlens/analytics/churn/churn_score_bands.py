"""Customers and revenue at risk per risk band of the trained churn model (``churn_score_bands``).

``churn_scores`` gives every scored customer a calibrated churn probability, a risk band
(high from ``churn_high_risk_probability``, medium from ``churn_medium_risk_probability``,
else low) and revenue at risk (churn probability × predicted 12-month value). The report
states totals per band; summing rows is analysis work, so it happens here, in the engine,
and the report reads the sums. Every band is present (0 when empty), plus ``all``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, as_table
from clientlens.analytics.churn.churn_model import HIGH_RISK, MEDIUM_RISK
from clientlens.lazy import ibis, ir

BANDS = ("high", "medium", "low")
ALL = "all"


def churn_score_bands(
    scores: Any,
    *,
    high_risk: float = HIGH_RISK.default,
    medium_risk: float = MEDIUM_RISK.default,
) -> ir.Table:
    """Customers, share, revenue at risk and predicted value per churn-model risk band.

    Parameters
    ----------
    scores
        The ``churn_scores`` result (``risk_band, revenue_at_risk, clv_12m``).
    high_risk, medium_risk
        The band edges the scores were cut at (stated beside the figures).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"risk_band": ["high", "high", "low"],
    ...     "revenue_at_risk": [80.0, 70.0, 5.0], "clv_12m": [100.0, 90.0, 50.0]})
    >>> b = churn_score_bands(s).order_by("band_order").to_pandas()
    >>> b[["risk_band", "customers", "revenue_at_risk"]].values.tolist()
    [['high', 2, 150.0], ['medium', 0, 0.0], ['low', 1, 5.0], ['all', 3, 155.0]]
    """
    s = as_table(scores)
    g = s.group_by("risk_band").agg(
        _customers=s.count(),
        _at_risk=s.revenue_at_risk.cast("float64").sum(),
        _clv=s.clv_12m.cast("float64").sum(),
    )
    edges = {
        "high": (high_risk, 1.0),
        "medium": (medium_risk, high_risk),
        "low": (0.0, medium_risk),
    }
    bands = ibis.memtable(
        {
            "risk_band": list(BANDS),
            "band_order": list(range(1, len(BANDS) + 1)),
            "probability_min": [edges[b][0] for b in BANDS],
            "probability_max": [edges[b][1] for b in BANDS],
        },
        schema={
            "risk_band": "string",
            "band_order": "int64",
            "probability_min": "float64",
            "probability_max": "float64",
        },
    )
    per_band = bands.left_join(g, bands.risk_band == g.risk_band).select(
        bands.risk_band,
        bands.band_order,
        bands.probability_min,
        bands.probability_max,
        customers=g._customers.fill_null(0).cast("int64"),
        revenue_at_risk=g._at_risk.fill_null(0.0).cast("float64"),
        clv_12m=g._clv.fill_null(0.0).cast("float64"),
    )
    total = s.aggregate(
        customers=s.count().cast("int64"),
        revenue_at_risk=s.revenue_at_risk.cast("float64").sum().fill_null(0.0),
        clv_12m=s.clv_12m.cast("float64").sum().fill_null(0.0),
    ).select(
        risk_band=ibis.literal(ALL, "string"),
        band_order=ibis.literal(len(BANDS) + 1, "int64"),
        probability_min=ibis.literal(0.0, "float64"),
        probability_max=ibis.literal(1.0, "float64"),
        customers=ibis._.customers,
        revenue_at_risk=ibis._.revenue_at_risk.cast("float64"),
        clv_12m=ibis._.clv_12m.cast("float64"),
    )
    u = ibis.union(per_band, total)
    n = s.count().as_scalar().cast("float64")
    at_risk = s.revenue_at_risk.cast("float64").sum().as_scalar()
    return u.select(
        "risk_band",
        "band_order",
        "probability_min",
        "probability_max",
        "customers",
        customer_share=ibis.ifelse(n > 0, u.customers.cast("float64") / n, ibis.null("float64")),
        revenue_at_risk=u.revenue_at_risk,
        revenue_at_risk_share=ibis.ifelse(
            at_risk > 0, u.revenue_at_risk / at_risk, ibis.null("float64")
        ),
        clv_12m=u.clv_12m,
    )


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return churn_score_bands(
        inputs["churn_scores"],
        high_risk=ctx.setting("churn_high_risk_probability"),
        medium_risk=ctx.setting("churn_medium_risk_probability"),
    )


ANALYSES = [
    Analysis(
        name="churn_score_bands",
        requires=("churn_scores",),
        build=_build,
        settings=(HIGH_RISK, MEDIUM_RISK),
        description="Customers, revenue at risk and predicted 12-month value per risk band "
        "of the trained churn model (churn_scores), and over all scored customers (all).",
        columns={
            "risk_band": Column(
                "string", "high, medium, low, or all (every scored customer).", "风险等级代码"
            ),
            "band_order": Column("int64", "Display order: 1 high … 3 low, 4 all.", "显示顺序"),
            "probability_min": Column(
                "float64",
                "Lowest churn probability in the band (inclusive).",
                "流失概率下限（含）",
                "probability",
            ),
            "probability_max": Column(
                "float64",
                "Churn probability the band ends below (1 for high and all, inclusive).",
                "流失概率上限（不含；高风险与全部为 1，含）",
                "probability",
            ),
            "customers": Column("int64", "Scored customers in the band.", "客户数", "count"),
            "customer_share": Column(
                "float64", "Share of all scored customers.", "占评分客户比例", "share"
            ),
            "revenue_at_risk": Column(
                "float64",
                "Revenue at risk (churn probability × predicted 12-month value), summed.",
                "风险收入合计（流失概率 × 预测 12 个月价值）",
                "currency",
            ),
            "revenue_at_risk_share": Column(
                "float64",
                "Share of all scored customers' revenue at risk.",
                "占全部风险收入比例",
                "share",
            ),
            "clv_12m": Column(
                "float64",
                "Predicted 12-month value of the band's customers, summed.",
                "预测 12 个月价值合计",
                "currency",
            ),
        },
    ),
]
