"""The spend model's results: its out-of-time validation, and each customer's forecast.

* ``spend_forecast_validation`` trains the spend model (:func:`~.spend_training.train_spend`:
  point-in-time features at several historical cutoffs, a seeded sample of customers),
  stores it in the workspace's model store as a new version (``models/spend/``), and
  reports its error at the validation cutoff beside the naive baseline "the next
  ``horizon_days`` = the last ``horizon_days``": MAE, RMSE, the totals, the customers;
* ``spend_forecast`` reads that stored version and scores every customer who has bought
  at the observation end: predicted spend in the next ``spend_forecast_horizon_days``,
  the baseline's, and from the CLV purchase model the expected purchases and the
  probability of a purchase in the same days and the median days to the next purchase
  (:mod:`.next_purchase`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import AnalysisContext, to_date
from clientlens.analytics.forecast.revenue_forecast import SEED
from clientlens.config import Setting
from clientlens.errors import AnalysisDisabled, WorkspaceError
from clientlens.lazy import ir, np, pd

MODEL_NAME = "spend"
OPTIONAL = ("customers", "order_items", "products", "events", "feedback", "tickets")

ENABLED = Setting(
    "spend_model",
    bool,
    False,
    "Train the spend model (spend_forecast_validation, spend_forecast) during analyze. Off "
    "by default: it trains on every run, about 35 CPU s at 100,000 customers and 75 at a "
    "million, more than the rest of analyze; the monthly revenue forecast does not need it.",
)
HORIZON_DAYS = Setting(
    "spend_forecast_horizon_days",
    int,
    90,
    "Spend forecast: days ahead it predicts each customer's spend for (and the naive "
    "baseline's window: the same number of days before the cutoff).",
)
TRAINING_CUTOFFS = Setting(
    "spend_forecast_training_cutoffs",
    int,
    4,
    "Spend forecast: historical cutoffs the model is fitted on (one more, a horizon "
    "later, joins them).",
)
CUTOFF_STEP_DAYS = Setting(
    "spend_forecast_cutoff_step_days", int, 30, "Spend forecast: days between its cutoffs."
)
MAX_TRAINING_CUSTOMERS = Setting(
    "spend_forecast_max_training_customers",
    int,
    50_000,
    "Spend forecast: the model is fitted and validated on a seeded sample of at most "
    "this many customers (forecast_seed); every customer is scored.",
)
SETTINGS = (ENABLED, HORIZON_DAYS, TRAINING_CUTOFFS, CUTOFF_STEP_DAYS, MAX_TRAINING_CUSTOMERS, SEED)

VALIDATION_COLUMNS = ("model", "mae", "rmse", "total_predicted", "total_actual", "customers")


def _options(ctx: AnalysisContext) -> Any:
    from clientlens.analytics.forecast.spend_training import SpendOptions

    return SpendOptions(
        horizon_days=ctx.setting("spend_forecast_horizon_days"),
        n_cutoffs=ctx.setting("spend_forecast_training_cutoffs"),
        step_days=ctx.setting("spend_forecast_cutoff_step_days"),
        max_customers=ctx.setting("spend_forecast_max_training_customers"),
        seed=ctx.setting("forecast_seed"),
    )


def validation_table(card: dict[str, Any], version: int) -> pd.DataFrame:
    """The card's validation figures, one row per model (see ``ANALYSES``)."""
    rows = [{"model": m, **f} for m, f in card["validation"].items()]
    out = pd.DataFrame(rows, columns=list(VALIDATION_COLUMNS))
    out["customers"] = out["customers"].astype("int64")
    naive_mae = float(card["validation"]["naive_last_period"]["mae"])
    out["mae_vs_naive"] = out["mae"] / naive_mae - 1.0 if naive_mae > 0 else np.nan
    out["validation_cutoff"] = pd.Timestamp(card["plan"]["validation_cutoff"]).date()
    out["horizon_days"] = int(card["horizon_days"])
    out["fit_rows"] = int(card["training"]["fit_rows"])
    out["sample_customers"] = int(card["training"]["sample_customers"])
    out["model_version"] = int(version)
    return out


def _build_validation(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    from clientlens.analytics.forecast.spend_training import train_spend

    if not ctx.setting("spend_model"):
        raise AnalysisDisabled(
            "the spend model is off (setting spend_model = false); turn it on for one run "
            "with `clientlens analyze --set spend_model=true`, or in clientlens.toml"
        )
    model, card = train_spend(inputs, ctx.observation_end, _options(ctx))
    version = ctx.models.save(MODEL_NAME, model, card) if ctx.models is not None else 0
    return validation_table(card, version)


def spend_forecast(
    inputs: Mapping[str, ir.Table],
    model: Any,
    card: dict[str, Any],
    *,
    observation_end: Any,
    version: int = 0,
) -> pd.DataFrame:
    """Score every customer at ``observation_end`` with a trained spend model and its card,
    beside the naive baseline and the CLV model's purchase timing (``inputs`` hold
    ``customer_summary`` and ``clv_models``)."""
    from clientlens.analytics.forecast.next_purchase import next_purchase
    from clientlens.analytics.forecast.spend_features import spend_frame

    end = to_date(observation_end)
    horizon = int(card["horizon_days"])
    frame = spend_frame(inputs, end, horizon, list(card["groups"]), labelled=False)
    out = pd.DataFrame(
        {
            "customer_id": frame["customer_id"].to_numpy(),
            "predicted_spend": model.predict(frame),
            "naive_spend": frame["last_spend"].to_numpy(dtype=float),
        }
    )
    summary = inputs["customer_summary"].select("customer_id", "frequency", "recency", "T")
    timing = next_purchase(
        summary.to_pandas(), inputs["clv_models"].to_pandas(), horizon_days=horizon
    )
    clv = inputs["clv"].select("customer_id", "p_alive").to_pandas()
    out = out.merge(clv, on="customer_id", how="left").merge(timing, on="customer_id", how="left")
    out["horizon_days"] = horizon
    out["model_version"] = int(version)
    return out


def _build_forecast(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    if ctx.models is None:
        raise WorkspaceError("Scoring the spend model needs the workspace's model store.")
    version = int(inputs["spend_forecast_validation"].model_version.max().execute())
    model, card = ctx.models.load(MODEL_NAME, version)
    return spend_forecast(
        inputs, model, card, observation_end=ctx.observation_end, version=int(card["version"])
    )
