"""Shifted-beta-geometric (sBG) model of contractual retention.

Fader, P. S. & Hardie, B. G. S. (2007), "How to Project Customer Retention", Journal of
Interactive Marketing 21(1), 76-90 (FH07).

Time is counted in renewal *periods* (months of a subscription, years of a contract).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from clientlens.errors import ModelInputError
from clientlens.models._input import ModelData, Problems
from clientlens.models.base import BaseModel, frame_result


class ShiftedBetaGeo(BaseModel):
    """sBG model (Fader & Hardie 2007), parameters ``alpha, beta``.

    Each customer churns at the end of any period with probability θ ~ Beta(α, β), so the
    population's retention rate rises over time as the likely churners leave.

    Required columns (whole numbers >= 1), one row per customer (or per group, with
    ``weights``):

    * ``T``: periods the customer has been observed (the cohort's age);
    * ``recency``: if ``recency < T``, the customer churned after ``recency`` periods
      (lifetime = recency); if ``recency == T``, the customer is still active
      (right-censored: lifetime >= T).

    This is the layout of Fader & Hardie's Table 1 as individual records
    (``sbg_cohorts.csv``: T = 8, churn in periods 1-7, recency 8 = still active).

    Examples
    --------
    >>> import pandas as pd
    >>> from clientlens.models import ShiftedBetaGeo
    >>> d = pd.read_csv("../shared/data/sbg_cohorts.csv")
    >>> m = ShiftedBetaGeo().fit(d[d.cohort == "regular"])
    >>> {k: round(v, 3) for k, v in m.params.items()}
    {'alpha': 0.704, 'beta': 1.182}
    >>> m.retention_rate([1, 2, 3]).round(3).tolist()
    [0.627, 0.756, 0.819]
    """

    name = "ShiftedBetaGeo"
    param_names = ("alpha", "beta")
    data_columns = ("recency", "T")
    integer_columns = ("recency", "T")

    def _check_rows(self, cols: dict[str, np.ndarray], problems: Problems) -> None:
        tx, big_t = cols["recency"], cols["T"]
        problems.check(big_t < 1, "T", big_t, "T must be at least 1 period")
        problems.check(tx < 1, "recency", tx, "a lifetime lasts at least 1 period")
        problems.check(tx > big_t, "recency", tx, "recency is greater than T")

    def _initial_params(self, data: ModelData) -> np.ndarray:
        return np.ones(2)

    def _row_log_likelihood(self, params, cols):
        """FH07: P(lifetime = t) = B(α+1, β+t-1)/B(α,β) for churners;
        S(T-1) = P(lifetime >= T) = B(α, β+T-1)/B(α,β) for active customers."""
        alpha, beta = params
        t, big_t = cols["recency"], cols["T"]
        active = t >= big_t
        a_add = np.where(active, 0.0, 1.0)
        b_add = np.where(active, big_t - 1.0, t - 1.0)
        psi = special.digamma
        ll = special.betaln(alpha + a_add, beta + b_add) - special.betaln(alpha, beta)
        common = psi(alpha + beta) - psi(alpha + beta + a_add + b_add)
        d_alpha = psi(alpha + a_add) - psi(alpha) + common
        d_beta = psi(beta + b_add) - psi(beta) + common
        return ll, np.column_stack([d_alpha, d_beta])

    # -- population curves -------------------------------------------------------------
    def _period_array(self, periods: Any) -> np.ndarray:
        self._require_fit()
        values = np.asarray(periods, dtype=float)
        if np.any(~np.isfinite(values) | (values < 0) | (values != np.round(values))):
            raise ModelInputError(f"periods must be whole numbers >= 0; got {periods!r}.")
        return values

    def survival(self, periods: Any) -> np.ndarray:
        """S(t) = B(α, β+t)/B(α,β): share of a new cohort still active after t periods (FH07)."""
        alpha, beta = self._require_fit()
        t = self._period_array(periods)
        return np.asarray(np.exp(special.betaln(alpha, beta + t) - special.betaln(alpha, beta)))

    def retention_rate(self, periods: Any) -> np.ndarray:
        """r(t) = (β+t-1)/(α+β+t-1): share of those active in period t-1 who renew in t (FH07)."""
        alpha, beta = self._require_fit()
        t = self._period_array(periods)
        return np.asarray((beta + t - 1.0) / (alpha + beta + t - 1.0))

    # -- per customer ------------------------------------------------------------------
    def probability_alive(self, data: Any, horizon_periods: int = 0) -> pd.DataFrame:
        """P(still a customer ``horizon_periods`` periods after T) for each customer.

        0 for customers who churned; S(T-1+h)/S(T-1) for active ones. Returns
        ``customer_id, p_alive``.
        """
        if int(horizon_periods) != horizon_periods or horizon_periods < 0:
            raise ModelInputError(
                f"horizon_periods must be a whole number >= 0; got {horizon_periods!r}."
            )
        alpha, beta = self._require_fit()
        d = self._read(data)
        t, big_t = d.columns["recency"], d.columns["T"]
        log_p = special.betaln(alpha, beta + big_t - 1 + horizon_periods) - special.betaln(
            alpha, beta + big_t - 1
        )
        return frame_result(d.customer_id, "p_alive", np.where(t >= big_t, np.exp(log_p), 0.0))

    def expected_remaining_periods(self, data: Any, horizon_periods: int = 12) -> pd.DataFrame:
        """Expected number of the next ``horizon_periods`` renewals each customer makes.

        Σ_{h=1..H} P(alive h periods after T); 0 for churned customers. Returns
        ``customer_id, expected_periods``.
        """
        if int(horizon_periods) != horizon_periods or horizon_periods < 0:
            raise ModelInputError(
                f"horizon_periods must be a whole number >= 0; got {horizon_periods!r}."
            )
        d = self._read(data)
        total = np.zeros(len(d.weights))
        for h in range(1, int(horizon_periods) + 1):
            total += self.probability_alive(data, horizon_periods=h)["p_alive"].to_numpy()
        return frame_result(d.customer_id, "expected_periods", total)
