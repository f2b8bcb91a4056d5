"""MBG/NBD: the modified BG/NBD, where a customer can drop out right after any purchase.

Batislam, E. P., Denizel, M. & Filiztekin, A. (2007), "Empirical validation and comparison
of models for customer base analysis", International Journal of Research in Marketing
24(3), 201-209 (BDF); also Hoppe & Wagner (2007).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from clientlens.models._input import ModelData
from clientlens.models._special import bg_expected_h
from clientlens.models._two_term import FrequencyTerms, TwoTermModel, levels
from clientlens.models.bgnbd import bg_future_pmf


class ModifiedBetaGeo(TwoTermModel):
    """MBG/NBD model (Batislam et al. 2007) with parameters ``r, alpha, a, b``.

    As BG/NBD, but the dropout coin (probability p ~ Beta(a, b)) is also tossed right
    after the first purchase, so a one-time buyer can be inactive: unlike BG/NBD, P(alive)
    is below 1 for customers with ``frequency == 0``.

    Required columns: ``frequency`` (whole number), ``recency`` and ``T`` (in units of
    ``time_unit_days``); optional ``customer_id``.

    Examples
    --------
    >>> import pandas as pd
    >>> from clientlens.models import ModifiedBetaGeo
    >>> df = pd.read_csv("../shared/data/cdnow_customers_summary.csv")
    >>> m = ModifiedBetaGeo().fit(df, time_unit_days=7)
    >>> round(m.params["r"], 3), round(m.params["b"], 3)
    (0.525, 1.614)
    """

    name = "ModifiedBetaGeo"
    param_names = ("r", "alpha", "a", "b")

    def _initial_params(self, data: ModelData) -> np.ndarray:
        mean_t = float(np.average(data.columns["T"], weights=data.weights))
        return np.array([1.0, max(mean_t, 1e-3), 1.0, 1.0])

    def _frequency_terms(self, params, cols) -> FrequencyTerms:
        """BDF appendix A terms of x alone, once per distinct frequency: ln Γ(r+x)/Γ(r),
        ln B(a,b+x+1)/B(a,b) and ln B(a+1,b+x)/B(a,b), with their derivatives."""
        r, _alpha, a, b = params
        ux, _ = levels(cols, "frequency")
        psi = special.digamma
        ab, abx1 = psi(a + b), psi(a + b + ux + 1)
        return FrequencyTerms(
            g1=special.gammaln(r + ux) - special.gammaln(r),
            g2=special.betaln(a, b + ux + 1) - special.betaln(a, b),
            g3=special.betaln(a + 1, b + ux) - special.betaln(a, b),
            dr1=psi(r + ux) - psi(r),
            da2=ab - abx1,
            da3=psi(a + 1) - psi(a) + ab - abx1,
            db2=psi(b + ux + 1) - abx1 - psi(b) + ab,
            db3=psi(b + ux) - abx1 - psi(b) + ab,
        )

    def _p_alive_kernel(self, x, tx, T):
        """BDF Appendix A, eq. (5): 1 / (1 + a/(b+x) ((α+T)/(α+t_x))^(r+x)), as a logistic."""
        r, alpha, a, b = self._require_fit()
        log_odds = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        return special.expit(-log_odds)

    def _expected_alive_kernel(self, t, x, T):
        """BDF Appendix A without its P(alive) factor: (a+b+x)/(a-1) [1 - ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; z)]."""
        r, alpha, a, b = self._require_fit()
        return bg_expected_h(t, r + x, alpha + T, a, b + x + 1)

    def _prob_n_kernel(self, n, t, x, tx, T):
        """Given alive, the future is BG/NBD's with p ~ Beta(a, b+x+1); dead customers add to n = 0."""
        r, alpha, a, b = self._require_fit()
        alive = self._p_alive_kernel(x, tx, T)
        pmf = np.where(
            t > 0,
            bg_future_pmf(n, np.maximum(t, 1e-300), r + x, alpha + T, a, b + x + 1),
            float(n == 0),
        )
        return alive * pmf + (1.0 - alive) * (n == 0)

    def _new_customer_kernel(self, t):
        """BDF Appendix A: E[X(t)] = b/(a-1) [1 - (α/(α+t))^r 2F1(r, b+1; a+b; t/(α+t))]."""
        r, alpha, a, b = self._require_fit()
        return b / (a + b) * bg_expected_h(t, r, alpha, a, b + 1)
