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
    def _expected_alive_kernel(self, t: np.ndarray, x: np.ndarray, T: np.ndarray) -> np.ndarray:
        """Expected repeat purchases in the next t given the customer is alive now."""
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

    def _expected_kernel(
        self, t: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        return self._p_alive_kernel(x, tx, T) * self._expected_alive_kernel(t, x, T)

    def _distinct_histories(self, data: Any) -> tuple[pd.Series, list[np.ndarray], np.ndarray]:
        """Customer ids, the distinct (x, t_x, T) histories, and each customer's index."""
        self._require_fit()
        read = self._read(data)
        if len(read.weights) == 0:
            empty = np.zeros(0)
            return read.customer_id, [empty, empty, empty], np.zeros(0, dtype=np.int64)
        unique, inverse = distinct_rows({c: read.columns[c] for c in self.data_columns})
        return read.customer_id, unique, inverse

    def _per_distinct_row(self, data: Any, column: str, kernel: Any) -> pd.DataFrame:
        """Apply ``kernel(x, tx, T)`` once per distinct history and spread it back."""
        customer_id, unique, inverse = self._distinct_histories(data)
        if len(inverse) == 0:
            return frame_result(customer_id, column, np.zeros(0))
        return frame_result(customer_id, column, kernel(*unique)[inverse])

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

    def expected_purchases_curve(self, data: Any, horizons_days: Any) -> pd.DataFrame:
        """Expected repeat purchases of each customer by each of several horizons.

        The same numbers as :meth:`expected_purchases` at each horizon, with P(alive)
        computed once for all of them. Returns a DataFrame ``customer_id`` and one column
        per horizon, named ``expected_purchases_{days}d`` (``{days:g}``), in the order given.
        """
        units = [self._horizon_units(h) for h in horizons_days]
        names = [f"expected_purchases_{float(h):g}d" for h in horizons_days]
        if len(set(names)) != len(names):
            raise ModelInputError(f"horizons_days must be distinct; got {list(horizons_days)!r}.")
        customer_id, (x, tx, T), inverse = self._distinct_histories(data)
        out = pd.DataFrame({"customer_id": customer_id.to_numpy()})
        if len(inverse) == 0:
            return out.assign(**{name: np.zeros(0) for name in names})
        alive = self._p_alive_kernel(x, tx, T)
        for name, t in zip(names, units, strict=True):
            values = alive * self._expected_alive_kernel(np.full_like(x, t), x, T)
            out[name] = values[inverse]
        return out

    def discounted_expected_purchases(
        self,
        data: Any,
        horizon_months: int = 12,
        annual_discount_rate: float = 0.1,
        days_per_month: float = 365.25 / 12,
    ) -> pd.DataFrame:
        """Σ_{m=1..M} (E[X(m·L)] - E[X((m-1)·L)]) / (1+d)^(m/12) for each customer.

        L = ``days_per_month`` days (an explicit month length, never a hidden 30 days)
        and d the annual discount rate: each month's expected purchases discounted to
        today, the purchase side of Fader, Hardie & Lee's (2005, JMR) CLV. Returns
        ``customer_id, discounted_purchases``.
        """
        if int(horizon_months) != horizon_months or horizon_months < 1:
            raise ModelInputError(
                f"horizon_months must be a whole number >= 1; got {horizon_months!r}."
            )
        if not (annual_discount_rate > -1 and days_per_month > 0):
            raise ModelInputError("annual_discount_rate must be > -1 and days_per_month > 0.")
        months = range(1, int(horizon_months) + 1)
        curve = self.expected_purchases_curve(data, [m * days_per_month for m in months])
        cumulative = curve.drop(columns="customer_id").to_numpy()
        monthly = np.diff(cumulative, axis=1, prepend=0.0)
        factors = (1.0 + annual_discount_rate) ** (-np.array(months) / 12.0)
        return pd.DataFrame(
            {
                "customer_id": curve["customer_id"].to_numpy(),
                "discounted_purchases": monthly @ factors,
            }
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
