"""The declarations of the spend model's two results (logic in :mod:`.spend_forecast`)."""

from __future__ import annotations

from clientlens.analytics.base import Analysis, Column
from clientlens.analytics.forecast.spend_forecast import (
    OPTIONAL,
    SETTINGS,
    _build_forecast,
    _build_validation,
)

_VERSION = Column(
    "int64",
    "Version of the stored spend model (models/spend/).",
    "消费预测模型版本号（models/spend/）",
)
_HORIZON = Column(
    "int64",
    "Days ahead forecast (spend_forecast_horizon_days).",
    "预测天数（设置 spend_forecast_horizon_days）",
    "days",
)

ANALYSES = [
    Analysis(
        name="spend_forecast_validation",
        subset="whole",
        requires=("orders",),
        optional=OPTIONAL,
        build=_build_validation,
        settings=SETTINGS,
        description="Trains the spend model (gradient boosting of each customer's spend in "
        "the next spend_forecast_horizon_days on point-in-time features at several "
        "historical cutoffs), stores it, and reports its out-of-time error beside the "
        "naive baseline 'the next days = the last days'.",
        columns={
            "model": Column(
                "string",
                "spend_model (the trained model) or naive_last_period (the spend of the "
                "horizon_days before the cutoff, as the forecast).",
                "模型：spend_model（消费预测模型）或 naive_last_period（朴素基线：以截止日前同样天数的消费作为预测）",
            ),
            "mae": Column(
                "float64",
                "Mean absolute error per customer at the validation cutoff.",
                "验证截止日上每位客户的平均绝对误差（MAE）",
                "currency",
            ),
            "rmse": Column(
                "float64", "Root mean squared error per customer.", "均方根误差（RMSE）", "currency"
            ),
            "total_predicted": Column(
                "float64",
                "Sum of the forecasts over the customers validated.",
                "所验证客户的预测消费合计",
                "currency",
            ),
            "total_actual": Column(
                "float64",
                "What those customers spent in the horizon after the validation cutoff.",
                "这些客户在验证截止日后预测期内的实际消费合计",
                "currency",
            ),
            "customers": Column(
                "int64",
                "Customers validated: those of the training sample who had bought by the "
                "validation cutoff.",
                "验证客户数（训练样本中在验证截止日前已购买的客户）",
                "count",
            ),
            "mae_vs_naive": Column(
                "float64",
                "MAE relative to the naive baseline's, (this − naive) / naive; below zero "
                "the model is better.",
                "相对朴素基线的 MAE 变化：(本模型 − 基线) / 基线；小于零即优于基线",
                "change",
            ),
            "validation_cutoff": Column(
                "date",
                "Cutoff validated on; its horizon ends on the observation end.",
                "验证截止日（其预测期止于观察截止日）",
            ),
            "horizon_days": _HORIZON,
            "fit_rows": Column(
                "int64",
                "Customer-cutoff rows the validation model was fitted on.",
                "验证模型的训练行数（客户×截止日）",
                "count",
            ),
            "sample_customers": Column(
                "int64",
                "Customers in the seeded training sample (spend_forecast_max_training_customers).",
                "训练样本客户数（设置 spend_forecast_max_training_customers）",
                "count",
            ),
            "model_version": _VERSION,
        },
    ),
    Analysis(
        name="spend_forecast",
        subset="members",
        requires=(
            "orders",
            "spend_forecast_validation",
            "customer_summary",
            "clv_models",
            "clv",
        ),
        optional=OPTIONAL,
        build=_build_forecast,
        settings=SETTINGS,
        description="Per customer who has bought: predicted spend in the next "
        "spend_forecast_horizon_days from the stored spend model, the naive baseline, and "
        "from the CLV model the expected purchases, the probability of a purchase and the "
        "median days to the next purchase.",
        columns={
            "customer_id": Column("string", "Customer.", "客户"),
            "predicted_spend": Column(
                "float64",
                "Predicted spend in the next horizon_days (the spend model).",
                "未来预测期内的预测消费金额（消费预测模型）",
                "currency",
            ),
            "naive_spend": Column(
                "float64",
                "Spend in the last horizon_days, the naive baseline's forecast.",
                "最近同样天数内的消费（朴素基线的预测值）",
                "currency",
            ),
            "p_alive": Column(
                "float64",
                "Probability alive (from clv).",
                "存活概率（来自 clv）",
                "probability",
            ),
            "expected_purchases": Column(
                "float64",
                "Expected repeat purchase days in the next horizon_days (the CLV purchase "
                "model of clv_models).",
                "未来预测期内的预期购买天数（clv_models 中的 CLV 购买模型）",
                "count",
            ),
            "probability_purchase": Column(
                "float64",
                "Probability of at least one purchase in the next horizon_days (CLV model).",
                "未来预测期内至少购买一次的概率（CLV 模型）",
                "probability",
            ),
            "next_purchase_days": Column(
                "float64",
                "Median days to the next purchase (CLV model): the day by which a purchase "
                "is as likely as not; empty when that takes more than 365 days.",
                "距下次购买的中位天数（CLV 模型）：到该天为止购买的可能性达到一半；超过 365 天则为空",
                "days",
            ),
            "horizon_days": _HORIZON,
            "model_version": _VERSION,
        },
    ),
]
