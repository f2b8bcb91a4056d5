"""RFM scores and segments (``rfm_scores``, ``rfm_segments``).

R, F and M here are the RFM-scoring ones of the glossary, not the BTYD summary of
:mod:`clientlens.analytics.customers.rfm`:

* ``recency_days``: days from the customer's last completed order to ``observation_end``;
* ``frequency``: completed orders (setting ``rfm_frequency = "days"``: distinct purchase days);
* ``monetary``: total spend (setting ``rfm_monetary = "mean"``: mean spend per order).

**Scores.** With ``bins`` scores (5 by default) a customer's score is::

    score = 1 + floor(bins * worse / n)

where ``n`` is the number of customers scored and ``worse`` the number of them whose
value is strictly worse (a larger ``recency_days``; a smaller ``frequency`` or
``monetary``). The worst value always scores 1, equal values always get equal scores,
and the result depends on nothing but the values, so every engine gives the same
scores. Heavy ties (most customers buy once) leave some scores unused rather than
splitting equal customers arbitrarily.

**11 segments** (``segment``): the R score and the FM score (mean of the F and M scores,
rounded half up) are brought to levels 1..5 (``1 + round_half_up((score - 1) * 4 /
(bins - 1))``, the identity for 5 bins) and looked up in the grid of
:data:`clientlens.analytics.segments.segments_catalog.RFM11_GRID`::

    R\\FM  1               2                   3                   4          5
    5     new             potential_loyalist  potential_loyalist  champions  champions
    4     promising       potential_loyalist  potential_loyalist  loyal      champions
    3     about_to_sleep  about_to_sleep      need_attention      loyal      loyal
    2     hibernating     hibernating         at_risk             at_risk    cant_lose
    1     lost            lost                at_risk             at_risk    cant_lose

**8 segments** (``segment8``): R is "high" when ``recency_days`` is below the mean (or
median, setting ``rfm_threshold``) of all scored customers, F and M are "high" when above
it; the median is the exact middle value (mean of the two middle values for even counts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, as_table, to_date
from clientlens.analytics.common import (
    ORDER_COLUMNS,
    dated_until,
    last_date,
    median_value,
    require_columns,
)
from clientlens.analytics.periods import python_epoch_days
from clientlens.analytics.segments.segments_catalog import (
    RFM8_RULES,
    RFM11_GRID,
    SCHEMES,
    rfm11_rules_text,
)
from clientlens.config import Setting
from clientlens.errors import ConfigError
from clientlens.lazy import ibis, ir, pd

FREQUENCY_KINDS = ("orders", "days")
MONETARY_KINDS = ("total", "mean")
THRESHOLDS = ("mean", "median")

RFM_BINS = Setting("rfm_bins", int, 5, "Number of quantile scores for R, F and M.")
RFM_THRESHOLD = Setting(
    "rfm_threshold", str, "mean", "High/low cut of the 8-segment RFM scheme.", THRESHOLDS
)
RFM_FREQUENCY = Setting(
    "rfm_frequency",
    str,
    "orders",
    "RFM frequency counts orders or purchase days.",
    FREQUENCY_KINDS,
)
RFM_MONETARY = Setting(
    "rfm_monetary",
    str,
    "total",
    "RFM monetary is total or mean spend per customer.",
    MONETARY_KINDS,
)


def _score(worse: ir.IntegerValue, n: ir.IntegerValue, bins: int) -> ir.IntegerValue:
    return ((worse * bins) / n).floor().cast("int64") + 1


def _level(score: ir.IntegerValue, bins: int) -> ir.IntegerValue:
    """Score 1..bins to level 1..5 of the 11-segment grid."""
    if bins == 5:
        return score
    # Spread evenly so that the worst score is level 1 and the best level 5.
    return (((score - 1) * 4) / (bins - 1) + 0.5).floor().cast("int64") + 1


def rfm_scores(
    orders: Any,
    *,
    observation_end: Any = None,
    bins: int = RFM_BINS.default,
    frequency: str = RFM_FREQUENCY.default,
    monetary: str = RFM_MONETARY.default,
    threshold: str = RFM_THRESHOLD.default,
) -> ir.Table:
    """Score every customer with orders on R, F and M and place them in both segment schemes.

    Parameters
    ----------
    orders
        Ibis table or data frame of completed orders with ``customer_id``,
        ``order_date`` (date or timestamp) and ``amount``.
    observation_end
        Date recency is measured to (date or ISO string). Default: the last order date.
    bins
        Number of scores (at least 2).
    frequency
        ``"orders"`` or ``"days"`` (distinct purchase days).
    monetary
        ``"total"`` spend or ``"mean"`` spend per order.
    threshold
        ``"mean"`` or ``"median"``: the high/low cut of the 8-segment scheme.

    Returns
    -------
    ibis.Table
        One row per customer: the columns of the ``rfm_scores`` result table.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "c"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-20", "2024-01-10", "2024-01-30"]),
    ...     "amount": [10.0, 30.0, 5.0, 20.0]})
    >>> s = rfm_scores(orders, observation_end="2024-01-31").order_by("customer_id").to_pandas()
    >>> s[["customer_id", "recency_days", "frequency", "r_score", "f_score", "m_score"]].values.tolist()
    [['a', 11, 2, 2, 4, 4], ['b', 21, 1, 1, 1, 1], ['c', 1, 1, 4, 1, 2]]
    """
    if bins < 2:
        raise ConfigError(f"rfm_bins must be at least 2; got {bins}.")
    for name, value, allowed in (
        ("rfm_frequency", frequency, FREQUENCY_KINDS),
        ("rfm_monetary", monetary, MONETARY_KINDS),
        ("rfm_threshold", threshold, THRESHOLDS),
    ):
        if value not in allowed:
            raise ConfigError(f"{name} must be one of {', '.join(allowed)}; got {value!r}.")
    t = as_table(orders)
    require_columns(t, ORDER_COLUMNS, who="rfm_scores")
    t = dated_until(t, "order_date", last_date(t, observation_end))
    day = t.order_date.cast("date")
    metrics: dict[str, Any] = {
        "orders": t.count(),
        "revenue": t.amount.sum().cast("float64"),
        "_last_day": day.epoch_days().max(),
    }
    if frequency == "days":  # a distinct count costs about three plain aggregates
        metrics["purchase_days"] = day.epoch_days().nunique()
    per = t.group_by("customer_id").agg(**metrics)
    end_days = (
        per._last_day.max().as_scalar()
        if observation_end is None
        else python_epoch_days(to_date(observation_end))
    )
    freq = per.orders if frequency == "orders" else per.purchase_days
    mon = per.revenue if monetary == "total" else per.revenue / per.orders
    per = per.mutate(
        recency_days=(end_days - per._last_day).cast("int64"),
        frequency=freq.cast("int64"),
        monetary=mon.cast("float64"),
    )
    # Scalars of the plain per-customer table (DuckDB materialises it once); whole-table
    # windows measured slower at 1M customers.
    n = per.count().as_scalar()
    raw = ("recency_days", "frequency", "monetary")
    if threshold == "mean":
        cuts: dict[str, Any] = {c: per[c].mean().as_scalar() for c in raw}
    else:
        cuts = {c: median_value(per, c) for c in raw}
    per = per.mutate(
        r_score=_score(ibis.rank().over(order_by=[per.recency_days.desc()]), n, bins),
        f_score=_score(ibis.rank().over(order_by=[per.frequency]), n, bins),
        m_score=_score(ibis.rank().over(order_by=[per.monetary]), n, bins),
    )
    per = per.mutate(fm_score=((per.f_score + per.m_score + 1) / 2).floor().cast("int64"))
    cell = _level(per.r_score, bins) * 10 + _level(per.fm_score, bins)
    per = per.mutate(
        segment=cell.cases(
            *[
                ((r * 10 + fm + 1), code)
                for r, row in RFM11_GRID.items()
                for fm, code in enumerate(row)
            ]
        )
    )

    per = per.mutate(
        r_high=per.recency_days < cuts["recency_days"],
        f_high=per.frequency > cuts["frequency"],
        m_high=per.monetary > cuts["monetary"],
    )
    per = per.mutate(
        segment8=ibis.cases(
            *[
                ((per.r_high == r) & (per.f_high == f) & (per.m_high == m), code)
                for (r, f, m), code in RFM8_RULES.items()
            ]
        )
    )
    return per.select(
        "customer_id",
        "recency_days",
        "frequency",
        "monetary",
        "orders",
        "revenue",
        "r_score",
        "f_score",
        "m_score",
        "fm_score",
        "segment",
        "r_high",
        "f_high",
        "m_high",
        "segment8",
    )


def catalog_frame() -> pd.DataFrame:
    """Every segment of both schemes with its display order (names and actions: the catalog)."""
    rows = [
        {"scheme": scheme, "segment": s.code, "display_order": i + 1}
        for scheme, segments in SCHEMES.items()
        for i, s in enumerate(segments)
    ]
    return pd.DataFrame(rows)


def rfm_segment_summary(scores: ir.Table, clv: ir.Table | None = None) -> ir.Table:
    """Size and value of every segment of both schemes (names and actions: the text catalog).

    Parameters
    ----------
    scores
        The ``rfm_scores`` result (or :func:`rfm_scores` output).
    clv
        Optional ``clv`` result with ``customer_id`` and ``clv_12m``; without it
        ``avg_clv_12m`` is null.

    Returns
    -------
    ibis.Table
        One row per (scheme, segment), empty segments included with 0 customers.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "b"], "order_date":
    ...     pd.to_datetime(["2024-01-01", "2024-01-30"]), "amount": [10.0, 30.0]})
    >>> s = rfm_segment_summary(rfm_scores(orders)).to_pandas()
    >>> s[s.customers > 0][["scheme", "segment", "customers", "revenue_share"]].values.tolist()
    [['rfm11', 'about_to_sleep', 1, 0.75], ['rfm11', 'lost', 1, 0.25], ['rfm8', 'important_develop', 1, 0.75], ['rfm8', 'general_winback', 1, 0.25]]
    """
    s = scores
    if clv is not None:
        c = clv.select("customer_id", _clv=clv.clv_12m.cast("float64"))
        s = s.left_join(c, "customer_id").drop("customer_id_right")
    else:
        s = s.mutate(_clv=ibis.null("float64"))
    total_customers = scores.count().as_scalar()
    total_revenue = scores.revenue.sum().as_scalar()
    parts = []
    for scheme, col in (("rfm11", "segment"), ("rfm8", "segment8")):
        g = s.group_by(_seg=s[col]).agg(
            customers=s.count(),
            revenue=s.revenue.sum(),
            avg_recency_days=s.recency_days.mean(),
            avg_frequency=s.frequency.mean(),
            avg_monetary=s.monetary.mean(),
            avg_clv_12m=s._clv.mean(),
        )
        parts.append(g.mutate(_scheme=ibis.literal(scheme)))
    stats = ibis.union(*parts)
    cat = ibis.memtable(catalog_frame())
    j = cat.left_join(stats, [cat.scheme == stats._scheme, cat.segment == stats._seg])
    customers = j.customers.fill_null(0).cast("int64")
    revenue = j.revenue.fill_null(0.0).cast("float64")
    out = j.select(
        "scheme",
        "segment",
        "display_order",
        customers=customers,
        customer_share=(customers / total_customers).cast("float64"),
        revenue=revenue,
        revenue_share=(revenue / total_revenue).cast("float64"),
        avg_recency_days=j.avg_recency_days.cast("float64"),
        avg_frequency=j.avg_frequency.cast("float64"),
        avg_monetary=j.avg_monetary.cast("float64"),
        avg_historical_clv=(revenue / customers.nullif(0)).cast("float64"),
        avg_clv_12m=j.avg_clv_12m.cast("float64"),
    )
    return out.order_by(["scheme", "display_order"])


def _scores_build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return rfm_scores(
        inputs["orders"],
        observation_end=ctx.observation_end,
        bins=ctx.setting("rfm_bins"),
        frequency=ctx.setting("rfm_frequency"),
        monetary=ctx.setting("rfm_monetary"),
        threshold=ctx.setting("rfm_threshold"),
    )


def _segments_build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return rfm_segment_summary(inputs["rfm_scores"], inputs.get("clv"))


ANALYSES = [
    Analysis(
        name="rfm_scores",
        subset="members",
        requires=("orders",),
        build=_scores_build,
        # Orders on one day only: every recency is 0 and the R scores would split ties.
        min_history_days=1,
        settings=(RFM_BINS, RFM_FREQUENCY, RFM_MONETARY, RFM_THRESHOLD),
        description="Per customer with orders: recency, frequency and monetary value, their "
        "1–5 quantile scores, and the customer's segment in the 11-segment (Champions … Lost) "
        "and the 8-segment (重要价值 … 一般挽留客户) schemes.",
        columns={
            "customer_id": Column("string", "Customer.", "客户编号。"),
            "recency_days": Column(
                "int64",
                "Days from the customer's last completed order to the observation end.",
                "最近一次消费（R）：客户最后一个已完成订单到观察截止日的天数。",
                unit="days",
            ),
            "frequency": Column(
                "int64",
                "Completed orders (or purchase days, setting rfm_frequency).",
                "消费频率（F）：已完成订单数（或购买天数，设置 rfm_frequency）。",
                unit="count",
            ),
            "monetary": Column(
                "float64",
                "Total spend (or mean spend per order, setting rfm_monetary).",
                "消费金额（M）：总消费（或每单平均消费，设置 rfm_monetary）。",
                unit="currency",
            ),
            "orders": Column("int64", "Completed orders.", "已完成订单数。", unit="count"),
            "revenue": Column(
                "float64",
                "Revenue from the customer's completed orders (historical CLV).",
                "客户已完成订单的销售额（历史 CLV）。",
                unit="currency",
            ),
            "r_score": Column(
                "int64",
                "Recency score, 1 (longest ago) to rfm_bins (most recent): 1 + "
                "floor(bins × share of customers whose last order was strictly longer ago).",
                "R 评分，1（最久以前）到 rfm_bins（最近）：1 + floor(bins × 最后一单严格更早的"
                "客户占比)。",
                unit="score",
            ),
            "f_score": Column(
                "int64",
                "Frequency score, 1 to rfm_bins: 1 + floor(bins × share of customers "
                "with strictly lower frequency). Equal values always get equal scores.",
                "F 评分，1 到 rfm_bins：1 + floor(bins × 消费频率严格更低的客户占比)。"
                "相同的值总是得到相同的评分。",
                unit="score",
            ),
            "m_score": Column(
                "int64",
                "Monetary score, 1 to rfm_bins: 1 + floor(bins × share of customers "
                "with strictly lower monetary value).",
                "M 评分，1 到 rfm_bins：1 + floor(bins × 消费金额严格更低的客户占比)。",
                unit="score",
            ),
            "fm_score": Column(
                "int64",
                "Mean of the F and M scores, rounded half up.",
                "F 评分与 M 评分的平均值，四舍五入。",
                unit="score",
            ),
            "segment": Column(
                "string",
                "11-segment code (champions, loyal, potential_loyalist, new, promising, "
                "need_attention, about_to_sleep, at_risk, cant_lose, hibernating, lost) by the R "
                "score and the FM score (with other than 5 bins, both first spread onto 1–5): "
                + rfm11_rules_text()
                + ".",
                "11 分群代码（champions、loyal、potential_loyalist、new、promising、"
                "need_attention、about_to_sleep、at_risk、cant_lose、hibernating、lost），"
                "按 R 评分和 FM 评分在 11 分群网格中查得（分档数不是 5 时，两者先映射到 1–5）。",
            ),
            "r_high": Column(
                "boolean",
                "Recent: days since the last order below the mean (or median, setting "
                "rfm_threshold) of all scored customers.",
                "R 高：距最后一单的天数低于全部评分客户的平均值（或中位数，设置 rfm_threshold）。",
            ),
            "f_high": Column(
                "boolean",
                "Frequency above the mean or median of all customers.",
                "F 高：消费频率高于全部客户的平均值或中位数。",
            ),
            "m_high": Column(
                "boolean",
                "Monetary value above the mean or median of all customers.",
                "M 高：消费金额高于全部客户的平均值或中位数。",
            ),
            "segment8": Column(
                "string",
                "8-segment code from r_high, f_high, m_high: important_value 重要价值 "
                "(R F M all high), important_develop 重要发展 (R M high, F low), important_retain "
                "重要保持 (F M high, R low), important_winback 重要挽留 (only M high), general_value "
                "一般价值 (R F high, M low), general_develop 一般发展 (only R high), general_retain "
                "一般保持 (only F high), general_winback 一般挽留 (none high).",
                "由 r_high、f_high、m_high 得到的 8 分群代码：important_value 重要价值（R F M "
                "均高）、important_develop 重要发展（R M 高，F 低）、important_retain 重要保持"
                "（F M 高，R 低）、important_winback 重要挽留（仅 M 高）、general_value 一般价值"
                "（R F 高，M 低）、general_develop 一般发展（仅 R 高）、general_retain 一般保持"
                "（仅 F 高）、general_winback 一般挽留（均不高）。",
            ),
        },
    ),
    Analysis(
        name="rfm_segments",
        requires=("rfm_scores",),
        optional=("clv",),
        build=_segments_build,
        description="Every RFM segment of both schemes: its size, revenue and share of "
        "revenue, average R/F/M, and average historical and predicted CLV. Segment names and "
        "recommended actions are in the text catalog (keys segment.* and segment_action.*).",
        columns={
            "scheme": Column(
                "string",
                "rfm11 (Champions … Lost) or rfm8 (重要价值 … 一般挽留客户).",
                "rfm11（11 分群：Champions … Lost）或 rfm8（8 分群：重要价值 … 一般挽留客户）。",
            ),
            "segment": Column(
                "string",
                "Stable segment code (as in rfm_scores.segment / segment8).",
                "稳定的分群代码（同 rfm_scores.segment / segment8）。",
            ),
            "display_order": Column(
                "int64",
                "Position of the segment when listed (1 = best first).",
                "分群的列示位置（1 = 最好的排在最前）。",
            ),
            "customers": Column(
                "int64",
                "Customers in the segment (0 when empty).",
                "分群内的客户数（无客户时为 0）。",
                unit="count",
            ),
            "customer_share": Column(
                "float64",
                "Share of all scored customers (0–1).",
                "占全部评分客户的比例（0–1）。",
                unit="share",
            ),
            "revenue": Column(
                "float64",
                "Revenue of the segment's customers to date.",
                "分群客户至今的销售额。",
                unit="currency",
            ),
            "revenue_share": Column(
                "float64",
                "Share of all revenue (0–1).",
                "占全部销售额的比例（0–1）。",
                unit="share",
            ),
            "avg_recency_days": Column(
                "float64",
                "Mean days since the last order.",
                "距最后一单的平均天数。",
                unit="days",
            ),
            "avg_frequency": Column(
                "float64",
                "Mean frequency (orders or purchase days).",
                "平均消费频率（订单数或购买天数）。",
                unit="count",
            ),
            "avg_monetary": Column(
                "float64",
                "Mean monetary value (total or mean spend).",
                "平均消费金额（总消费或每单平均消费）。",
                unit="currency",
            ),
            "avg_historical_clv": Column(
                "float64",
                "Mean revenue to date per customer (historical CLV).",
                "人均至今销售额（历史 CLV）。",
                unit="currency",
            ),
            "avg_clv_12m": Column(
                "float64",
                "Mean predicted 12-month CLV from the clv result; empty when the "
                "CLV model has not run.",
                "来自 clv 结果的平均预测 12 个月 CLV；CLV 模型未运行时为空。",
                unit="currency",
            ),
        },
    ),
]
