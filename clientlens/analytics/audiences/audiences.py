"""The action audiences: who each recommendation targets, by which rule, and what acting on
them should bring (``audiences``, ``audience_summary``).

Audiences (codes) and their selection rules:

* ``vip_at_risk`` — high-value customers slipping away: revenue to date at or above the
  80th percentile of all customers (the top :data:`VIP_VALUE_SHARE`; the continuous
  percentile, exact on every engine) and a probability alive below
  ``audience_vip_p_alive`` (0.5). Needs ``clv``.
* ``second_purchase`` — recent one-time buyers: exactly one completed order, the first
  within ``audience_new_buyer_days`` (90) of the observation end.
* ``win_back`` — the 11-segment RFM ``at_risk`` and ``cant_lose`` customers (high
  value, not bought for a long time). Needs ``rfm_scores``.
* ``loyalty`` — the RFM ``champions`` and ``loyal`` customers. Needs ``rfm_scores``.

Expected impact of acting on an audience = customers × ``audience_conversion_rate``
(0.1) × the value of one response: for ``second_purchase`` the mean repeat-purchase
spend of today's repeat buyers (``mean_repeat_spend``: a second purchase looks like the
repeat buyers' purchases), for the others the audience's own mean order value (one
order each).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.audiences.columns import AUDIENCE_COLUMNS, SUMMARY_COLUMNS
from clientlens.analytics.base import Analysis, AnalysisContext, as_int64, as_table
from clientlens.config import Setting
from clientlens.errors import ConfigError
from clientlens.lazy import ibis, ir

VIP_VALUE_SHARE = 0.2
"""High value = the top 20% of customers by revenue to date (the report's wording)."""
VIP_P_ALIVE_SETTING = Setting(
    "audience_vip_p_alive",
    float,
    0.5,
    "Audiences: customers in the top 20% by revenue with a probability alive below "
    "this form the high-value churn-risk audience (vip_at_risk).",
)
NEW_BUYER_DAYS_SETTING = Setting(
    "audience_new_buyer_days",
    int,
    90,
    "Audiences: one-time buyers this recent (days since first purchase) form the "
    "second-purchase audience.",
)
CONVERSION_RATE_SETTING = Setting(
    "audience_conversion_rate",
    float,
    0.1,
    "Audiences: assumed response rate of a campaign to an audience, used for its expected impact.",
)
VIP_P_ALIVE: float = VIP_P_ALIVE_SETTING.default
NEW_BUYER_DAYS: int = NEW_BUYER_DAYS_SETTING.default
CONVERSION_RATE: float = CONVERSION_RATE_SETTING.default
WIN_BACK = ("at_risk", "cant_lose")
LOYALTY = ("champions", "loyal")
ORDER = ("vip_at_risk", "second_purchase", "win_back", "loyalty")
ONE_ORDER = "audience_order_value"
REPEAT_SPEND = "repeat_buyer_spend"


def continuous_quantile(t: ir.Table, column: str, q: float) -> ir.FloatingScalar:
    """The ``q`` quantile of ``t[column]`` with linear interpolation between the two
    nearest ranks (position (n − 1)·q, as DuckDB's quantile_cont and numpy's default),
    picked by row number so that it is exact on every engine (Spark's is approximate)."""
    values = t.select(_v=t[column].cast("float64"))
    ranked = values.mutate(_rn=ibis.row_number().over(order_by=values._v), _n=values.count().over())
    ranked = ranked.mutate(_h=(ranked._n - 1).cast("float64") * q)
    near = ranked.filter((ranked._rn == ranked._h.floor()) | (ranked._rn == ranked._h.ceil()))
    agg = near.aggregate(_lo=near._v.min(), _hi=near._v.max(), _h=near._h.max())
    cut = agg.select(_q=agg._lo + (agg._h - agg._h.floor()) * (agg._hi - agg._lo))
    return cut._q.as_scalar()


def _vip_base(customer_summary: ir.Table, clv: ir.Table) -> ir.Table:
    return customer_summary.join(clv.select("customer_id", "p_alive"), "customer_id")


def vip_revenue_cut(customer_summary: Any, clv: Any) -> ir.FloatingScalar:
    """Revenue to date at which a customer is in the top :data:`VIP_VALUE_SHARE`."""
    base = _vip_base(as_table(customer_summary), as_table(clv))
    return continuous_quantile(base, "total_amount", 1 - VIP_VALUE_SHARE)


def _check(new_buyer_days: int, vip_p_alive: float, conversion_rate: float) -> None:
    problems = []
    if new_buyer_days < 0:
        problems.append(f"audience_new_buyer_days must be >= 0; got {new_buyer_days}")
    if not 0 <= vip_p_alive <= 1:
        problems.append(f"audience_vip_p_alive must be between 0 and 1; got {vip_p_alive}")
    if not 0 <= conversion_rate <= 1:
        problems.append(f"audience_conversion_rate must be between 0 and 1; got {conversion_rate}")
    if problems:
        raise ConfigError("; ".join(problems) + ".")


def _members(
    audience: str, t: ir.Table, mask: ir.BooleanValue, revenue: str, orders: str
) -> ir.Table:
    picked = t.filter(mask)
    return picked.select(
        audience=ibis.literal(audience, "string"),
        customer_id=picked.customer_id.cast("string"),
        revenue=picked[revenue].cast("float64"),
        orders=picked[orders].cast("int64"),
    )


def audiences(
    customer_summary: Any,
    *,
    clv: Any = None,
    rfm_scores: Any = None,
    lifecycle_stages: Any = None,
    new_buyer_days: int = NEW_BUYER_DAYS,
    vip_p_alive: float = VIP_P_ALIVE,
) -> ir.Table:
    """One row per audience and member, with the fields the target lists show.

    Parameters
    ----------
    customer_summary
        The ``customer_summary`` result.
    clv, rfm_scores, lifecycle_stages
        Optional results: ``clv`` adds the ``vip_at_risk`` audience and each member's
        ``clv_12m`` and ``p_alive``; ``rfm_scores`` adds ``win_back`` and ``loyalty`` and
        each member's RFM segment and recency; ``lifecycle_stages`` each member's stage.
    new_buyer_days, vip_p_alive
        The ``audience_new_buyer_days`` and ``audience_vip_p_alive`` settings.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"customer_id": ["a", "b"], "n_orders": [1, 2], "T": [10.0, 50.0],
    ...     "total_amount": [5.0, 9.0], "frequency": [0.0, 1.0], "recency": [0.0, 9.0],
    ...     "monetary_value": [0.0, 4.0], "first_purchase": pd.to_datetime(["2024-06-20",
    ...     "2024-05-11"]), "last_purchase": pd.to_datetime(["2024-06-20", "2024-05-20"])})
    >>> audiences(s).to_pandas()[["audience", "customer_id", "age_days"]].values.tolist()
    [['second_purchase', 'a', 10.0]]
    """
    _check(new_buyer_days, vip_p_alive, CONVERSION_RATE)
    s = as_table(customer_summary)
    parts = []
    if clv is not None:
        base = _vip_base(s, as_table(clv))
        cut = vip_revenue_cut(s, clv)
        mask = (base.total_amount >= cut) & (base.p_alive < vip_p_alive)
        parts.append(_members("vip_at_risk", base, mask, "total_amount", "n_orders"))
    recent = (s.n_orders == 1) & (s["T"] <= new_buyer_days)
    parts.append(_members("second_purchase", s, recent, "total_amount", "n_orders"))
    if rfm_scores is not None:
        r = as_table(rfm_scores)
        for code, segments in (("win_back", WIN_BACK), ("loyalty", LOYALTY)):
            parts.append(_members(code, r, r.segment.isin(segments), "revenue", "orders"))
    m = ibis.union(*parts) if len(parts) > 1 else parts[0]
    m = m.left_join(
        s.select(
            "customer_id",
            first_purchase=s.first_purchase.cast("timestamp"),
            last_purchase=s.last_purchase.cast("timestamp"),
            age_days=s["T"].cast("float64"),
        ),
        "customer_id",
    ).drop("customer_id_right")
    m = _enrich(
        m,
        rfm_scores,
        {"recency_days": ("recency_days", "int64"), "rfm_segment": ("segment", "string")},
    )
    m = _enrich(m, clv, {"clv_12m": ("clv_12m", "float64"), "p_alive": ("p_alive", "float64")})
    m = _enrich(m, lifecycle_stages, {"lifecycle_stage": ("stage", "string")})
    rank = ibis.row_number().over(
        ibis.window(group_by=m.audience, order_by=[ibis.desc(m.revenue), m.customer_id])
    )
    return m.mutate(audience_rank=as_int64(rank + 1)).select(*AUDIENCE_COLUMNS)


def _enrich(m: ir.Table, source: Any, columns: Mapping[str, tuple[str, str]]) -> ir.Table:
    """Each member's ``columns`` (name → (source column, type)) from ``source``, or nulls."""
    if source is None:
        return m.mutate(**{name: ibis.null(kind) for name, (_, kind) in columns.items()})
    t = as_table(source)
    picked = t.select(
        "customer_id", **{name: t[col].cast(kind) for name, (col, kind) in columns.items()}
    )
    return m.left_join(picked, "customer_id").drop("customer_id_right")


def _rules(
    present: list[str], *, new_buyer_days: int, vip_p_alive: float, conversion_rate: float
) -> ir.Table:
    """One row per present audience: its rule parameters (empty where they do not apply)."""
    # no None in the memtable: Spark turns a nullable column into all nulls; -1 and ""
    # stand for "does not apply" and become nulls below
    rows = {
        "vip_at_risk": ("", vip_p_alive, VIP_VALUE_SHARE, -1, -1, ONE_ORDER),
        "second_purchase": ("", -1.0, -1.0, new_buyer_days, 1, REPEAT_SPEND),
        "win_back": (",".join(WIN_BACK), -1.0, -1.0, -1, -1, ONE_ORDER),
        "loyalty": (",".join(LOYALTY), -1.0, -1.0, -1, -1, ONE_ORDER),
    }
    codes = [code for code in ORDER if code in present]
    t = ibis.memtable(
        {
            "audience": codes,
            "audience_order": [ORDER.index(c) + 1 for c in codes],
            "rfm_segments": [rows[c][0] for c in codes],
            "p_alive_below": [float(rows[c][1]) for c in codes],
            "value_top_share": [float(rows[c][2]) for c in codes],
            "max_age_days": [int(rows[c][3]) for c in codes],
            "max_orders": [int(rows[c][4]) for c in codes],
            "impact_basis": [rows[c][5] for c in codes],
            "conversion_rate": [float(conversion_rate)] * len(codes),
        },
        schema={
            "audience": "string",
            "audience_order": "int64",
            "rfm_segments": "string",
            "p_alive_below": "float64",
            "value_top_share": "float64",
            "max_age_days": "int64",
            "max_orders": "int64",
            "impact_basis": "string",
            "conversion_rate": "float64",
        },
    )
    return t.mutate(
        rfm_segments=t.rfm_segments.nullif(""),
        p_alive_below=ibis.ifelse(t.p_alive_below >= 0, t.p_alive_below, ibis.null("float64")),
        value_top_share=ibis.ifelse(
            t.value_top_share >= 0, t.value_top_share, ibis.null("float64")
        ),
        max_age_days=ibis.ifelse(t.max_age_days >= 0, t.max_age_days, ibis.null("int64")),
        max_orders=ibis.ifelse(t.max_orders >= 0, t.max_orders, ibis.null("int64")),
    )


def audience_summary(
    members: Any,
    customer_summary: Any,
    *,
    clv: Any = None,
    rfm_scores: Any = None,
    new_buyer_days: int = NEW_BUYER_DAYS,
    vip_p_alive: float = VIP_P_ALIVE,
    conversion_rate: float = CONVERSION_RATE,
) -> ir.Table:
    """Per audience: size, value, expected impact and the rule that selected it.

    Every audience whose inputs exist has a row, with 0 customers when nobody matches.
    ``members`` is the ``audiences`` result built from the same inputs.
    """
    _check(new_buyer_days, vip_p_alive, conversion_rate)
    a, s = as_table(members), as_table(customer_summary)
    present = ["second_purchase"]
    if clv is not None:
        present.append("vip_at_risk")
    if rfm_scores is not None:
        present += ["win_back", "loyalty"]
    rules = _rules(
        present,
        new_buyer_days=new_buyer_days,
        vip_p_alive=vip_p_alive,
        conversion_rate=conversion_rate,
    )
    g = a.group_by("audience").agg(
        _customers=a.count(),
        _revenue=a.revenue.sum(),
        _orders=a.orders.sum(),
        _clv=a.clv_12m.sum(),
        _recency=a.recency_days.cast("float64").mean(),
    )
    j = rules.left_join(g, rules.audience == g.audience).drop("audience_right")
    customers = j._customers.fill_null(0).cast("int64")
    revenue = j._revenue.fill_null(0.0).cast("float64")
    orders = j._orders.fill_null(0).cast("int64")
    all_customers = s.count().as_scalar().cast("float64")
    all_revenue = s.total_amount.sum().as_scalar().cast("float64")
    repeat_spend = s.monetary_value.cast("float64").mean(where=s.frequency > 0).as_scalar()
    own_value = revenue / orders.cast("float64").nullif(0.0)
    order_value = ibis.ifelse(j.impact_basis == REPEAT_SPEND, repeat_spend, own_value)
    min_revenue = vip_revenue_cut(s, clv) if clv is not None else ibis.null("float64")
    out = j.select(
        "audience",
        "audience_order",
        customers=customers,
        customer_share=ibis.ifelse(
            all_customers > 0, customers.cast("float64") / all_customers, ibis.null("float64")
        ),
        revenue=revenue,
        revenue_share=ibis.ifelse(all_revenue != 0, revenue / all_revenue, ibis.null("float64")),
        orders=orders,
        clv_12m=ibis.ifelse(customers > 0, j._clv, ibis.null("float64")).cast("float64"),
        mean_recency_days=j._recency.cast("float64"),
        order_value=order_value.cast("float64"),
        impact_basis=j.impact_basis,
        conversion_rate=j.conversion_rate,
        expected_impact=(customers.cast("float64") * j.conversion_rate * order_value).cast(
            "float64"
        ),
        rfm_segments=j.rfm_segments,
        p_alive_below=j.p_alive_below,
        value_top_share=j.value_top_share,
        min_revenue=ibis.ifelse(
            j.audience == "vip_at_risk", min_revenue, ibis.null("float64")
        ).cast("float64"),
        max_age_days=j.max_age_days,
        max_orders=j.max_orders,
    )
    return out.select(*SUMMARY_COLUMNS)


def _settings(ctx: AnalysisContext) -> dict[str, Any]:
    return {
        "new_buyer_days": ctx.setting("audience_new_buyer_days"),
        "vip_p_alive": ctx.setting("audience_vip_p_alive"),
    }


def _build_members(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return audiences(
        inputs["customer_summary"],
        clv=inputs.get("clv"),
        rfm_scores=inputs.get("rfm_scores"),
        lifecycle_stages=inputs.get("lifecycle_stages"),
        **_settings(ctx),
    )


def _build_summary(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return audience_summary(
        inputs["audiences"],
        inputs["customer_summary"],
        clv=inputs.get("clv"),
        rfm_scores=inputs.get("rfm_scores"),
        conversion_rate=ctx.setting("audience_conversion_rate"),
        **_settings(ctx),
    )


_RULES = (
    "vip_at_risk (top 20% by revenue to date with p_alive below audience_vip_p_alive), "
    "second_purchase (one order, the first within audience_new_buyer_days), win_back "
    "(RFM at_risk and cant_lose) and loyalty (RFM champions and loyal)"
)

ANALYSES = [
    Analysis(
        name="audiences",
        requires=("customer_summary",),
        optional=("clv", "rfm_scores", "lifecycle_stages"),
        build=_build_members,
        settings=(NEW_BUYER_DAYS_SETTING, VIP_P_ALIVE_SETTING),
        description="The customers each recommended action targets, one row per audience "
        f"and member: {_RULES}; with the figures the target lists show.",
        columns=AUDIENCE_COLUMNS,
    ),
    Analysis(
        name="audience_summary",
        requires=("audiences", "customer_summary"),
        optional=("clv", "rfm_scores"),
        build=_build_summary,
        settings=(NEW_BUYER_DAYS_SETTING, VIP_P_ALIVE_SETTING, CONVERSION_RATE_SETTING),
        description="Per audience: customers, revenue, predicted value, the value of one "
        "response, expected impact (customers × audience_conversion_rate × that value) and "
        "the parameters of its selection rule.",
        columns=SUMMARY_COLUMNS,
    ),
]
