"""Choosing the purchase model of the ``clv`` analysis on a calibration/holdout split.

See :mod:`clientlens.analytics.value.clv` for the rule; this module fits the candidates on the
calibration period, scores each on the holdout and says which one was chosen and why.
"""

from __future__ import annotations

import json
import math
from typing import Any

from clientlens.analytics.base import to_date
from clientlens.errors import ModelError
from clientlens.lazy import ibis, ir, np, pd
from clientlens.text import text

CANDIDATES = ("BetaGeo", "ParetoNBD", "ModifiedBetaGeo")
"""Purchase models compared, in tie-break order."""
LABELS = {"BetaGeo": "BG/NBD", "ParetoNBD": "Pareto/NBD", "ModifiedBetaGeo": "MBG/NBD"}
MAE_TIE = 0.01
MIN_HOLDOUT_DAYS = 28
MAX_SELECTION_CUSTOMERS = 5_000
"""Candidates are compared on every k-th customer (by customer_id) beyond this many: the
ranking of three models needs no million customers, and a Pareto/NBD fit costs seconds
per few thousand distinct histories where its parameters run to extremes."""
MAX_HOLDOUT_DAYS = 365


def model_class(name: str) -> Any:
    import clientlens.models as models

    return getattr(models, name)


def default_holdout_days(history_days: int) -> int:
    """A quarter of the history, at most a year (the ``clv_holdout_days = 0`` default)."""
    return min(MAX_HOLDOUT_DAYS, history_days // 4)


def fit_model(
    name: str,
    data: pd.DataFrame,
    start: dict[str, float] | None = None,
    budget_seconds: float | None = None,
) -> tuple[Any, str, dict[str, Any]]:
    """Fit one model; returns (model or None, why it cannot be used, the note's values).

    The reason is a note code: ``fit_failed``, ``not_finished`` (the fit was stopped at
    ``budget_seconds``), ``not_converged`` or ``""``; the values are what its text names.
    """
    try:
        model = model_class(name)().fit(
            data, time_unit_days=1.0, initial_params=start, time_budget_seconds=budget_seconds
        )
    except (ModelError, ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
        # One candidate failing numerically must not stop the others; it is reported.
        return None, "fit_failed", {"detail": str(exc)}
    if not model.convergence.finished:
        return model, "not_finished", {"budget_seconds": budget_seconds}
    if not model.convergence.converged:
        return model, "not_converged", {"detail": str(model.convergence.message)}
    return model, "", {}


Note = tuple[str, dict[str, Any]]
"""A note on a ``clv_models`` row: its code (``clv_note.<code>`` in the text catalog) and
the values the text names."""


def note_fields(*notes: Note) -> dict[str, str]:
    """The ``note`` (codes, space-separated) and ``note_params`` (JSON) columns of a row."""
    params = {k: v for _, values in notes for k, v in values.items()}
    return {"note": " ".join(code for code, _ in notes), "note_params": json.dumps(params)}


def note_text(lang: str, note: str, note_params: str) -> str:
    """A ``clv_models`` row's note in words (``lang`` zh or en).

    >>> note_text("en", "no_repeat_buyers", '{"mean_order": 16}')
    'No repeat buyers: expected spend is the mean order value (16.00).'
    """
    values = json.loads(note_params or "{}")
    parts = [text(lang, f"clv_note.{code}", **values) for code in note.split()]
    return text(lang, "clv_note.join").join(parts)


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
        "note": "",
        "note_params": "{}",
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
    orders: ir.Table,
    summary: pd.DataFrame,
    observation_end: Any,
    holdout_days: int,
    budget_seconds: float | None = None,
) -> tuple[str, list[dict[str, Any]], list[Note], dict[str, float] | None]:
    """Fit the candidates on the calibration period, each within ``budget_seconds``
    (None: no limit).

    Returns the chosen model's name, the candidates' rows, the notes on the choice and the
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
        short_note = {"history_days": history_days, "holdout_days": holdout}
        return "BetaGeo", [], [("short_history", short_note)], None

    rows: list[dict[str, Any]] = []
    scored: list[tuple[str, float, float]] = []
    fitted: dict[str, dict[str, float]] = {}
    common = {"calibration_end": calibration_end.isoformat(), "holdout_days": holdout}
    for name in CANDIDATES:
        model, problem, values = fit_model(name, data, budget_seconds=budget_seconds)
        if problem:
            left_out = note_fields((problem, values))
            rows.append(model_row(name, model, **common, **left_out))
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
        return "BetaGeo", rows, [("none_fitted", {})], None
    best_mae = min(mae for _, mae, _ in scored)
    tied = [s for s in scored if s[1] <= best_mae * (1 + MAE_TIE) + 1e-12]
    chosen = min(tied, key=lambda s: (s[2], CANDIDATES.index(s[0])))[0]
    for row in rows:
        row["chosen"] = row["model"] == chosen
    notes: list[Note] = [
        (
            "chosen",
            {
                "model": LABELS[chosen],
                "holdout_days": holdout,
                "calibration_end": calibration_end.isoformat(),
            },
        )
    ]
    if step > 1:
        notes.append(("sampled", {"sample": len(data), "customers": n_calibration, "step": step}))
    return chosen, rows, notes, fitted[chosen]
