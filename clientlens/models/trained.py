"""The contract every trained model shares (churn first; spend, clusters and others follow).

A trained model learns from the past what happens after a *cutoff* date:

* **point-in-time features**: each example describes a customer with data dated on or
  before its cutoff only, so a model never sees what it is asked to predict;
* **a label with its horizon**: what happened in the ``horizon_days`` after the cutoff
  (for churn: no purchase in them);
* **a training set from several historical cutoffs** (:func:`cutoff_plan`), the newest of
  them ``horizon_days`` before the end of the data, so every label is observed;
* **out-of-time validation**, never a random split: the model is fitted on cutoffs whose
  label windows end on or before the validation cutoff, and scored on that cutoff;
* **calibration** on a later cutoff than the fit (isotonic regression of the raw scores on
  what happened, :class:`IsotonicCalibration`), so a probability of 0.3 means 3 in 10;
* **validation figures** (:func:`classification_figures`, :func:`calibration_table`):
  ROC-AUC, PR-AUC, Brier score, expected calibration error, lift in the top decile;
* ``explain``: global drivers and per-customer reasons, by the model's own module;
* a **versioned store** (:class:`~clientlens.models.store.ModelStore`): the fitted model,
  its features, its validation figures and the data it was trained on.

Scoring is an ordinary analysis that reads the stored model. Estimators follow
scikit-learn's contract: parameters set in ``__init__``, learned state ending in ``_``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from clientlens.errors import DataContractError, NotEnoughDataError
from clientlens.lazy import np, pd

N_CALIBRATION_BINS = 10


@dataclass(frozen=True)
class CutoffPlan:
    """Which cutoffs a trained model is fitted, calibrated, validated and scored on.

    The validation run and the final model use the same recipe, the final one moved one
    horizon later: the validation model is fitted on ``fit_cutoffs``, calibrated on
    ``calibration_cutoff`` (whose label window ends on ``validation_cutoff``) and scored
    on ``validation_cutoff`` (whose label window ends on the observation end). The final
    model is fitted on ``final_fit_cutoffs``, calibrated on ``validation_cutoff`` and
    scores customers at the observation end.
    """

    horizon_days: int
    fit_cutoffs: tuple[dt.date, ...]
    calibration_cutoff: dt.date
    validation_cutoff: dt.date
    final_fit_cutoffs: tuple[dt.date, ...]
    scoring_cutoff: dt.date


def cutoff_plan(
    observation_end: dt.date,
    horizon_days: int,
    *,
    n_cutoffs: int,
    step_days: int,
    first_day: dt.date,
) -> CutoffPlan:
    """The cutoffs of a trained model's training and validation (see :class:`CutoffPlan`).

    Fit cutoffs are ``step_days`` apart, the newest ``step_days`` before the calibration
    cutoff; those on or before ``first_day`` (no history yet) are left out.

    Examples
    --------
    >>> p = cutoff_plan(dt.date(2025, 12, 31), 90, n_cutoffs=2, step_days=30,
    ...                 first_day=dt.date(2023, 1, 1))
    >>> p.validation_cutoff, p.calibration_cutoff, p.fit_cutoffs
    (datetime.date(2025, 10, 2), datetime.date(2025, 7, 4), (datetime.date(2025, 6, 4), datetime.date(2025, 5, 5)))
    """
    if horizon_days < 1 or n_cutoffs < 1 or step_days < 1:
        raise DataContractError(
            f"A trained model needs a horizon, cutoffs and a step of at least 1 day; got "
            f"horizon {horizon_days}, {n_cutoffs} cutoffs, step {step_days}."
        )
    horizon = dt.timedelta(days=horizon_days)
    step = dt.timedelta(days=step_days)
    validation = observation_end - horizon
    calibration = validation - horizon

    def before(anchor: dt.date) -> tuple[dt.date, ...]:
        days = (anchor - step * (k + 1) for k in range(n_cutoffs))
        return tuple(d for d in days if d > first_day)

    fit, final_fit = before(calibration), before(validation)
    if not fit:
        need = first_day + horizon * 2 + step
        raise NotEnoughDataError(
            f"Too little history to train and validate out of time: the data start on "
            f"{first_day} and end on {observation_end}, and a {horizon_days}-day horizon "
            f"needs data up to at least {need + horizon} (or a shorter horizon)."
        )
    return CutoffPlan(horizon_days, fit, calibration, validation, final_fit, observation_end)


class IsotonicCalibration:
    """Monotone map from a model's raw scores to calibrated probabilities.

    Fitted on a later cutoff than the model (out of time). The map is *centred* isotonic
    regression (Oron & Flournoy 2017, "Centered isotonic regression", Statistics in
    Biopharmaceutical Research 9(3)): scikit-learn's pool-adjacent-violators fit, then a
    straight line between the centres of its constant blocks, clipped outside the range it
    saw. Plain isotonic regression is a step function: it ties every customer of a block
    (a hundred or so values for tens of thousands of customers), which throws away the
    model's ranking within a block and lowers ROC-AUC; the centred map keeps the ranking
    and the calibration.
    """

    def __init__(self) -> None:
        from sklearn.isotonic import IsotonicRegression

        self.isotonic_ = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")

    def fit(self, raw: np.ndarray, y: np.ndarray) -> IsotonicCalibration:
        raw = np.asarray(raw, dtype=float)
        self.isotonic_.fit(raw, np.asarray(y, dtype=float))
        xs = np.sort(raw)
        fitted = self.isotonic_.predict(xs)
        starts = np.flatnonzero(np.r_[True, np.diff(fitted) != 0])
        sums = np.add.reduceat(xs, starts)
        counts = np.diff(np.r_[starts, xs.size])
        self.centres_ = sums / counts
        self.values_ = fitted[starts]
        return self

    def transform(self, raw: np.ndarray) -> np.ndarray:
        raw = np.asarray(raw, dtype=float)
        if not hasattr(self, "centres_"):  # a model stored before the centred map
            return np.asarray(self.isotonic_.predict(raw), dtype=float)
        return np.asarray(np.interp(raw, self.centres_, self.values_), dtype=float)


def classification_figures(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """Validation figures of probabilities ``p`` for outcomes ``y`` (0/1).

    ``roc_auc``, ``pr_auc`` (average precision), ``brier`` (mean squared error),
    ``ece`` (expected calibration error over :data:`N_CALIBRATION_BINS` equal-width bins:
    the customer-weighted mean of |mean predicted − observed rate|), ``lift_top_decile``
    (the outcome rate among the 10% highest ``p`` over the overall rate), ``base_rate``
    and ``customers``. AUCs are NaN when only one outcome occurs.

    Examples
    --------
    >>> f = classification_figures(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    >>> f["roc_auc"], round(f["brier"], 6)  # (0.01 + 0.16 + 0.4225 + 0.04) / 4
    (0.75, 0.158125)
    """
    from sklearn.metrics import average_precision_score, roc_auc_score

    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    both = 0 < y.sum() < y.size
    order = np.argsort(-p, kind="stable")
    top = order[: max(1, int(np.ceil(0.1 * y.size)))]
    base = float(y.mean()) if y.size else float("nan")
    table = calibration_table(y, p)
    ece = float((table["customers"] * (table["predicted"] - table["observed"]).abs()).sum())
    return {
        "roc_auc": float(roc_auc_score(y, p)) if both else float("nan"),
        "pr_auc": float(average_precision_score(y, p)) if both else float("nan"),
        "brier": float(np.mean((p - y) ** 2)),
        "ece": ece / max(y.size, 1),
        "lift_top_decile": float(y[top].mean() / base) if base > 0 else float("nan"),
        "base_rate": base,
        "customers": float(y.size),
    }


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = N_CALIBRATION_BINS) -> pd.DataFrame:
    """The calibration curve: per equal-width bin of ``p``, customers, mean predicted
    probability and observed rate (empty bins left out)."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    index = np.clip((p * bins).astype(int), 0, bins - 1)
    frame = pd.DataFrame({"bin": index, "p": p, "y": y})
    g = frame.groupby("bin").agg(
        customers=("y", "size"), predicted=("p", "mean"), observed=("y", "mean")
    )
    g = g.reset_index()
    g["bin_lower"] = g["bin"] / bins
    g["bin_upper"] = (g["bin"] + 1) / bins
    return g[["bin_lower", "bin_upper", "customers", "predicted", "observed"]]
