"""The likelihood that BG/NBD and MBG/NBD share, and its fast weighted total.

Both models' individual likelihood is a sum of two terms (FHL 2005 eq. 6; Batislam,
Denizel & Filiztekin 2007, appendix A):

    L = Γ(r+x) α^r / Γ(r) · [ e^{g2(x)} (α+T)^-(r+x) + e^{g3(x)} (α+t_x)^-(r+x) ]

where ``g2`` and ``g3`` are log-ratios of beta functions that depend on x, a and b only
(``g3 = -inf`` where a model has no second term). The models supply those terms and
their derivatives once per distinct frequency (:class:`FrequencyTerms`); everything
per row is here, once.

:func:`row_log_likelihood` gives per-row values (tests, scoring). :func:`total_log_likelihood`
gives the weighted sum and its gradient directly, which is what fitting needs: the
per-frequency parts are summed through per-frequency weights (``bincount``) instead of
being gathered back to every row, logs of α + T and α + t_x are taken once per distinct
age when ages repeat (whole days), and the log-sum-exp is written out, because numpy's
``logaddexp`` is several times slower than the exp and log1p it amounts to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientlens.models._continuous import ContinuousTransactionModel
from clientlens.models._special import dot

# Taking logs per distinct age pays only when ages repeat; with fewer distinct values
# than this share of the rows, a gather from the distinct values is cheaper than a log.
LEVEL_SHARE = 0.25


@dataclass(frozen=True)
class FrequencyTerms:
    """Per distinct frequency: the log terms and their derivatives in r, a, b."""

    g1: np.ndarray  # log Γ(r+x) - log Γ(r)
    g2: np.ndarray  # log coefficient of (α+T)^-(r+x)
    g3: np.ndarray  # log coefficient of (α+t_x)^-(r+x); -inf where absent
    dr1: np.ndarray  # d g1 / dr
    da2: np.ndarray
    da3: np.ndarray
    db2: np.ndarray
    db3: np.ndarray


def levels(cols: dict[str, np.ndarray], name: str) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of ``cols[name]`` and each row's index among them, cached in ``cols``."""
    key = f"_{name}_levels"
    if key not in cols:
        values, index = np.unique(cols[name], return_inverse=True)
        cols[key], cols[f"_{name}_index"] = values, index.ravel()
    return cols[key], cols[f"_{name}_index"]


def _log_and_inverse(alpha: float, cols: dict[str, np.ndarray], name: str):
    """log(α + v) and 1 / (α + v) for the column ``name``, per distinct value where that pays."""
    values = cols[name]
    distinct, index = levels(cols, name)
    if len(distinct) <= LEVEL_SHARE * len(values):
        shifted = alpha + distinct
        return np.log(shifted)[index], (1.0 / shifted)[index]
    shifted = alpha + values
    return np.log(shifted), 1.0 / shifted


def second_term_share(a2: np.ndarray, a3: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log(e^a2 + e^a3) and the second term's share e^a3 / (e^a2 + e^a3), overflow-free."""
    d = a3 - a2  # -inf where there is no second term
    e = np.exp(-np.abs(d))
    top = a2 + np.maximum(d, 0.0) + np.log1p(e)
    share = np.where(d > 0, 1.0, e) / (1.0 + e)
    return top, share


def row_log_likelihood(r: float, alpha: float, terms: FrequencyTerms, cols):
    """Per-row log-likelihood (n,) and gradient in (r, α, a, b) (n, 4)."""
    x, tx, T = cols["frequency"], cols["recency"], cols["T"]
    _, idx = levels(cols, "frequency")
    log_at, log_atx = np.log(alpha + T), np.log(alpha + tx)
    a2 = terms.g2[idx] - (r + x) * log_at
    a3 = terms.g3[idx] - (r + x) * log_atx
    top, w3 = second_term_share(a2, a3)
    w2 = 1.0 - w3
    d_r = terms.dr1[idx] + np.log(alpha) - w2 * log_at - w3 * log_atx
    d_alpha = r / alpha - (r + x) * (w2 / (alpha + T) + w3 / (alpha + tx))
    d_a = w2 * terms.da2[idx] + w3 * terms.da3[idx]
    d_b = w2 * terms.db2[idx] + w3 * terms.db3[idx]
    ll = terms.g1[idx] + r * np.log(alpha) + top
    return ll, np.column_stack([d_r, d_alpha, d_a, d_b])


def total_log_likelihood(
    r: float, alpha: float, terms: FrequencyTerms, cols, w: np.ndarray
) -> tuple[float, np.ndarray]:
    """``w @ ll`` and ``w @ grad`` of :func:`row_log_likelihood`, without the (n, 4) matrix.

    With w3 the second term's share of a row, each row's gradient is
    ``d_r = dr1 + log α - log(α+T) - w3 (log(α+t_x) - log(α+T))``,
    ``d_α = r/α - (r+x) [1/(α+T) + w3 (1/(α+t_x) - 1/(α+T))]`` and
    ``d_a = (1-w3) da2 + w3 da3`` (likewise b); sums of per-frequency terms become dot
    products with the weight (and w3-weight) of each frequency.
    """
    x = cols["frequency"]
    ux, idx = levels(cols, "frequency")
    log_at, inv_at = _log_and_inverse(alpha, cols, "T")
    log_atx, inv_atx = _log_and_inverse(alpha, cols, "recency")
    c = r + x
    a2 = terms.g2[idx] - c * log_at
    a3 = terms.g3[idx] - c * log_atx
    top, w3 = second_term_share(a2, a3)
    ww3 = w * w3
    per_x = np.bincount(idx, weights=w, minlength=len(ux))
    per_x3 = np.bincount(idx, weights=ww3, minlength=len(ux))
    per_x2 = per_x - per_x3
    total_w = float(per_x.sum())
    log_alpha = np.log(alpha)
    total = float(per_x @ terms.g1) + total_w * r * log_alpha + dot(w, top)
    d_r = per_x @ terms.dr1 + total_w * log_alpha - dot(w, log_at) - dot(ww3, log_atx - log_at)
    d_alpha = total_w * r / alpha - dot(w * c, inv_at) - dot(ww3 * c, inv_atx - inv_at)
    # a frequency without a second term has per_x3 = 0: 0 * its (finite) da3 adds nothing
    d_a = per_x2 @ terms.da2 + per_x3 @ terms.da3
    d_b = per_x2 @ terms.db2 + per_x3 @ terms.db3
    return total, np.array([d_r, d_alpha, d_a, d_b])


class TwoTermModel(ContinuousTransactionModel):
    """A continuous model whose likelihood has the two-term form above (BG/NBD, MBG/NBD).

    Subclasses give :meth:`_frequency_terms`; the likelihood, its gradient and the fast
    weighted total come from here. Parameters are ``(r, alpha, a, b)``.
    """

    def _frequency_terms(self, params: np.ndarray, cols: dict[str, np.ndarray]) -> FrequencyTerms:
        raise NotImplementedError

    def _row_log_likelihood(self, params, cols):
        r, alpha = params[0], params[1]
        return row_log_likelihood(r, alpha, self._frequency_terms(params, cols), cols)

    def _total_log_likelihood(self, params, cols, weights):
        r, alpha = params[0], params[1]
        return total_log_likelihood(r, alpha, self._frequency_terms(params, cols), cols, weights)
