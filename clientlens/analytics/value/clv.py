"""Predicted customer lifetime value: model selection on a holdout, then one row per customer.

Two results:

* ``clv_models``: the candidate purchase models (BG/NBD, Pareto/NBD, MBG/NBD) fitted on
  a calibration period and scored on the holdout that follows it, which one was chosen
  and why, and the final models (the chosen purchase model refitted on all data up to
  the observation end, and the spend model) with their parameters as JSON;
* ``clv``: per customer, P(alive), expected purchases in 30/90/365 days, expected spend
  per purchase, 12-month CLV and a high/medium/low CLV segment, from the final models.

**Selection rule.** Each candidate is fitted on the orders up to ``observation_end −
holdout_days`` and predicts each customer's purchase days in the holdout. Candidates
whose fit fails, does not converge, or has not finished within
``clv_candidate_budget_seconds`` (a guard against stalls, far above a normal fit's time)
are left out. The chosen model has the lowest mean
absolute error per customer (MAE); models within 1% of the best MAE count as tied and the
one with the smallest absolute aggregate error wins; then the order BG/NBD, Pareto/NBD,
MBG/NBD. Beyond 5,000 customers the candidates are compared on every k-th customer by
``customer_id`` (deterministic, the same on every engine). With too little history for a holdout (holdout under 28 days, a calibration
period shorter than the holdout, or no repeat buyer in it) or no candidate left, BG/NBD
is fitted without selection and ``clv_models`` says so.

**Identified.** A purchase model is *identified* when its fit converged and at least one
customer it was fitted on bought on two different days: with no repeat purchase the
likelihood has no maximum (the rate runs to zero), and whatever the optimiser stops at
is noise (a CLV of 0.0000002 per customer, tiers split on rounding). ``clv_models`` says
so per row (``identified``), and ``clv`` is then skipped with the reason
(:class:`~clientlens.errors.NotEnoughDataError`): no CLV, tier, churn band or
model-based audience is computed from it.

**CLV.** ``clv_12m`` = margin × expected spend × discounted expected purchases over 12
months of 365.25/12 days, month k discounted by (1 + annual rate)^(k/12) (Fader, Hardie &
Lee 2005, "RFM and CLV: using iso-value curves", JMR 42(4)). Expected spend comes from
Gamma-Gamma fitted on repeat buyers; without repeat buyers it is the mean order value.

**Segments.** Customers ranked by ``clv_12m`` (rounded to 1e-6, so engine noise cannot
reorder them), ties by ``customer_id``: the first ceil(20%) are ``high``, up to ceil(50%)
``medium``, the rest ``low``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column
from clientlens.analytics.value.clv_selection import (
    LABELS,
    fit_model,
    model_class,
    model_row,
    note_fields,
    select_purchase_model,
)
from clientlens.config import Setting
from clientlens.errors import DataContractError, ModelError, NotEnoughDataError
from clientlens.lazy import ir, np, pd

SEGMENT_CODES = ("high", "medium", "low")
"""CLV tiers, best first; named by the catalog's ``clv_segment.<code>``."""
HIGH_SHARE = 0.2
MEDIUM_SHARE = 0.3
DAYS_PER_MONTH = 365.25 / 12
HORIZONS_DAYS = (30, 90, 365)

CLV_HOLDOUT_DAYS = Setting(
    "clv_holdout_days",
    int,
    0,
    "Holdout length for choosing the CLV model, in days; "
    "0 = a quarter of the history, at most 365 days.",
)
CLV_CANDIDATE_BUDGET_SECONDS = Setting(
    "clv_candidate_budget_seconds",
    float,
    20.0,
    "Time limit for fitting each CLV candidate model on the calibration period, in seconds; "
    "a candidate still fitting then is left out as not finished. 0 = no limit.",
)
CLV_ANNUAL_DISCOUNT_RATE = Setting(
    "clv_annual_discount_rate", float, 0.1, "Annual discount rate for predicted CLV."
)
CLV_MARGIN = Setting(
    "clv_margin", float, 1.0, "Profit margin applied to predicted spend in CLV (1.0 = revenue)."
)


def _summary_frame(customer_summary: ir.Table) -> pd.DataFrame:
    cols = [
        "customer_id",
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "n_orders",
        "total_amount",
    ]
    frame = customer_summary.select(*cols).order_by("customer_id").to_pandas()
    # Engines sum floats in different orders; rounding far below a cent keeps the model
    # fits identical on DuckDB and Spark.
    frame["monetary_value"] = frame["monetary_value"].astype(float).round(9)
    return frame.reset_index(drop=True)


def clv_models(
    orders: Any,
    customer_summary: Any,
    *,
    observation_end: Any,
    holdout_days: int = CLV_HOLDOUT_DAYS.default,
    candidate_budget_seconds: float = CLV_CANDIDATE_BUDGET_SECONDS.default,
) -> pd.DataFrame:
    """Choose the purchase model on a holdout, refit it and fit the spend model.

    Parameters
    ----------
    orders
        Ibis table of completed orders: ``customer_id, order_date, amount``.
    customer_summary
        Ibis table from :func:`clientlens.analytics.customers.rfm.rfm_summary` (daily) up to
        ``observation_end``: ``customer_id, frequency, recency, T, monetary_value,
        n_orders, total_amount``.
    observation_end
        Last day of data used.
    holdout_days
        Holdout length; 0 = a quarter of the history, at most 365 days.
    candidate_budget_seconds
        Time limit of each candidate's calibration fit; a candidate stopped there is
        left out as ``not_finished``. 0 = no limit.

    Returns
    -------
    pandas.DataFrame
        One row per candidate fit (``stage = "calibration"``) and per final model
        (``stage = "final"``): see ``ANALYSES`` for the columns.

    Examples
    --------
    >>> import ibis, pandas as pd
    >>> from clientlens.analytics.customers.rfm import rfm_summary
    >>> raw = pd.read_csv("../shared/data/cdnow_transactions.csv")
    >>> orders = ibis.memtable(pd.DataFrame({"customer_id": raw.id, "amount": raw.spent,
    ...     "order_date": pd.to_datetime(raw.date.astype(str), format="%Y%m%d")}))
    >>> end = "1998-06-30"
    >>> models = clv_models(orders, rfm_summary(orders, observation_end=end), observation_end=end)
    >>> models.query("stage == 'final'")[["model", "role"]].values.tolist()
    [['ModifiedBetaGeo', 'purchases'], ['GammaGamma', 'spend']]
    """
    if holdout_days < 0:
        raise DataContractError(f"clv_holdout_days must be >= 0; got {holdout_days}.")
    if not candidate_budget_seconds >= 0:
        raise DataContractError(
            f"clv_candidate_budget_seconds must be >= 0; got {candidate_budget_seconds}."
        )
    summary = _summary_frame(customer_summary)
    if summary.empty:
        raise DataContractError("The CLV models need at least one customer with an order.")
    chosen, rows, notes, start = select_purchase_model(
        orders, summary, observation_end, holdout_days, candidate_budget_seconds or None
    )
    final, problem, values = fit_model(chosen, summary, start)
    if final is None:
        raise ModelError(
            f"{LABELS[chosen]} could not be fitted on all customers: {values['detail']}"
        )
    if problem:
        notes.append(("final_not_converged", values))
    rows.append(
        model_row(
            chosen,
            final,
            stage="final",
            chosen=True,
            **note_fields(*notes),
        )
    )
    rows.append(_spend_row(summary))
    out = pd.DataFrame(rows)
    # Calibration fits only run on data with repeat buyers (see clv_selection), and the
    # spend model is Gamma-Gamma on repeat buyers or a plain mean: each is identified
    # when it converged; the final purchase model also needs a repeat buyer.
    repeaters = bool((summary["frequency"] > 0).any())
    final_purchases = (out["stage"] == "final") & (out["role"] == "purchases")
    out["identified"] = out["converged"].astype(bool) & (repeaters | ~final_purchases)
    return out.astype({"n_customers": "int64", "holdout_days": "int64", "chosen": bool})


def _spend_row(summary: pd.DataFrame) -> dict[str, Any]:
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    mean_order = float(summary["total_amount"].sum() / max(summary["n_orders"].sum(), 1))
    fallback = {
        "role": "spend",
        "stage": "final",
        "chosen": True,
        "n_customers": len(summary),
        "params": json.dumps({"mean_order_value": mean_order}),
        "converged": True,
    }
    if repeat.empty:
        return model_row(
            "MeanOrderValue",
            None,
            **fallback,
            **note_fields(("no_repeat_buyers", {"mean_order": mean_order})),
        )
    gg = model_class("GammaGamma")()
    try:
        gg.fit(repeat[["customer_id", "frequency", "monetary_value"]])
    except ModelError as exc:
        return model_row(
            "MeanOrderValue",
            None,
            **fallback,
            **note_fields(("gamma_gamma_failed", {"detail": str(exc), "mean_order": mean_order})),
        )
    return model_row(
        "GammaGamma",
        gg,
        role="spend",
        stage="final",
        chosen=True,
        **note_fields(("gamma_gamma", {"repeat_buyers": len(repeat)})),
    )


def clv_table(
    customer_summary: Any,
    models: pd.DataFrame,
    *,
    annual_discount_rate: float = CLV_ANNUAL_DISCOUNT_RATE.default,
    margin: float = CLV_MARGIN.default,
) -> pd.DataFrame:
    """Per-customer predictions from the final models in ``models`` (see :func:`clv_models`).

    Parameters
    ----------
    customer_summary
        Ibis table ``customer_id, frequency, recency, T, monetary_value, n_orders,
        total_amount`` (days).
    models
        The ``clv_models`` result.
    annual_discount_rate, margin
        The ``clv_annual_discount_rate`` and ``clv_margin`` settings.
    """
    summary = _summary_frame(customer_summary)
    final = models[models["stage"] == "final"].set_index("role")
    purchase_name = str(final.loc["purchases", "model"])
    if not bool(final.loc["purchases", "identified"]):
        raise NotEnoughDataError(_not_identified(purchase_name, summary))
    purchase = model_class(purchase_name).from_params(
        json.loads(str(final.loc["purchases", "params"])), time_unit_days=1.0
    )
    # Predict once per distinct history (a million customers have a few hundred thousand)
    # and spread the values back: 16 prediction calls cost what the distinct rows cost.
    history = ["frequency", "recency", "T"]
    group = summary.groupby(history, sort=False).ngroup().to_numpy()
    distinct = summary.loc[~pd.Series(group).duplicated().to_numpy(), history]
    data = distinct.reset_index(drop=True).assign(customer_id=np.arange(len(distinct)))
    out = pd.DataFrame({"customer_id": summary["customer_id"]})
    out["p_alive"] = purchase.probability_alive(data)["p_alive"].to_numpy()[group]
    curve = purchase.expected_purchases_curve(data, HORIZONS_DAYS)
    for days in HORIZONS_DAYS:
        out[f"expected_purchases_{days}d"] = curve[f"expected_purchases_{days}d"].to_numpy()[group]

    spend_name = str(final.loc["spend", "model"])
    spend_params = json.loads(str(final.loc["spend", "params"]))
    discounted = purchase.discounted_expected_purchases(
        data,
        horizon_months=12,
        annual_discount_rate=annual_discount_rate,
        days_per_month=DAYS_PER_MONTH,
    )["discounted_purchases"].to_numpy()[group]
    if spend_name == "GammaGamma":
        gg = model_class("GammaGamma").from_params(spend_params)
        spend_input = summary[["customer_id", "frequency", "monetary_value"]]
        out["expected_spend"] = gg.expected_spend(spend_input)["expected_spend"].to_numpy()
    else:
        out["expected_spend"] = float(spend_params["mean_order_value"])
    out["clv_12m"] = margin * out["expected_spend"] * discounted
    out = _segments(out)
    out["model"] = purchase_name
    return out


def _not_identified(name: str, summary: pd.DataFrame) -> str:
    """Why the final purchase model gives no CLV, for the skip reason."""
    label = LABELS.get(name, name)
    if not (summary["frequency"] > 0).any():
        why = f"none of the {len(summary):,} customers bought on two different days"
    else:
        why = "its fit did not converge"
    return f"the {label} purchase model is not identified: {why}, so no CLV is predicted"


def _segments(out: pd.DataFrame) -> pd.DataFrame:
    n = len(out)
    key = out.assign(_v=-out["clv_12m"].round(6))
    rank = key.sort_values(["_v", "customer_id"], kind="stable").index
    n_high = math.ceil(HIGH_SHARE * n)
    n_top = math.ceil((HIGH_SHARE + MEDIUM_SHARE) * n)
    codes = np.empty(n, dtype=object)
    codes[rank[:n_high]] = "high"
    codes[rank[n_high:n_top]] = "medium"
    codes[rank[n_top:]] = "low"
    out["clv_segment"] = codes
    return out


def _build_models(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    return clv_models(
        inputs["orders"],
        inputs["customer_summary"],
        observation_end=ctx.observation_end,
        holdout_days=ctx.setting("clv_holdout_days"),
        candidate_budget_seconds=ctx.setting("clv_candidate_budget_seconds"),
    )


def _build_clv(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    models = inputs["clv_models"].to_pandas()
    return clv_table(
        inputs["customer_summary"],
        models,
        annual_discount_rate=ctx.setting("clv_annual_discount_rate"),
        margin=ctx.setting("clv_margin"),
    )


ANALYSES = [
    Analysis(
        name="clv_models",
        subset="whole",
        requires=("orders", "customer_summary"),
        build=_build_models,
        # Orders on one day only: every customer's age T is 0, nothing to fit a rate on.
        min_history_days=1,
        settings=(CLV_HOLDOUT_DAYS, CLV_CANDIDATE_BUDGET_SECONDS),
        description="CLV model validation: BG/NBD, Pareto/NBD and MBG/NBD scored on a "
        "holdout, the chosen model refitted on all data, and the spend model.",
        columns={
            "model": Column(
                "string",
                "Model: BetaGeo (BG/NBD), ParetoNBD, ModifiedBetaGeo (MBG/NBD), "
                "GammaGamma, or MeanOrderValue when spend cannot be modelled.",
                "模型：BetaGeo（BG/NBD）、ParetoNBD、ModifiedBetaGeo（MBG/NBD）、GammaGamma，"
                "或无法为消费金额建模时的 MeanOrderValue（平均客单价）。",
            ),
            "role": Column(
                "string",
                "purchases (how often customers buy) or spend (how much per purchase).",
                "purchases（客户多久购买一次）或 spend（每次购买花多少）。",
            ),
            "stage": Column(
                "string",
                "calibration: fitted before the holdout and scored on it; final: "
                "fitted on all data and used for the clv table.",
                "calibration：在验证期之前拟合并在验证期上评估；final：用全部数据拟合，"
                "供 clv 表使用。",
            ),
            "chosen": Column(
                "boolean",
                "True for the selected purchase model and the models in use.",
                "选中的购买模型和正在使用的模型为 True。",
            ),
            "log_likelihood": Column(
                "float64",
                "Log-likelihood of the fit at its optimum.",
                "拟合在最优点的对数似然值。",
            ),
            "n_customers": Column(
                "int64",
                "Customers the model was fitted on.",
                "用于拟合模型的客户数。",
                unit="count",
            ),
            "params": Column(
                "string",
                "Fitted parameters as JSON, by the paper's names.",
                "拟合参数（JSON），参数名沿用原论文。",
            ),
            "converged": Column(
                "boolean",
                "Whether the optimiser reached the maximum.",
                "优化器是否收敛到最大值。",
            ),
            "holdout_mae": Column(
                "float64",
                "Mean absolute error of predicted holdout purchase days per customer.",
                "每位客户验证期购买天数预测的平均绝对误差（MAE）。",
                unit="count",
            ),
            "holdout_rmse": Column(
                "float64",
                "Root mean squared error of the same.",
                "同一预测的均方根误差（RMSE）。",
                unit="count",
            ),
            "aggregate_error_pct": Column(
                "float64",
                "(predicted - actual) / actual holdout purchase days, in %.",
                "验证期总购买天数的（预测 − 实际）/ 实际，以 % 表示。",
                unit="percent",
            ),
            "holdout_actual_purchases": Column(
                "float64",
                "Purchase days customers made in the holdout.",
                "客户在验证期内实际的购买天数。",
                unit="count",
            ),
            "holdout_predicted_purchases": Column(
                "float64",
                "Purchase days the model predicted for the holdout.",
                "模型预测的验证期购买天数。",
                unit="count",
            ),
            "calibration_end": Column(
                "string",
                "Last day of the calibration period (ISO date; empty for final fits).",
                "校准期的最后一天（ISO 日期；最终拟合为空）。",
            ),
            "holdout_days": Column(
                "int64",
                "Length of the holdout in days (0 for final fits).",
                "验证期长度（天；最终拟合为 0）。",
                unit="days",
            ),
            "note": Column(
                "string",
                "Why the model was chosen, left out, or how it was fitted, as note codes "
                "(space-separated; words in the text catalog under clv_note.*).",
                "模型被选中、被排除或拟合情况的说明代码（文字见文本目录 clv_note.<代码>）。",
            ),
            "note_params": Column(
                "string",
                "The values the note's words name, as JSON (holdout_days, model, …).",
                "说明文字中引用的数值，JSON 格式（holdout_days、model 等）。",
            ),
            "identified": Column(
                "boolean",
                "Whether the data identify the model: it converged and, for the final "
                "purchase model, some customer bought on two different days. When the final "
                "purchase model is not identified no CLV is computed (clv is skipped).",
                "数据能否识别该模型：拟合已收敛，且（对最终购买模型而言）至少有一位客户在两个"
                "不同的日子购买过。最终购买模型无法识别时不计算 CLV（clv 被跳过）。",
            ),
        },
    ),
    Analysis(
        name="clv",
        subset="members",
        requires=("customer_summary", "clv_models"),
        build=_build_clv,
        settings=(CLV_ANNUAL_DISCOUNT_RATE, CLV_MARGIN),
        description="Per customer: probability alive, expected purchases in 30/90/365 "
        "days, expected spend, discounted 12-month CLV and CLV segment.",
        columns={
            "customer_id": Column("string", "Customer.", "客户编号。"),
            "p_alive": Column(
                "float64",
                "Probability that the customer is still active (has not dropped out).",
                "存活概率：客户仍然活跃（尚未流失）的概率。",
                unit="probability",
            ),
            "expected_purchases_30d": Column(
                "float64",
                "Expected purchase days in the next 30 days.",
                "未来 30 天的预期购买天数。",
                unit="count",
            ),
            "expected_purchases_90d": Column(
                "float64",
                "Expected purchase days in the next 90 days.",
                "未来 90 天的预期购买天数。",
                unit="count",
            ),
            "expected_purchases_365d": Column(
                "float64",
                "Expected purchase days in the next 365 days.",
                "未来 365 天的预期购买天数。",
                unit="count",
            ),
            "expected_spend": Column(
                "float64",
                "Expected spend per purchase day (Gamma-Gamma, or the mean order value).",
                "每个购买日的预期消费金额（Gamma-Gamma 模型，或平均客单价）。",
                unit="currency",
            ),
            "clv_12m": Column(
                "float64",
                "Predicted margin over the next 12 months, discounted at the annual "
                "discount rate (clv_annual_discount_rate, clv_margin).",
                "客户生命周期价值（CLV）：未来 12 个月的预测毛利，按年折现率折现"
                "（设置 clv_annual_discount_rate、clv_margin）。",
                unit="currency",
            ),
            "clv_segment": Column(
                "string",
                "high (top 20% by clv_12m), medium (next 30%) or low (the rest).",
                "high（clv_12m 前 20%）、medium（其后 30%）或 low（其余）。",
            ),
            "model": Column(
                "string",
                "Purchase model used (chosen on the holdout, see clv_models).",
                "所用的购买模型（在验证期上选出，见 clv_models）。",
            ),
        },
    ),
]
