"""Customer acquisition cost per channel and month (``kpi_cac``).

CAC of a channel in a month = the channel's marketing spend in the month / the new
customers from that channel in the month (customers whose first completed order falls
in the month, attributed by ``customers.acquisition_channel``; a new customer with no
customer record or no channel counts under ``unknown``). The ``all`` row of a month
holds total spend over all new customers, so it matches ``cac`` in ``kpis``.

Spend is null where ``marketing_spend`` has no row for that channel and month (an
organic channel is not given a fake CAC of 0); CAC is null when spend is null or there
are no new customers. Without ``customers`` only the ``all`` rows exist. With the
``clv`` result, ``avg_clv_12m`` is the mean predicted 12-month CLV of those new
customers (as predicted at the observation end) and ``clv_cac_ratio`` = avg_clv_12m / CAC.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, as_table, to_date
from clientlens.analytics.common import dated_until
from clientlens.analytics.kpis.kpis import period_columns
from clientlens.analytics.periods import month_index
from clientlens.lazy import ibis, ir

ALL_CHANNELS = "all"
UNKNOWN_CHANNEL = "unknown"


def kpi_cac(
    orders: Any,
    marketing_spend: Any,
    *,
    observation_end: Any,
    customers: Any = None,
    clv: Any = None,
) -> ir.Table:
    """Spend, new customers, CAC and CLV:CAC per acquisition channel and month.

    Parameters
    ----------
    orders
        Completed orders: ``customer_id``, ``order_date``.
    marketing_spend
        ``date``, ``channel``, ``spend``.
    observation_end
        Last day of data used; later orders and spend are left out.
    customers
        Optional ``customer_id``, ``acquisition_channel``: adds one row per channel.
    clv
        Optional ``clv`` result (``customer_id``, ``clv_12m``): fills ``avg_clv_12m``
        and ``clv_cac_ratio``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "b"],
    ...     "order_date": pd.to_datetime(["2024-01-03", "2024-01-10"])})
    >>> spend = pd.DataFrame({"date": pd.to_datetime(["2024-01-01"]).date,
    ...     "channel": ["search"], "spend": [100.0]})
    >>> c = kpi_cac(orders, spend, observation_end="2024-01-31").to_pandas()
    >>> c[["channel", "spend", "new_customers", "cac"]].values.tolist()
    [['all', 100.0, 2, 50.0]]
    """
    end = to_date(observation_end)
    o = dated_until(as_table(orders), "order_date", end)
    firsts = o.group_by("customer_id").agg(_first=o.order_date.min())
    firsts = firsts.select("customer_id", _m=month_index(firsts._first))
    s = dated_until(as_table(marketing_spend), "date", end)
    s = s.mutate(_m=month_index(s.date))

    if clv is not None:
        clv_t = as_table(clv)
        values = clv_t.select("customer_id", _clv=clv_t.clv_12m.cast("float64"))
        firsts = firsts.left_join(values, "customer_id").select(firsts, values._clv)
    else:
        firsts = firsts.mutate(_clv=ibis.null("float64"))

    spend_all = s.group_by("_m").agg(_spend=s.spend.sum().cast("float64"))
    rows = [_combine(firsts, spend_all, ["_m"]).mutate(_channel=ibis.literal(ALL_CHANNELS))]
    people = as_table(customers) if customers is not None else None
    if people is not None and "acquisition_channel" in people.columns:
        c = people.select("customer_id", _channel="acquisition_channel")
        attributed = firsts.left_join(c, "customer_id").select(firsts, c._channel)
        attributed = attributed.mutate(_channel=attributed._channel.fill_null(UNKNOWN_CHANNEL))
        s_ch = s.mutate(_channel=s.channel.fill_null(UNKNOWN_CHANNEL))
        spend_ch = s_ch.group_by(["_m", "_channel"]).agg(_spend=s_ch.spend.sum().cast("float64"))
        rows.append(_combine(attributed, spend_ch, ["_m", "_channel"]))
    order = ["_m", "_channel", "_new", "_spend", "_mean_clv"]
    rows = [r.select(order) for r in rows]
    result = ibis.union(*rows) if len(rows) > 1 else rows[0]
    cac = result._spend / result._new.nullif(0).cast("float64")
    return result.select(
        **period_columns(result, end),
        channel=result._channel,
        spend=result._spend,
        new_customers=result._new,
        cac=cac,
        avg_clv_12m=result._mean_clv,
        clv_cac_ratio=result._mean_clv / cac.nullif(0.0),
    )


def _combine(firsts: ir.Table, spend: ir.Table, keys: list[str]) -> ir.Table:
    """New customers (and their mean CLV) full-outer-joined with spend on ``keys``."""
    new = firsts.group_by(keys).agg(_new=firsts.count(), _mean_clv=firsts._clv.mean())
    joined = new.outer_join(spend, keys)
    return joined.select(
        **{k: ibis.coalesce(joined[k], joined[k + "_right"]) for k in keys},
        _new=joined._new.fill_null(0),
        _spend=joined._spend,
        _mean_clv=joined._mean_clv,
    )


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return kpi_cac(
        inputs["orders"],
        inputs["marketing_spend"],
        observation_end=ctx.observation_end,
        customers=inputs.get("customers"),
        clv=inputs.get("clv"),
    )


ANALYSES = [
    Analysis(
        name="kpi_cac",
        requires=("orders", "marketing_spend"),
        optional=("customers", "clv"),
        build=_build,
        description="Customer acquisition cost per acquisition channel and month (and "
        "for all channels), with the predicted CLV:CAC of the new customers.",
        columns={
            "period": Column("date", "First day of the month.", "月份的第一天。"),
            "period_label": Column("string", "The month as YYYY-MM.", "月份，格式 YYYY-MM。"),
            "is_complete": Column(
                "boolean",
                "Whether the whole month lies on or before the observation end.",
                "整个月是否都在观察截止日或之前。",
            ),
            "channel": Column(
                "string",
                "Acquisition channel (customers.acquisition_channel, 'unknown' when "
                "missing), or 'all' for every channel together.",
                "获客渠道（customers.acquisition_channel，缺失时为 'unknown'），或 'all' 表示"
                "全部渠道合计。",
            ),
            "spend": Column(
                "float64",
                "Marketing spend of the channel in the month; null where none is recorded.",
                "该渠道当月的营销投放费用；没有记录时为空。",
                unit="currency",
            ),
            "new_customers": Column(
                "int64",
                "Customers from the channel whose first completed order is in the month.",
                "来自该渠道、首个已完成订单在当月的客户数（新客户数）。",
                unit="count",
            ),
            "cac": Column(
                "float64",
                "Customer acquisition cost: spend / new customers; null without spend or "
                "new customers.",
                "获客成本（CAC）：投放费用 / 新客户数；没有投放费用或没有新客户时为空。",
                unit="currency",
            ),
            "avg_clv_12m": Column(
                "float64",
                "Mean predicted 12-month CLV of those new customers (needs the clv "
                "result; null otherwise).",
                "这些新客户的平均预测 12 个月 CLV（需要 clv 结果，否则为空）。",
                unit="currency",
            ),
            "clv_cac_ratio": Column(
                "float64",
                "avg_clv_12m / cac: value gained per unit of acquisition cost.",
                "客户价值与获客成本比：avg_clv_12m / cac，每单位获客成本带来的价值。",
                unit="ratio",
            ),
        },
    )
]
