"""BG/BB: the beta-geometric / beta-Bernoulli model of discrete-time repeat transactions.

Fader, P. S., Hardie, B. G. S. & Shang, J. (2010), "Customer-Base Analysis in a
Discrete-Time Noncontractual Setting", Marketing Science 29(6), 1086-1108 (FHS).

Time is counted in transaction *opportunities* (annual donation drives, weekly issues,
...), never in days: ``T`` is the number of opportunities after the first transaction,
``recency`` the opportunity of the last repeat transaction (0 when there was none) and
``frequency`` the number of repeat transactions. Horizons are ``horizon_periods``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from clientlens.errors import ModelInputError
from clientlens.models._input import ModelData, Problems
from clientlens.models.base import BaseModel, frame_result


def _log_alive_opportunities(gamma, delta, n0, n1):
    """log of δ/(γ-1) Γ(γ+δ)/Γ(1+δ) [Γ(1+δ+n0)/Γ(γ+δ+n0) - Γ(1+δ+n1)/Γ(γ+δ+n1)] (FHS 2010, the
    expectations of section 4).

    The expected number of opportunities in (n0, n1] at which a customer with θ ~ Beta(γ, δ)
    is alive, in logs so that it can meet tiny or huge factors without overflow. γ = 1 is a
    removable singularity, taken as the mean of γ ± 1e-4.
    """

    def general(g):
        l0 = special.gammaln(1 + delta + n0) - special.gammaln(g + delta + n0)
        l1 = special.gammaln(1 + delta + n1) - special.gammaln(g + delta + n1)
        pref = np.log(delta) + special.gammaln(g + delta) - special.gammaln(1 + delta) + l0
        with np.errstate(divide="ignore"):  # n1 = n0 gives log 0 = -inf, as it should
            return pref + np.log(np.abs(np.expm1(l1 - l0))) - np.log(abs(g - 1.0))

    if abs(gamma - 1.0) < 1e-4:
        return np.logaddexp(general(1.0 + 1e-4), general(1.0 - 1e-4)) - np.log(2.0)
    return general(gamma)


class BetaGeoBetaBinom(BaseModel):
    """BG/BB model (Fader, Hardie & Shang 2010), parameters ``alpha, beta, gamma, delta``.

    At each opportunity a living customer transacts with probability p ~ Beta(α, β) and,
    before it, drops out with probability θ ~ Beta(γ, δ).

    Required columns (whole numbers): ``frequency`` (repeat transactions), ``recency``
    (opportunity of the last one, 0 if none) and ``T`` (opportunities observed); optional
    ``customer_id``. An aggregated table fits with ``weights`` (e.g. the donations table's
    ``weights`` column).

    Examples
    --------
    >>> import pandas as pd
    >>> from clientlens.models import BetaGeoBetaBinom
    >>> d = pd.read_csv("../shared/data/donations.csv").rename(columns={"periods": "T"})
    >>> m = BetaGeoBetaBinom().fit(d, weights="weights")
    >>> {k: round(v, 3) for k, v in m.params.items()}
    {'alpha': 1.204, 'beta': 0.75, 'gamma': 0.657, 'delta': 2.783}
    """

    name = "BetaGeoBetaBinom"
    param_names = ("alpha", "beta", "gamma", "delta")
    data_columns = ("frequency", "recency", "T")
    integer_columns = ("frequency", "recency", "T")

    def _check_rows(self, cols: dict[str, np.ndarray], problems: Problems) -> None:
        x, tx, n = cols["frequency"], cols["recency"], cols["T"]
        problems.check(tx > n, "recency", tx, "recency is greater than T (opportunities)")
        problems.check(
            x > tx, "frequency", x, "more repeat transactions than opportunities up to recency"
        )
        problems.check((x == 0) & (tx > 0), "recency", tx, "frequency 0 needs recency 0")

    def _initial_params(self, data: ModelData) -> np.ndarray:
        return np.ones(4)

    def _terms(self, params, x, tx, n):
        """Every term of the FHS likelihood per row, flattened: (row index, log term, gradient)."""
        alpha, beta, gamma, delta = params
        counts = (n - tx).astype(np.int64) + 1
        rows = np.repeat(np.arange(len(x)), counts)
        starts = np.cumsum(counts) - counts
        pos = np.arange(counts.sum()) - np.repeat(starts, counts)
        xr, txr, nr = x[rows], tx[rows], n[rows]
        first = pos == 0
        i = pos - 1
        y = np.where(first, nr - xr, txr - xr + i)  # β-side count of non-transactions
        g1 = np.where(first, 0.0, 1.0)  # 1 for "dropped out at opportunity t_x + i + 1"
        z = np.where(first, nr, txr + i)
        log_terms = (
            special.betaln(alpha + xr, beta + y)
            - special.betaln(alpha, beta)
            + special.betaln(gamma + g1, delta + z)
            - special.betaln(gamma, delta)
        )
        psi = special.digamma
        grads = np.column_stack(
            [
                psi(alpha + xr) - psi(alpha + beta + xr + y) - psi(alpha) + psi(alpha + beta),
                psi(beta + y) - psi(alpha + beta + xr + y) - psi(beta) + psi(alpha + beta),
                psi(gamma + g1) - psi(gamma + delta + g1 + z) - psi(gamma) + psi(gamma + delta),
                psi(delta + z) - psi(gamma + delta + g1 + z) - psi(delta) + psi(gamma + delta),
            ]
        )
        return rows, starts, log_terms, grads

    def _row_log_likelihood(self, params, cols):
        """FHS (2010) likelihood: L = B(α+x,β+n-x)/B(α,β) B(γ,δ+n)/B(γ,δ)
        + Σ_{i=0}^{n-t_x-1} B(α+x,β+t_x-x+i)/B(α,β) B(γ+1,δ+t_x+i)/B(γ,δ), by log-sum-exp."""
        x, tx, n = cols["frequency"], cols["recency"], cols["T"]
        rows, starts, log_terms, grads = self._terms(params, x, tx, n)
        top = np.maximum.reduceat(log_terms, starts)
        share = np.exp(log_terms - top[rows])
        total = np.add.reduceat(share, starts)
        ll = top + np.log(total)
        grad = np.add.reduceat(share[:, None] * grads, starts, axis=0) / total[:, None]
        return ll, grad

    # -- predictions (in opportunities) ---------------------------------------------------
    def _columns(self, data: Any) -> ModelData:
        self._require_fit()
        return self._read(data)

    @staticmethod
    def _periods(value: Any, name: str = "horizon_periods") -> int:
        if int(value) != value or value < 0:
            raise ModelInputError(f"{name} must be a whole number >= 0; got {value!r}.")
        return int(value)

    def _log_l(self, x, tx, n):
        return self._row_log_likelihood(
            self._require_fit(), {"frequency": x, "recency": tx, "T": n}
        )[0]

    def probability_alive(self, data: Any, horizon_periods: int = 0) -> pd.DataFrame:
        """P(alive ``horizon_periods`` opportunities after the last observed one) (FHS 2010, P(alive)).

        Returns ``customer_id, p_alive``.
        """
        m = self._periods(horizon_periods)
        d = self._columns(data)
        alpha, beta, gamma, delta = self._require_fit()
        x, tx, n = d.columns["frequency"], d.columns["recency"], d.columns["T"]
        log_p = (
            special.betaln(alpha + x, beta + n - x)
            - special.betaln(alpha, beta)
            + special.betaln(gamma, delta + n + m)
            - special.betaln(gamma, delta)
            - self._log_l(x, tx, n)
        )
        return frame_result(d.customer_id, "p_alive", np.clip(np.exp(log_p), 0.0, 1.0))

    def expected_purchases(self, data: Any, horizon_periods: int = 1) -> pd.DataFrame:
        """Expected transactions in the next ``horizon_periods`` opportunities (FHS 2010).

        Returns ``customer_id, expected_purchases``.
        """
        m = self._periods(horizon_periods)
        d = self._columns(data)
        alpha, beta, gamma, delta = self._require_fit()
        x, tx, n = d.columns["frequency"], d.columns["recency"], d.columns["T"]
        log_front = (
            special.betaln(alpha + x + 1, beta + n - x)
            - special.betaln(alpha, beta)
            - self._log_l(x, tx, n)
        )
        log_alive_periods = _log_alive_opportunities(gamma, delta, n, n + m)
        return frame_result(
            d.customer_id, "expected_purchases", np.exp(log_front + log_alive_periods)
        )

    def expected_purchases_new_customer(self, horizon_periods: Any) -> Any:
        """Expected repeat transactions in the first ``horizon_periods`` opportunities (FHS 2010)."""
        alpha, beta, gamma, delta = self._require_fit()
        periods = np.asarray(horizon_periods, dtype=float)
        if np.any(~np.isfinite(periods) | (periods < 0)):
            raise ModelInputError(f"horizon_periods must be numbers >= 0; got {horizon_periods!r}.")
        values = (
            alpha / (alpha + beta) * np.exp(_log_alive_opportunities(gamma, delta, 0.0, periods))
        )
        return float(values) if periods.ndim == 0 else np.asarray(values)

    def probability_of_purchases(
        self, data: Any, n: int = 1, horizon_periods: int = 1
    ) -> pd.DataFrame:
        """P(exactly ``n`` transactions in the next ``horizon_periods`` opportunities | history).

        Given alive now, p ~ Beta(α+x, β+T-x) and θ ~ Beta(γ, δ+T); the customer stays for
        k of the next m opportunities with probability E[θ(1-θ)^k] (k < m) or E[(1-θ)^m],
        and then buys n times as Beta-binomial(k). Dead customers add to n = 0 (the
        conditional pmf of FHS's technical appendix, written as that finite sum).
        Returns ``customer_id, probability``.
        """
        target = self._periods(n, "n")
        m = self._periods(horizon_periods)
        d = self._columns(data)
        alpha, beta, gamma, delta = self._require_fit()
        x, big_n = d.columns["frequency"], d.columns["T"]
        alive = self.probability_alive(data)["p_alive"].to_numpy()
        a_post, b_post, g_post = alpha + x, beta + big_n - x, delta + big_n
        total = np.zeros(len(x))
        for k in range(target, m + 1):
            if k < m:
                log_stay = special.betaln(gamma + 1, g_post + k) - special.betaln(gamma, g_post)
            else:
                log_stay = special.betaln(gamma, g_post + m) - special.betaln(gamma, g_post)
            log_buy = (
                special.gammaln(k + 1.0)
                - special.gammaln(target + 1.0)
                - special.gammaln(k - target + 1.0)
                + special.betaln(a_post + target, b_post + k - target)
                - special.betaln(a_post, b_post)
            )
            total += np.exp(log_stay + log_buy)
        values = alive * total + (1.0 - alive) * (target == 0)
        return frame_result(d.customer_id, "probability", np.clip(values, 0.0, 1.0))
