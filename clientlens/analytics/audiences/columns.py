"""The declared columns of ``audiences`` and ``audience_summary``."""

from __future__ import annotations

from clientlens.analytics.base import Column

_CODES = "vip_at_risk, second_purchase, win_back or loyalty"

AUDIENCE_COLUMNS: dict[str, Column] = {
    "audience": Column("string", f"Audience code: {_CODES}.", "目标客群代码"),
    "customer_id": Column("string", "Customer.", "客户"),
    "audience_rank": Column(
        "int64",
        "Position in the audience's list: by revenue, highest first, ties by customer_id.",
        "名单内排序（按销售额从高到低）",
    ),
    "revenue": Column(
        "float64",
        "Revenue to date (rfm_scores.revenue for the RFM audiences, else "
        "customer_summary.total_amount).",
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
    "audience": Column("string", f"Audience code: {_CODES}.", "目标客群代码"),
    "audience_order": Column("int64", "Display order of the audience.", "显示顺序"),
    "customers": Column("int64", "Customers in the audience (0 when none).", "客户数", "count"),
    "customer_share": Column(
        "float64", "customers / all customers with an order.", "客户占比", "share"
    ),
    "revenue": Column("float64", "Their revenue to date.", "累计销售额", "currency"),
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
        "Value of one response: the audience's revenue / orders (impact_basis "
        "audience_order_value) or the repeat buyers' mean repeat spend (repeat_buyer_spend).",
        "单次响应带来的金额",
        "currency",
    ),
    "impact_basis": Column(
        "string",
        "What order_value is: audience_order_value or repeat_buyer_spend.",
        "单次响应金额的口径",
    ),
    "conversion_rate": Column(
        "float64",
        "Assumed share of the audience that responds (setting audience_conversion_rate).",
        "假设的响应率",
        "share",
    ),
    "expected_impact": Column(
        "float64",
        "customers × conversion_rate × order_value: the revenue acting should bring.",
        "预期收益",
        "currency",
    ),
    "rfm_segments": Column(
        "string",
        "RFM segment codes the audience is made of, comma-separated (RFM audiences only).",
        "所含 RFM 分群代码",
    ),
    "p_alive_below": Column(
        "float64",
        "Probability alive the members are below (vip_at_risk: audience_vip_p_alive).",
        "存活概率阈值",
        "probability",
    ),
    "value_top_share": Column(
        "float64",
        "Top share of customers by revenue the members are in (vip_at_risk: 0.2).",
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
