"""Training the spend model: spend in the next days from point-in-time features.

:func:`train_spend` follows the trained-model contract (:mod:`clientlens.models.trained`)
with :func:`~clientlens.models.trained.cutoff_plan`'s cutoffs: the validation model is
fitted on the fit cutoffs and the calibration cutoff (every label window ends on or
before the validation cutoff; a regression needs no calibration, so that cutoff is one
more fit cutoff) and scored on the validation cutoff, whose window ends on the observation
end, against the naive baseline "the next ``horizon_days`` = the last ``horizon_days``".
The final model is fitted the same way one horizon later and scores customers at the
observation end.

**Model**: scikit-learn's ``HistGradientBoostingRegressor`` with the Poisson loss (a
mean for a target that is mostly zero and never negative: predicted spend sums to what
customers spend, where a squared loss would let the few big spenders pull it about),
200 rounds, learning rate 0.06, L2 penalty 1 and at least 50 examples a leaf (the Poisson
loss is unstable without them), seeded, no early stopping (it would hold out a random
split). Fitted, and validated, on a seeded sample of at most ``max_customers``
customers (the same customers at every cutoff: the validation is out of time, not out
of sample); the final model then scores every customer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from clientlens.analytics.base import to_date
from clientlens.analytics.churn.features import FEATURE_GROUPS
from clientlens.analytics.forecast.spend_features import feature_groups, sample_inputs, spend_frame
from clientlens.errors import DataContractError, NotEnoughDataError
from clientlens.lazy import ir, np, pd
from clientlens.models.trained import CutoffPlan, cutoff_plan

BASELINE = "naive_last_period"


@dataclass(frozen=True)
class SpendOptions:
    """How the spend model is trained (the ``spend_forecast_*`` settings)."""

    horizon_days: int = 90
    n_cutoffs: int = 4
    step_days: int = 30
    max_customers: int = 50_000
    seed: int = 0


class SpendModel:
    """Gradient boosting of the spend in the horizon on the features (see the module).

    Parameters are set in ``__init__``; ``fit`` learns ``estimator_``.
    """

    def __init__(self, features: list[str], *, seed: int = 0):
        self.features = list(features)
        self.seed = seed

    def fit(self, frame: pd.DataFrame, y: np.ndarray) -> SpendModel:
        from sklearn.ensemble import HistGradientBoostingRegressor

        self.estimator_ = HistGradientBoostingRegressor(
            loss="poisson",
            max_iter=200,
            learning_rate=0.06,
            # Without them a leaf of a few customers who spent next to nothing gets a
            # tiny Poisson hessian and an enormous log-rate: on the 100,000-customer demo
            # one fit predicted 649 billion for 12 million spent (bench/RESULTS.md).
            l2_regularization=1.0,
            min_samples_leaf=50,
            early_stopping=False,
            random_state=self.seed,
        )
        x = frame[self.features].to_numpy(dtype=float)
        with _one_thread():
            self.estimator_.fit(x, np.asarray(y, dtype=float))
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Predicted spend in the horizon of each row of ``frame``."""
        x = frame[self.features].to_numpy(dtype=float)
        with _one_thread():
            return np.asarray(self.estimator_.predict(x), dtype=float)


def _one_thread() -> Any:
    """OpenMP limited to one thread for the boosting. On a busy machine (more runnable
    processes than cores, as on a shared server or beside the engine's own threads) its
    threads spin waiting for each other: 200 rounds on 70,000 rows took 35 CPU seconds
    with two threads and 1.7 s with one (bench/RESULTS.md). The estimator must be
    imported first, so that the OpenMP runtime it loads is the one limited."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="openmp")


def regression_figures(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """MAE, RMSE, the totals and the customers of a spend forecast.

    Examples
    --------
    >>> f = regression_figures(np.array([0.0, 10, 30]), np.array([5.0, 10, 20]))
    >>> f["mae"], round(f["rmse"], 4), f["total_predicted"]  # (5 + 0 + 10) / 3, √(125 / 3)
    (5.0, 6.455, 35.0)
    """
    a = np.asarray(actual, dtype=float)
    p = np.asarray(predicted, dtype=float)
    err = p - a
    return {
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "total_predicted": float(p.sum()),
        "total_actual": float(a.sum()),
        "customers": float(a.size),
    }


def train_spend(
    inputs: Mapping[str, ir.Table], observation_end: Any, options: SpendOptions
) -> tuple[SpendModel, dict[str, Any]]:
    """Train, validate out of time and refit the spend model (see the module docstring).

    Returns the final model and its card: ``features``, ``groups``, ``plan``,
    ``validation`` (figures of the model and of the naive baseline), ``training``.
    """
    end = to_date(observation_end)
    first = inputs["orders"].order_date.min().execute()
    if first is None or pd.isna(first):
        raise DataContractError("The spend model needs completed orders.")
    plan = cutoff_plan(
        end,
        options.horizon_days,
        n_cutoffs=options.n_cutoffs,
        step_days=options.step_days,
        first_day=to_date(first),
    )
    groups = feature_groups(inputs)
    sample, chosen, total = sample_inputs(inputs, options.max_customers, options.seed)
    fit_cutoffs = (*plan.fit_cutoffs, plan.calibration_cutoff)
    final_cutoffs = (*plan.final_fit_cutoffs, plan.validation_cutoff)
    frames: dict[dt.date, pd.DataFrame] = {}
    for cutoff in sorted({*fit_cutoffs, *final_cutoffs}):
        frames[cutoff] = spend_frame(sample, cutoff, options.horizon_days, groups)
    validation = frames[plan.validation_cutoff]

    fit = pd.concat([frames[c] for c in fit_cutoffs], ignore_index=True)
    final_fit = pd.concat([frames[c] for c in final_cutoffs], ignore_index=True)
    _check_labels(fit, "the fit cutoffs")
    _check_labels(final_fit, "the final fit cutoffs")
    names = [n for g in groups for n in FEATURE_GROUPS[g]]
    # a feature never observed at a fit cutoff (web events of the last months) is left
    # out rather than learned as "always missing"
    features = [f for f in names if fit[f].notna().any() and final_fit[f].notna().any()]
    checked = SpendModel(features, seed=options.seed).fit(fit, fit["next_spend"].to_numpy())
    actual = validation["next_spend"].to_numpy(dtype=float)
    figures = {
        "spend_model": regression_figures(actual, checked.predict(validation)),
        BASELINE: regression_figures(actual, validation["last_spend"].to_numpy(dtype=float)),
    }
    final = SpendModel(features, seed=options.seed).fit(
        final_fit, final_fit["next_spend"].to_numpy()
    )
    card = {
        "kind": "spend",
        "features": features,
        "groups": groups,
        "horizon_days": plan.horizon_days,
        "plan": _plan_dict(plan),
        "validation": figures,
        "training": {
            "observation_end": end.isoformat(),
            "fit_rows": len(fit),
            "final_fit_rows": len(final_fit),
            "validation_rows": len(validation),
            "sample_customers": total if chosen is None else len(chosen),
            "customers": total,
            "options": asdict(options),
        },
        "library": _versions(),
    }
    return final, card


def _check_labels(frame: pd.DataFrame, what: str) -> None:
    if len(frame) == 0 or not (frame["next_spend"] > 0).any():
        raise NotEnoughDataError(
            f"the spend model cannot learn from {what}: {len(frame)} customer rows, none of "
            "whom bought in the horizon after their cutoff (more history, or another "
            "spend_forecast_horizon_days)"
        )


def _plan_dict(plan: CutoffPlan) -> dict[str, Any]:
    return {
        "horizon_days": plan.horizon_days,
        "fit_cutoffs": [d.isoformat() for d in (*plan.fit_cutoffs, plan.calibration_cutoff)],
        "validation_cutoff": plan.validation_cutoff.isoformat(),
        "final_fit_cutoffs": [
            d.isoformat() for d in (*plan.final_fit_cutoffs, plan.validation_cutoff)
        ],
        "scoring_cutoff": plan.scoring_cutoff.isoformat(),
    }


def _versions() -> dict[str, str]:
    import sklearn

    import clientlens

    return {
        "clientlens": str(getattr(clientlens, "__version__", "")),
        "scikit-learn": sklearn.__version__,
    }
