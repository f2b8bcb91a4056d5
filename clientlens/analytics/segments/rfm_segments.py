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

import datetime as dt
from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from clientlens.analytics.base import Analysis, AnalysisContext, as_table, to_date
from clientlens.analytics.segments.segments_catalog import (
    RFM8_RULES,
    RFM11_GRID,
    SCHEMES,
    rfm11_rules_text,
)
from clientlens.errors import ConfigError, DataContractError

FREQUENCY_KINDS = ("orders", "days")
MONETARY_KINDS = ("total", "mean")
THRESHOLDS = ("mean", "median")


def _score(worse: ir.IntegerValue, n: ir.IntegerValue, bins: int) -> ir.IntegerValue:
    return ((worse * bins) / n).floor().cast("int64") + 1


def _level(score: ir.IntegerValue, bins: int) -> ir.IntegerValue:
    """Score 1..bins to level 1..5 of the 11-segment grid."""
    if bins == 5:
        return score
    # Spread evenly so that the worst score is level 1 and the best level 5.
    return (((score - 1) * 4) / (bins - 1) + 0.5).floor().cast("int64") + 1


def exact_median(t: ir.Table, column: str) -> ir.FloatingScalar:
    """The exact median of ``t[column]`` as a scalar (no engine's approximate percentile)."""
    ranked = t.select(
        _v=t[column].cast("float64"),
        _rn=ibis.row_number().over(order_by=[t[column]]),
        _n=t.count().over(),
    )
    lower = ((ranked._n - 1) / 2).floor().cast("int64")
    upper = (ranked._n / 2).floor().cast("int64")
    middle = ranked.filter((ranked._rn == lower) | (ranked._rn == upper))
    return middle._v.mean().as_scalar()


def rfm_scores(
    orders: Any,
    *,
    observation_end: Any = None,
    bins: int = 5,
    frequency: str = "orders",
    monetary: str = "total",
    threshold: str = "mean",
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
    missing = [c for c in ("customer_id", "order_date", "amount") if c not in t.columns]
    if missing:
        raise DataContractError(
            f"rfm_scores needs the orders columns {missing}; the table has {list(t.columns)}."
        )
    day = t.order_date.cast("date")
    end: Any = (
        day.max().as_scalar() if observation_end is None else ibis.literal(to_date(observation_end))
    )
    t = t.filter(t.order_date.notnull() & (day <= end))
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
        per._last_day.max().as_scalar() if observation_end is None else _epoch(observation_end)
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
        cuts = {c: exact_median(per, c) for c in raw}
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


def _epoch(value: Any) -> int:
    return (to_date(value) - dt.date(1970, 1, 1)).days


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
        bins=int(ctx.setting("rfm_bins", 5)),
        frequency=str(ctx.setting("rfm_frequency", "orders")),
        monetary=str(ctx.setting("rfm_monetary", "total")),
        threshold=str(ctx.setting("rfm_threshold", "mean")),
    )


def _segments_build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return rfm_segment_summary(inputs["rfm_scores"], inputs.get("clv"))


ANALYSES = [
    Analysis(
        name="rfm_scores",
        requires=("orders",),
        build=_scores_build,
        description="Per customer with orders: recency, frequency and monetary value, their "
        "1–5 quantile scores, and the customer's segment in the 11-segment (Champions … Lost) "
        "and the 8-segment (重要价值 … 一般挽留客户) schemes.",
        columns={
            "customer_id": "Customer.",
            "recency_days": "Days from the customer's last completed order to the observation end.",
            "frequency": "Completed orders (or purchase days, setting rfm_frequency).",
            "monetary": "Total spend (or mean spend per order, setting rfm_monetary).",
            "orders": "Completed orders.",
            "revenue": "Revenue from the customer's completed orders (historical CLV).",
            "r_score": "Recency score, 1 (longest ago) to rfm_bins (most recent): 1 + "
            "floor(bins × share of customers whose last order was strictly longer ago).",
            "f_score": "Frequency score, 1 to rfm_bins: 1 + floor(bins × share of customers "
            "with strictly lower frequency). Equal values always get equal scores.",
            "m_score": "Monetary score, 1 to rfm_bins: 1 + floor(bins × share of customers "
            "with strictly lower monetary value).",
            "fm_score": "Mean of the F and M scores, rounded half up.",
            "segment": "11-segment code (champions, loyal, potential_loyalist, new, promising, "
            "need_attention, about_to_sleep, at_risk, cant_lose, hibernating, lost) by the R "
            "score and the FM score (with other than 5 bins, both first spread onto 1–5): "
            + rfm11_rules_text()
            + ".",
            "r_high": "Recent: days since the last order below the mean (or median, setting "
            "rfm_threshold) of all scored customers.",
            "f_high": "Frequency above the mean or median of all customers.",
            "m_high": "Monetary value above the mean or median of all customers.",
            "segment8": "8-segment code from r_high, f_high, m_high: important_value 重要价值 "
            "(R F M all high), important_develop 重要发展 (R M high, F low), important_retain "
            "重要保持 (F M high, R low), important_winback 重要挽留 (only M high), general_value "
            "一般价值 (R F high, M low), general_develop 一般发展 (only R high), general_retain "
            "一般保持 (only F high), general_winback 一般挽留 (none high).",
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
            "scheme": "rfm11 (Champions … Lost) or rfm8 (重要价值 … 一般挽留客户).",
            "segment": "Stable segment code (as in rfm_scores.segment / segment8).",
            "display_order": "Position of the segment when listed (1 = best first).",
            "customers": "Customers in the segment (0 when empty).",
            "customer_share": "Share of all scored customers (0–1).",
            "revenue": "Revenue of the segment's customers to date.",
            "revenue_share": "Share of all revenue (0–1).",
            "avg_recency_days": "Mean days since the last order.",
            "avg_frequency": "Mean frequency (orders or purchase days).",
            "avg_monetary": "Mean monetary value (total or mean spend).",
            "avg_historical_clv": "Mean revenue to date per customer (historical CLV).",
            "avg_clv_12m": "Mean predicted 12-month CLV from the clv result; empty when the "
            "CLV model has not run.",
        },
    ),
]
