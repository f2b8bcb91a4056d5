"""Monthly series models: exponential smoothing, the naive benchmarks, a rolling-origin backtest.

Everything here works on a plain array of monthly values, oldest first, in numpy and
statsmodels; :mod:`.revenue_forecast` feeds it the monthly series of ``purchase_trend``.

**Candidates.** ETS (error, trend, seasonality) state-space models of Hyndman, Koehler,
Snyder & Grose (2002), "A state space framework for automatic forecasting using
exponential smoothing methods", IJF 18(3), as statsmodels' ``ETSModel`` fits them by
maximum likelihood: additive errors; no trend or an additive damped trend (Gardner &
McKenzie 1985); no, additive or multiplicative seasonality (:data:`CANDIDATES`).
Seasonal candidates need two full seasons in the shortest window they are fitted on,
multiplicative ones a series above zero. The benchmarks are forecasts too: ``naive``
(the last value) and ``seasonal_naive`` (the value one season earlier), with the normal
intervals of Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed.,
section 5.5): σ√h and σ√(⌊(h−1)/m⌋+1), σ from the in-sample one-step residuals.

**Backtest** (rolling origin, Tashman 2000, IJF 16(4)): for each of the last ``origins``
months t, every method is fitted on the months before t and forecasts t, t+1, … up to the
horizon or the end of the data. MAPE is the mean of 100·|actual − forecast| / actual over
every (origin, step) pair whose actual is above zero.

**Convergence.** statsmodels warns (``ConvergenceWarning``) when its optimiser stops
early; :func:`fit_ets` records the warning as ``converged = False`` rather than letting it
escape, and a candidate with an unconverged fit is not chosen while a converged one is.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

from clientlens.errors import ModelError
from clientlens.lazy import np, pd

Z_80 = 1.2815515655446004
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class EtsSpec:
    """One ETS model: additive errors, trend (``None`` or damped ``"add"``), seasonality."""

    trend: str | None
    seasonal: str | None

    @property
    def damped(self) -> bool:
        return self.trend is not None


CANDIDATES: dict[str, EtsSpec] = {
    "ets_ann": EtsSpec(None, None),
    "ets_aadn": EtsSpec("add", None),
    "ets_ana": EtsSpec(None, "add"),
    "ets_aada": EtsSpec("add", "add"),
    "ets_anm": EtsSpec(None, "mul"),
    "ets_aadm": EtsSpec("add", "mul"),
}
"""ETS(A,N,N), ETS(A,Ad,N), ETS(A,N,A), ETS(A,Ad,A), ETS(A,N,M), ETS(A,Ad,M), simplest first
(the order breaks ties)."""

BENCHMARKS = ("seasonal_naive", "naive")


@dataclass
class Forecast:
    """A method's forecast of the next ``len(mean)`` months with its intervals."""

    mean: np.ndarray
    lower_80: np.ndarray
    upper_80: np.ndarray
    lower_95: np.ndarray
    upper_95: np.ndarray
    converged: bool = True
    messages: list[str] = field(default_factory=list)


def seasonal_allowed(values: np.ndarray, spec: EtsSpec, period: int) -> bool:
    """Whether ``spec`` may be fitted on ``values``: two seasons for a seasonal model,
    values above zero for a multiplicative one."""
    if spec.seasonal is None:
        return True
    if period < 2 or len(values) < 2 * period:
        return False
    return spec.seasonal != "mul" or bool(np.all(values > 0))


def fit_ets(
    values: np.ndarray,
    spec: EtsSpec,
    period: int,
    horizon: int,
    seed: int,
    *,
    intervals: bool = True,
) -> Forecast:
    """Fit ``spec`` to ``values`` and forecast ``horizon`` months with 80% and 95% intervals.

    Intervals are analytic for the additive models and simulated (1,000 paths, seeded by
    ``seed``) for the multiplicative ones, as statsmodels computes them; without
    ``intervals`` (the backtest needs none) they are NaN and nothing is simulated.
    """
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = np.asarray(values, dtype=float)
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = ETSModel(
                pd.Series(y, index=pd.RangeIndex(len(y))),
                error="add",
                trend=spec.trend,
                damped_trend=spec.damped,
                seasonal=spec.seasonal,
                seasonal_periods=period if spec.seasonal else None,
                # the seasonal states from the first two seasons (Hyndman et al. 2008,
                # section 2.6.1), not estimated: 12 fewer parameters, ten times faster
                initialization_method="heuristic",
            )
            result = model.fit(disp=False, maxiter=1000)
            if intervals:
                kwargs: dict[str, Any] = {}
                if spec.seasonal == "mul":
                    kwargs = {"rng": np.random.default_rng(seed)}
                pred = result.get_prediction(start=len(y), end=len(y) + horizon - 1, **kwargs)
                f80 = pred.summary_frame(alpha=0.2)
                f95 = pred.summary_frame(alpha=0.05)
            else:
                mean = np.asarray(result.forecast(horizon), dtype=float)
                none = np.full(horizon, np.nan)
                f80 = pd.DataFrame({"mean": mean, "pi_lower": none, "pi_upper": none})
                f95 = f80
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise ModelError(f"ETS {spec} could not be fitted: {exc}") from None
    converged = bool(result.mle_retvals.get("converged", True)) if result.mle_retvals else True
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            converged = False
        messages.append(f"{w.category.__name__}: {w.message}")
    mean = f80["mean"].to_numpy(dtype=float)
    if not np.all(np.isfinite(mean)):
        raise ModelError(f"ETS {spec} forecast is not finite.")
    return Forecast(
        mean,
        f80["pi_lower"].to_numpy(dtype=float),
        f80["pi_upper"].to_numpy(dtype=float),
        f95["pi_lower"].to_numpy(dtype=float),
        f95["pi_upper"].to_numpy(dtype=float),
        converged,
        messages,
    )


def naive_forecast(values: np.ndarray, horizon: int, period: int = 1) -> Forecast:
    """The last value (``period`` 1) or the value one season earlier, with normal intervals.

    Examples
    --------
    >>> f = naive_forecast(np.array([1.0, 2, 3, 4, 5, 6]), 4, period=3)
    >>> f.mean.tolist()  # months 7..10 repeat months 4, 5, 6, then 4 again
    [4.0, 5.0, 6.0, 4.0]
    """
    y = np.asarray(values, dtype=float)
    if len(y) < period:
        raise ModelError(f"A naive forecast with a {period}-month season needs {period} months.")
    steps = np.arange(1, horizon + 1)
    last_season = y[len(y) - period :]
    mean = last_season[(steps - 1) % period]
    residuals = y[period:] - y[:-period]
    sigma = float(np.sqrt(np.mean(residuals**2))) if residuals.size else float("nan")
    spread = sigma * np.sqrt((steps - 1) // period + 1)
    return Forecast(
        mean,
        mean - Z_80 * spread,
        mean + Z_80 * spread,
        mean - Z_95 * spread,
        mean + Z_95 * spread,
    )


def forecast_method(
    values: np.ndarray,
    method: str,
    period: int,
    horizon: int,
    seed: int,
    *,
    intervals: bool = True,
) -> Forecast:
    """Forecast ``horizon`` months after ``values`` by ``method`` (a candidate or benchmark)."""
    if method == "naive":
        return naive_forecast(values, horizon, 1)
    if method == "seasonal_naive":
        return naive_forecast(values, horizon, period)
    return fit_ets(values, CANDIDATES[method], period, horizon, seed, intervals=intervals)


@dataclass
class Backtest:
    """One method's rolling-origin errors."""

    method: str
    mape_pct: float
    mae: float
    n_errors: int
    converged: bool
    failed: str = ""


def backtest(
    values: np.ndarray, method: str, *, period: int, horizon: int, origins: int, seed: int
) -> Backtest:
    """Rolling-origin MAPE and MAE of ``method`` over the last ``origins`` months.

    Examples
    --------
    >>> y = np.array([10.0, 20, 30, 10, 20, 30, 10, 20, 40])
    >>> b = backtest(y, "seasonal_naive", period=3, horizon=2, origins=3, seed=0)
    >>> # origin 6: 10, 20 for 10, 20; origin 7: 20, 30 for 20, 40; origin 8: 30 for 40
    >>> round(b.mape_pct, 4), b.n_errors  # (0 + 0 + 0 + 25 + 25) / 5
    (10.0, 5)
    """
    y = np.asarray(values, dtype=float)
    n = len(y)
    abs_errors: list[float] = []
    pct_errors: list[float] = []
    converged = True
    for t in range(n - origins, n):
        steps = min(horizon, n - t)
        try:
            f = forecast_method(y[:t], method, period, steps, seed, intervals=False)
        except ModelError as exc:
            return Backtest(method, math.nan, math.nan, 0, False, str(exc))
        converged = converged and f.converged
        actual = y[t : t + steps]
        err = np.abs(actual - f.mean[:steps])
        abs_errors.extend(err.tolist())
        positive = actual > 0
        pct_errors.extend((100.0 * err[positive] / actual[positive]).tolist())
    mape = float(np.mean(pct_errors)) if pct_errors else math.nan
    return Backtest(method, mape, float(np.mean(abs_errors)), len(pct_errors), converged)


def methods_for(values: np.ndarray, *, period: int, origins: int) -> tuple[list[str], list[str]]:
    """The candidates fitted at every backtest origin, and the notes on those left out.

    The shortest window of the backtest (the months before its first origin) decides, so
    every method is scored on the same origins.
    """
    shortest = np.asarray(values, dtype=float)[: len(values) - origins]
    methods, notes = [], []
    for name, spec in CANDIDATES.items():
        if seasonal_allowed(shortest, spec, period):
            methods.append(name)
    if period >= 2 and len(shortest) < 2 * period:
        notes.append("no_seasonal_model")
    elif period >= 2 and not np.all(shortest > 0):
        notes.append("no_multiplicative_season")
    return methods, notes


def choose(scores: list[Backtest]) -> Backtest:
    """The method with the lowest MAPE; converged fits before unconverged ones, then the
    order of ``scores`` (simplest first)."""
    usable = [s for s in scores if not math.isnan(s.mape_pct)]
    if not usable:
        raise ModelError("No forecasting method could be scored on the backtest.")
    converged = [s for s in usable if s.converged] or usable
    return min(converged, key=lambda s: s.mape_pct)
