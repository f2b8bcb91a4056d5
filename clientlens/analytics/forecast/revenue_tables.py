"""The declarations of the monthly forecast's two results (logic in :mod:`.revenue_forecast`)."""

from __future__ import annotations

from clientlens.analytics.base import Analysis, Column
from clientlens.analytics.forecast.revenue_forecast import (
    SETTINGS,
    _build_forecast,
    _build_validation,
)

_SERIES = Column(
    "string",
    "Series: revenue, orders or active_customers (words: forecast_series.<code>).",
    "序列代码：revenue（销售额）、orders（订单数）、active_customers（活跃客户数）",
)
_METHOD_EN = (
    "Method: ets_ann ETS(A,N,N), ets_aadn ETS(A,Ad,N), ets_ana ETS(A,N,A), ets_aada "
    "ETS(A,Ad,A), ets_anm ETS(A,N,M), ets_aadm ETS(A,Ad,M), seasonal_naive (the value one "
    "season earlier) or naive (the last value); words: forecast_method.<code>."
)
_METHOD_ZH = (
    "方法代码：ets_ann、ets_aadn、ets_ana、ets_aada、ets_anm、ets_aadm（指数平滑 ETS 模型，"
    "A 加法、Ad 阻尼趋势、M 乘法季节），seasonal_naive（季节朴素：上一季同期值）或 naive"
    "（朴素：最近一期值）；文字见 forecast_method.<代码>"
)

ANALYSES = [
    Analysis(
        name="revenue_forecast_validation",
        requires=("orders", "purchase_trend"),
        build=_build_validation,
        settings=SETTINGS,
        description="Rolling-origin backtest of the monthly forecast of revenue, orders and "
        "active customers: each ETS model the history supports beside the seasonal-naive "
        "and naive benchmarks, MAPE and MAE, and the method chosen per series.",
        columns={
            "series": _SERIES,
            "method": Column("string", _METHOD_EN, _METHOD_ZH),
            "role": Column(
                "string",
                "candidate (an ETS model) or benchmark (seasonal_naive, naive).",
                "角色：candidate（候选 ETS 模型）或 benchmark（基准方法）",
            ),
            "mape_pct": Column(
                "float64",
                "Backtest mean absolute percentage error over every origin and month ahead "
                "(months with an actual of zero left out).",
                "回测平均绝对百分比误差（MAPE，跨所有预测起点和提前月数；实际值为零的月份除外）",
                "percent",
            ),
            "mae": Column(
                "float64",
                "Backtest mean absolute error, in the series' unit.",
                "回测平均绝对误差（单位同序列）",
                "per_row",
            ),
            "errors": Column(
                "int64", "Forecast errors the MAPE averages.", "MAPE 所平均的误差个数", "count"
            ),
            "converged": Column(
                "boolean",
                "Every fit of the backtest converged (statsmodels raised no ConvergenceWarning).",
                "回测中每次拟合均已收敛",
            ),
            "chosen": Column(
                "boolean",
                "The method revenue_forecast uses: lowest MAPE, converged fits first.",
                "是否为 revenue_forecast 所用方法（MAPE 最低，优先已收敛者）",
            ),
            "mape_vs_seasonal_naive": Column(
                "float64",
                "This MAPE minus the seasonal-naive MAPE; below zero the method beats it.",
                "本方法 MAPE 减季节朴素法 MAPE；小于零即优于季节朴素法",
                "points",
            ),
            "note": Column(
                "string",
                "Comma-separated codes (words: forecast_note.<code>): no_seasonal_model "
                "(fewer than two seasons before the first origin), no_multiplicative_season "
                "(a month at zero).",
                "说明代码（逗号分隔，文字见 forecast_note.<代码>）",
            ),
            "failure": Column(
                "string",
                "Why the method could not be scored (empty when it was).",
                "方法无法评估的原因（可评估时为空）",
            ),
            "history_months": Column(
                "int64", "Complete months of history.", "完整历史月数", "count"
            ),
            "first_month": Column("date", "First month of the history.", "历史首月"),
            "last_month": Column(
                "date", "Last complete month of the history.", "历史最后一个完整月"
            ),
            "backtest_origins": Column(
                "int64",
                "Months forecast from their past in the backtest.",
                "回测预测起点数",
                "count",
            ),
            "season_months": Column(
                "int64", "Length of the seasonal cycle.", "季节周期长度（月）", "count"
            ),
            "horizon_months": Column(
                "int64",
                "Months ahead forecast from each origin.",
                "每个起点向前预测的月数",
                "count",
            ),
        },
    ),
    Analysis(
        name="revenue_forecast",
        requires=("orders", "purchase_trend", "revenue_forecast_validation"),
        build=_build_forecast,
        settings=SETTINGS,
        description="Monthly revenue, orders and active customers: the history and the next "
        "revenue_forecast_horizon_months months by each series' chosen method, with 80% "
        "and 95% intervals.",
        columns={
            "series": _SERIES,
            "month": Column("date", "First day of the month.", "月份的第一天"),
            "kind": Column(
                "string", "actual (history) or forecast.", "类型：actual（实际）或 forecast（预测）"
            ),
            "months_ahead": Column(
                "int64",
                "Months after the last complete month (0 for history).",
                "距最后完整月的月数（历史为 0）",
                "count",
            ),
            "value": Column(
                "float64",
                "The actual value, or the point forecast (at least zero).",
                "实际值或点预测值（不小于零）",
                "per_row",
            ),
            "lower_80": Column(
                "float64", "Forecast: 80% interval, lower end.", "预测：80% 区间下限", "per_row"
            ),
            "upper_80": Column(
                "float64", "Forecast: 80% interval, upper end.", "预测：80% 区间上限", "per_row"
            ),
            "lower_95": Column(
                "float64", "Forecast: 95% interval, lower end.", "预测：95% 区间下限", "per_row"
            ),
            "upper_95": Column(
                "float64", "Forecast: 95% interval, upper end.", "预测：95% 区间上限", "per_row"
            ),
            "method": Column("string", _METHOD_EN, _METHOD_ZH),
            "converged": Column(
                "boolean",
                "The final fit converged (always true for the benchmarks).",
                "最终拟合已收敛（基准方法恒为真）",
            ),
        },
    ),
]
