"""Training the churn model: labelled cutoffs, out-of-time validation, the final model.

:func:`train_churn` follows :func:`~clientlens.models.trained.cutoff_plan`: features of
every customer in the population at each cutoff (:func:`labelled_frame`), the label
"no completed order in the ``horizon_days`` after the cutoff", a validation model fitted
and calibrated on older cutoffs and scored on the newest labelled one, then the final
model, one horizon later, which scores customers at the observation end. It returns the
final model and its card (features, validation figures, drivers, rules, the data it
was trained on), which the ``churn_validation`` analysis stores.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clientlens.analytics.base import to_date
from clientlens.analytics.churn.features import (
    FEATURE_GROUPS,
    available_groups,
    churn_features,
    churn_labels,
)
from clientlens.analytics.churn.model import ChurnModel, rule_leaves, tree_rules
from clientlens.analytics.customers.rfm import rfm_summary
from clientlens.errors import DataContractError, ModelError, NotEnoughDataError
from clientlens.lazy import ibis, ir, np, pd
from clientlens.models import BetaGeo
from clientlens.models.trained import (
    CutoffPlan,
    calibration_table,
    classification_figures,
    cutoff_plan,
)


@dataclass(frozen=True)
class TrainingOptions:
    """How the churn model is trained (the ``churn_*`` settings)."""

    horizon_days: int
    population_days: int = 365
    n_cutoffs: int = 6
    step_days: int = 30
    max_customers: int = 100_000
    seed: int = 0


P_ALIVE_FIT_CUSTOMERS = 100_000
"""BG/NBD is fitted on at most this many customers (a seeded sample) and scores all: its
four parameters are as well determined by 100,000 histories as by a million."""


def p_alive_at(
    orders: ir.Table, cutoff: dt.date, customers: pd.Series, *, seed: int = 0
) -> np.ndarray:
    """BG/NBD probability alive at ``cutoff`` (fitted on the orders up to it, in days) of
    ``customers``; 1.0 where the fit fails (too little history)."""
    summary = rfm_summary(orders, observation_end=cutoff)
    frame = summary.select("customer_id", "frequency", "recency", "T").to_pandas()
    frame = frame.sort_values("customer_id", kind="stable").reset_index(drop=True)
    fit_on = frame
    if len(frame) > P_ALIVE_FIT_CUSTOMERS:
        rows = np.random.default_rng(seed).choice(len(frame), P_ALIVE_FIT_CUSTOMERS, replace=False)
        fit_on = frame.iloc[np.sort(rows)]
    try:
        model = BetaGeo().fit(fit_on, time_unit_days=1.0)
        p = model.probability_alive(frame).set_index("customer_id")["p_alive"]
    except ModelError:  # an unidentifiable early cutoff: no information, not an error
        p = pd.Series(1.0, index=frame["customer_id"])
    return p.reindex(customers.to_numpy()).fillna(1.0).to_numpy(dtype=float)


def labelled_frame(
    inputs: Mapping[str, ir.Table],
    cutoff: dt.date,
    options: TrainingOptions,
    groups: list[str],
    *,
    labelled: bool = True,
) -> pd.DataFrame:
    """Features at ``cutoff`` (with ``p_alive``) of the population, by ``customer_id``,
    and ``churned`` (1.0: no order in the horizon) when ``labelled``."""
    f = churn_features(inputs, cutoff, population_days=options.population_days, groups=groups)
    if labelled:
        bought = churn_labels(inputs["orders"], cutoff, options.horizon_days)
        f = f.left_join(bought, "customer_id").select(f, churned=1.0 - bought.bought.fill_null(0.0))
    frame = f.to_pandas().sort_values("customer_id", kind="stable").reset_index(drop=True)
    frame["p_alive"] = p_alive_at(inputs["orders"], cutoff, frame["customer_id"], seed=options.seed)
    frame["cutoff"] = cutoff
    return frame


def _sampled(inputs: Mapping[str, ir.Table], max_customers: int) -> tuple[dict[str, ir.Table], int]:
    """The inputs limited to every k-th customer by id when there are more than
    ``max_customers`` (deterministic, the same on every engine); k."""
    orders = inputs["orders"]
    ids = orders.select("customer_id").distinct()
    n = int(ids.count().execute())
    step = max(1, -(-n // max_customers))
    if step == 1:
        return dict(inputs), 1
    ranked = ids.mutate(_k=ibis.row_number().over(order_by=ids.customer_id))
    keep = ranked.filter(ranked._k % step == 0).select("customer_id")
    out = dict(inputs)
    for name in ("orders", "events", "feedback", "tickets", "customers"):
        if name in out and "customer_id" in out[name].columns:
            out[name] = out[name].semi_join(keep, "customer_id")
    return out, step


def train_churn(
    inputs: Mapping[str, ir.Table], observation_end: Any, options: TrainingOptions
) -> tuple[ChurnModel, dict[str, Any]]:
    """Train, validate out of time and refit the churn model (see the module docstring).

    Returns the final model and its card: ``features``, ``groups``, ``plan``,
    ``validation`` (figures per model), ``validation_by_orders`` (the churn model's
    figures for one-time buyers and repeat buyers), ``calibration`` (the curve), ``drivers``,
    ``rules``, ``reference`` (retained customers' medians, for reasons), ``training``
    and ``seconds`` (wall and CPU seconds of each step).
    """
    end = to_date(observation_end)
    orders = inputs["orders"]
    first = orders.order_date.min().execute()
    if first is None or pd.isna(first):
        raise DataContractError("The churn model needs completed orders.")
    plan = cutoff_plan(
        end,
        options.horizon_days,
        n_cutoffs=options.n_cutoffs,
        step_days=options.step_days,
        first_day=to_date(first),
    )
    groups = available_groups(inputs)
    features = [n for g in groups for n in FEATURE_GROUPS[g]]
    clock = _Clock()
    sample, step = _sampled(inputs, options.max_customers)
    frames: dict[dt.date, pd.DataFrame] = {}
    for cutoff in sorted({*plan.fit_cutoffs, *plan.final_fit_cutoffs, plan.calibration_cutoff}):
        frames[cutoff] = labelled_frame(sample, cutoff, options, groups)
    # validation: every customer of the newest labelled cutoff, not the sample
    validation = labelled_frame(inputs, plan.validation_cutoff, options, groups)
    frames[plan.validation_cutoff] = validation
    clock.lap("features")

    def stack(cutoffs: tuple[dt.date, ...]) -> pd.DataFrame:
        return pd.concat([frames[c] for c in cutoffs], ignore_index=True)

    fit, cal = stack(plan.fit_cutoffs), frames[plan.calibration_cutoff]
    _check_labels(fit, "the fit cutoffs")
    final_fit = stack(plan.final_fit_cutoffs)
    # A feature never observed at a fit cutoff cannot be learned (web events often cover
    # only the last months): it is left out rather than learned as "always missing".
    features = [f for f in features if fit[f].notna().any() and final_fit[f].notna().any()]
    checked = ChurnModel(features, seed=options.seed).fit(
        fit, fit.churned.to_numpy(), cal, cal.churned.to_numpy()
    )
    clock.lap("validation_fit")
    y = validation["churned"].to_numpy()
    scores = {
        "churn_model": checked.predict_proba(validation),
        "rfm_logistic": checked.baseline_proba(validation),
        "p_alive": 1.0 - validation["p_alive"].to_numpy(),
    }
    figures = {name: classification_figures(y, p) for name, p in scores.items()}
    # one-time buyers apart: the model can tell little about them from one order
    once = validation["n_orders"].to_numpy() == 1
    by_orders = {
        part: classification_figures(y[rows], scores["churn_model"][rows])
        for part, rows in (("one_order", once), ("repeat", ~once))
        if rows.any()
    }
    curve = {name: calibration_table(y, p).to_dict("records") for name, p in scores.items()}
    clock.lap("validation_scores")
    drivers = checked.drivers(validation, y)
    clock.lap("drivers")

    _check_labels(final_fit, "the final fit cutoffs")
    final = ChurnModel(features, seed=options.seed).fit(
        final_fit, final_fit.churned.to_numpy(), validation, validation.churned.to_numpy()
    )
    clock.lap("final_fit")
    retained = validation[validation["churned"] == 0]
    reference = {f: float(retained[f].median()) for f in features if retained[f].notna().any()}
    card = {
        "kind": "churn",
        "features": features,
        "groups": groups,
        "horizon_days": plan.horizon_days,
        "plan": _plan_dict(plan),
        "validation": figures,
        "validation_by_orders": by_orders,
        "calibration": curve,
        "drivers": drivers.to_dict("records"),
        "rules": _rules(final, validation),
        "seconds": clock.lap("rules").seconds,
        "reference": reference,
        "training": {
            "observation_end": end.isoformat(),
            "fit_rows": len(fit),
            "final_fit_rows": len(final_fit),
            "calibration_rows": len(cal),
            "validation_rows": len(validation),
            "sample_every_kth_customer": step,
            "options": options.__dict__,
        },
        "library": _versions(),
    }
    return final, card


class _Clock:
    """Wall and CPU seconds of each training step, kept in the card (``seconds``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = {}
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, step: str) -> _Clock:
        wall, cpu = time.perf_counter(), time.process_time()
        self.seconds[step] = [round(wall - self._wall, 3), round(cpu - self._cpu, 3)]
        self._wall, self._cpu = wall, cpu
        return self


def _check_labels(frame: pd.DataFrame, what: str) -> None:
    n_churned = int(frame["churned"].sum())
    if len(frame) == 0 or n_churned in (0, len(frame)):
        raise NotEnoughDataError(
            f"The churn model cannot learn from {what}: {len(frame)} customers, "
            f"{n_churned} of them churned. It needs both customers who bought again and "
            "customers who did not (more history, or another churn_window_days)."
        )


def _plan_dict(plan: CutoffPlan) -> dict[str, Any]:
    return {
        "horizon_days": plan.horizon_days,
        "fit_cutoffs": [d.isoformat() for d in plan.fit_cutoffs],
        "calibration_cutoff": plan.calibration_cutoff.isoformat(),
        "validation_cutoff": plan.validation_cutoff.isoformat(),
        "final_fit_cutoffs": [d.isoformat() for d in plan.final_fit_cutoffs],
        "scoring_cutoff": plan.scoring_cutoff.isoformat(),
    }


def _rules(model: ChurnModel, validation: pd.DataFrame) -> list[dict[str, Any]]:
    """Each leaf of the final rule tree with its size and churn rate at the validation
    cutoff (a later cutoff than any the tree was fitted on)."""
    leaves = rule_leaves(model, validation)
    churned = validation["churned"].to_numpy()
    out = []
    for k, (node, conditions) in enumerate(tree_rules(model)):
        inside = leaves == node
        n = int(inside.sum())
        out.append(
            {
                "rule_id": k + 1,
                "node": node,
                "conditions": [list(c) for c in conditions],
                "customers": n,
                "churn_rate": float(churned[inside].mean()) if n else float("nan"),
            }
        )
    return out


def _versions() -> dict[str, str]:
    import sklearn

    import clientlens

    return {
        "clientlens": str(getattr(clientlens, "__version__", "")),
        "scikit-learn": sklearn.__version__,
    }
