"""The declarations of the trained churn model's four results (logic in :mod:`.churn_model`)."""

from __future__ import annotations

from clientlens.analytics.base import Analysis, Column
from clientlens.analytics.churn.churn_model import (
    HIGH_RISK,
    MEDIUM_RISK,
    OPTIONAL,
    TRAINING_SETTINGS,
    _build_drivers,
    _build_rules,
    _build_scores,
    _build_validation,
)

_VERSION = Column(
    "int64", "Version of the stored churn model (models/churn/).", "流失模型版本号（models/churn/）"
)
_REASON_EN = "Reason {k} code (words: churn_reason.<code>); 1 is the strongest."
_REASON_ZH = "第{k}条原因代码（文字见 churn_reason.<代码>），1 为最主要"
_VALUE_EN = "The number reason {k}'s words name (a % drop, days, a count …)."
_VALUE_ZH = "第{k}条原因文字中的数值（下降百分比、天数、次数等）"


def reason_columns(
    reason: tuple[str, str] = (_REASON_EN, _REASON_ZH),
    value: tuple[str, str] = (_VALUE_EN, _VALUE_ZH),
) -> dict[str, Column]:
    """The three reason columns (``reason_k`` code, ``reason_k_value``) of a result that
    carries the churn model's reasons; ``reason`` and ``value`` are the (en, zh) meanings,
    with ``{k}`` for the reason's number."""
    out = {}
    for k in (1, 2, 3):
        out[f"reason_{k}"] = Column("string", reason[0].format(k=k), reason[1].format(k=k))
        out[f"reason_{k}_value"] = Column(
            "float64", value[0].format(k=k), value[1].format(k=k), "per_row"
        )
    return out


ANALYSES = [
    Analysis(
        name="churn_validation",
        subset="whole",
        requires=("orders",),
        optional=OPTIONAL,
        build=_build_validation,
        settings=TRAINING_SETTINGS,
        description="Trains the churn model (gradient boosting on point-in-time features "
        "at several historical cutoffs, calibrated out of time) and stores it, or reuses the "
        "stored one while its data and settings still hold (churn_retrain_days), and "
        "reports its out-of-time validation beside an RFM logistic baseline and BG/NBD "
        "p_alive.",
        columns={
            "model": Column(
                "string",
                "churn_model (the trained model), rfm_logistic (baseline on RFM only) or "
                "p_alive (1 − BG/NBD probability alive at the cutoff).",
                "模型：churn_model（流失模型）、rfm_logistic（仅用 RFM 的逻辑回归基线）或 "
                "p_alive（1 − BG/NBD 存活概率）",
            ),
            "metric": Column(
                "string",
                "roc_auc, pr_auc, brier, ece (expected calibration error), lift_top_decile, "
                "base_rate, customers, or calibration (one row per bin of the curve).",
                "指标：roc_auc、pr_auc、brier、ece（期望校准误差）、lift_top_decile（前10%提升度）、"
                "base_rate（流失率）、customers（客户数）或 calibration（校准曲线每箱一行）",
            ),
            "value": Column(
                "float64",
                "The figure; for calibration rows the observed churn rate in the bin.",
                "指标值；校准行为该箱实际流失率",
                "per_row",
            ),
            "predicted": Column(
                "float64",
                "Calibration rows: mean predicted churn probability in the bin.",
                "校准行：该箱平均预测流失概率",
                "probability",
            ),
            "bin_lower": Column(
                "float64", "Calibration rows: bin start.", "校准行：箱下限", "probability"
            ),
            "bin_upper": Column(
                "float64", "Calibration rows: bin end.", "校准行：箱上限", "probability"
            ),
            "customers": Column(
                "float64", "Calibration rows: customers in the bin.", "校准行：箱内客户数", "count"
            ),
            "validation_cutoff": Column(
                "date",
                "Cutoff scored for validation; its horizon ends on the observation end.",
                "验证截止日（其预测期止于观察截止日）",
            ),
            "horizon_days": Column(
                "int64",
                "Churn horizon: no purchase in this many days after the cutoff.",
                "流失判定期：截止日后这么多天内无购买即为流失",
                "days",
            ),
            "horizon_source": Column(
                "string",
                "setting (churn_window_days) or purchase_cycle (2 × median purchase cycle, "
                "at least 90 days).",
                "判定期来源：setting（设置 churn_window_days）或 purchase_cycle（购买周期中位数×2，至少90天）",
            ),
            "median_purchase_cycle_days": Column(
                "float64",
                "The business's median purchase cycle (median over customers).",
                "购买周期中位数（按客户）",
                "days",
            ),
            "model_version": _VERSION,
        },
    ),
    Analysis(
        name="churn_scores",
        subset="members",
        requires=("orders", "churn_validation", "clv"),
        optional=OPTIONAL,
        build=_build_scores,
        settings=(*TRAINING_SETTINGS, HIGH_RISK, MEDIUM_RISK),
        description="Per customer bought within churn_population_days: calibrated churn "
        "probability from the stored churn model, risk band, three reasons, revenue at "
        "risk and a recommended action.",
        columns={
            "customer_id": Column("string", "Customer.", "客户"),
            "churn_probability": Column(
                "float64",
                "Calibrated probability of no purchase in the churn horizon.",
                "流失概率（判定期内不再购买的校准概率）",
                "probability",
            ),
            "risk_band": Column(
                "string",
                "high (≥ churn_high_risk_probability), medium (≥ "
                "churn_medium_risk_probability) or low.",
                "流失风险等级代码（high/medium/low）",
            ),
            **reason_columns(),
            "clv_12m": Column(
                "float64", "Predicted 12-month value (from clv).", "预测 12 个月价值", "currency"
            ),
            "revenue_at_risk": Column(
                "float64", "churn_probability × clv_12m.", "风险收入", "currency"
            ),
            "recommended_action": Column(
                "string",
                "Action code (words: churn_action.<code>): resolve_complaint, let_go, "
                "retain_vip, win_back_offer, re_engage, keep_warm.",
                "建议动作代码（文字见 churn_action.<代码>）",
            ),
            "p_alive": Column(
                "float64",
                "BG/NBD probability alive at the observation end (a model feature).",
                "BG/NBD 存活概率（模型特征之一）",
                "probability",
            ),
            "model_version": _VERSION,
        },
    ),
    Analysis(
        name="churn_drivers",
        subset="whole",
        requires=("churn_validation",),
        build=_build_drivers,
        description="Global churn drivers: permutation importance of each feature at the "
        "validation cutoff (drop in ROC-AUC when it is shuffled).",
        columns={
            "rank": Column("int64", "1 = the strongest driver.", "排名（1 为最强）"),
            "feature": Column(
                "string",
                "Feature (words: churn_feature.<name>).",
                "特征（文字见 churn_feature.<名>）",
            ),
            "feature_group": Column(
                "string",
                "rfm, trend, regularity, basket, web, service, satisfaction, demographics, "
                "p_alive.",
                "特征组",
            ),
            "importance": Column(
                "float64",
                "Mean drop in ROC-AUC when the feature is shuffled (5 repeats).",
                "打乱该特征后 ROC-AUC 的平均下降",
                "share",
            ),
            "importance_std": Column(
                "float64", "Standard deviation of that drop.", "下降的标准差", "share"
            ),
            "model_version": _VERSION,
        },
    ),
    Analysis(
        name="churn_rules",
        subset="whole",
        requires=("churn_validation",),
        build=_build_rules,
        description="Churn rules a person can read: the leaves of a depth-3 decision tree, "
        "each with its customers and churn rate at the validation cutoff.",
        columns={
            "rule_id": Column("int64", "Rule number.", "规则编号"),
            "conditions": Column(
                "string",
                'Conditions as JSON [[feature, "<=" or ">", threshold], …]; all hold.',
                '条件（JSON：[[特征, "<=" 或 ">", 阈值], …]，同时成立）',
            ),
            "customers": Column(
                "int64",
                "Customers the rule covers at the validation cutoff.",
                "覆盖客户数",
                "count",
            ),
            "churn_rate": Column(
                "float64",
                "Share of them who then churned.",
                "其中随后流失的比例",
                "share",
            ),
            "validation_cutoff": Column("date", "Cutoff the figures are from.", "统计截止日"),
            "model_version": _VERSION,
        },
    ),
]
