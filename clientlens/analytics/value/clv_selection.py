"""Choosing the purchase model of the ``clv`` analysis on a calibration/holdout split.

See :mod:`clientlens.analytics.value.clv` for the rule; this module fits the candidates on the
calibration period, scores each on the holdout and says which one was chosen and why.
"""

from __future__ import annotations

import json
import math
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from clientlens.analytics.base import to_date
from clientlens.errors import ModelError

CANDIDATES = ("BetaGeo", "ParetoNBD", "ModifiedBetaGeo")
"""Purchase models compared, in tie-break order."""
LABELS = {
    "BetaGeo": ("BG/NBD", "BG/NBD 模型"),
    "ParetoNBD": ("Pareto/NBD", "Pareto/NBD 模型"),
    "ModifiedBetaGeo": ("MBG/NBD", "MBG/NBD 模型"),
}
MAE_TIE = 0.01
MIN_HOLDOUT_DAYS = 28
MAX_SELECTION_CUSTOMERS = 5_000
"""Candidates are compared on every k-th customer (by customer_id) beyond this many: the
ranking of three models needs no million customers, and a Pareto/NBD fit costs tens of
seconds per few thousand distinct histories where its parameters run to extremes."""
MAX_HOLDOUT_DAYS = 365


def model_class(name: str) -> Any:
    import clientlens.models as models

    return getattr(models, name)


def default_holdout_days(history_days: int) -> int:
    """A quarter of the history, at most a year (the ``clv_holdout_days = 0`` default)."""
    return min(MAX_HOLDOUT_DAYS, history_days // 4)


def fit_model(
    name: str, data: pd.DataFrame, start: dict[str, float] | None = None
) -> tuple[Any, str]:
    """Fit one model; returns (model or None, reason it cannot be used)."""
    try:
        model = model_class(name)().fit(data, time_unit_days=1.0, initial_params=start)
    except (ModelError, ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
        # One candidate failing numerically must not stop the others; it is reported.
        return None, f"fit failed: {exc}"
    if not model.convergence.converged:
        return model, f"did not converge ({model.convergence.message})"
    return model, ""


def model_row(model_name: str, model: Any, **fields: Any) -> dict[str, Any]:
    """One row of the ``clv_models`` result: the model's fit, then ``fields``."""
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


def select_purchase_model(
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
        model, problem = fit_model(name, data)
        if problem:
            rows.append(
                model_row(
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
            model_row(
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
