"""Churn risk from the purchase model's probability alive (``churn_risk``, ``churn_risk_bands``).

Definitions (GLOSSARY): churn probability = 1 − p_alive; revenue at risk = churn
probability × predicted 12-month value (``clv_12m``). Risk bands by p_alive: **high**
below ``churn_high_risk_p_alive`` (0.3), **medium** below ``churn_low_risk_p_alive``
(0.7), **low** from there. ``p_alive`` and ``clv_12m`` come from the ``clv`` result, so
the model is the one chosen on the holdout (see ``clv_models``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, as_table
from clientlens.config import Setting
from clientlens.errors import ConfigError
from clientlens.lazy import ibis, ir

HIGH_RISK_P_ALIVE_SETTING = Setting(
    "churn_high_risk_p_alive",
    float,
    0.3,
    "Churn risk: customers with a probability alive below this are at high risk.",
)
LOW_RISK_P_ALIVE_SETTING = Setting(
    "churn_low_risk_p_alive",
    float,
    0.7,
    "Churn risk: customers with a probability alive from this on are at low risk "
    "(between the two: medium).",
)
HIGH_RISK_P_ALIVE: float = HIGH_RISK_P_ALIVE_SETTING.default
LOW_RISK_P_ALIVE: float = LOW_RISK_P_ALIVE_SETTING.default
BANDS = ("high", "medium", "low")
ALL = "all"


def _check(high: float, low: float) -> None:
    if not 0 <= high <= low <= 1:
        raise ConfigError(
            "Churn risk bands need 0 <= churn_high_risk_p_alive <= churn_low_risk_p_alive "
            f"<= 1; got churn_high_risk_p_alive={high}, churn_low_risk_p_alive={low}."
        )


def churn_risk(
    clv: Any,
    *,
    high_risk_p_alive: float = HIGH_RISK_P_ALIVE,
    low_risk_p_alive: float = LOW_RISK_P_ALIVE,
) -> ir.Table:
    """Per customer: churn probability, revenue at risk and risk band.

    Parameters
    ----------
    clv
        The ``clv`` result (``customer_id, p_alive, clv_12m``).
    high_risk_p_alive, low_risk_p_alive
        Band edges: high below the first, low from the second.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": ["a", "b", "c"], "p_alive": [0.25, 0.5, 0.75],
    ...     "clv_12m": [100.0, 100.0, 100.0]})
    >>> r = churn_risk(c).order_by("customer_id").to_pandas()
    >>> r[["risk_band", "revenue_at_risk"]].values.tolist()
    [['high', 75.0], ['medium', 50.0], ['low', 25.0]]
    """
    _check(high_risk_p_alive, low_risk_p_alive)
    t = as_table(clv)
    p_alive = t.p_alive.cast("float64")
    churn = (1 - p_alive).name("churn_probability")
    band = ibis.cases(
        (p_alive < high_risk_p_alive, "high"),
        (p_alive < low_risk_p_alive, "medium"),
        else_="low",
    )
    return t.select(
        "customer_id",
        p_alive=p_alive,
        churn_probability=churn,
        clv_12m=t.clv_12m.cast("float64"),
        revenue_at_risk=churn * t.clv_12m.cast("float64"),
        risk_band=band,
    )


def churn_risk_bands(
    risk: Any,
    clv: Any,
    *,
    high_risk_p_alive: float = HIGH_RISK_P_ALIVE,
    low_risk_p_alive: float = LOW_RISK_P_ALIVE,
) -> ir.Table:
    """Customers, revenue at risk and predicted value per risk band, and over all (``all``).

    Every band is present (0 when empty); ``model`` names the purchase model behind
    ``p_alive`` (``clv.model``).
    """
    _check(high_risk_p_alive, low_risk_p_alive)
    r, c = as_table(risk), as_table(clv)
    g = r.group_by("risk_band").agg(
        _customers=r.count(), _at_risk=r.revenue_at_risk.sum(), _clv=r.clv_12m.sum()
    )
    edges = {
        "high": (0.0, high_risk_p_alive),
        "medium": (high_risk_p_alive, low_risk_p_alive),
        "low": (low_risk_p_alive, 1.0),
    }
    bands = ibis.memtable(
        {
            "risk_band": list(BANDS),
            "band_order": list(range(1, len(BANDS) + 1)),
            "p_alive_min": [edges[b][0] for b in BANDS],
            "p_alive_max": [edges[b][1] for b in BANDS],
        },
        schema={
            "risk_band": "string",
            "band_order": "int64",
            "p_alive_min": "float64",
            "p_alive_max": "float64",
        },
    )
    per_band = bands.left_join(g, bands.risk_band == g.risk_band).select(
        bands.risk_band,
        bands.band_order,
        bands.p_alive_min,
        bands.p_alive_max,
        customers=g._customers.fill_null(0).cast("int64"),
        revenue_at_risk=g._at_risk.fill_null(0.0).cast("float64"),
        clv_12m=g._clv.fill_null(0.0).cast("float64"),
    )
    total = r.aggregate(
        customers=r.count().cast("int64"),
        revenue_at_risk=r.revenue_at_risk.sum().fill_null(0.0).cast("float64"),
        clv_12m=r.clv_12m.sum().fill_null(0.0).cast("float64"),
    ).select(
        risk_band=ibis.literal(ALL, "string"),
        band_order=ibis.literal(len(BANDS) + 1, "int64"),
        p_alive_min=ibis.literal(0.0, "float64"),
        p_alive_max=ibis.literal(1.0, "float64"),
        customers=ibis._.customers,
        revenue_at_risk=ibis._.revenue_at_risk,
        clv_12m=ibis._.clv_12m,
    )
    u = ibis.union(per_band, total)
    all_customers = r.count().as_scalar().cast("float64")
    return u.select(
        "risk_band",
        "band_order",
        "p_alive_min",
        "p_alive_max",
        "customers",
        customer_share=ibis.ifelse(
            all_customers > 0, u.customers.cast("float64") / all_customers, ibis.null("float64")
        ),
        revenue_at_risk=u.revenue_at_risk,
        clv_12m=u.clv_12m,
        model=c.model.max().as_scalar().cast("string"),
    )


def _edges(ctx: AnalysisContext) -> dict[str, float]:
    return {
        "high_risk_p_alive": ctx.setting("churn_high_risk_p_alive"),
        "low_risk_p_alive": ctx.setting("churn_low_risk_p_alive"),
    }


def _build_risk(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return churn_risk(inputs["clv"], **_edges(ctx))


def _build_bands(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return churn_risk_bands(inputs["churn_risk"], inputs["clv"], **_edges(ctx))


_BAND_RULE = (
    "high below churn_high_risk_p_alive (default 0.3), medium below churn_low_risk_p_alive "
    "(0.7), low from there"
)

ANALYSES = [
    Analysis(
        name="churn_risk",
        requires=("clv",),
        build=_build_risk,
        settings=(HIGH_RISK_P_ALIVE_SETTING, LOW_RISK_P_ALIVE_SETTING),
        description="Per customer: churn probability (1 − p_alive of the chosen purchase "
        "model), revenue at risk (churn probability × predicted 12-month value) and the risk "
        f"band ({_BAND_RULE}).",
        columns={
            "customer_id": Column("string", "Customer.", "客户"),
            "p_alive": Column(
                "float64",
                "Probability the customer is still active (from clv).",
                "存活概率",
                "probability",
            ),
            "churn_probability": Column("float64", "1 − p_alive.", "流失概率", "probability"),
            "clv_12m": Column(
                "float64", "Predicted 12-month value (from clv).", "预测 12 个月价值", "currency"
            ),
            "revenue_at_risk": Column(
                "float64", "churn_probability × clv_12m (风险收入).", "风险收入", "currency"
            ),
            "risk_band": Column(
                "string", f"Risk band code: {_BAND_RULE}.", "流失风险等级代码（high/medium/low）"
            ),
        },
    ),
    Analysis(
        name="churn_risk_bands",
        requires=("churn_risk", "clv"),
        build=_build_bands,
        settings=(HIGH_RISK_P_ALIVE_SETTING, LOW_RISK_P_ALIVE_SETTING),
        description="Customers, revenue at risk and predicted 12-month value per churn-risk "
        "band, and over all customers (band all), with the band edges and the model used.",
        columns={
            "risk_band": Column(
                "string", "high, medium, low, or all (every customer).", "风险等级代码"
            ),
            "band_order": Column("int64", "Display order: 1 high … 3 low, 4 all.", "显示顺序"),
            "p_alive_min": Column(
                "float64",
                "Lowest p_alive in the band (inclusive).",
                "存活概率下限（含）",
                "probability",
            ),
            "p_alive_max": Column(
                "float64",
                "p_alive the band ends below (1 for low and all, inclusive).",
                "存活概率上限（不含）",
                "probability",
            ),
            "customers": Column("int64", "Customers in the band (0 when none).", "客户数", "count"),
            "customer_share": Column("float64", "Share of all customers.", "客户占比", "share"),
            "revenue_at_risk": Column(
                "float64",
                "Revenue at risk of the band's customers, summed.",
                "风险收入合计",
                "currency",
            ),
            "clv_12m": Column(
                "float64",
                "Predicted 12-month value of the band's customers, summed.",
                "预测 12 个月价值合计",
                "currency",
            ),
            "model": Column(
                "string", "Purchase model behind p_alive (clv.model).", "存活概率所用模型"
            ),
        },
    ),
]
