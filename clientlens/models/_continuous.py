"""Shared input checks and prediction methods of the continuous-time transaction models.

BG/NBD, Pareto/NBD and MBG/NBD all read ``frequency`` (repeat purchases), ``recency``
(first to last repeat purchase) and ``T`` (first purchase to observation end), in the
time unit given to ``fit(time_unit_days=...)``. Their predictions take horizons in days.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clientlens.errors import ModelInputError
from clientlens.models._input import Problems, distinct_rows
from clientlens.models.base import BaseModel, frame_result


class ContinuousTransactionModel(BaseModel):
    """Base of the continuous-time buy-till-you-die models."""

    data_columns = ("frequency", "recency", "T")
    integer_columns = ("frequency",)

    # kernels each model implements, on arrays in the model's time unit
    def _expected_kernel(
        self, t: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        raise NotImplementedError

    def _p_alive_kernel(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _prob_n_kernel(
        self, n: int, t: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        raise NotImplementedError

    def _new_customer_kernel(self, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _check_rows(self, cols: dict[str, np.ndarray], problems: Problems) -> None:
        x, tx, T = cols["frequency"], cols["recency"], cols["T"]
        problems.check(tx > T * (1 + 1e-12), "recency", tx, "recency is greater than T")
        problems.check((x > 0) & (tx == 0), "recency", tx, "frequency > 0 needs recency > 0")
        problems.check((x == 0) & (tx > 0), "recency", tx, "frequency 0 needs recency 0")

    # -- helpers --------------------------------------------------------------------------
    def _horizon_units(self, horizon_days: float) -> float:
        horizon = float(horizon_days)
        if not (horizon >= 0 and np.isfinite(horizon)):
            raise ModelInputError(
                f"horizon_days must be a finite number >= 0; got {horizon_days!r}."
            )
        return horizon / self.time_unit_days

    def _per_distinct_row(self, data: Any, column: str, kernel: Any) -> pd.DataFrame:
        """Apply ``kernel(x, tx, T)`` once per distinct history and spread it back."""
        self._require_fit()
        read = self._read(data)
        if len(read.weights) == 0:
            return frame_result(read.customer_id, column, np.zeros(0))
        unique, inverse = distinct_rows({c: read.columns[c] for c in self.data_columns})
        values = kernel(*unique)
        return frame_result(read.customer_id, column, values[inverse])

    # -- public predictions -------------------------------------------------------------
    def expected_purchases(self, data: Any, horizon_days: float = 90) -> pd.DataFrame:
        """Expected repeat purchases of each customer in the next ``horizon_days``.

        Returns a DataFrame ``customer_id, expected_purchases``.
        """
        t = self._horizon_units(horizon_days)
        return self._per_distinct_row(
            data,
            "expected_purchases",
            lambda x, tx, T: self._expected_kernel(np.full_like(x, t), x, tx, T),
        )

    def probability_alive(self, data: Any) -> pd.DataFrame:
        """Probability that each customer is still active at the end of observation.

        Returns a DataFrame ``customer_id, p_alive``.
        """
        return self._per_distinct_row(data, "p_alive", self._p_alive_kernel)

    def probability_of_purchases(
        self, data: Any, n: int = 1, horizon_days: float = 90
    ) -> pd.DataFrame:
        """Probability that each customer makes exactly ``n`` purchases in the next ``horizon_days``.

        Returns a DataFrame ``customer_id, probability``.
        """
        if int(n) != n or n < 0:
            raise ModelInputError(f"n must be a whole number >= 0; got {n!r}.")
        t = self._horizon_units(horizon_days)
        return self._per_distinct_row(
            data,
            "probability",
            lambda x, tx, T: np.clip(
                self._prob_n_kernel(int(n), np.full_like(x, t), x, tx, T), 0.0, 1.0
            ),
        )

    def expected_purchases_new_customer(self, horizon_days: Any) -> Any:
        """Expected repeat purchases of a customer just acquired, in ``horizon_days``.

        A float for a scalar horizon, an ndarray for an array of horizons.
        """
        self._require_fit()
        horizon = np.asarray(horizon_days, dtype=float)
        if np.any(~np.isfinite(horizon) | (horizon < 0)):
            raise ModelInputError(
                f"horizon_days must be finite numbers >= 0; got {horizon_days!r}."
            )
        values = self._new_customer_kernel(np.atleast_1d(horizon / self.time_unit_days))
        return float(values[0]) if horizon.ndim == 0 else values.reshape(horizon.shape)
