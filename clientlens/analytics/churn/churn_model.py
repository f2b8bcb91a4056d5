"""The trained churn model's results: validation, scores with reasons, drivers and rules.

* ``churn_validation`` trains the model (:func:`~.training.train_churn`: several historical
  cutoffs, out-of-time validation, calibration), stores it in the workspace's model store
  as a new version, and reports its validation figures beside the RFM-only logistic
  baseline and BG/NBD's probability alive, with the calibration curve; while the newest
  stored model still holds (:mod:`.retraining`: same settings and training data, at most
  ``churn_retrain_days`` old) it reports that model's figures instead of training again;
* ``churn_scores`` reads that stored version and scores every customer of the population
  at the observation end: calibrated churn probability, risk band, three reasons (codes
  and the number each names), revenue at risk and a recommended action;
* ``churn_drivers``: global drivers (permutation importance at the validation cutoff);
* ``churn_rules``: the leaves of a depth-3 decision tree as conditions, each with its size
  and churn rate at the validation cutoff.

**Churn** (setting ``churn_definition``): ``non_contractual``, no completed order in the
``horizon_days`` after the cutoff. The horizon is the shared ``churn_window_days`` (0:
twice the median purchase cycle, at least 90 days, as the churn rate KPI); which one was
used is reported in ``churn_validation``. ``contractual`` (a cancellation or
subscription-end column) is not supported yet: the data contract has no such column.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from clientlens.analytics.base import AnalysisContext, to_date
from clientlens.analytics.churn.retraining import RETRAIN_DAYS
from clientlens.analytics.kpis.kpis import (
    CHURN_WINDOW_DAYS,
    churn_window_days,
    median_purchase_cycle_days,
)
from clientlens.config import Setting
from clientlens.errors import AnalysisDisabled, ConfigError, WorkspaceError
from clientlens.lazy import ir, np, pd

if TYPE_CHECKING:
    from clientlens.analytics.churn.training import TrainingOptions

MODEL_NAME = "churn"
OPTIONAL = ("customers", "order_items", "products", "events", "feedback", "tickets")

ENABLED = Setting(
    "churn_model",
    bool,
    False,
    "Train the churn early-warning model (churn_validation, churn_scores, churn_drivers, "
    "churn_rules) during analyze, and retrain it as churn_retrain_days says. Off by "
    "default: training costs about a minute of CPU at 100,000 customers and several at a "
    "million, more than the rest of analyze.",
)
DEFINITION = Setting(
    "churn_definition",
    str,
    "non_contractual",
    "What churn means for the churn model: non_contractual (no purchase within the churn "
    "window after the cutoff) or contractual (a cancellation column; not supported yet).",
    ("non_contractual", "contractual"),
)
POPULATION_DAYS = Setting(
    "churn_population_days",
    int,
    365,
    "Churn model: customers are scored (and trained on) while their last purchase is at "
    "most this many days old; older ones have churned already.",
)
TRAINING_CUTOFFS = Setting(
    "churn_training_cutoffs", int, 6, "Churn model: historical cutoffs it is fitted on."
)
CUTOFF_STEP_DAYS = Setting(
    "churn_cutoff_step_days", int, 30, "Churn model: days between its training cutoffs."
)
MAX_TRAINING_CUSTOMERS = Setting(
    "churn_max_training_customers",
    int,
    100_000,
    "Churn model: beyond this many customers it is fitted on every k-th customer by id "
    "(validation and scoring use every customer). 100,000 customers give it 270,000 "
    "examples over its cutoffs, as many as the demo business of that size ranks well with.",
)
SEED = Setting("churn_seed", int, 0, "Churn model: seed of every random step.")
HIGH_RISK = Setting(
    "churn_high_risk_probability",
    float,
    0.7,
    "Churn model: customers with a churn probability from this on are at high risk.",
)
MEDIUM_RISK = Setting(
    "churn_medium_risk_probability",
    float,
    0.4,
    "Churn model: customers with a churn probability from this on (below the high-risk "
    "edge) are at medium risk; below it, low.",
)
TRAINING_SETTINGS = (
    ENABLED,
    RETRAIN_DAYS,
    DEFINITION,
    CHURN_WINDOW_DAYS,
    POPULATION_DAYS,
    TRAINING_CUTOFFS,
    CUTOFF_STEP_DAYS,
    MAX_TRAINING_CUSTOMERS,
    SEED,
)


def check_definition(definition: str) -> None:
    if definition == "contractual":
        raise ConfigError(
            "churn_definition = 'contractual' is not supported yet: the data contract has no "
            "cancellation or subscription-end column. Use 'non_contractual'."
        )


def horizon(orders: ir.Table, window_days: int) -> tuple[int, str, float]:
    """The label horizon in days, where it came from (``setting`` or ``purchase_cycle``)
    and the business's median purchase cycle (NaN without repeat buyers)."""
    cycle = median_purchase_cycle_days(orders).execute()
    cycle = float("nan") if cycle is None or pd.isna(cycle) else float(cycle)
    if window_days > 0:
        return window_days, "setting", cycle
    days = float(churn_window_days(orders, 0).execute())
    return math.ceil(days), "purchase_cycle", cycle


def options(ctx: AnalysisContext, horizon_days: int) -> TrainingOptions:
    from clientlens.analytics.churn.training import TrainingOptions

    return TrainingOptions(
        horizon_days=horizon_days,
        population_days=ctx.setting("churn_population_days"),
        n_cutoffs=ctx.setting("churn_training_cutoffs"),
        step_days=ctx.setting("churn_cutoff_step_days"),
        max_customers=ctx.setting("churn_max_training_customers"),
        seed=ctx.setting("churn_seed"),
    )


def validation_table(card: dict[str, Any], version: int) -> pd.DataFrame:
    """The card's validation figures and calibration curves as rows (see ``ANALYSES``)."""
    plan, rows = card["plan"], []
    for model, figures in card["validation"].items():
        for metric, value in figures.items():
            rows.append({"model": model, "metric": metric, "value": value})
        for b in card["calibration"][model]:
            rows.append(
                {
                    "model": model,
                    "metric": "calibration",
                    "value": b["observed"],
                    "predicted": b["predicted"],
                    "bin_lower": b["bin_lower"],
                    "bin_upper": b["bin_upper"],
                    "customers": float(b["customers"]),
                }
            )
    out = pd.DataFrame(rows, columns=[*VALIDATION_COLUMNS[:3], *VALIDATION_COLUMNS[3:7]])
    out = out.astype({c: "float64" for c in VALIDATION_COLUMNS[2:7]})
    out["validation_cutoff"] = pd.Timestamp(plan["validation_cutoff"]).date()
    out["horizon_days"] = int(card["horizon_days"])
    out["horizon_source"] = card["horizon_source"]
    out["median_purchase_cycle_days"] = float(card["median_purchase_cycle_days"])
    out["model_version"] = int(version)
    return out


VALIDATION_COLUMNS = (
    "model",
    "metric",
    "value",
    "predicted",
    "bin_lower",
    "bin_upper",
    "customers",
)


def _build_validation(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    from clientlens.analytics.churn.features import available_groups
    from clientlens.analytics.churn.retraining import (
        MODEL_FORMAT,
        orders_fingerprint,
        retrain_reason,
    )
    from clientlens.analytics.churn.training import train_churn

    if not ctx.setting("churn_model"):
        raise AnalysisDisabled(
            "the churn model is off (setting churn_model = false); turn it on for one run "
            "with `clientlens analyze --set churn_model=true`, or in clientlens.toml"
        )
    check_definition(ctx.setting("churn_definition"))
    days, source, cycle = horizon(inputs["orders"], ctx.setting("churn_window_days"))
    opts = options(ctx, days)
    end = to_date(ctx.observation_end)
    stored = None
    if ctx.models is not None and ctx.models.versions(MODEL_NAME):
        stored = ctx.models.card(MODEL_NAME)
    why = retrain_reason(
        stored,
        orders=inputs["orders"],
        observation_end=end,
        training=dict(opts.__dict__),
        groups=available_groups(inputs),
        max_age_days=ctx.setting("churn_retrain_days"),
    )
    if why is None and stored is not None:
        return validation_table(stored, int(stored["version"]))
    model, card = train_churn(inputs, end, opts)
    card |= {
        "horizon_source": source,
        "median_purchase_cycle_days": cycle,
        "format": MODEL_FORMAT,
        "orders_fingerprint": orders_fingerprint(inputs["orders"], end),
        "trained_because": why,
    }
    version = ctx.models.save(MODEL_NAME, model, card) if ctx.models is not None else 0
    return validation_table(card, version)


def _stored(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> tuple[Any, dict[str, Any]]:
    """The model version the run's ``churn_validation`` trained, from the store."""
    if ctx.models is None:
        raise WorkspaceError("Scoring the churn model needs the workspace's model store.")
    version = int(inputs["churn_validation"].model_version.max().execute())
    return ctx.models.load(MODEL_NAME, version)


def churn_scores(
    inputs: Mapping[str, ir.Table],
    model: Any,
    card: dict[str, Any],
    *,
    observation_end: Any,
    high_risk: float = HIGH_RISK.default,
    medium_risk: float = MEDIUM_RISK.default,
    version: int = 0,
) -> pd.DataFrame:
    """Score the population at ``observation_end`` with a trained model and its card."""
    from clientlens.analytics.churn.reasons import (
        needed_rows,
        recommended_actions,
        top_reasons,
    )
    from clientlens.analytics.churn.training import TrainingOptions, labelled_frame

    if not 0 <= medium_risk <= high_risk <= 1:
        raise ConfigError(
            "Churn risk bands need 0 <= churn_medium_risk_probability <= "
            f"churn_high_risk_probability <= 1; got {medium_risk} and {high_risk}."
        )
    opts = TrainingOptions(**card["training"]["options"])
    end = to_date(observation_end)
    frame = labelled_frame(inputs, end, opts, card["groups"], labelled=False)
    p = model.predict_proba(frame)
    reasons = top_reasons(frame, model.contributions(frame, card["reference"], needed_rows(frame)))
    clv = inputs["clv"].select("customer_id", "clv_12m", "clv_segment").to_pandas()
    clv = clv.set_index("customer_id").reindex(frame["customer_id"])
    out = pd.DataFrame({"customer_id": frame["customer_id"], "churn_probability": p})
    out["risk_band"] = np.select([p >= high_risk, p >= medium_risk], ["high", "medium"], "low")
    out = pd.concat([out, reasons.reset_index(drop=True)], axis=1)
    value = clv["clv_12m"].fillna(0.0).to_numpy(dtype=float)
    out["clv_12m"] = value
    out["revenue_at_risk"] = p * value
    out["recommended_action"] = recommended_actions(
        out["risk_band"],
        frame["p_alive"],
        frame.get("open_complaints", pd.Series(0.0, index=frame.index)),
        pd.Series((clv["clv_segment"] == "high").to_numpy(), index=frame.index),
    ).to_numpy()
    out["p_alive"] = frame["p_alive"].to_numpy(dtype=float)
    out["model_version"] = int(version)
    return out


def _build_scores(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    model, card = _stored(inputs, ctx)
    return churn_scores(
        inputs,
        model,
        card,
        observation_end=ctx.observation_end,
        high_risk=ctx.setting("churn_high_risk_probability"),
        medium_risk=ctx.setting("churn_medium_risk_probability"),
        version=int(card["version"]),
    )


def _build_drivers(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    _, card = _stored(inputs, ctx)
    d = pd.DataFrame(card["drivers"])
    d = d[["rank", "feature", "feature_group", "importance", "importance_std"]]
    return d.astype({"rank": "int64"}).assign(model_version=int(card["version"]))


def _build_rules(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    _, card = _stored(inputs, ctx)
    rows = [
        {
            "rule_id": int(r["rule_id"]),
            "conditions": json.dumps(r["conditions"]),
            "customers": int(r["customers"]),
            "churn_rate": float(r["churn_rate"]),
        }
        for r in card["rules"]
    ]
    return pd.DataFrame(rows).assign(
        validation_cutoff=pd.Timestamp(card["plan"]["validation_cutoff"]).date(),
        model_version=int(card["version"]),
    )
