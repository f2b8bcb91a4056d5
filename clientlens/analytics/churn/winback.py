"""The win-back list: at-risk customers still worth a retention contact (``winback``,
``winback_summary``).

The trained churn model's at-risk customers (``churn_scores.risk_band`` high or medium)
include many the purchase model says are gone already; a contact spent on them is
wasted. A customer is listed when all of these hold:

* at risk: churn-model risk band ``high`` or ``medium``;
* still reachable: probability alive of the chosen purchase model (``clv.p_alive``) at
  least ``audience_min_p_alive`` (0.3, the threshold below which every action list
  treats a customer as gone). On the demo business, whose true dropouts are known,
  at-risk customers below 0.3 were still active in fewer than 1 in 13 cases (7%); from
  0.3 to 0.5, 14%; above 0.7, 61%;
* worth it: predicted 12-month value (``clv.clv_12m``) at least ``winback_min_clv_12m``;
  0 (the default) takes the median predicted value of the at-risk customers, so that
  the contacts go to the more valuable half, whatever the currency and the size of the
  business. The threshold is never below the value every action list asks of its
  customers: ``audience_min_return`` (1) × ``audience_churn_winback_offer_cost`` (20).

The list is the ``churn_winback`` action audience (:mod:`clientlens.analytics.audiences`):
it comes first, so none of its customers is on another action list.

Ranked by **expected recovered value** = ``retention_chance`` × ``revenue_at_risk``,
where revenue at risk = churn probability × predicted 12-month value (GLOSSARY) and
``retention_chance`` = ``audience_churn_winback_response_rate`` (0.1, the assumed
response rate of the campaign) × ``p_alive``: the chance that a contact keeps a
customer who would otherwise churn, proxied by the response rate scaled by how likely
the customer still listens. It is a proxy until a control group measures the uplift.

Each listed customer carries the churn model's three reasons (codes and values); the
action for each reason is ``winback_action.<reason code>`` in the text catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.audiences.rules import AT_RISK_BANDS, continuous_quantile
from clientlens.analytics.audiences.settings import (
    MIN_P_ALIVE_SETTING,
    MIN_RETURN_SETTING,
    OFFER_COST_SETTINGS,
    RESPONSE_RATE_SETTINGS,
)
from clientlens.analytics.base import (
    Analysis,
    AnalysisContext,
    Column,
    as_int64,
    as_table,
    float64_literal,
)
from clientlens.analytics.churn.churn_tables import reason_columns
from clientlens.config import Setting
from clientlens.errors import ConfigError
from clientlens.lazy import ibis, ir

MIN_CLV_SETTING = Setting(
    "winback_min_clv_12m",
    float,
    0.0,
    "Win-back list: at-risk customers are listed only with a predicted 12-month value at "
    "least this amount; 0: the median predicted value of the at-risk customers.",
)
AT_RISK = AT_RISK_BANDS
RESPONSE_RATE_SETTING = RESPONSE_RATE_SETTINGS["churn_winback"]
OFFER_COST_SETTING = OFFER_COST_SETTINGS["churn_winback"]
REASON_COLUMNS = tuple(f"reason_{k}{suffix}" for k in (1, 2, 3) for suffix in ("", "_value"))


def _check(
    min_p_alive: float, min_clv_12m: float, response_rate: float, min_offer_value: float
) -> None:
    problems = []
    if not 0 <= min_p_alive <= 1:
        problems.append(f"audience_min_p_alive must be between 0 and 1; got {min_p_alive}")
    if min_clv_12m < 0:
        problems.append(f"winback_min_clv_12m must be 0 (automatic) or more; got {min_clv_12m}")
    if not 0 <= response_rate <= 1:
        problems.append(
            f"audience_churn_winback_response_rate must be between 0 and 1; got {response_rate}"
        )
    if min_offer_value < 0:
        problems.append(
            "audience_min_return × audience_churn_winback_offer_cost must be >= 0; "
            f"got {min_offer_value}"
        )
    if problems:
        raise ConfigError("; ".join(problems) + ".")


def _candidates(scores: ir.Table, clv: ir.Table) -> ir.Table:
    """The at-risk scored customers with the purchase model's p_alive (``churn_scores``'
    own p_alive is BG/NBD's, a model feature; the list follows the chosen model's)."""
    at_risk = scores.filter(scores.risk_band.isin(AT_RISK))
    at_risk = at_risk.mutate(_clv=at_risk.clv_12m.cast("float64"))
    c = clv.select("customer_id", _p_alive=clv.p_alive.cast("float64"))
    return at_risk.left_join(c, "customer_id").drop("customer_id_right")


def _base_cut(candidates: ir.Table, min_clv_12m: float) -> ir.FloatingScalar:
    """The value threshold of ``winback_min_clv_12m``: the setting, or the median."""
    if min_clv_12m > 0:
        return float64_literal(min_clv_12m)
    filled = candidates.select(_clv=candidates._clv.fill_null(0.0))
    return continuous_quantile(filled, "_clv", 0.5).fill_null(0.0)


def _value_cut(
    candidates: ir.Table, min_clv_12m: float, min_offer_value: float
) -> ir.FloatingScalar:
    """The value threshold in force: :func:`_base_cut`, or the offer's bar when higher."""
    base = _base_cut(candidates, min_clv_12m)
    bar = float64_literal(min_offer_value)
    return ibis.ifelse(bar > base, bar, base)


def winback(
    churn_scores: Any,
    clv: Any,
    customer_summary: Any,
    *,
    min_p_alive: float = MIN_P_ALIVE_SETTING.default,
    min_clv_12m: float = MIN_CLV_SETTING.default,
    response_rate: float = RESPONSE_RATE_SETTING.default,
    min_offer_value: float = MIN_RETURN_SETTING.default * OFFER_COST_SETTING.default,
) -> ir.Table:
    """The win-back list, best first (see the module docstring for the rule and ranking).

    Parameters
    ----------
    churn_scores, clv, customer_summary
        Those results (``churn_scores``: risk band, churn probability, revenue at risk,
        reasons, action; ``clv``: ``p_alive``, ``clv_12m``; ``customer_summary``: last
        purchase, orders and revenue to date).
    min_p_alive, min_clv_12m, response_rate
        The ``audience_min_p_alive``, ``winback_min_clv_12m`` and
        ``audience_churn_winback_response_rate`` settings.
    min_offer_value
        ``audience_min_return`` × ``audience_churn_winback_offer_cost``: the least
        predicted value the threshold may be.
    """
    _check(min_p_alive, min_clv_12m, response_rate, min_offer_value)
    c = _candidates(as_table(churn_scores), as_table(clv))
    cut = _value_cut(c, min_clv_12m, min_offer_value)
    kept = c.filter((c._p_alive >= min_p_alive) & (c._clv.fill_null(0.0) >= cut))
    chance = kept._p_alive * response_rate
    at_risk = kept.revenue_at_risk.cast("float64")
    listed = kept.mutate(_chance=chance, _at_risk=at_risk, _expected=chance * at_risk)
    s = as_table(customer_summary)
    listed = listed.left_join(
        s.select(
            "customer_id",
            _last=s.last_purchase.cast("date"),
            _orders=s.n_orders.cast("int64"),
            _revenue=s.total_amount.cast("float64"),
        ),
        "customer_id",
    ).drop("customer_id_right")
    rank = ibis.row_number().over(
        order_by=[ibis.desc(listed._expected), ibis.desc(listed._at_risk), listed.customer_id]
    )
    return listed.select(
        winback_rank=as_int64(rank + 1),
        customer_id=listed.customer_id.cast("string"),
        expected_recovered_value=listed._expected,
        retention_chance=listed._chance,
        revenue_at_risk=listed._at_risk,
        churn_probability=listed.churn_probability.cast("float64"),
        risk_band=listed.risk_band.cast("string"),
        p_alive=listed._p_alive,
        clv_12m=listed._clv,
        **{col: listed[col] for col in REASON_COLUMNS},
        recommended_action=listed.recommended_action.cast("string"),
        last_purchase=listed._last,
        orders=listed._orders,
        revenue=listed._revenue,
    )


def winback_summary(
    churn_scores: Any,
    clv: Any,
    winback_list: Any,
    *,
    min_p_alive: float = MIN_P_ALIVE_SETTING.default,
    min_clv_12m: float = MIN_CLV_SETTING.default,
    response_rate: float = RESPONSE_RATE_SETTING.default,
    min_offer_value: float = MIN_RETURN_SETTING.default * OFFER_COST_SETTING.default,
) -> ir.Table:
    """One row: how many at-risk customers each threshold left out, what the list holds,
    and the thresholds in force (the value one as an amount, however it was set)."""
    _check(min_p_alive, min_clv_12m, response_rate, min_offer_value)
    c = _candidates(as_table(churn_scores), as_table(clv))
    w = as_table(winback_list)
    base = _base_cut(c, min_clv_12m)
    cut = _value_cut(c, min_clv_12m, min_offer_value)
    gone = (c._p_alive < min_p_alive) | c._p_alive.isnull()
    low_value = ~gone & (c._clv.fill_null(0.0) < cut)
    counts = c.aggregate(
        at_risk_customers=c.count().cast("int64"),
        # count(where=…), not a sum of booleans cast to integers: PostgreSQL casts no
        # boolean to bigint
        below_min_p_alive=c.count(where=gone).cast("int64"),
        below_min_clv_12m=c.count(where=low_value).cast("int64"),
        at_risk_revenue=c.revenue_at_risk.cast("float64").sum().fill_null(0.0),
    )
    listed = w.aggregate(
        customers=w.count().cast("int64"),
        revenue_at_risk=w.revenue_at_risk.sum().fill_null(0.0).cast("float64"),
        expected_recovered_value=w.expected_recovered_value.sum().fill_null(0.0).cast("float64"),
    )
    return counts.cross_join(listed).select(
        "at_risk_customers",
        "below_min_p_alive",
        "below_min_clv_12m",
        "customers",
        at_risk_revenue=ibis._.at_risk_revenue.cast("float64"),
        revenue_at_risk="revenue_at_risk",
        expected_recovered_value="expected_recovered_value",
        min_p_alive=float64_literal(min_p_alive),
        min_clv_12m=cut.cast("float64"),
        min_clv_source=ibis.ifelse(
            float64_literal(min_offer_value) > base,
            ibis.literal("offer_cost", "string"),
            ibis.literal("setting" if min_clv_12m > 0 else "median", "string"),
        ),
        response_rate=float64_literal(response_rate),
    )


def _settings(ctx: AnalysisContext) -> dict[str, float]:
    return {
        "min_p_alive": ctx.setting(MIN_P_ALIVE_SETTING.name),
        "min_clv_12m": ctx.setting(MIN_CLV_SETTING.name),
        "response_rate": ctx.setting(RESPONSE_RATE_SETTING.name),
        "min_offer_value": ctx.setting(MIN_RETURN_SETTING.name)
        * ctx.setting(OFFER_COST_SETTING.name),
    }


def _build_list(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return winback(
        inputs["churn_scores"], inputs["clv"], inputs["customer_summary"], **_settings(ctx)
    )


def _build_summary(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return winback_summary(
        inputs["churn_scores"], inputs["clv"], inputs["winback"], **_settings(ctx)
    )


SETTINGS = (
    MIN_P_ALIVE_SETTING,
    MIN_CLV_SETTING,
    RESPONSE_RATE_SETTING,
    MIN_RETURN_SETTING,
    OFFER_COST_SETTING,
)
_RULE = (
    "churn-model risk band high or medium, probability alive at least audience_min_p_alive "
    "(0.3) and predicted 12-month value at least winback_min_clv_12m (0: the at-risk "
    "customers' median), and never below audience_min_return × "
    "audience_churn_winback_offer_cost"
)
_REASON = (
    "Reason {k} code (churn_scores.reason_{k}); action: winback_action.<code>.",
    "第{k}条原因代码（同 churn_scores.reason_{k}）；对应动作见 winback_action.<代码>",
)
_VALUE = ("The number reason {k}'s words name.", "第{k}条原因文字中的数值")


ANALYSES = [
    Analysis(
        name="winback",
        requires=("churn_scores", "clv", "customer_summary"),
        build=_build_list,
        settings=SETTINGS,
        description=f"The win-back list: customers with {_RULE}, ranked by expected "
        "recovered value = audience_churn_winback_response_rate × p_alive × revenue at "
        "risk, with the churn model's three reasons.",
        columns={
            "winback_rank": Column(
                "int64", "1 = the highest expected recovered value.", "排名（1 为预期挽回价值最高）"
            ),
            "customer_id": Column("string", "Customer.", "客户"),
            "expected_recovered_value": Column(
                "float64",
                "retention_chance × revenue_at_risk: what a contact is expected to keep.",
                "预期挽回价值（挽留成功率 × 风险收入）",
                "currency",
            ),
            "retention_chance": Column(
                "float64",
                "Proxy for the chance a contact keeps the customer: "
                "audience_churn_winback_response_rate × p_alive.",
                "挽留成功率代理值（活动响应率 × 存活概率）",
                "probability",
            ),
            "revenue_at_risk": Column(
                "float64",
                "churn_probability × clv_12m.",
                "风险收入（流失概率 × 预测 12 个月价值）",
                "currency",
            ),
            "churn_probability": Column(
                "float64", "Churn model's calibrated churn probability.", "流失概率", "probability"
            ),
            "risk_band": Column("string", "Churn-model risk band: high or medium.", "风险等级代码"),
            "p_alive": Column(
                "float64",
                "Probability alive of the chosen purchase model (clv).",
                "存活概率（购买模型）",
                "probability",
            ),
            "clv_12m": Column(
                "float64",
                "Predicted 12-month value (churn_scores, from clv).",
                "预测 12 个月价值",
                "currency",
            ),
            **reason_columns(_REASON, _VALUE),
            "recommended_action": Column(
                "string",
                "The churn model's overall action code (churn_action.<code>).",
                "总体建议动作代码（文字见 churn_action.<代码>）",
            ),
            "last_purchase": Column("date", "Date of the last completed order.", "最近购买日期"),
            "orders": Column("int64", "Completed orders to date.", "累计订单数", "count"),
            "revenue": Column("float64", "Revenue to date.", "累计消费金额", "currency"),
        },
    ),
    Analysis(
        name="winback_summary",
        requires=("churn_scores", "clv", "winback"),
        build=_build_summary,
        settings=SETTINGS,
        description="The win-back list in one row: at-risk customers, how many each "
        "threshold left out, the listed customers' revenue at risk and expected recovered "
        "value, and the thresholds in force.",
        columns={
            "at_risk_customers": Column(
                "int64",
                "Scored customers at high or medium churn risk.",
                "高、中流失风险客户数",
                "count",
            ),
            "below_min_p_alive": Column(
                "int64",
                "Of them, left out with p_alive below min_p_alive (treated as gone).",
                "其中因存活概率低于门槛而排除（视为已流失）的客户数",
                "count",
            ),
            "below_min_clv_12m": Column(
                "int64",
                "Of the rest, left out with predicted value below min_clv_12m.",
                "其余客户中因预测价值低于门槛而排除的客户数",
                "count",
            ),
            "customers": Column(
                "int64", "Customers on the win-back list.", "挽回名单客户数", "count"
            ),
            "at_risk_revenue": Column(
                "float64",
                "Revenue at risk of all at-risk customers.",
                "全部高、中风险客户的风险收入",
                "currency",
            ),
            "revenue_at_risk": Column(
                "float64",
                "Revenue at risk of the listed customers.",
                "名单客户的风险收入",
                "currency",
            ),
            "expected_recovered_value": Column(
                "float64",
                "Expected recovered value of the listed customers, summed.",
                "名单客户预期挽回价值合计",
                "currency",
            ),
            "min_p_alive": Column(
                "float64", "The p_alive threshold in force.", "存活概率门槛", "probability"
            ),
            "min_clv_12m": Column(
                "float64",
                "The predicted-value threshold in force, as an amount.",
                "预测价值门槛（金额）",
                "currency",
            ),
            "min_clv_source": Column(
                "string",
                "setting (winback_min_clv_12m), median (of the at-risk customers) or "
                "offer_cost (audience_min_return × audience_churn_winback_offer_cost, when "
                "higher than either).",
                "价值门槛来源：setting（设置）、median（高、中风险客户中位数）或 offer_cost"
                "（触达成本门槛，较高时）",
            ),
            "response_rate": Column(
                "float64",
                "Assumed response rate (audience_churn_winback_response_rate).",
                "假设响应率",
                "share",
            ),
        },
    ),
]
