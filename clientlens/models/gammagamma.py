"""Gamma-Gamma model of spend per transaction, and discounted CLV.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005), "RFM and CLV: Using Iso-Value Curves
for Customer Base Analysis", Journal of Marketing Research 42(4), 415-430; and Fader &
Hardie (2013), "The Gamma-Gamma Model of Monetary Value" (note 025).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from clientlens.errors import ModelError, ModelInputError
from clientlens.models._continuous import ContinuousTransactionModel
from clientlens.models._input import ModelData, Problems
from clientlens.models.base import BaseModel, frame_result


class GammaGamma(BaseModel):
    """Gamma-Gamma spend model with parameters ``p, q, gamma`` (the note's p, q, γ).

    A customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ) across
    customers, independent of the transaction process; the mean spend per transaction is
    then p γ / (q - 1). Only repeat buyers (``frequency > 0``) are used to fit, since
    ``monetary_value`` is the mean of the *repeat* purchases.

    Required columns: ``frequency`` and ``monetary_value`` (mean value of the repeat
    purchases; > 0 for repeat buyers); optional ``customer_id``. ``clv()`` also needs the
    transaction model's columns ``recency`` and ``T``.

    Examples
    --------
    >>> import pandas as pd
    >>> from clientlens.models import BetaGeo, GammaGamma
    >>> df = pd.read_csv("../shared/data/clv_quickstart.csv")
    >>> gg = GammaGamma().fit(df)
    >>> {k: round(v, 2) for k, v in gg.params.items()}
    {'p': 6.25, 'q': 3.74, 'gamma': 15.45}
    >>> bg = BetaGeo().fit(df, time_unit_days=7)
    >>> clv = gg.clv(bg, df, horizon_months=12, annual_discount_rate=0.1)
    >>> clv.clv.round(2).head(3).tolist(), round(float(clv.clv.sum()))
    ([36.74, 4.7, 8.45], 72405)
    """

    name = "GammaGamma"
    param_names = ("p", "q", "gamma")
    data_columns = ("frequency", "monetary_value")
    integer_columns = ("frequency",)

    def __init__(self, penalizer: float = 0.0):
        super().__init__(penalizer)
        self._fitting = False

    def fit(
        self, data: Any, time_unit_days: float = 1.0, weights: Any = None, **kwargs: Any
    ) -> GammaGamma:
        """Fit on the repeat buyers (``frequency > 0``); see :meth:`BaseModel.fit`."""
        self._fitting = True
        try:
            return super().fit(data, time_unit_days, weights, **kwargs)
        finally:
            self._fitting = False

    def _check_rows(self, cols: dict[str, np.ndarray], problems: Problems) -> None:
        if self._fitting:
            x, m = cols["frequency"], cols["monetary_value"]
            problems.check(
                (x > 0) & (m <= 0),
                "monetary_value",
                m,
                "a repeat buyer's mean spend must be > 0 to fit a Gamma-Gamma model "
                "(drop these customers or their zero-amount orders)",
            )

    def _prepare(self, data: ModelData) -> ModelData:
        keep = data.columns["frequency"] > 0
        if not keep.any():
            raise ModelInputError(
                "GammaGamma is fitted on repeat buyers (frequency > 0), and the input has none."
            )
        return ModelData(
            {c: v[keep] for c, v in data.columns.items()},
            data.customer_id[keep].reset_index(drop=True),
            data.weights[keep],
        )

    def _initial_params(self, data: ModelData) -> np.ndarray:
        mean = float(np.average(data.columns["monetary_value"], weights=data.weights))
        return np.array([1.0, 2.0, max(mean, 1e-3)])

    def _row_log_likelihood(self, params, cols):
        """The note's density of z̄, the mean of x transaction values:
        ln f = lnΓ(px+q) - lnΓ(px) - lnΓ(q) + q ln γ + px ln x + (px-1) ln z̄ - (px+q) ln(γ + x z̄)."""
        p, q, g = params
        x, z = cols["frequency"], cols["monetary_value"]
        psi = special.digamma
        log_z, log_gxz = np.log(z), np.log(g + x * z)
        ll = (
            special.gammaln(p * x + q)
            - special.gammaln(p * x)
            - special.gammaln(q)
            + q * np.log(g)
            + p * x * np.log(x)
            + (p * x - 1) * log_z
            - (p * x + q) * log_gxz
        )
        d_p = x * (psi(p * x + q) - psi(p * x) + np.log(x) + log_z - log_gxz)
        d_q = psi(p * x + q) - psi(q) + np.log(g) - log_gxz
        d_g = q / g - (p * x + q) / (g + x * z)
        return ll, np.column_stack([d_p, d_q, d_g])

    def _spend_kernel(self, x: np.ndarray, m: np.ndarray) -> np.ndarray:
        p, q, g = self._require_fit()
        denominator = p * x + q - 1.0
        if np.any(denominator <= 0):
            raise ModelError(
                f"GammaGamma with q = {q:.4g} <= 1 has no finite mean spend for customers "
                "without repeat purchases; refit on more data or with a penalizer."
            )
        return p * (g + x * m) / denominator

    def expected_spend(self, data: Any) -> pd.DataFrame:
        """Expected mean spend per future transaction of each customer (note 025).

        ``E[Z | x, z̄] = p (γ + x z̄) / (p x + q - 1)``: a weighted mean of the population
        mean p γ / (q - 1) and the customer's own z̄. Returns ``customer_id, expected_spend``.
        """
        self._require_fit()
        read = self._read(data)
        values = self._spend_kernel(read.columns["frequency"], read.columns["monetary_value"])
        return frame_result(read.customer_id, "expected_spend", values)

    def clv(
        self,
        transaction_model: ContinuousTransactionModel,
        data: Any,
        horizon_months: int = 12,
        annual_discount_rate: float = 0.1,
        margin: float = 1.0,
        days_per_month: float = 365.25 / 12,
    ) -> pd.DataFrame:
        """Discounted expected margin of each customer over ``horizon_months``.

        ``CLV = Σ_{m=1..M} margin × E[spend] × (E[X(m·L)] - E[X((m-1)·L)]) / (1+d)^(m/12)``
        with L = ``days_per_month`` days (an explicit month length, never a hidden 30 days)
        and d the annual discount rate, i.e. the monthly cash-flow sum of Fader, Hardie & Lee
        (2005, JMR). Returns ``customer_id, clv``.
        """
        if not isinstance(transaction_model, ContinuousTransactionModel):
            raise ModelInputError(
                "clv() needs a fitted continuous-time transaction model (BetaGeo, ParetoNBD or "
                f"ModifiedBetaGeo); got {type(transaction_model).__name__}."
            )
        spend = self.expected_spend(data)
        total = transaction_model.discounted_expected_purchases(
            data,
            horizon_months=horizon_months,
            annual_discount_rate=annual_discount_rate,
            days_per_month=days_per_month,
        )["discounted_purchases"].to_numpy()
        values = margin * spend["expected_spend"].to_numpy() * total
        return pd.DataFrame({"customer_id": spend["customer_id"].to_numpy(), "clv": values})
