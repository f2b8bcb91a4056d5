"""The ``value_summary`` table: concentration figures and profitability per group.

One tidy table with a ``section`` column so that a report sentence is one filter away
("the top 20% of customers bring 63% of revenue": ``section == "top_share"`` and
``group == "top_20pct"``). Every section has the same columns; figures that do not
apply to a section are empty.
"""

from __future__ import annotations

from typing import Any

from clientlens.analytics.common import text_or_unknown
from clientlens.lazy import ibis, ir

TOP_PERCENTS = (1, 5, 10, 20)
ABC_CLASSES = ("A", "B", "C")


def _metrics(t: ir.Table, where: Any = None) -> dict[str, Any]:
    return {
        "customers": t.count(where=where),
        "_revenue": t.revenue.sum(where=where),
        "_margin": t.margin.sum(where=where),
        "_margin_known": t.margin.count(where=where),
    }


def _finish(agg: ir.Table, totals: dict[str, Any], section: str, value: Any = None) -> ir.Table:
    customers = agg.customers.cast("int64")
    revenue = agg._revenue.fill_null(0.0).cast("float64")
    margin = ibis.ifelse(
        (agg._margin_known == agg.customers) & (agg.customers > 0),
        agg._margin,
        ibis.null("float64"),
    ).cast("float64")
    return agg.select(
        section=ibis.literal(section, "string"),
        group=agg._group.cast("string"),
        customers=customers,
        customer_share=(customers / totals["customers"]).cast("float64"),
        revenue=revenue,
        revenue_share=(revenue / totals["revenue"]).cast("float64"),
        margin=margin,
        margin_share=(margin / totals["margin"]).cast("float64"),
        margin_rate=(margin / revenue.nullif(0.0)).cast("float64"),
        avg_revenue=(revenue / customers.nullif(0)).cast("float64"),
        avg_margin=(margin / customers.nullif(0)).cast("float64"),
        value=(ibis.null("float64") if value is None else value).cast("float64"),
    )


def _grouped(t: ir.Table, totals: dict[str, Any], section: str, key: ir.Value) -> ir.Table:
    t = t.mutate(_group=key)
    agg = t.group_by("_group").agg(**_metrics(t))
    return _finish(agg, totals, section)


def value_summary(
    value: ir.Table, *, rfm_scores: ir.Table | None = None, customers: ir.Table | None = None
) -> ir.Table:
    """Totals, top-x% shares, Gini, ABC classes and profitability by segment and channel.

    Parameters
    ----------
    value
        The ``customer_value`` result (``customer_id, revenue, margin, revenue_rank,
        abc_class``).
    rfm_scores
        Optional ``rfm_scores`` result: adds sections ``rfm11`` and ``rfm8``.
    customers
        Optional customers table with ``acquisition_channel``: adds section
        ``acquisition_channel`` (customers with orders but no channel: ``unknown``).

    Examples
    --------
    >>> import pandas as pd
    >>> from clientlens.analytics.value.value import customer_value
    >>> orders = pd.DataFrame({"order_id": list("1234"), "customer_id": list("abcd"),
    ...     "amount": [1.0, 2.0, 3.0, 4.0]})
    >>> s = value_summary(customer_value(orders)).to_pandas().set_index("group")
    >>> float(s.loc["revenue", "value"]), float(s.loc["top_20pct", "revenue_share"])
    (0.25, 0.4)
    """
    n = value.count()
    revenue_sum = value.revenue.sum()
    margin_total = ibis.ifelse(value.margin.count() == n, value.margin.sum(), ibis.null("float64"))
    totals = {
        "customers": n.as_scalar(),
        "revenue": revenue_sum.as_scalar(),
        "margin": margin_total.as_scalar(),
    }
    top = n.as_scalar()
    rows: list[tuple[str, str, Any]] = [("total", "all", None)]
    for pct in TOP_PERCENTS:
        # the top ceil(n * pct / 100) customers: rank - 1 < n * pct / 100, in integers
        rows.append(("top_share", f"top_{pct}pct", (value.revenue_rank - 1) * 100 < top * pct))
    rows += [("abc", k, value.abc_class == k) for k in ABC_CLASSES]
    # Gini from ascending positions i = n + 1 - rank: 2 Σ i·x / (n Σ x) - (n + 1) / n
    weighted = ((n + 1) * revenue_sum - (value.revenue * value.revenue_rank).sum()).cast("float64")
    # One pass over the customers computes every fixed row's figures; each row then
    # reads its own columns of that one-row table.
    metrics: dict[str, Any] = {"_gini": 2 * weighted / (n * revenue_sum) - (n + 1) / n}
    for i, (*_, where) in enumerate(rows):
        metrics.update({f"{k}{i}": v for k, v in _metrics(value, where).items()})
    agg = value.aggregate(**metrics)
    parts = []
    for i, (section, group, _) in enumerate(rows):
        row = agg.select(_group=ibis.literal(group), **{k: agg[f"{k}{i}"] for k in _metrics(value)})
        parts.append(_finish(row, totals, section))
        if section == "total":
            gini = agg.select(
                _group=ibis.literal("revenue"),
                _gini=agg._gini,
                **{k: agg[f"{k}{i}"] for k in _metrics(value)},
            )
            parts.append(_finish(gini, totals, "gini", gini._gini))
    if rfm_scores is not None:
        j = value.join(rfm_scores.select("customer_id", "segment", "segment8"), "customer_id")
        parts.append(_grouped(j, totals, "rfm11", j.segment))
        parts.append(_grouped(j, totals, "rfm8", j.segment8))
    if customers is not None and "acquisition_channel" in customers.columns:
        c = customers.select("customer_id", _channel=customers.acquisition_channel)
        j = value.left_join(c, "customer_id").drop("customer_id_right")
        key = text_or_unknown(j._channel)
        parts.append(_grouped(j, totals, "acquisition_channel", key))
    return ibis.union(*parts)
