"""Monthly revenue, orders and active customers, forecast months ahead with their intervals.

Two results, from the monthly series of ``purchase_trend`` (complete months only; a first
month the orders start in the middle of is left out too, since it would look like a
slump):

* ``revenue_forecast_validation``: per series, every method's rolling-origin backtest
  (:func:`~.series_models.backtest`): the ETS candidates the history supports, and the
  ``seasonal_naive`` and ``naive`` benchmarks; the method with the lowest MAPE is chosen
  (:func:`~.series_models.choose`), a benchmark included, so a forecast never claims more
  than a naive one would give;
* ``revenue_forecast``: the history and, for ``revenue_forecast_horizon_months`` months
  after it, the chosen method refitted on the whole history, with 80% and 95% intervals.
  Values below zero cannot happen for these series and are cut at zero.

**Short histories.** The backtest's first origin needs ``max(12, season)`` months before
it, so a seasonal-naive benchmark exists and an ETS fit has enough points: with fewer than
that plus ``revenue_forecast_backtest_origins`` complete months the analyses are skipped
(:class:`~clientlens.errors.NotEnoughDataError`) with the count. Seasonal ETS models need
two full seasons before the first origin; with fewer the note says ``no_seasonal_model``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from clientlens.analytics.base import AnalysisContext, to_date
from clientlens.analytics.forecast.series_models import (
    BENCHMARKS,
    Backtest,
    backtest,
    choose,
    forecast_method,
    methods_for,
)
from clientlens.config import Setting
from clientlens.errors import ConfigError, NotEnoughDataError
from clientlens.lazy import ir, np, pd

SERIES = ("revenue", "orders", "active_customers")
"""The forecast series: purchase_trend's metric codes (words: forecast_series.<code>)."""
MIN_FIT_MONTHS = 12

HORIZON_MONTHS = Setting(
    "revenue_forecast_horizon_months",
    int,
    6,
    "Revenue forecast: months forecast after the last complete month.",
)
SEASON_MONTHS = Setting(
    "revenue_forecast_season_months",
    int,
    12,
    "Revenue forecast: length of the seasonal cycle in months (12: a yearly pattern); "
    "seasonal models need two full cycles of history.",
)
BACKTEST_ORIGINS = Setting(
    "revenue_forecast_backtest_origins",
    int,
    6,
    "Revenue forecast: months of the rolling-origin backtest that chooses each series' "
    "model (each of the last this-many months is forecast from the months before it).",
)
SEED = Setting(
    "forecast_seed",
    int,
    0,
    "Forecasts: seed of every random step (the spend model's training sample and "
    "boosting, simulated forecast intervals).",
)
SETTINGS = (HORIZON_MONTHS, SEASON_MONTHS, BACKTEST_ORIGINS, SEED)


def monthly_series(trend: pd.DataFrame, first_order: dt.date | None = None) -> pd.DataFrame:
    """``month`` and one column per :data:`SERIES`, complete months only, oldest first.

    ``trend`` is the ``purchase_trend`` result; a first month that ``first_order`` falls
    after the 1st of is left out.
    """
    t = trend[trend["month_complete"].astype(bool) & trend["metric"].isin(SERIES)]
    wide = t.pivot_table(index="month", columns="metric", values="value", aggfunc="first")
    wide = wide.reindex(columns=list(SERIES)).sort_index().reset_index()
    wide["month"] = pd.to_datetime(wide["month"]).dt.date
    partial = first_order.replace(day=1) if first_order and first_order.day != 1 else None
    if partial is not None and len(wide) and wide["month"].iloc[0] == partial:
        wide = wide.iloc[1:]
    return wide.fillna(0.0).reset_index(drop=True)


def _check(months: pd.DataFrame, *, season: int, origins: int, horizon: int) -> None:
    given = {
        "revenue_forecast_season_months": season,
        "revenue_forecast_backtest_origins": origins,
        "revenue_forecast_horizon_months": horizon,
    }
    bad = [f"{name} = {value}" for name, value in given.items() if value < 1]
    if bad:
        raise ConfigError(f"The monthly forecast needs at least 1 for {', '.join(bad)}.")
    need = max(MIN_FIT_MONTHS, season) + origins
    if len(months) < need:
        span = f" ({months['month'].iloc[0]} to {months['month'].iloc[-1]})" if len(months) else ""
        raise NotEnoughDataError(
            f"the monthly forecast needs {need} complete months ({max(MIN_FIT_MONTHS, season)} "
            f"before a {origins}-month backtest), the orders give {len(months)}{span}"
        )


def revenue_forecast_validation(
    months: pd.DataFrame,
    *,
    season_months: int = SEASON_MONTHS.default,
    backtest_origins: int = BACKTEST_ORIGINS.default,
    horizon_months: int = HORIZON_MONTHS.default,
    seed: int = SEED.default,
) -> pd.DataFrame:
    """Every method's backtest per series, and which was chosen (see the module docstring).

    ``months`` is :func:`monthly_series`'s frame.
    """
    _check(months, season=season_months, origins=backtest_origins, horizon=horizon_months)
    rows = []
    for series in SERIES:
        y = months[series].to_numpy(dtype=float)
        candidates, notes = methods_for(y, period=season_months, origins=backtest_origins)
        scores: list[Backtest] = [
            backtest(
                y,
                m,
                period=season_months,
                horizon=horizon_months,
                origins=backtest_origins,
                seed=seed,
            )
            for m in (*candidates, *BENCHMARKS)
        ]
        chosen = choose(scores)
        seasonal_naive = next(s for s in scores if s.method == "seasonal_naive")
        for s in scores:
            rows.append(
                {
                    "series": series,
                    "method": s.method,
                    "role": "benchmark" if s.method in BENCHMARKS else "candidate",
                    "mape_pct": s.mape_pct,
                    "mae": s.mae,
                    "errors": s.n_errors,
                    "converged": s.converged,
                    "chosen": s is chosen,
                    "mape_vs_seasonal_naive": s.mape_pct - seasonal_naive.mape_pct,
                    "note": ",".join(notes),
                    "failure": s.failed,
                }
            )
    out = pd.DataFrame(rows)
    out = out.astype({"errors": "int64", "converged": "bool", "chosen": "bool"})
    out["history_months"] = len(months)
    out["first_month"] = months["month"].iloc[0]
    out["last_month"] = months["month"].iloc[-1]
    out["backtest_origins"] = int(backtest_origins)
    out["season_months"] = int(season_months)
    out["horizon_months"] = int(horizon_months)
    return out


def revenue_forecast(
    months: pd.DataFrame,
    validation: pd.DataFrame,
    *,
    horizon_months: int = HORIZON_MONTHS.default,
    season_months: int = SEASON_MONTHS.default,
    seed: int = SEED.default,
) -> pd.DataFrame:
    """History and forecast rows per series, by the method ``validation`` chose."""
    _check(months, season=season_months, origins=1, horizon=horizon_months)
    chosen = validation[validation["chosen"].astype(bool)].set_index("series")["method"]
    last = pd.Timestamp(months["month"].iloc[-1])
    ahead = [(last + pd.DateOffset(months=k)).date() for k in range(1, horizon_months + 1)]
    parts = []
    for series in SERIES:
        y = months[series].to_numpy(dtype=float)
        method = str(chosen[series])
        f = forecast_method(y, method, season_months, horizon_months, seed)
        history = pd.DataFrame(
            {
                "series": series,
                "month": months["month"],
                "kind": "actual",
                "months_ahead": 0,
                "value": y,
            }
        )
        future = pd.DataFrame(
            {
                "series": series,
                "month": ahead,
                "kind": "forecast",
                "months_ahead": np.arange(1, horizon_months + 1),
                "value": f.mean,
                "lower_80": f.lower_80,
                "upper_80": f.upper_80,
                "lower_95": f.lower_95,
                "upper_95": f.upper_95,
            }
        )
        bounds = ["value", "lower_80", "upper_80", "lower_95", "upper_95"]
        future[bounds] = future[bounds].clip(lower=0.0)
        parts.append(
            pd.concat([history, future], ignore_index=True).assign(
                method=method, converged=f.converged
            )
        )
    out = pd.concat(parts, ignore_index=True)
    for c in ("lower_80", "upper_80", "lower_95", "upper_95"):
        out[c] = out[c].astype("float64")
    return out.astype({"months_ahead": "int64", "converged": "bool"})[list(FORECAST_COLUMNS)]


FORECAST_COLUMNS = (
    "series",
    "month",
    "kind",
    "months_ahead",
    "value",
    "lower_80",
    "upper_80",
    "lower_95",
    "upper_95",
    "method",
    "converged",
)


def _months(inputs: Mapping[str, ir.Table]) -> pd.DataFrame:
    orders = inputs["orders"]
    first = orders.order_date.min().execute()
    first_day = None if first is None or pd.isna(first) else to_date(first)
    return monthly_series(inputs["purchase_trend"].to_pandas(), first_day)


def _build_validation(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    return revenue_forecast_validation(
        _months(inputs),
        season_months=ctx.setting("revenue_forecast_season_months"),
        backtest_origins=ctx.setting("revenue_forecast_backtest_origins"),
        horizon_months=ctx.setting("revenue_forecast_horizon_months"),
        seed=ctx.setting("forecast_seed"),
    )


def _build_forecast(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    return revenue_forecast(
        _months(inputs),
        inputs["revenue_forecast_validation"].to_pandas(),
        horizon_months=ctx.setting("revenue_forecast_horizon_months"),
        season_months=ctx.setting("revenue_forecast_season_months"),
        seed=ctx.setting("forecast_seed"),
    )
