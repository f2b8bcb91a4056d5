"""The declarations of the satisfaction results (logic in :mod:`.scores`, :mod:`.complaints`,
:mod:`.sla` and :mod:`.behaviour`)."""

from __future__ import annotations

from collections.abc import Mapping

from clientlens.analytics.base import Analysis, AnalysisContext, Column
from clientlens.analytics.kpis.kpis import CHURN_WINDOW_DAYS
from clientlens.analytics.satisfaction import scores as scores_mod
from clientlens.analytics.satisfaction import sla as sla_mod
from clientlens.errors import NotEnoughDataError
from clientlens.lazy import ir, pd

_DTYPES = {
    "string": "object",
    "int64": "int64",
    "float64": "float64",
    "boolean": "boolean",
    "date": "object",
}


def _period_columns(what: str, what_zh: str) -> dict[str, Column]:
    return {
        "grain": Column(
            "string",
            f"month ({what} of the calendar month) or last_12_months (the 12 complete months "
            "ending with the last complete month)"
            + (", or backlog (open now)" if what == "tickets" else "")
            + ".",
            f"粒度：month（当月{what_zh}）或 last_12_months（截至最近一个完整月的 12 个完整月）"
            + ("，或 backlog（当前未结工单）" if what == "tickets" else "")
            + "。",
        ),
        "period": Column(
            "date", "First day of the period's (first) month.", "期间（首月）的第一天。"
        ),
        "period_label": Column(
            "string",
            "YYYY-MM, or YYYY-MM..YYYY-MM for 12 months.",
            "YYYY-MM，12 个月时为 YYYY-MM..YYYY-MM。",
        ),
        "is_complete": Column(
            "boolean",
            "Whether the period ends on or before the observation end.",
            "期间是否在观察截止日或之前结束。",
        ),
        "is_latest": Column(
            "boolean",
            "The latest complete month, or a 12-month / backlog row: the rows to headline.",
            "最近一个完整月，或 12 个月 / 未结工单行：报告标题所用的行。",
        ),
    }


# -- satisfaction_scores -------------------------------------------------------------
def plain_ints(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable integer columns as Python ints and None: PySpark's table from a pandas
    frame stores pandas' Int64 column as all nulls (seen on the parity fixture)."""
    out = frame.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.Int64Dtype):
            out[c] = pd.Series(
                [None if pd.isna(v) else int(v) for v in out[c]], index=out.index, dtype=object
            )
    return out


def _scores_build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    return plain_ints(_scores(inputs, ctx))


def _scores(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    return scores_mod.satisfaction_scores(
        inputs["feedback"],
        observation_end=ctx.observation_end,
        customers=inputs.get("customers"),
        rfm_scores=inputs.get("rfm_scores"),
        clv=inputs.get("clv"),
        category_mix=inputs.get("category_mix"),
        min_responses=ctx.setting("satisfaction_min_responses"),
        confidence=ctx.setting("satisfaction_confidence"),
        satisfied_min=ctx.setting("csat_satisfied_min"),
        ces_scale_max=ctx.setting("ces_scale_max"),
    )


def _test_columns(base: str, en: str, zh: str) -> dict[str, Column]:
    return {
        f"{base}_value": Column("float64", f"The value in {en}.", f"{zh}的值。", unit="per_row"),
        f"{base}_responses": Column("int64", f"Answers in {en}.", f"{zh}的回复数。", unit="count"),
        f"{base}_change": Column(
            "float64",
            f"value − {base}_value: NPS points, a difference of shares (0-1) for CSAT and "
            "reviews, of means for CES; null for an incomplete period or one without answers.",
            f"value − {base}_value：NPS 为分差，CSAT 和评价为比例之差（0-1），CES 为均值之差；"
            "期间未完整或无回复时为空。",
            unit="per_row",
        ),
        f"{base}_p_value": Column(
            "float64",
            f"Two-sided p of the change against {en} (two-proportion z-test for shares, "
            "z-test on the NPS or mean difference); null unless both periods are complete "
            "and have enough answers.",
            f"与{zh}相比变化的双侧 p 值（比例用双比例 z 检验，NPS 与均值用差值 z 检验）；"
            "两期均完整且回复足够时才有值。",
            unit="probability",
        ),
        f"{base}_significant": Column(
            "boolean",
            "p below 1 − satisfaction_confidence; null when not tested.",
            "p 值低于 1 − satisfaction_confidence；未检验时为空。",
        ),
    }


SCORES_COLUMNS: dict[str, Column] = {
    "metric": Column(
        "string",
        "nps, csat, ces or review (product reviews' 1-5 stars, as a top-2-box share).",
        "指标：nps、csat、ces 或 review（商品评价 1-5 星，按 4-5 星占比）。",
    ),
    "dimension": Column(
        "string",
        "all, channel, region (customer's province), rfm_segment (8-segment code today), "
        "clv_tier (CLV tier high/medium/low) or category (the customer's top product "
        "category).",
        "维度：all、channel（渠道）、region（客户省份）、rfm_segment（当前 8 分群代码）、"
        "clv_tier（CLV 等级 high/medium/low）或 category（客户购买最多的品类）。",
    ),
    "group": Column(
        "string",
        "The group within the dimension ('all' for all).",
        "维度内的分组（all 表示全部）。",
    ),
    **_period_columns("answers", "回复"),
    "scale": Column("string", "The answer scale (0-10, 1-5, 1-7).", "评分量表（0-10、1-5、1-7）。"),
    "responses": Column("int64", "Scored answers.", "有评分的回复数。", unit="count"),
    "promoters": Column("int64", "NPS: answers 9-10.", "NPS：9-10 分的回复数。", unit="count"),
    "passives": Column("int64", "NPS: answers 7-8.", "NPS：7-8 分的回复数。", unit="count"),
    "detractors": Column("int64", "NPS: answers 0-6.", "NPS：0-6 分的回复数。", unit="count"),
    "satisfied": Column(
        "int64",
        "CSAT / review: answers at or above csat_satisfied_min.",
        "CSAT / 评价：不低于 csat_satisfied_min 的回复数。",
        unit="count",
    ),
    "promoter_share": Column(
        "float64", "NPS: promoters / responses.", "NPS：推荐者占比。", unit="share"
    ),
    "passive_share": Column(
        "float64", "NPS: passives / responses.", "NPS：中立者占比。", unit="share"
    ),
    "detractor_share": Column(
        "float64", "NPS: detractors / responses.", "NPS：贬损者占比。", unit="share"
    ),
    "value": Column(
        "float64",
        "NPS in points (-100..100), CSAT or review share (0-1), or CES mean; null without answers.",
        "NPS（-100..100 分）、CSAT 或评价满意占比（0-1）或 CES 均值；无回复时为空。",
        unit="per_row",
    ),
    "ci_low": Column(
        "float64",
        "Lower end of the satisfaction_confidence interval (Wilson for shares, "
        "multinomial variance for NPS, normal for CES).",
        "置信区间下限（比例用 Wilson 区间，NPS 用多项分布方差，CES 用正态近似）。",
        unit="per_row",
    ),
    "ci_high": Column("float64", "Upper end of the interval.", "置信区间上限。", unit="per_row"),
    "enough_responses": Column(
        "boolean",
        "At least satisfaction_min_responses answers: otherwise say 'not enough responses'.",
        "回复数不少于 satisfaction_min_responses；否则应表述为“回复不足”。",
    ),
    **_test_columns("previous", "the period before", "上一期"),
    **_test_columns("last_year", "the same month a year before", "去年同月"),
}


# -- complaint_summary ----------------------------------------------------------------
def _summary_build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    from clientlens.analytics.satisfaction.complaints import complaint_summary

    return complaint_summary(
        inputs["tickets"],
        observation_end=ctx.observation_end,
        confidence=ctx.setting("satisfaction_confidence"),
    )


def _volume_tests(base: str, en: str, zh: str) -> dict[str, Column]:
    return {
        f"{base}_tickets": Column("int64", f"Tickets in {en}.", f"{zh}的工单数。", unit="count"),
        f"{base}_change": Column(
            "float64",
            f"(tickets − {base}_tickets) / {base}_tickets; null when that is 0 or the period "
            "is incomplete.",
            f"(工单数 − {zh}工单数) / {zh}工单数；基数为 0 或期间未完整时为空。",
            unit="change",
        ),
        f"{base}_p_value": Column(
            "float64",
            f"Two-sided p of the change against {en} (Poisson counts test).",
            f"与{zh}相比变化的双侧 p 值（泊松计数检验）。",
            unit="probability",
        ),
        f"{base}_significant": Column(
            "boolean",
            "p below 1 − satisfaction_confidence; null when not tested.",
            "p 值低于 1 − satisfaction_confidence；未检验时为空。",
        ),
    }


_TICKET_DIMENSION = Column(
    "string",
    "all, category, channel or severity (high / medium / low, or as written).",
    "维度：all、category（类别）、channel（渠道）或 severity（严重程度 high/medium/low 或原值）。",
)
_TICKET_GROUP = Column(
    "string",
    "The group within the dimension ('all'; 'unknown' when the ticket has none).",
    "维度内的分组（all；工单无此值时为 unknown）。",
)

SUMMARY_COLUMNS: dict[str, Column] = {
    "dimension": _TICKET_DIMENSION,
    "group": _TICKET_GROUP,
    **_period_columns("tickets opened", "开立的工单"),
    "tickets": Column("int64", "Tickets opened in the period.", "期间开立的工单数。", unit="count"),
    "ticket_share": Column(
        "float64", "Share of all tickets of the period.", "占期间全部工单的比例。", unit="share"
    ),
    "customers": Column(
        "int64", "Distinct complaining customers.", "投诉客户数（去重）。", unit="count"
    ),
    "repeat_customers": Column(
        "int64",
        "Customers with at least two tickets in the period and group.",
        "期间内（该分组）至少两张工单的客户数。",
        unit="count",
    ),
    "open_tickets": Column(
        "int64",
        "Of the period's tickets, those still open at the observation end.",
        "期间工单中截至观察截止日仍未关闭的数量。",
        unit="count",
    ),
    **_volume_tests("previous", "the period before", "上一期"),
    **_volume_tests("last_year", "the same month a year before", "去年同月"),
}


# -- complaint_sla --------------------------------------------------------------------
def _sla_build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    return sla_mod.complaint_sla(
        inputs["tickets"],
        observation_end=ctx.observation_end,
        hours={k: ctx.setting(s.name) for k, s in sla_mod.SLA_HOURS.items()},
        default_hours=ctx.setting("sla_hours_default"),
        first_response_hours=ctx.setting("sla_first_response_hours"),
    )


SLA_COLUMNS: dict[str, Column] = {
    "dimension": _TICKET_DIMENSION,
    "group": _TICKET_GROUP,
    **_period_columns("tickets", "工单"),
    "tickets": Column(
        "int64",
        "Tickets opened in the period (backlog: open at the observation end).",
        "期间开立的工单数（backlog：截至观察截止日未关闭的工单）。",
        unit="count",
    ),
    "resolved": Column(
        "int64",
        "Of them, resolved by the observation end.",
        "其中截至观察截止日已解决的。",
        unit="count",
    ),
    "open_tickets": Column("int64", "Of them, still open.", "其中仍未关闭的。", unit="count"),
    "target_hours": Column(
        "float64",
        "The SLA target when all the group's tickets share one (a severity), else null.",
        "分组内工单目标时长相同时（按严重程度）的 SLA 目标，否则为空。",
        unit="hours",
    ),
    "resolution_median_hours": Column(
        "float64",
        "Median hours from opened to closed (exact).",
        "从开立到关闭的时长中位数（精确）。",
        unit="hours",
    ),
    "resolution_p90_hours": Column(
        "float64",
        "90th percentile (nearest rank) of the hours to resolution.",
        "处理时长的第 90 百分位数（最近秩）。",
        unit="hours",
    ),
    "breached": Column(
        "int64",
        "Tickets resolved after their target, or open and older than it.",
        "超时工单：解决时长超过目标，或未关闭且已超过目标。",
        unit="count",
    ),
    "breach_rate": Column("float64", "breached / tickets.", "超时工单占比。", unit="share"),
    "open_breached": Column(
        "int64", "Open tickets already past their target.", "已超时的未关闭工单数。", unit="count"
    ),
    "open_age_median_days": Column(
        "float64",
        "Median age of the open tickets at the observation end, days.",
        "未关闭工单在观察截止日的账龄中位数（天）。",
        unit="days",
    ),
    "open_age_p90_days": Column(
        "float64",
        "90th percentile age of the open tickets, days.",
        "未关闭工单账龄的第 90 百分位数（天）。",
        unit="days",
    ),
    # null, all seven, when the tickets have no first_response_at column
    "first_response_target_hours": Column(
        "float64",
        "The first-response target (sla_first_response_hours), the same for every ticket.",
        "首次响应目标时长（sla_first_response_hours），所有工单相同。",
        unit="hours",
    ),
    "responded": Column(
        "int64",
        "Tickets with a first response by the observation end.",
        "截至观察截止日已首次响应的工单数。",
        unit="count",
    ),
    "awaiting_response": Column(
        "int64",
        "Open tickets with no first response by the observation end.",
        "截至观察截止日仍未关闭且尚未首次响应的工单数。",
        unit="count",
    ),
    "first_response_median_hours": Column(
        "float64",
        "Median hours from opened to the first response (exact), of the responded tickets.",
        "已响应工单从开立到首次响应的时长中位数（精确）。",
        unit="hours",
    ),
    "first_response_p90_hours": Column(
        "float64",
        "90th percentile (nearest rank) of the hours to the first response.",
        "首次响应时长的第 90 百分位数（最近秩）。",
        unit="hours",
    ),
    "first_response_breached": Column(
        "int64",
        "Tickets first answered after the target, or awaiting a response and older than it.",
        "首次响应超时的工单：响应时长超过目标，或尚未响应且已超过目标。",
        unit="count",
    ),
    "first_response_breach_rate": Column(
        "float64",
        "first_response_breached / (responded + awaiting_response); a ticket closed without "
        "a recorded response is in neither.",
        "首次响应超时工单 / （已响应 + 待响应）；关闭时没有响应记录的工单不计入。",
        unit="share",
    ),
}


# -- satisfaction_behaviour -----------------------------------------------------------
def _behaviour_build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    from clientlens.analytics.satisfaction.behaviour import satisfaction_behaviour

    if "feedback" not in inputs and "tickets" not in inputs:
        raise NotEnoughDataError(
            "satisfaction_behaviour needs feedback or tickets; the workspace has neither."
        )
    return plain_ints(
        satisfaction_behaviour(
            inputs["orders"],
            observation_end=ctx.observation_end,
            feedback=inputs.get("feedback"),
            tickets=inputs.get("tickets"),
            rfm_scores=inputs.get("rfm_scores"),
            purchase_cycle=inputs.get("purchase_cycle"),
            churn_window_days_setting=ctx.setting("churn_window_days"),
            confidence=ctx.setting("satisfaction_confidence"),
        )
    )


BEHAVIOUR_COLUMNS: dict[str, Column] = {
    "comparison": Column(
        "string",
        "nps_repurchase_90d, nps_churn, complaint_churn or loyalty_stated.",
        "比较：nps_repurchase_90d（90 天复购）、nps_churn（流失）、complaint_churn（投诉者流失）"
        "或 loyalty_stated（行为忠诚与表态忠诚）。",
    ),
    "group": Column(
        "string",
        "promoter / passive / detractor; complainers / matched_non_complainers / "
        "all_non_complainers; loyal_behaviour / other.",
        "分组：promoter/passive/detractor；complainers/matched_non_complainers/"
        "all_non_complainers；loyal_behaviour/other。",
    ),
    "baseline": Column("string", "The group the difference is taken against.", "差值的对照组。"),
    "units": Column(
        "int64",
        "What the value is over: NPS answers, or customers (complaint_churn).",
        "计算基数：NPS 回复数，或客户数（complaint_churn）。",
        unit="count",
    ),
    "events": Column(
        "int64",
        "Repurchases, churned units, or promoters (loyalty_stated).",
        "事件数：复购、流失，或推荐者（loyalty_stated）。",
        unit="count",
    ),
    "value": Column(
        "float64",
        "The rate (0-1), or NPS points for loyalty_stated; matched_non_complainers: "
        "their churn reweighted to the complainers' RFM cells.",
        "比率（0-1），loyalty_stated 为 NPS 分；matched_non_complainers：按投诉者 RFM 单元"
        "加权后的流失率。",
        unit="per_row",
    ),
    "ci_low": Column(
        "float64",
        "Lower end of the value's interval (Wilson; NPS: multinomial).",
        "区间下限。",
        unit="per_row",
    ),
    "ci_high": Column(
        "float64", "Upper end of the value's interval.", "区间上限。", unit="per_row"
    ),
    "difference": Column(
        "float64",
        "value − the baseline's value (matched, for complainers).",
        "与对照组之差（投诉者为匹配后的差）。",
        unit="per_row",
    ),
    "difference_ci_low": Column(
        "float64", "Lower end of the difference's interval.", "差值区间下限。", unit="per_row"
    ),
    "difference_ci_high": Column(
        "float64", "Upper end of the difference's interval.", "差值区间上限。", unit="per_row"
    ),
    "p_value": Column(
        "float64", "Two-sided p of the difference.", "差值的双侧 p 值。", unit="probability"
    ),
    "window_days": Column(
        "float64",
        "Days after the answer (or the cutoff) the behaviour is observed over.",
        "观察行为的天数（回复或截点之后）。",
        unit="days",
    ),
    "cells": Column(
        "int64",
        "complaint_churn: RFM cells holding both complainers and non-complainers.",
        "complaint_churn：同时含投诉者与非投诉者的 RFM 单元数。",
        unit="count",
    ),
    "significant": Column(
        "boolean",
        "p below 1 − satisfaction_confidence; null when not tested.",
        "p 值低于 1 − satisfaction_confidence；未检验时为空。",
    ),
}


ANALYSES = [
    Analysis(
        name="satisfaction_scores",
        requires=("feedback",),
        optional=("customers", "rfm_scores", "clv", "category_mix"),
        build=_scores_build,
        settings=scores_mod.SETTINGS,
        description="NPS (with the promoter / passive / detractor split), CSAT, CES and review "
        "ratings by month and over 12 months, overall and by channel, region, RFM segment, "
        "CLV tier and top product category, with intervals and tests of each change against the period before and "
        "the same month last year.",
        columns=SCORES_COLUMNS,
    ),
    Analysis(
        name="complaint_summary",
        requires=("tickets",),
        build=_summary_build,
        settings=(scores_mod.CONFIDENCE,),
        description="Complaint tickets by category, channel and severity per month and over "
        "12 months: volume, complaining and repeat-complaining customers, open tickets, "
        "and the tested change against the period before and last year.",
        columns=SUMMARY_COLUMNS,
    ),
    Analysis(
        name="complaint_sla",
        requires=("tickets",),
        build=_sla_build,
        settings=sla_mod.SETTINGS,
        description="Time to resolution (median, p90), SLA breaches against the targets by "
        "severity, time to first response (median, p90) and its breaches against the "
        "first-response target, and the open backlog with its age, by category, channel and "
        "severity.",
        columns=SLA_COLUMNS,
    ),
    Analysis(
        name="satisfaction_behaviour",
        requires=("orders",),
        optional=("feedback", "tickets", "rfm_scores", "purchase_cycle"),
        build=_behaviour_build,
        settings=(CHURN_WINDOW_DAYS, scores_mod.CONFIDENCE),
        description="Satisfaction against later behaviour: 90-day repurchase and churn of "
        "promoters, passives and detractors, the churn of complainers against non-complainers "
        "matched on RFM cells, and NPS of behaviourally loyal customers against the others.",
        columns=BEHAVIOUR_COLUMNS,
    ),
]

_BY_NAME = {a.name: a for a in ANALYSES}


def empty_frame(name: str) -> pd.DataFrame:
    """A result with no rows and the declared columns (no feedback or tickets in range)."""
    columns = _BY_NAME[name].columns
    return pd.DataFrame({c: pd.Series([], dtype=_DTYPES[col.type]) for c, col in columns.items()})
