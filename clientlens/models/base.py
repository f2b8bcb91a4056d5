"""The contract every ClientLens model shares.

A model is fitted by maximum likelihood on per-customer summaries:

* input is a table with the model's columns (``frequency, recency, T`` for the
  transaction models, plus ``monetary_value`` for spend models), optionally
  ``customer_id``; pandas, pyarrow, polars and Ibis tables are accepted;
* every impossible row (negative values, recency > T, repeat purchases with recency 0,
  ...) is reported at once, naming the row, customer, column and value;
* identical rows are merged with a weight before fitting, so a million customers cost
  what their few thousand distinct histories cost;
* the log-likelihood and its analytic gradient are maximised over log-parameters with
  scipy's L-BFGS-B; an optional L2 penalizer (``penalizer * sum(params**2)`` added to the
  mean negative log-likelihood, as in lifetimes) is off by default;
* standard errors come from the inverse Hessian of the total log-likelihood (central
  differences of the analytic gradient); 95% intervals are formed on the log scale, so
  they stay positive;
* ``summary()``, ``save()`` and ``load()`` are the same for every model;
* ``fit(..., time_budget_seconds=...)`` stops a fit that has not finished in that time:
  the model keeps the best point seen, and its convergence says ``finished=False``.

Time: ``fit(..., time_unit_days=7)`` says that recency and T are in weeks. Parameters are
then per week, and every prediction takes its horizon in days and converts it.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from scipy import optimize

from clientlens.errors import ConvergenceError, ModelInputError, NotFittedError
from clientlens.models._input import ModelData, Problems, to_pandas
from clientlens.models._special import dot

__all__ = ["BaseModel", "Convergence", "ModelData", "Problems", "frame_result", "to_pandas"]

Z95 = 1.959963984540054
BOUND = 18.0
"""Log-parameters are searched in [-BOUND, BOUND]."""
AT_BOUND = 17.9
EDGE_ITERATIONS = 3


@dataclass(frozen=True)
class Convergence:
    """How the optimiser ended."""

    converged: bool
    iterations: int
    message: str
    gradient_norm: float
    finished: bool = True
    """False when the fit was stopped at its time budget (``converged`` is then False)."""


class _OutOfTime(Exception):
    """Raised inside the objective when a fit's time budget is spent."""


class BaseModel:
    """Maximum-likelihood model on per-customer summaries (see the module docstring)."""

    name: ClassVar[str]
    param_names: ClassVar[tuple[str, ...]]
    data_columns: ClassVar[tuple[str, ...]]
    integer_columns: ClassVar[tuple[str, ...]] = ()

    def __init__(self, penalizer: float = 0.0):
        if not (penalizer >= 0 and math.isfinite(penalizer)):
            raise ModelInputError(f"penalizer must be a finite number >= 0; got {penalizer!r}.")
        self.penalizer = float(penalizer)
        self.time_unit_days = 1.0
        self._params: np.ndarray | None = None
        self.covariance: np.ndarray | None = None
        self.log_likelihood = float("nan")
        self.n_customers = 0.0
        self.n_distinct_rows = 0
        self.convergence: Convergence | None = None

    # -- what each model provides ------------------------------------------------------
    def _row_log_likelihood(
        self, params: np.ndarray, cols: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-row log-likelihood (n,) and its gradient in natural parameters (n, k)."""
        raise NotImplementedError

    def _total_log_likelihood(
        self, params: np.ndarray, cols: dict[str, np.ndarray], weights: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Weighted total log-likelihood and its gradient; a model may override it with a
        faster route to the same numbers (BG/NBD and MBG/NBD do)."""
        ll, grad = self._row_log_likelihood(params, cols)
        return dot(weights, ll), weights @ grad

    def _check_rows(self, cols: dict[str, np.ndarray], problems: Problems) -> None:
        """Model-specific impossible rows (the base checks missing, non-finite, negative)."""

    def _initial_params(self, data: ModelData) -> np.ndarray:
        return np.ones(len(self.param_names))

    def _prepare(self, data: ModelData) -> ModelData:
        """Hook to select the rows a model uses (GammaGamma keeps repeat buyers)."""
        return data

    # -- input --------------------------------------------------------------------------
    def _read(
        self, data: Any, weights: Sequence[float] | np.ndarray | str | None = None
    ) -> ModelData:
        frame = to_pandas(data)
        if "customer_id" in frame.columns:
            customer_id = frame["customer_id"].reset_index(drop=True)
        else:
            customer_id = pd.Series(np.arange(len(frame)), name="customer_id")
        missing = [c for c in self.data_columns if c not in frame.columns]
        if missing:
            raise ModelInputError(
                f"{self.name} needs columns {', '.join(self.data_columns)}; missing "
                f"{', '.join(missing)} (have {', '.join(map(str, frame.columns))}). "
                "clientlens.rfm_summary() produces them."
            )
        problems = Problems(self.name, customer_id)
        cols: dict[str, np.ndarray] = {}
        for c in self.data_columns:
            values = pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float)
            problems.check(~np.isfinite(values), c, frame[c].to_numpy(), "not a finite number")
            values = np.where(np.isfinite(values), values, 0.0)
            problems.check(values < 0, c, values, "must be >= 0")
            if c in self.integer_columns:
                problems.check(values != np.round(values), c, values, "must be a whole number")
            cols[c] = values
        if isinstance(weights, str):
            weights = frame[weights].to_numpy(dtype=float)
        w = np.ones(len(frame)) if weights is None else np.asarray(weights, dtype=float)
        if w.shape != (len(frame),):
            raise ModelInputError(
                f"weights must have one value per row ({len(frame)}); got shape {w.shape}."
            )
        problems.check(~np.isfinite(w) | (w < 0), "weights", w, "weights must be finite and >= 0")
        self._check_rows(cols, problems)
        problems.raise_if_any()
        return ModelData(cols, customer_id, w)

    # -- fitting ------------------------------------------------------------------------
    def fit(
        self,
        data: Any,
        time_unit_days: float = 1.0,
        weights: Sequence[float] | np.ndarray | str | None = None,
        *,
        initial_params: dict[str, float] | None = None,
        max_iterations: int = 5000,
        time_budget_seconds: float | None = None,
    ) -> Self:
        """Fit by maximum likelihood; returns self.

        Parameters
        ----------
        data
            Table with the model's columns (see the class docstring).
        time_unit_days
            Length in days of one unit of recency and T (7 for weekly summaries).
        weights
            Optional number of customers each row stands for (array or column name).
        initial_params
            Optional starting values by parameter name.
        max_iterations
            Iteration limit of the optimiser.
        time_budget_seconds
            Optional wall-clock limit. A fit still running then stops at the next
            likelihood evaluation; the model keeps the best parameters seen, with
            ``convergence.finished`` and ``converged`` False and no standard errors.
            The limit is a guard against stalls, so which fits reach it depends on the
            machine: set it well above a normal fit's time.
        """
        if not (time_unit_days > 0 and math.isfinite(time_unit_days)):
            raise ModelInputError(
                f"time_unit_days must be a positive number; got {time_unit_days!r}."
            )
        data_full = self._prepare(self._read(data, weights))
        packed = data_full.compressed()
        total_weight = float(packed.weights.sum())
        if total_weight <= 0:
            raise ModelInputError(f"{self.name}: no customers to fit (total weight 0).")
        start = self._initial_params(packed)
        if initial_params:
            for i, p in enumerate(self.param_names):
                if p in initial_params:
                    start[i] = float(initial_params[p])
        if time_budget_seconds is not None and not time_budget_seconds > 0:
            raise ModelInputError(
                f"time_budget_seconds must be a positive number; got {time_budget_seconds!r}."
            )
        self.time_unit_days = float(time_unit_days)
        self.n_customers = total_weight
        self.n_distinct_rows = len(packed.weights)
        objective = self._objective(packed)
        if time_budget_seconds is None:
            return self._optimise(objective, np.log(start), max_iterations, total_weight)
        guarded = _Budgeted(objective, float(time_budget_seconds))
        try:
            return self._optimise(guarded, np.log(start), max_iterations, total_weight)
        except _OutOfTime:
            return self._stopped(guarded, float(time_budget_seconds), total_weight)

    def _optimise(
        self, objective: Any, log_start: np.ndarray, max_iterations: int, total_weight: float
    ) -> Self:
        """Maximise the likelihood from ``log_start``, then set the fit's state."""
        result = self._minimise(objective, log_start, max_iterations)
        result_x, n_iter = result.x, int(result.nit)
        value, grad = float(result.fun), np.asarray(result.jac)
        at_bound = bool(np.any(np.abs(result_x) > AT_BOUND))
        if np.max(np.abs(result.jac)) > 1e-7 and not at_bound:
            # L-BFGS-B can stop on a flat stretch short of the optimum; BFGS from its point
            # polishes it so the Hessian is taken at the maximum.
            polished = optimize.minimize(
                objective, result.x, jac=True, method="BFGS", options={"gtol": 1e-8, "maxiter": 100}
            )
            if np.isfinite(polished.fun) and polished.fun <= result.fun:
                result_x, n_iter = polished.x, n_iter + int(polished.nit)
                value, grad = float(polished.fun), np.asarray(polished.jac)
        if value >= 1e300:
            raise ConvergenceError(
                f"{self.name}: the likelihood is not finite at any parameters tried; check the "
                "input (e.g. recency and T in the same time unit)."
            )
        gradient_norm = float(np.max(np.abs(grad)))
        converged = gradient_norm < 1e-5 and not at_bound
        message = str(result.message)
        if at_bound:
            message = (
                f"a parameter ran to the edge of the search range (exp(±{BOUND:g})): the data do not "
                "identify it; try penalizer=0.001 or more data"
            )
        self._params = np.exp(result_x)
        # the objective is the mean negative log-likelihood plus the penalty
        penalty = self.penalizer * float(self._params @ self._params)
        self.log_likelihood = (penalty - value) * total_weight
        k = len(result_x)
        # at the edge there is no maximum to take a Hessian at (and the likelihood is at
        # its slowest there): no standard errors, and the message already says why
        self.covariance = (
            np.full((k, k), np.nan)
            if at_bound
            else self._covariance(objective, result_x, total_weight)
        )
        if np.isnan(self.covariance).any() and not at_bound:
            # a flat direction: the data cannot tell some parameters apart (e.g. nobody
            # bought twice, so a and b of BG/NBD are free); the point found is not an optimum
            converged = False
            message += (
                "; the Hessian is not positive definite there, so the parameters are not "
                "identified (standard errors are NaN): try penalizer=0.001 or more data"
            )
        self.convergence = Convergence(bool(converged), n_iter, message, gradient_norm)
        return self

    def _stopped(self, guarded: _Budgeted, budget_seconds: float, total_weight: float) -> Self:
        """State of a fit stopped at its time budget: the best point seen, not finished."""
        if guarded.best_value >= 1e300:
            raise ConvergenceError(
                f"{self.name}: no finite likelihood was reached within the time budget of "
                f"{budget_seconds:g} s."
            )
        self._params = np.exp(guarded.best_x)
        penalty = self.penalizer * float(self._params @ self._params)
        self.log_likelihood = (penalty - guarded.best_value) * total_weight
        k = len(guarded.best_x)
        self.covariance = np.full((k, k), np.nan)
        self.convergence = Convergence(
            False,
            guarded.evaluations,
            f"not finished within the time budget of {budget_seconds:g} s "
            f"({guarded.evaluations} likelihood evaluations)",
            float(np.max(np.abs(guarded.best_gradient))),
            finished=False,
        )
        return self

    def _objective(self, packed: ModelData) -> Any:
        """Mean negative log-likelihood (plus penalty) over log-parameters, with its gradient."""
        w = packed.weights / float(packed.weights.sum())

        def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
            params = np.exp(log_params)
            ll, grad = self._total_log_likelihood(params, packed.columns, w)
            value = -ll + self.penalizer * float(params @ params)
            g = -grad + 2.0 * self.penalizer * params
            if not np.isfinite(value):
                return 1e300, np.zeros_like(log_params)
            return value, g * params

        return objective

    @staticmethod
    def _minimise(objective: Any, log_start: np.ndarray, max_iterations: int) -> Any:
        streak = [0]

        def stop_at_the_edge(intermediate_result: Any) -> None:
            # A parameter the data do not identify runs to the bound and stays there while
            # the others barely move; the fit is reported as not converged either way, so
            # three iterations there are enough (each can cost seconds: scipy's 2F1 is
            # slowest at extreme Pareto/NBD parameters).
            at_edge = np.any(np.abs(intermediate_result.x) > AT_BOUND)
            streak[0] = streak[0] + 1 if at_edge else 0
            if streak[0] >= EDGE_ITERATIONS:
                raise StopIteration

        return optimize.minimize(
            objective,
            log_start,
            jac=True,
            method="L-BFGS-B",
            bounds=[(-BOUND, BOUND)] * len(log_start),  # params in [1.5e-8, 6.6e7]
            options={"maxiter": max_iterations, "ftol": 1e-15, "gtol": 1e-9, "maxcor": 30},
            callback=stop_at_the_edge,
        )

    def _covariance(
        self, objective: Any, log_params: np.ndarray, total_weight: float
    ) -> np.ndarray:
        """Covariance of the natural parameters: inverse Hessian (log scale), delta method."""
        k = len(log_params)
        hess = np.empty((k, k))
        # central differences of the analytic gradient: forward ones (half the cost)
        # turn a weakly identified direction's small positive curvature negative
        for j in range(k):
            h = 1e-5
            up, down = log_params.copy(), log_params.copy()
            up[j] += h
            down[j] -= h
            hess[:, j] = (objective(up)[1] - objective(down)[1]) / (2 * h)
        hess = (hess + hess.T) / 2.0 * total_weight
        try:
            if np.any(np.linalg.eigvalsh(hess) <= 0):
                raise np.linalg.LinAlgError
            cov_log = np.linalg.inv(hess)
        except np.linalg.LinAlgError:
            return np.full((k, k), np.nan)
        jac = np.diag(np.exp(log_params))
        return jac @ cov_log @ jac

    # -- results ------------------------------------------------------------------------
    def _require_fit(self) -> np.ndarray:
        if self._params is None:
            raise NotFittedError(f"{self.name} is not fitted yet: call .fit(data) first.")
        return self._params

    @property
    def params(self) -> dict[str, float]:
        """Fitted parameters by the paper's names."""
        return dict(zip(self.param_names, map(float, self._require_fit()), strict=True))

    @property
    def standard_errors(self) -> dict[str, float]:
        """Standard errors from the inverse Hessian (NaN when it is not positive definite)."""
        self._require_fit()
        assert self.covariance is not None
        se = np.sqrt(np.diag(self.covariance))
        return dict(zip(self.param_names, map(float, se), strict=True))

    def confidence_intervals(self) -> dict[str, tuple[float, float]]:
        """95% intervals, symmetric on the log scale: exp(log θ ± 1.96 se(θ)/θ)."""
        params = self._require_fit()
        se = np.array(list(self.standard_errors.values()))
        half = Z95 * se / params
        return {
            p: (float(v * np.exp(-h)), float(v * np.exp(h)))
            for p, v, h in zip(self.param_names, params, half, strict=True)
        }

    def summary(self) -> pd.DataFrame:
        """Parameters with standard errors and 95% intervals.

        ``attrs`` holds ``log_likelihood``, ``n_customers``, ``n_distinct_rows``,
        ``time_unit_days``, ``penalizer`` and ``convergence`` (a dict).
        """
        params = self.params
        ci = self.confidence_intervals()
        se = self.standard_errors
        frame = pd.DataFrame(
            {
                "parameter": list(params),
                "estimate": list(params.values()),
                "std_error": [se[p] for p in params],
                "ci_lower": [ci[p][0] for p in params],
                "ci_upper": [ci[p][1] for p in params],
            }
        )
        assert self.convergence is not None
        frame.attrs.update(
            model=self.name,
            log_likelihood=self.log_likelihood,
            n_customers=self.n_customers,
            n_distinct_rows=self.n_distinct_rows,
            time_unit_days=self.time_unit_days,
            penalizer=self.penalizer,
            convergence=asdict(self.convergence),
        )
        return frame

    def __repr__(self) -> str:
        if self._params is None:
            return f"{type(self).__name__}(penalizer={self.penalizer}) (not fitted)"
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        return f"{type(self).__name__}({shown}; log-likelihood {self.log_likelihood:.2f})"

    # -- persistence --------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the fitted model as JSON (parameters, covariance, units, versions)."""
        import scipy

        import clientlens

        self._require_fit()
        assert self.covariance is not None and self.convergence is not None
        payload = {
            "model": self.name,
            "params": self.params,
            "covariance": [
                [None if not np.isfinite(v) else float(v) for v in row] for row in self.covariance
            ],
            "time_unit_days": self.time_unit_days,
            "penalizer": self.penalizer,
            "log_likelihood": self.log_likelihood,
            "n_customers": self.n_customers,
            "n_distinct_rows": self.n_distinct_rows,
            "convergence": asdict(self.convergence),
            "versions": {
                "clientlens": clientlens.__version__,
                "numpy": np.__version__,
                "scipy": scipy.__version__,
            },
        }
        Path(path).write_text(json.dumps(payload, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Self:
        """Read a model written by :meth:`save`."""
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
        if payload.get("model") != cls.name:
            raise ModelInputError(
                f"{path} holds a {payload.get('model')!r} model, not {cls.name!r}."
            )
        model = cls(penalizer=payload["penalizer"])
        model._params = np.array([payload["params"][p] for p in cls.param_names], dtype=float)
        model.covariance = np.array(
            [[np.nan if v is None else v for v in row] for row in payload["covariance"]],
            dtype=float,
        )
        model.time_unit_days = float(payload["time_unit_days"])
        model.log_likelihood = float(payload["log_likelihood"])
        model.n_customers = float(payload["n_customers"])
        model.n_distinct_rows = int(payload["n_distinct_rows"])
        model.convergence = Convergence(**payload["convergence"])
        return model

    @classmethod
    def from_params(cls, params: dict[str, float], time_unit_days: float = 1.0) -> Self:
        """A model with given parameters (no fit), e.g. published estimates or a simulation truth."""
        model = cls()
        model._params = np.array([float(params[p]) for p in cls.param_names])
        if np.any(~np.isfinite(model._params) | (model._params <= 0)):
            raise ModelInputError(f"{cls.name} parameters must be positive numbers; got {params}.")
        k = len(cls.param_names)
        model.covariance = np.full((k, k), np.nan)
        model.time_unit_days = float(time_unit_days)
        model.convergence = Convergence(False, 0, "parameters given, not fitted", float("nan"))
        return model


class _Budgeted:
    """An objective that raises :class:`_OutOfTime` once its time budget is spent, and
    remembers the best point it evaluated (what a stopped fit reports)."""

    def __init__(self, objective: Any, budget_seconds: float):
        self.objective = objective
        self.deadline = time.perf_counter() + budget_seconds
        self.evaluations = 0
        self.best_value = math.inf
        self.best_x = np.zeros(0)
        self.best_gradient = np.zeros(0)

    def __call__(self, log_params: np.ndarray) -> tuple[float, np.ndarray]:
        # the first evaluation always runs, so a stopped fit has a point to report
        if self.evaluations and time.perf_counter() > self.deadline:
            raise _OutOfTime
        value, gradient = self.objective(log_params)
        self.evaluations += 1
        if value < self.best_value or self.evaluations == 1:
            self.best_value = value
            self.best_x, self.best_gradient = np.array(log_params), np.array(gradient)
        return value, gradient


def frame_result(customer_id: pd.Series, column: str, values: np.ndarray) -> pd.DataFrame:
    """One row per customer: customer_id and the prediction."""
    return pd.DataFrame(
        {"customer_id": customer_id.to_numpy(), column: np.asarray(values, dtype=float)}
    )
