"""The declared columns of ``audiences`` and ``audience_summary``."""

from __future__ import annotations

from clientlens.analytics.base import Column

_CODES = "vip_at_risk, churn_winback, win_back, second_purchase or loyalty"

AUDIENCE_COLUMNS: dict[str, Column] = {
    "audience": Column("string", f"Audience code: {_CODES}.", "目标客群代码"),
    "customer_id": Column("string", "Customer.", "客户"),
    "audience_rank": Column(
        "int64",
        "Position in the audience's list: by revenue, highest first, ties by customer_id "
        "(churn_winback: the win-back list's winback_rank order).",
        "名单内排序（按销售额从高到低；churn_winback 按挽回名单排名）",
    ),
    "revenue": Column(
        "float64",
        "Revenue to date (customer_summary.total_amount).",
        "累计销售额",
        "currency",
    ),
    "orders": Column("int64", "Completed orders to date.", "累计订单数", "count"),
    "first_purchase": Column("timestamp", "Time of the first completed order.", "首次购买时间"),
    "last_purchase": Column("timestamp", "Time of the last completed order.", "最近一次购买时间"),
    "age_days": Column(
        "float64", "Days from the first purchase to the observation end.", "客龄（天）", "days"
    ),
    "recency_days": Column(
        "int64",
        "Days from the last completed order to the observation end (empty without rfm_scores).",
        "距最近一次购买天数",
        "days",
    ),
    "clv_12m": Column(
        "float64", "Predicted 12-month value (empty without clv).", "预测 12 个月价值", "currency"
    ),
    "p_alive": Column(
        "float64", "Probability alive (empty without clv).", "存活概率", "probability"
    ),
    "rfm_segment": Column(
        "string", "11-segment RFM code (empty without rfm_scores).", "RFM 分群代码"
    ),
    "lifecycle_stage": Column(
        "string",
        "Lifecycle stage code at the observation end (empty without lifecycle_stages).",
        "生命周期阶段代码",
    ),
}

SUMMARY_COLUMNS: dict[str, Column] = {
    "audience": Column(
        "string", f"Audience code: {_CODES}; all: the lists together.", "目标客群代码（all 为合计）"
    ),
    "audience_order": Column(
        "int64",
        "Priority: a customer meeting several rules is on the list with the lowest number "
        "(vip_at_risk and churn_winback 1, win_back 2, second_purchase 3, loyalty 4); all 5.",
        "优先级（同时符合多条规则的客户只进编号最小的名单）",
    ),
    "rule_customers": Column(
        "int64",
        "Customers meeting the audience's rule, whatever their other rules (all: customers "
        "meeting at least one rule).",
        "符合该名单规则的客户数",
        "count",
    ),
    "rule_customer_share": Column(
        "float64",
        "rule_customers / all customers with an order (all: empty).",
        "符合规则客户占比",
        "share",
    ),
    "rule_revenue_share": Column(
        "float64",
        "Revenue to date of the customers meeting the rule / all revenue (all: empty).",
        "符合规则客户的销售额占比",
        "share",
    ),
    "higher_priority": Column(
        "int64",
        "Of them, on a list of higher priority instead (all: 0).",
        "其中已进入更高优先级名单的客户数",
        "count",
    ),
    "left_out_gone": Column(
        "int64",
        "Of the rest, left out with a probability alive below min_p_alive (treated as gone).",
        "其余客户中因存活概率低于门槛（视为已流失）而排除的客户数",
        "count",
    ),
    "left_out_low_value": Column(
        "int64",
        "Of the rest, left out with a predicted 12-month value below min_value.",
        "其余客户中因预测 12 个月价值低于门槛而排除的客户数",
        "count",
    ),
    "customers": Column(
        "int64",
        "Customers on the list: rule_customers − higher_priority − left_out_gone − "
        "left_out_low_value (0 when none).",
        "名单客户数",
        "count",
    ),
    "customer_share": Column(
        "float64", "customers / all customers with an order.", "客户占比", "share"
    ),
    "revenue": Column(
        "float64", "The listed customers' revenue to date.", "累计销售额", "currency"
    ),
    "revenue_share": Column("float64", "revenue / all revenue.", "销售额占比", "share"),
    "orders": Column("int64", "Their completed orders to date.", "累计订单数", "count"),
    "clv_12m": Column(
        "float64",
        "Their predicted 12-month value, summed (empty without clv or customers).",
        "预测 12 个月价值合计",
        "currency",
    ),
    "mean_recency_days": Column(
        "float64",
        "Mean days since their last order (empty without rfm_scores or customers).",
        "平均距最近一次购买天数",
        "days",
    ),
    "order_value": Column(
        "float64",
        "Value of one response: the list's revenue / orders (impact_basis "
        "audience_order_value), the repeat buyers' mean repeat spend (repeat_buyer_spend) "
        "or the listed customers' mean p_alive × revenue at risk (recovered_value); empty "
        "for all.",
        "单次响应带来的金额",
        "currency",
    ),
    "impact_basis": Column(
        "string",
        "What order_value is: audience_order_value, repeat_buyer_spend or recovered_value "
        "(empty for all).",
        "单次响应金额的口径",
    ),
    "response_rate": Column(
        "float64",
        "Assumed share of the list that responds (setting audience_<code>_response_rate; "
        "empty for all).",
        "假设的响应率",
        "share",
    ),
    "expected_impact": Column(
        "float64",
        "customers × response_rate × order_value: the revenue acting should bring (0 for an "
        "empty list; all: the sum of the lists').",
        "预期收益",
        "currency",
    ),
    "offer_cost": Column(
        "float64",
        "Cost of the offer to one listed customer (setting audience_<code>_offer_cost; empty "
        "for all).",
        "每位客户的触达成本",
        "currency",
    ),
    "cost": Column(
        "float64",
        "customers × offer_cost (all: the sum of the lists').",
        "活动成本",
        "currency",
    ),
    "roi": Column(
        "float64",
        "(expected_impact − cost) / cost, on revenue before margin; empty when cost is 0.",
        "投资回报率（按销售额，未扣毛利）",
        "ratio",
    ),
    "min_p_alive": Column(
        "float64",
        "Probability alive a listed customer has at least (audience_min_p_alive; empty "
        "without clv and for all).",
        "存活概率门槛",
        "probability",
    ),
    "min_value": Column(
        "float64",
        "Predicted 12-month value a listed customer has at least: audience_min_return × "
        "offer_cost (churn_winback: the win-back list's threshold); empty without clv and "
        "for all.",
        "预测 12 个月价值门槛",
        "currency",
    ),
    "rfm_segments": Column(
        "string",
        "RFM segment codes the audience's rule takes, comma-separated (RFM audiences only).",
        "所含 RFM 分群代码",
    ),
    "p_alive_below": Column(
        "float64",
        "Probability alive the rule's customers are below (vip_at_risk: audience_vip_p_alive).",
        "存活概率阈值",
        "probability",
    ),
    "value_top_share": Column(
        "float64",
        "Top share of customers by revenue the rule's customers are in (vip_at_risk: 0.2).",
        "高价值客户的头部比例",
        "share",
    ),
    "min_revenue": Column(
        "float64",
        "Revenue to date at which a customer is in that top share (vip_at_risk).",
        "高价值客户的销售额门槛",
        "currency",
    ),
    "max_age_days": Column(
        "int64",
        "Most days since the first purchase (second_purchase: audience_new_buyer_days).",
        "首次购买距今最多天数",
        "days",
    ),
    "max_orders": Column(
        "int64", "Most completed orders a member has (second_purchase: 1).", "最多订单数", "count"
    ),
}
