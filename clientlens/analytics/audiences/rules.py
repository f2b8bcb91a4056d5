"""Who meets which audience's rule, which one audience each customer is given, and whether
the audience keeps them: the one expression both ``audiences`` and ``audience_summary``
are built from (see :mod:`clientlens.analytics.audiences.audiences` for the rules).
"""

from __future__ import annotations

from typing import Any

from clientlens.analytics.audiences.settings import PRIORITY, AudienceSettings
from clientlens.analytics.base import as_table, float64_literal
from clientlens.lazy import ibis, ir

VIP_VALUE_SHARE = 0.2
"""High value = the top 20% of customers by revenue to date (the report's wording)."""
WIN_BACK = ("at_risk", "cant_lose")
LOYALTY = ("champions", "loyal")
AT_RISK_BANDS = ("high", "medium")
"""The churn model's risk bands the churn-model win-back list draws on."""
KEPT, GONE, LOW_VALUE = "kept", "gone", "low_value"
"""A customer's outcome in the audience they were given."""


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


def vip_revenue_cut(customer_summary: Any, clv: Any) -> ir.FloatingScalar:
    """Revenue to date at which a customer is in the top :data:`VIP_VALUE_SHARE` (of the
    customers the purchase model scores)."""
    s, c = as_table(customer_summary), as_table(clv)
    base = s.join(c.select("customer_id", "p_alive"), "customer_id")
    return continuous_quantile(base, "total_amount", 1 - VIP_VALUE_SHARE)


def present(*, clv: bool, rfm_scores: bool, churn_model: bool) -> list[str]:
    """The audiences the given inputs define, in priority order."""
    codes = {"second_purchase"}
    if churn_model:
        codes.add("churn_winback")
    elif clv:
        codes.add("vip_at_risk")
    if rfm_scores:
        codes |= {"win_back", "loyalty"}
    return [c for c in PRIORITY if c in codes]


def _joined(s: ir.Table, clv: Any, rfm_scores: Any, churn_scores: Any, winback: Any) -> ir.Table:
    """``customer_summary`` with each customer's p_alive, clv_12m, RFM segment and recency,
    churn-model risk band and win-back list entry (nulls where an input is absent)."""
    t = s.select(
        "customer_id",
        _orders=s.n_orders.cast("int64"),
        _age=s["T"].cast("float64"),
        _revenue=s.total_amount.cast("float64"),
    )

    def add(source: Any, **columns: tuple[str, str]) -> ir.Table:
        if source is None:
            return t.mutate(**{name: ibis.null(kind) for name, (_, kind) in columns.items()})
        x = as_table(source)
        picked = x.select(
            "customer_id", **{name: x[col].cast(kind) for name, (col, kind) in columns.items()}
        )
        return t.left_join(picked, "customer_id").drop("customer_id_right")

    t = add(clv, _p_alive=("p_alive", "float64"), _clv=("clv_12m", "float64"))
    t = add(rfm_scores, _segment=("segment", "string"), _recency=("recency_days", "int64"))
    t = add(churn_scores, _band=("risk_band", "string"))
    if winback is None:
        return t.mutate(
            _listed=ibis.literal(False),
            _recovered=ibis.null("float64"),
            _winback_rank=ibis.null("int64"),
        )
    w = as_table(winback)
    entry = w.select(
        "customer_id",
        _recovered=(w.p_alive.cast("float64") * w.revenue_at_risk.cast("float64")),
        _winback_rank=w.winback_rank.cast("int64"),
    )
    t = t.left_join(entry, "customer_id").drop("customer_id_right")
    return t.mutate(_listed=t._winback_rank.notnull())


def assigned(
    customer_summary: Any,
    *,
    clv: Any = None,
    rfm_scores: Any = None,
    churn_scores: Any = None,
    winback: Any = None,
    settings: AudienceSettings | None = None,
) -> ir.Table:
    """One row per customer who meets at least one rule.

    Columns: ``customer_id``, ``revenue``, ``orders``, ``p_alive``, ``clv_12m``,
    ``rfm_segment``, ``recency_days`` (nulls where the input is absent), one
    boolean ``meets_<code>`` per present audience (whether the customer meets its rule),
    ``audience`` (the first audience in :data:`PRIORITY` whose rule they meet),
    ``outcome`` (:data:`KEPT`, :data:`GONE` or :data:`LOW_VALUE`), ``recovered``
    (churn_winback only: p_alive × revenue at risk from the win-back list) and
    ``winback_rank`` (churn_winback only: the customer's rank on the win-back list).

    ``churn_scores`` and ``winback`` together stand for the churn model: its win-back
    list then replaces ``vip_at_risk`` as the first audience.
    """
    cfg = settings or AudienceSettings()
    cfg.check()
    s = as_table(customer_summary)
    churn_model = churn_scores is not None and winback is not None
    codes = present(clv=clv is not None, rfm_scores=rfm_scores is not None, churn_model=churn_model)
    t = _joined(
        s, clv, rfm_scores, churn_scores if churn_model else None, winback if churn_model else None
    )
    rules: dict[str, ir.BooleanValue] = {
        "second_purchase": (t._orders == 1) & (t._age <= cfg.new_buyer_days),
        "win_back": t._segment.isin(WIN_BACK),
        "loyalty": t._segment.isin(LOYALTY),
        "churn_winback": t._band.isin(AT_RISK_BANDS),
    }
    if "vip_at_risk" in codes:
        cut = vip_revenue_cut(s, clv)
        rules["vip_at_risk"] = (t._revenue >= cut) & (t._p_alive < cfg.vip_p_alive)
    flags = {f"meets_{c}": rules[c].fill_null(False) for c in codes}
    t = t.mutate(**flags)
    audience = ibis.cases(*((t[f"meets_{c}"], c) for c in codes), else_=ibis.null("string"))
    t = t.mutate(audience=audience).filter(ibis._.audience.notnull())
    t = t.mutate(outcome=_outcome(t, cfg, has_clv=clv is not None))
    return t.select(
        "customer_id",
        revenue=t._revenue,
        orders=t._orders,
        p_alive=t._p_alive,
        clv_12m=t._clv,
        rfm_segment=t._segment,
        recency_days=t._recency,
        **{name: t[name] for name in flags},
        audience=t.audience,
        outcome=t.outcome,
        recovered=ibis.ifelse(t.audience == "churn_winback", t._recovered, ibis.null("float64")),
        winback_rank=ibis.ifelse(
            t.audience == "churn_winback", t._winback_rank, ibis.null("int64")
        ),
    )


def _outcome(t: ir.Table, cfg: AudienceSettings, *, has_clv: bool) -> ir.StringValue:
    """Kept, gone (probability alive below the floor, or unknown) or low value (predicted
    value below the list's bar); the churn-model list keeps exactly its own rows."""
    if not has_clv:  # no purchase model: nothing to judge value by, every member is kept
        return ibis.literal(KEPT, "string")
    gone = t._p_alive.isnull() | (t._p_alive < cfg.min_p_alive)
    bar = ibis.cases(
        *((t.audience == c, float64_literal(cfg.min_value(c))) for c in PRIORITY),
        else_=float64_literal(0.0),
    )
    judged = ibis.cases((gone, GONE), (t._clv.fill_null(0.0) < bar, LOW_VALUE), else_=KEPT)
    listed = ibis.ifelse(t._listed, KEPT, ibis.ifelse(gone, GONE, LOW_VALUE))
    return ibis.ifelse(t.audience == "churn_winback", listed, judged)
