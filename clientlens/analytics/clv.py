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
whose fit fails or does not converge are left out. The chosen model has the lowest mean
absolute error per customer (MAE); models within 1% of the best MAE count as tied and the
one with the smallest absolute aggregate error wins; then the order BG/NBD, Pareto/NBD,
MBG/NBD. Beyond 5,000 customers the candidates are compared on every k-th customer by
``customer_id`` (deterministic, the same on every engine). With too little history for a holdout (holdout under 28 days, a calibration
period shorter than the holdout, or no repeat buyer in it) or no candidate left, BG/NBD
is fitted without selection and ``clv_models`` says so.

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

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from clientlens.analytics.base import Analysis, AnalysisContext, to_date
from clientlens.errors import DataContractError, ModelError

CANDIDATES = ("BetaGeo", "ParetoNBD", "ModifiedBetaGeo")
"""Purchase models compared, in tie-break order."""
LABELS = {
    "BetaGeo": ("BG/NBD", "BG/NBD 模型"),
    "ParetoNBD": ("Pareto/NBD", "Pareto/NBD 模型"),
    "ModifiedBetaGeo": ("MBG/NBD", "MBG/NBD 模型"),
}
SEGMENTS = {
    "high": ("高价值客户", "High value"),
    "medium": ("中价值客户", "Medium value"),
    "low": ("低价值客户", "Low value"),
}
HIGH_SHARE = 0.2
MEDIUM_SHARE = 0.3
MAE_TIE = 0.01
MIN_HOLDOUT_DAYS = 28
MAX_SELECTION_CUSTOMERS = 5_000
"""Candidates are compared on every k-th customer (by customer_id) beyond this many: the
ranking of three models needs no million customers, and a Pareto/NBD fit costs tens of
seconds per few thousand distinct histories where its parameters run to extremes."""
MAX_HOLDOUT_DAYS = 365
DAYS_PER_MONTH = 365.25 / 12
HORIZONS_DAYS = (30, 90, 365)


def _model_class(name: str) -> Any:
    import clientlens.models as models

    return getattr(models, name)


def default_holdout_days(history_days: int) -> int:
    """A quarter of the history, at most a year (the ``clv_holdout_days = 0`` default)."""
    return min(MAX_HOLDOUT_DAYS, history_days // 4)


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


def _fit(name: str, data: pd.DataFrame, start: dict[str, float] | None = None) -> tuple[Any, str]:
    """Fit one model; returns (model or None, reason it cannot be used)."""
    try:
        model = _model_class(name)().fit(data, time_unit_days=1.0, initial_params=start)
    except (ModelError, ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
        # One candidate failing numerically must not stop the others; it is reported.
        return None, f"fit failed: {exc}"
    if not model.convergence.converged:
        return model, f"did not converge ({model.convergence.message})"
    return model, ""


def _row(model_name: str, model: Any, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "model": model_name,
        "role": "purchases",
        "stage": "calibration",
        "chosen": False,
        "log_likelihood": np.nan,
        "n_customers": 0,
        "params": "{}",
        "converged": False,
        "holdout_mae": np.nan,
        "holdout_rmse": np.nan,
        "aggregate_error_pct": np.nan,
        "holdout_actual_purchases": np.nan,
        "holdout_predicted_purchases": np.nan,
        "calibration_end": "",
        "holdout_days": 0,
        "note_en": "",
        "note_zh": "",
    }
    if model is not None and model.convergence is not None:
        row.update(
            log_likelihood=float(model.log_likelihood),
            n_customers=round(model.n_customers),
            params=json.dumps(model.params, sort_keys=True),
            converged=bool(model.convergence.converged),
        )
    row.update(fields)
    return row


def _select(
    orders: ir.Table, summary: pd.DataFrame, observation_end: Any, holdout_days: int
) -> tuple[str, list[dict[str, Any]], str, str, dict[str, float] | None]:
    """Fit the candidates on the calibration period.

    Returns the chosen model's name, the candidates' rows, the note (en, zh) and the
    chosen model's calibration parameters (a warm start for the final fit).
    """
    from clientlens.models.validation import calibration_and_holdout, evaluate_holdout

    end = to_date(observation_end)
    first = end - pd.Timedelta(days=int(summary["T"].max())).to_pytimedelta()
    history_days = (end - first).days
    holdout = holdout_days or default_holdout_days(history_days)
    calibration_end = end - pd.Timedelta(days=holdout).to_pytimedelta()
    short = holdout < MIN_HOLDOUT_DAYS or (calibration_end - first).days < holdout
    data = pd.DataFrame()
    if not short:
        # the comparison sample, every k-th calibration customer by id, is drawn in the
        # engine: only its customers' orders are summarised and fetched
        known = orders.filter(orders.order_date.cast("date") <= calibration_end)
        known = known.select("customer_id").distinct()
        n_calibration = int(known.count().execute())
        step = max(1, math.ceil(n_calibration / MAX_SELECTION_CUSTOMERS))
        sample = orders
        if step > 1:
            ranked = known.mutate(_k=ibis.row_number().over(order_by=known.customer_id))
            sample = orders.semi_join(ranked.filter(ranked._k % step == 0), "customer_id")
        data = (
            calibration_and_holdout(sample, calibration_end=calibration_end, observation_end=end)
            .order_by("customer_id")
            .to_pandas()
        )
        short = not (data["frequency"] > 0).any()
    if short:
        return (
            "BetaGeo",
            [],
            f"{history_days} days of history are too few for a {holdout}-day holdout; "
            "BG/NBD was fitted without model selection.",
            f"历史数据仅 {history_days} 天，不足以留出 {holdout} 天验证期；未做模型选择，直接使用 BG/NBD 模型。",
            None,
        )

    rows: list[dict[str, Any]] = []
    scored: list[tuple[str, float, float]] = []
    fitted: dict[str, dict[str, float]] = {}
    common = {"calibration_end": calibration_end.isoformat(), "holdout_days": holdout}
    for name in CANDIDATES:
        model, problem = _fit(name, data)
        if problem:
            rows.append(
                _row(
                    name,
                    model,
                    **common,
                    note_en=f"Left out of the selection: {problem}.",
                    note_zh=f"未参与模型选择：{'拟合失败' if model is None else '未收敛'}。",
                )
            )
            continue
        ev = evaluate_holdout(model, data, horizon_days=holdout)
        rows.append(
            _row(
                name,
                model,
                **common,
                holdout_mae=ev.mae,
                holdout_rmse=ev.rmse,
                aggregate_error_pct=ev.aggregate_error_pct,
                holdout_actual_purchases=ev.actual_total,
                holdout_predicted_purchases=ev.predicted_total,
            )
        )
        fitted[name] = model.params
        agg = abs(ev.aggregate_error_pct) if np.isfinite(ev.aggregate_error_pct) else np.inf
        scored.append((name, ev.mae, agg))
    if not scored:
        return (
            "BetaGeo",
            rows,
            "No candidate model could be fitted on the calibration period; BG/NBD was "
            "fitted on all data without model selection.",
            "校准期内没有可用的候选模型；未做模型选择，直接用全部数据拟合 BG/NBD 模型。",
            None,
        )
    best_mae = min(mae for _, mae, _ in scored)
    tied = [s for s in scored if s[1] <= best_mae * (1 + MAE_TIE) + 1e-12]
    chosen = min(tied, key=lambda s: (s[2], CANDIDATES.index(s[0])))[0]
    for row in rows:
        row["chosen"] = row["model"] == chosen
    en, zh = LABELS[chosen]
    sample_en = sample_zh = ""
    if step > 1:
        sample_en = f" Compared on {len(data):,} of {n_calibration:,} customers (one in every {step} by id)."
        sample_zh = (
            f"比较基于 {n_calibration:,} 位客户中按编号每 {step} 位抽取的 {len(data):,} 位。"
        )
    return (
        chosen,
        rows,
        f"{en} chosen: lowest holdout MAE per customer over {holdout} days after "
        f"{calibration_end.isoformat()} (models within 1% of the best MAE: smallest "
        "aggregate error)." + sample_en,
        f"选择 {zh}：在 {calibration_end.isoformat()} 之后 {holdout} 天的验证期内，"
        "单客户平均绝对误差（MAE）最低（MAE 相差 1% 以内时取总量误差最小者）。" + sample_zh,
        fitted[chosen],
    )


def clv_models(
    orders: Any,
    customer_summary: Any,
    *,
    observation_end: Any,
    holdout_days: int = 0,
) -> pd.DataFrame:
    """Choose the purchase model on a holdout, refit it and fit the spend model.

    Parameters
    ----------
    orders
        Ibis table of completed orders: ``customer_id, order_date, amount``.
    customer_summary
        Ibis table from :func:`clientlens.analytics.rfm.rfm_summary` (daily) up to
        ``observation_end``: ``customer_id, frequency, recency, T, monetary_value,
        n_orders, total_amount``.
    observation_end
        Last day of data used.
    holdout_days
        Holdout length; 0 = a quarter of the history, at most 365 days.

    Returns
    -------
    pandas.DataFrame
        One row per candidate fit (``stage = "calibration"``) and per final model
        (``stage = "final"``): see ``ANALYSES`` for the columns.

    Examples
    --------
    >>> import ibis, pandas as pd
    >>> from clientlens.analytics.rfm import rfm_summary
    >>> orders = ibis.memtable(cdnow_orders)                  # doctest: +SKIP
    >>> models = clv_models(orders, rfm_summary(orders), observation_end="1998-06-30")  # doctest: +SKIP
    >>> models.query("stage == 'final'")[["model", "params"]]  # doctest: +SKIP
    """
    if holdout_days < 0:
        raise DataContractError(f"clv_holdout_days must be >= 0; got {holdout_days}.")
    summary = _summary_frame(customer_summary)
    if summary.empty:
        raise DataContractError("The CLV models need at least one customer with an order.")
    chosen, rows, note_en, note_zh, start = _select(orders, summary, observation_end, holdout_days)
    final, problem = _fit(chosen, summary, start)
    if final is None:
        raise ModelError(f"{LABELS[chosen][0]} could not be fitted on all customers: {problem}")
    rows.append(
        _row(
            chosen,
            final,
            stage="final",
            chosen=True,
            note_en=note_en + (f" Final fit: {problem}." if problem else ""),
            note_zh=note_zh + ("最终拟合未收敛。" if problem else ""),
        )
    )
    rows.append(_spend_row(summary))
    out = pd.DataFrame(rows)
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
        return _row(
            "MeanOrderValue",
            None,
            **fallback,
            note_en=f"No repeat buyers: expected spend is the mean order value ({mean_order:.2f}).",
            note_zh=f"没有复购客户：预期客单价取全部订单的平均客单价（{mean_order:.2f}）。",
        )
    gg = _model_class("GammaGamma")()
    try:
        gg.fit(repeat[["customer_id", "frequency", "monetary_value"]])
    except ModelError as exc:
        return _row(
            "MeanOrderValue",
            None,
            **fallback,
            note_en=f"Gamma-Gamma could not be fitted ({exc}); expected spend is the mean "
            f"order value ({mean_order:.2f}).",
            note_zh=f"Gamma-Gamma 模型拟合失败；预期客单价取平均客单价（{mean_order:.2f}）。",
        )
    return _row(
        "GammaGamma",
        gg,
        role="spend",
        stage="final",
        chosen=True,
        note_en=f"Fitted on {len(repeat):,} repeat buyers' mean repeat spend.",
        note_zh=f"基于 {len(repeat):,} 位复购客户的平均复购金额拟合。",
    )


def clv_table(
    customer_summary: Any,
    models: pd.DataFrame,
    *,
    annual_discount_rate: float = 0.1,
    margin: float = 1.0,
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
    purchase = _model_class(purchase_name).from_params(
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
        gg = _model_class("GammaGamma").from_params(spend_params)
        spend_input = summary[["customer_id", "frequency", "monetary_value"]]
        out["expected_spend"] = gg.expected_spend(spend_input)["expected_spend"].to_numpy()
    else:
        out["expected_spend"] = float(spend_params["mean_order_value"])
    out["clv_12m"] = margin * out["expected_spend"] * discounted
    out = _segments(out)
    out["model"] = purchase_name
    return out


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
    out["clv_segment_zh"] = [SEGMENTS[c][0] for c in codes]
    out["clv_segment_en"] = [SEGMENTS[c][1] for c in codes]
    return out


def _build_models(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    return clv_models(
        inputs["orders"],
        inputs["customer_summary"],
        observation_end=ctx.observation_end,
        holdout_days=int(ctx.setting("clv_holdout_days", 0)),
    )


def _build_clv(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    models = inputs["clv_models"].to_pandas()
    return clv_table(
        inputs["customer_summary"],
        models,
        annual_discount_rate=float(ctx.setting("clv_annual_discount_rate", 0.1)),
        margin=float(ctx.setting("clv_margin", 1.0)),
    )


ANALYSES = [
    Analysis(
        name="clv_models",
        requires=("orders", "customer_summary"),
        build=_build_models,
        description="CLV model validation: BG/NBD, Pareto/NBD and MBG/NBD scored on a "
        "holdout, the chosen model refitted on all data, and the spend model.",
        columns={
            "model": "Model: BetaGeo (BG/NBD), ParetoNBD, ModifiedBetaGeo (MBG/NBD), "
            "GammaGamma, or MeanOrderValue when spend cannot be modelled.",
            "role": "purchases (how often customers buy) or spend (how much per purchase).",
            "stage": "calibration: fitted before the holdout and scored on it; final: "
            "fitted on all data and used for the clv table.",
            "chosen": "True for the selected purchase model and the models in use.",
            "log_likelihood": "Log-likelihood of the fit at its optimum.",
            "n_customers": "Customers the model was fitted on.",
            "params": "Fitted parameters as JSON, by the paper's names.",
            "converged": "Whether the optimiser reached the maximum.",
            "holdout_mae": "Mean absolute error of predicted holdout purchase days per customer.",
            "holdout_rmse": "Root mean squared error of the same.",
            "aggregate_error_pct": "(predicted - actual) / actual holdout purchase days, in %.",
            "holdout_actual_purchases": "Purchase days customers made in the holdout.",
            "holdout_predicted_purchases": "Purchase days the model predicted for the holdout.",
            "calibration_end": "Last day of the calibration period (ISO date; empty for final fits).",
            "holdout_days": "Length of the holdout in days (0 for final fits).",
            "note_en": "Why the model was chosen, left out, or how it was fitted (English).",
            "note_zh": "同上（中文）。",
        },
    ),
    Analysis(
        name="clv",
        requires=("customer_summary", "clv_models"),
        build=_build_clv,
        description="Per customer: probability alive, expected purchases in 30/90/365 "
        "days, expected spend, discounted 12-month CLV and CLV segment.",
        columns={
            "customer_id": "Customer.",
            "p_alive": "Probability that the customer is still active (has not dropped out).",
            "expected_purchases_30d": "Expected purchase days in the next 30 days.",
            "expected_purchases_90d": "Expected purchase days in the next 90 days.",
            "expected_purchases_365d": "Expected purchase days in the next 365 days.",
            "expected_spend": "Expected spend per purchase day (Gamma-Gamma, or the mean order value).",
            "clv_12m": "Predicted margin over the next 12 months, discounted at the annual "
            "discount rate (clv_annual_discount_rate, clv_margin).",
            "clv_segment": "high (top 20% by clv_12m), medium (next 30%) or low (the rest).",
            "clv_segment_zh": "CLV segment name in Chinese.",
            "clv_segment_en": "CLV segment name in English.",
            "model": "Purchase model used (chosen on the holdout, see clv_models).",
        },
    ),
]
