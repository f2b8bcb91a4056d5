"""BG/NBD: the beta-geometric / negative binomial model of repeat purchasing.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005), "Counting Your Customers the Easy
Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284 (FHL).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from clientlens.models._input import ModelData
from clientlens.models._special import bg_expected_h, log_nb_pmf, nb_survival
from clientlens.models._two_term import FrequencyTerms, TwoTermModel, levels


def bg_future_pmf(n: int, t, k, big_a, a, bp) -> np.ndarray:
    """P(n purchases in t | alive now) when λ ~ Gamma(k, A) and p ~ Beta(a, bp).

    A living customer buys as Poisson(λ) and drops out after each purchase with
    probability p: ``P = E[(1-p)^n] NB(n) + [n > 0] E[p (1-p)^(n-1)] P(NB >= n)`` with the
    negative binomial NB(k, t/(A+t)) from mixing the Poisson over λ (FHL eq. 8, with the
    posterior given alive in place of the prior).
    """
    log_1mz = -np.log1p(t / big_a)
    log_z = np.log(t) - np.log(big_a + t)
    first = np.exp(
        special.betaln(a, bp + n) - special.betaln(a, bp) + log_nb_pmf(n, k, log_z, log_1mz)
    )
    if n == 0:
        return first
    second = np.exp(special.betaln(a + 1, bp + n - 1) - special.betaln(a, bp)) * nb_survival(
        n, k, t / (big_a + t)
    )
    return np.asarray(first + second)


class BetaGeo(TwoTermModel):
    """BG/NBD model (Fader, Hardie & Lee 2005) with parameters ``r, alpha, a, b``.

    While active, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after
    each purchase she drops out with probability p ~ Beta(a, b).

    Required columns: ``frequency`` (repeat purchases, whole number), ``recency`` and
    ``T`` (in units of ``time_unit_days``); optional ``customer_id``.

    Examples
    --------
    >>> import pandas as pd
    >>> from clientlens.models import BetaGeo
    >>> df = pd.read_csv("../shared/data/cdnow_customers_summary.csv")
    >>> m = BetaGeo().fit(df, time_unit_days=7)
    >>> round(m.params["r"], 3), round(m.log_likelihood, 1)
    (0.243, -9582.4)
    >>> e = m.expected_purchases(df, horizon_days=7 * 39)
    >>> round(float(e.expected_purchases.sum()), 1)
    1653.4
    """

    name = "BetaGeo"
    param_names = ("r", "alpha", "a", "b")

    def _initial_params(self, data: ModelData) -> np.ndarray:
        return np.array(
            [1.0, max(float(np.average(data.columns["T"], weights=data.weights)), 1e-3), 1.0, 1.0]
        )

    def _frequency_terms(self, params, cols) -> FrequencyTerms:
        """FHL eq. 6 terms of x alone, once per distinct frequency: ln Γ(r+x)/Γ(r),
        ln B(a,b+x)/B(a,b) and, for x > 0, ln B(a+1,b+x-1)/B(a,b), with their derivatives."""
        r, _alpha, a, b = params
        ux, _ = levels(cols, "frequency")
        psi = special.digamma
        upos = ux > 0
        uxm = np.where(upos, ux, 1.0)  # keeps b + x - 1 > 0 where the third term is unused
        ab = psi(a + b)
        psi_abx = psi(a + b + ux)
        return FrequencyTerms(
            g1=special.gammaln(r + ux) - special.gammaln(r),
            g2=special.betaln(a, b + ux) - special.betaln(a, b),
            g3=np.where(upos, special.betaln(a + 1, b + uxm - 1) - special.betaln(a, b), -np.inf),
            dr1=psi(r + ux) - psi(r),
            da2=ab - psi_abx,
            da3=psi(a + 1) - psi(a) + ab - psi_abx,
            db2=psi(b + ux) - psi_abx - psi(b) + ab,
            db3=psi(b + uxm - 1) - psi_abx - psi(b) + ab,
        )

    def _log_odds_dead(self, x, tx, T):
        r, alpha, a, b = self._require_fit()
        xm = np.maximum(x, 1.0)
        value = np.log(a) - np.log(b + xm - 1) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        return np.where(x > 0, value, -np.inf)

    def _p_alive_kernel(self, x, tx, T):
        """Fader, Hardie & Lee (2008), note 021 "Computing P(alive) using the BG/NBD model":
        1 / (1 + [x>0] a/(b+x-1) ((α+T)/(α+t_x))^(r+x)), as a logistic."""
        return special.expit(-self._log_odds_dead(x, tx, T))

    def _expected_alive_kernel(self, t, x, T):
        """FHL eq. 10 without its P(alive) factor: (a+b+x-1)/(a-1) [1 - ((α+T)/(α+T+t))^(r+x) 2F1(...)]."""
        r, alpha, a, b = self._require_fit()
        return bg_expected_h(t, r + x, alpha + T, a, b + x)

    def _prob_n_kernel(self, n, t, x, tx, T):
        """P(X(T, T+t) = n | x, t_x, T): the future pmf given alive, weighted by P(alive),
        plus the dead customers at n = 0 (Fader, Hardie & Lee's conditional pmf note)."""
        r, alpha, a, b = self._require_fit()
        alive = self._p_alive_kernel(x, tx, T)
        pmf = np.where(
            t > 0,
            bg_future_pmf(n, np.maximum(t, 1e-300), r + x, alpha + T, a, b + x),
            float(n == 0),
        )
        return alive * pmf + (1.0 - alive) * (n == 0)

    def _new_customer_kernel(self, t):
        """FHL eq. 9: E[X(t)] = (a+b-1)/(a-1) [1 - (α/(α+t))^r 2F1(r, b; a+b-1; t/(α+t))]."""
        r, alpha, a, b = self._require_fit()
        return bg_expected_h(t, r, alpha, a, b)
