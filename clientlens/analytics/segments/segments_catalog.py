"""Names, rules and recommended actions of the RFM segment schemes (zh and en).

Two schemes, each segment with a stable code, display names and an action:

* ``rfm11``: the 11-segment scheme on the R score and the FM score (the mean of the
  F and M scores, rounded half up), read off :data:`RFM11_GRID`;
* ``rfm8``: the Chinese 8-segment scheme (重要价值客户 ...) on whether R, F and M are
  better than the mean (or median) of all customers.

The report, the dashboard and :mod:`clientlens.analytics.segments.rfm_segments` all read these
tables, so a segment is named and advised the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    code: str
    zh: str
    en: str
    action_zh: str
    action_en: str


RFM11: tuple[Segment, ...] = (
    Segment(
        "champions",
        "冠军客户",
        "Champions",
        "奖励、新品优先体验、邀请推荐",
        "Reward them, give early access to new products, ask for referrals",
    ),
    Segment(
        "loyal",
        "忠诚客户",
        "Loyal",
        "会员升级、交叉销售高价值商品、征求评价",
        "Upsell higher-value products, offer membership upgrades, ask for reviews",
    ),
    Segment(
        "potential_loyalist",
        "潜力忠诚客户",
        "Potential Loyalist",
        "推荐会员计划、个性化推荐、提高购买频次",
        "Offer a membership or loyalty programme, recommend personally, raise frequency",
    ),
    Segment(
        "new",
        "新客户",
        "New",
        "做好首单体验与新客引导、及时推动第二单",
        "Onboard well, support the first purchase, nudge a second order early",
    ),
    Segment(
        "promising",
        "有潜力客户",
        "Promising",
        "建立品牌认知、发放限时试用或小额优惠",
        "Build brand awareness, offer free trials or small limited-time offers",
    ),
    Segment(
        "need_attention",
        "需关注客户",
        "Need Attention",
        "限时优惠、基于历史购买的个性化推荐，重新激活",
        "Limited-time offers and recommendations from past purchases to re-activate",
    ),
    Segment(
        "about_to_sleep",
        "即将沉睡客户",
        "About to Sleep",
        "推送热门商品与优惠，重新建立联系",
        "Share popular products and discounts, reconnect before they lapse",
    ),
    Segment(
        "at_risk",
        "流失风险客户",
        "At Risk",
        "个性化召回邮件/短信、续订提醒、专属优惠",
        "Send personalised win-back messages, renewal reminders and tailored offers",
    ),
    Segment(
        "cant_lose",
        "不能失去的客户",
        "Can't Lose Them",
        "专人回访、了解原因、提供新品或专属权益赢回",
        "Win them back personally: call, learn why, offer new products or exclusive perks",
    ),
    Segment(
        "hibernating",
        "休眠客户",
        "Hibernating",
        "低成本触达、推送相关商品与特价，控制营销成本",
        "Reach cheaply with relevant products and special prices; limit spend",
    ),
    Segment(
        "lost",
        "已流失客户",
        "Lost",
        "低成本召回活动，无响应则减少投入",
        "Try a low-cost win-back campaign; otherwise stop spending on them",
    ),
)

# Rows: R level 5 (most recent) .. 1; columns: FM level 1 .. 5.
RFM11_GRID: dict[int, tuple[str, str, str, str, str]] = {
    5: ("new", "potential_loyalist", "potential_loyalist", "champions", "champions"),
    4: ("promising", "potential_loyalist", "potential_loyalist", "loyal", "champions"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    1: ("lost", "lost", "at_risk", "at_risk", "cant_lose"),
}

RFM8: tuple[Segment, ...] = (
    Segment(
        "important_value",
        "重要价值客户",
        "Important value",
        "重点维护：专属服务、VIP 权益、优先体验新品",
        "Keep them close: dedicated service, VIP benefits, early access",
    ),
    Segment(
        "important_develop",
        "重要发展客户",
        "Important to develop",
        "提高购买频次：会员计划、交叉销售、复购激励",
        "Raise their frequency: loyalty programme, cross-selling, repeat-purchase incentives",
    ),
    Segment(
        "important_retain",
        "重要保持客户",
        "Important to retain",
        "主动联系、了解近况，防止流失",
        "Contact them proactively and find out why they have not bought lately",
    ),
    Segment(
        "important_winback",
        "重要挽留客户",
        "Important to win back",
        "重点挽回：专人回访、定向大额优惠",
        "Win them back: personal follow-up and targeted high-value offers",
    ),
    Segment(
        "general_value",
        "一般价值客户",
        "General value",
        "提升客单价：搭配推荐、满减活动",
        "Raise their order value: bundles and spend-more-save-more offers",
    ),
    Segment(
        "general_develop",
        "一般发展客户",
        "General to develop",
        "培养消费习惯：新客礼包、首单后引导复购",
        "Build the habit: welcome packs and nudges to a repeat purchase",
    ),
    Segment(
        "general_retain",
        "一般保持客户",
        "General to retain",
        "低成本唤醒：短信/推送提醒与小额优惠",
        "Re-awaken cheaply: reminders and small discounts",
    ),
    Segment(
        "general_winback",
        "一般挽留客户",
        "General to win back",
        "低成本维护或放弃，控制营销投入",
        "Maintain at low cost or let go; limit marketing spend",
    ),
)

# (R better, F better, M better) -> code
RFM8_RULES: dict[tuple[bool, bool, bool], str] = {
    (True, True, True): "important_value",
    (True, False, True): "important_develop",
    (False, True, True): "important_retain",
    (False, False, True): "important_winback",
    (True, True, False): "general_value",
    (True, False, False): "general_develop",
    (False, True, False): "general_retain",
    (False, False, False): "general_winback",
}

SCHEMES: dict[str, tuple[Segment, ...]] = {"rfm11": RFM11, "rfm8": RFM8}


def segment(scheme: str, code: str) -> Segment:
    """The segment ``code`` of ``scheme`` (``"rfm11"`` or ``"rfm8"``)."""
    for s in SCHEMES[scheme]:
        if s.code == code:
            return s
    raise KeyError(f"{scheme}: unknown segment {code!r}")


def rfm11_code(r_level: int, fm_level: int) -> str:
    """The 11-segment code of an R level and an FM level, both 1..5."""
    return RFM11_GRID[r_level][fm_level - 1]


def rfm11_rules_text() -> str:
    """The grid as words, for the docs: ``Champions: R5 FM4–5, R4 FM5; ...``."""
    parts = []
    for s in RFM11:
        cells = []
        for r, row in RFM11_GRID.items():
            fms = [fm + 1 for fm, code in enumerate(row) if code == s.code]
            if fms:
                span = f"{fms[0]}" if len(fms) == 1 else f"{fms[0]}–{fms[-1]}"
                cells.append(f"R{r} FM{span}")
        parts.append(f"{s.en} ({s.zh}): {', '.join(cells)}")
    return "; ".join(parts)
