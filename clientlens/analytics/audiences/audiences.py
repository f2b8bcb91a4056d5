"""The action audiences: who each recommendation targets, by which rule and priority, who is
worth the offer, and what acting on them should bring (``audiences``, ``audience_summary``).

Rules (audience codes, in priority order):

1. ``vip_at_risk`` — high-value customers slipping away: revenue to date at or above the
   80th percentile of the customers the purchase model scores (the top 20%; the
   continuous percentile, exact on every engine) and a probability alive below
   ``audience_vip_p_alive`` (0.5). Needs ``clv``. When the churn model ran
   (``churn_scores`` and ``winback``), ``churn_winback`` takes its place instead:
   the churn model's risk band ``high`` or ``medium``.
2. ``win_back`` — the 11-segment RFM ``at_risk`` and ``cant_lose`` customers (high value,
   not bought for a long time). Needs ``rfm_scores``.
3. ``second_purchase`` — recent one-time buyers: exactly one completed order, the first
   within ``audience_new_buyer_days`` (90) of the observation end.
4. ``loyalty`` — the RFM ``champions`` and ``loyal`` customers. Needs ``rfm_scores``.

**Each customer is on one list at most**: the first audience in this order whose rule they
meet. The order puts keeping value that is slipping before growth and rewards: a loyal
customer whose probability alive has fallen needs the retention call, not the reward; the
key-account call of a VIP is the more personal action than the RFM win-back offer; and
the churn model's list, with an action per customer from its reasons (a second-purchase
offer for a new buyer at risk), is the best-informed when it ran. Where the rules do not
overlap (second purchase and win-back) the order changes nothing.

**The value test.** A list keeps a customer only when the purchase model says acting is
worth it: probability alive (``clv.p_alive``) at least ``audience_min_p_alive`` (0.3;
below it the customer is treated as gone) and predicted 12-month value (``clv.clv_12m``)
at least ``audience_min_return`` (1) × the list's offer cost. The others are *left out*,
not handed to a list further down: the first rule a customer meets says what their
situation is, and a cheaper action aimed at a customer the model writes off is wasted as
well. ``churn_winback`` keeps exactly the win-back list (:mod:`clientlens.analytics.churn.
winback`), whose value threshold is never below the same bar. Without ``clv`` nothing can
be judged: every member is kept and the summary's thresholds are empty.

**Economics** (:mod:`.summary`). Expected impact of a list = customers ×
``audience_<code>_response_rate`` (0.1 each) × the value of one response: for
``second_purchase`` the mean repeat-purchase spend of today's repeat buyers (a second
purchase looks like theirs), for ``churn_winback`` the mean p_alive × revenue at risk of
its customers (the win-back list's expected recovered value), for the others the list's
own mean order value (one order each). Cost = customers × ``audience_<code>_offer_cost``;
ROI = (impact − cost) / cost, on revenue before margin. The ``all`` row adds the lists
up: since no customer is on two lists, nothing is counted twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.audiences import settings as cfg
from clientlens.analytics.audiences import summary
from clientlens.analytics.audiences.columns import AUDIENCE_COLUMNS, SUMMARY_COLUMNS
from clientlens.analytics.audiences.rules import KEPT, assigned
from clientlens.analytics.audiences.settings import AudienceSettings
from clientlens.analytics.base import Analysis, AnalysisContext, as_int64, as_table
from clientlens.lazy import ibis, ir


def audiences(
    customer_summary: Any,
    *,
    clv: Any = None,
    rfm_scores: Any = None,
    lifecycle_stages: Any = None,
    churn_scores: Any = None,
    winback: Any = None,
    settings: AudienceSettings | None = None,
) -> ir.Table:
    """One row per listed customer (each on one list at most), with the fields the target
    lists show.

    Parameters
    ----------
    customer_summary
        The ``customer_summary`` result.
    clv, rfm_scores, lifecycle_stages, churn_scores, winback
        Optional results: ``clv`` adds the ``vip_at_risk`` audience, the value test and
        each member's ``clv_12m`` and ``p_alive``; ``rfm_scores`` adds ``win_back`` and
        ``loyalty`` and each member's RFM segment and recency; ``lifecycle_stages`` each
        member's stage; ``churn_scores`` with ``winback`` (the churn model's) puts
        ``churn_winback`` in the place of ``vip_at_risk``.
    settings
        The values of the ``audience_*`` settings (defaults when None).

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
    s = as_table(customer_summary)
    a = assigned(
        s,
        clv=clv,
        rfm_scores=rfm_scores,
        churn_scores=churn_scores,
        winback=winback,
        settings=settings,
    )
    kept = a.filter(a.outcome == KEPT)
    m = kept.select(
        "audience",
        customer_id=kept.customer_id.cast("string"),
        revenue=kept.revenue,
        orders=kept.orders,
        recency_days=kept.recency_days,
        clv_12m=kept.clv_12m,
        p_alive=kept.p_alive,
        rfm_segment=kept.rfm_segment,
        _rank_first=kept.winback_rank,
    )
    dates = s.select(
        customer_id=s.customer_id.cast("string"),
        first_purchase=s.first_purchase.cast("timestamp"),
        last_purchase=s.last_purchase.cast("timestamp"),
        age_days=s["T"].cast("float64"),
    )
    m = m.left_join(dates, "customer_id").drop("customer_id_right")
    if lifecycle_stages is None:
        m = m.mutate(lifecycle_stage=ibis.null("string"))
    else:
        st = as_table(lifecycle_stages)
        stage = st.select(customer_id=st.customer_id.cast("string"), lifecycle_stage=st.stage)
        m = m.left_join(stage, "customer_id").drop("customer_id_right")
    # churn_winback keeps the win-back list's order; the others (no winback_rank) go by revenue
    rank = ibis.row_number().over(
        ibis.window(
            group_by=m.audience, order_by=[m._rank_first, ibis.desc(m.revenue), m.customer_id]
        )
    )
    return m.mutate(
        audience=m.audience.cast("string"),
        lifecycle_stage=m.lifecycle_stage.cast("string"),
        audience_rank=as_int64(rank + 1),
    ).select(*AUDIENCE_COLUMNS)


def _inputs(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> dict[str, Any]:
    return {
        "clv": inputs.get("clv"),
        "rfm_scores": inputs.get("rfm_scores"),
        "churn_scores": inputs.get("churn_scores"),
        "winback": inputs.get("winback"),
        "settings": cfg.from_context(ctx.setting),
    }


def _build_members(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return audiences(
        inputs["customer_summary"],
        lifecycle_stages=inputs.get("lifecycle_stages"),
        **_inputs(inputs, ctx),
    )


def _build_summary(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return summary.audience_summary(
        inputs["customer_summary"],
        winback_summary=inputs.get("winback_summary"),
        **_inputs(inputs, ctx),
    )


_RULES = (
    "by priority vip_at_risk (top 20% by revenue to date with p_alive below "
    "audience_vip_p_alive; the churn model's win-back list churn_winback in its place when "
    "that model ran), win_back (RFM at_risk and cant_lose), second_purchase (one order, the "
    "first within audience_new_buyer_days) and loyalty (RFM champions and loyal); each "
    "customer on the first list whose rule they meet, kept only with p_alive at least "
    "audience_min_p_alive and clv_12m at least audience_min_return × the list's offer cost"
)

ANALYSES = [
    Analysis(
        name="audiences",
        requires=("customer_summary",),
        optional=("clv", "rfm_scores", "lifecycle_stages", "churn_scores", "winback"),
        build=_build_members,
        settings=cfg.SETTINGS,
        description="The customers each recommended action targets, one row per listed "
        f"customer: {_RULES}; with the figures the target lists show.",
        columns=AUDIENCE_COLUMNS,
    ),
    Analysis(
        name="audience_summary",
        requires=("customer_summary",),
        optional=("clv", "rfm_scores", "churn_scores", "winback", "winback_summary"),
        build=_build_summary,
        settings=cfg.SETTINGS,
        description="Per action list in priority order, and all lists together: customers "
        "meeting its rule, on a list above, left out as gone or below the value threshold, "
        "listed; their revenue and predicted value; expected impact (customers × "
        "audience_<code>_response_rate × the value of one response), cost (customers × "
        "audience_<code>_offer_cost) and ROI; the parameters of its rule.",
        columns=SUMMARY_COLUMNS,
    ),
]
