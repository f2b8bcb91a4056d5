"""Pareto/NBD: Poisson purchasing with exponential lifetimes, heterogeneous in both.

Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987), "Counting Your Customers: Who
Are They and What Will They Do Next?", Management Science 33(1), 1-24; likelihood and
its stable evaluation from Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model
and Related Expressions" (note 009: likelihood eq. 18, A_0 eqs. 19-20) and "Implementing the Pareto/NBD Model
Given Interval-Censored Data"; conditional pmf from Fader & Hardie note 028 (2014).

Numerics. The likelihood's only hard part is

    I = ∫_{t_x}^{T} (α+τ)^-(r+x) (β+τ)^-(s+1) dτ        (so that note 009's A_0 = K I)

with K = r + s + x. Its closed form is a difference of two 2F1(K, ·; K+1; z) terms (note
009 eqs. 19-20, the branch chosen by α vs β); we evaluate them after Euler's
transformation, ``2F1(K, B; K+1; z) = (1-z)^(1-B) 2F1(1, K+1-B; K+1; z)``, whose second
factor lies in [1, 1/(1-z)], entirely in log space, so nothing overflows for large α, β, T
or x. Each term is J(age) = ∫_age^∞ of the same integrand, which depends on the frequency
and one age only, so it is evaluated once per distinct (x, age) pair: a million daily
histories have ~50,000 of them. The gradient comes from the same tails (differentiating
in α or β shifts an exponent: the closed form again; r and s by central differences).
Where scipy's 2F1 fails (large parameters with z near 1 give NaN), and where it is not
tried because it would be slow and often fail (z >= 0.9 with a second parameter >= 100:
large s or β, data where nobody seems to drop out), I and its gradient are integrated per
row by :func:`_log_i_power_quadrature`: the power of the smaller of α, β integrated
exactly by a change of variable, the rest by tanh-sinh nodes (1e-8 in log I against
adaptive quadrature across that region). For the gradient on short
intervals, where the difference of tails would lose digits, I is integrated by
Gauss-Legendre quadrature after the substitution ``v = ((c+t_x)/(c+τ))^K`` (c = max(α,
β)), which absorbs the steep power decay and leaves a bounded, smooth integrand; the
gradient of log I is then a weighted mean over nodes.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from clientlens.models._continuous import ContinuousTransactionModel
from clientlens.models._input import ModelData, distinct_rows
from clientlens.models._special import (
    gauss_legendre_01,
    log_nb_pmf,
    one_minus_exp_over,
    tanh_sinh_01,
)
from clientlens.models._two_term import levels, second_term_share

QUAD_NODES = 64
GRADIENT_NODES = 24  # the gradient only steers the optimiser (the value is exact); 24 nodes move CDNOW estimates < 1e-6


NEAR_ONE_Z = 0.9
LARGE_B = 100.0
VERY_NEAR_ONE_Z = 0.99
"""Where z >= VERY_NEAR_ONE_Z, or z >= NEAR_ONE_Z and the Euler-transformed 2F1's second
parameter is >= LARGE_B (β or α far above the other, large s: nobody seems to drop out),
scipy's 2F1 is not called: there it costs 20-80 µs a call, seven calls per pair and
evaluation, and at the large parameter fails on 8-25% of them (NaN, or a value outside
[1, 1/(1-z)]). Those rows are integrated by :func:`_log_i_power_quadrature` instead
(tests/models/test_paretonbd_near_one.py holds it to adaptive quadrature across that
region)."""
POWER_NODES = 96


def _log_terms(r, alpha, s, beta, x, age):
    """log(K J(age)), J(age) = ∫_age^∞ (α+τ)^-(r+x) (β+τ)^-(s+1) dτ, by the closed form
    (note 009 eqs. 19-20, Euler-transformed); NaN where scipy's 2F1 fails, and where it
    is not tried (z near 1 at a large parameter: see :data:`LARGE_B`)."""
    k = r + s + x
    big = np.maximum(alpha, beta)
    small = np.minimum(alpha, beta)
    b_param = np.where(alpha >= beta, s + 1.0, r + x)  # the 2F1's second parameter
    z = (big - small) / (big + age)
    log_1mz = np.log(small + age) - np.log(big + age)
    k, b_param, z, log_1mz, big, age = np.broadcast_arrays(k, b_param, z, log_1mz, big, age)
    second = k + 1.0 - b_param
    tried = ~(((z >= NEAR_ONE_Z) & (second >= LARGE_B)) | (z >= VERY_NEAR_ONE_Z))
    e = np.full(z.shape, np.nan)
    with np.errstate(all="ignore"):
        e[tried] = special.hyp2f1(1.0, second[tried], k[tried] + 1.0, z[tried])
        return (1.0 - b_param) * log_1mz + np.log(e) - k * np.log(big + age)


def age_pairs(x, tx, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (x, age) pairs among the rows' (x, t_x) and (x, T), and the index of each.

    With the parameters fixed, each 2F1 term depends on the frequency and one age only:
    a million daily histories (~450,000 distinct) have ~50,000 distinct pairs, so the
    closed form is evaluated 15-20 times less often than once per row and end.
    """
    (ux, uage), inverse = distinct_rows(
        {"x": np.concatenate([x, x]), "age": np.concatenate([tx, T])}
    )
    return ux, uage, inverse


def _log_i_exact(r, alpha, s, beta, x, tx, T, pairs=None, pair_terms=None):
    """log I = log(J(t_x) - J(T)); NaN where scipy's 2F1 fails.

    ``pairs`` (from :func:`age_pairs`, for scalar parameters) evaluates each term once
    per distinct (x, age) pair; ``pair_terms`` are those terms when already computed."""
    k = r + s + x
    if pairs is None:
        first, second = _log_terms(r, alpha, s, beta, x, tx), _log_terms(r, alpha, s, beta, x, T)
    else:
        ux, uage, inverse = pairs
        if pair_terms is None:
            pair_terms = _log_terms(r, alpha, s, beta, ux, uage)
        terms = pair_terms[inverse]
        first, second = terms[: len(x)], terms[len(x) :]
    with np.errstate(all="ignore"):
        diff = first + np.log(-np.expm1(second - first))
    diff = np.where(tx >= T, -np.inf, diff)
    bad = ~np.isfinite(first) | ~np.isfinite(second) | (second > first + 1e-12)
    return np.where(bad & (tx < T), np.nan, diff - np.log(k))


def _log_i_quadrature(r, alpha, s, beta, x, tx, T, nodes: int = QUAD_NODES):
    """log I by quadrature, and the I-weighted means of log(α+τ), 1/(α+τ), log(β+τ), 1/(β+τ).

    With c = max(α, β), d the other and e the exponent that goes with d,
    ``I = ∫ (c+τ)^-(K+1) ((c+τ)/(d+τ))^e dτ``; after ``v = ((c+t_x)/(c+τ))^K`` the
    integrand in v is ``((c+τ)/(d+τ))^e``, bounded and smooth. log(c+τ) is linear in
    log v, so each node costs one log, two exps and a log1p.
    """
    k = r + s + x
    a_big = alpha >= beta
    c = np.where(a_big, alpha, beta)
    d = np.where(a_big, beta, alpha)
    e = np.where(a_big, s + 1.0, r + x)
    log_c_tx = np.log(c + tx)
    one_minus_vt = -np.expm1(-k * (np.log(c + T) - log_c_tx))
    u, w = gauss_legendre_01(nodes)
    log_v = np.log1p(-one_minus_vt[:, None] * (1.0 - u[None, :]))
    log_c = log_c_tx[:, None] - log_v / k[:, None]  # log(c + τ) at each node
    exp_c = np.exp(log_c)
    log_d = np.log(np.maximum(exp_c - c[:, None], 0.0) + d[:, None])
    log_h = e[:, None] * (log_c - log_d) + np.log(w)[None, :]
    top = log_h.max(axis=1, keepdims=True)
    weights = np.exp(log_h - top)
    total = weights.sum(axis=1)
    with np.errstate(divide="ignore"):
        log_i = -k * log_c_tx - np.log(k) + np.log(one_minus_vt) + top[:, 0] + np.log(total)
    weights /= total[:, None]
    mean_log_c, mean_inv_c = (weights * log_c).sum(axis=1), (weights / exp_c).sum(axis=1)
    mean_log_d = (weights * log_d).sum(axis=1)
    mean_inv_d = (weights * np.exp(-log_d)).sum(axis=1)
    means = [
        np.where(a_big, mean_log_c, mean_log_d),
        np.where(a_big, mean_inv_c, mean_inv_d),
        np.where(a_big, mean_log_d, mean_log_c),
        np.where(a_big, mean_inv_d, mean_inv_c),
    ]
    return np.where(tx >= T, -np.inf, log_i), means


def _log_i_power_quadrature(r, alpha, s, beta, x, tx, T, nodes: int = POWER_NODES):
    """log I and the gradient's four means (as :func:`_log_i_quadrature`), for rows where
    the closed form is not available.

    With c = max(α, β), d the other and e_c, e_d their exponents,
    ``I = ∫ (d+τ)^-e_d (c+τ)^-e_c dτ``. The power of d is integrated exactly: with
    q = log((d+τ)/(d+t_x)) in [0, Y] it is the density ∝ exp(-(e_d-1) q), whose inverse
    distribution function maps u in [0, 1] to q; what is left, (c+τ)^-e_c, is smooth and
    bounded, and is integrated over u by tanh-sinh nodes, which stay accurate when the
    mapping's singularity lies just past u = 1 (steep powers, long intervals). Against
    adaptive quadrature: better than 1e-9 in log I across the region it serves, where
    the c-power substitution of :func:`_log_i_quadrature` can be off by whole units.
    """
    a_big = alpha >= beta
    c = np.where(a_big, alpha, beta)
    d = np.where(a_big, beta, alpha)
    e_d = np.where(a_big, s + 1.0, r + x)
    e_c = np.where(a_big, r + x, s + 1.0)
    m = e_d - 1.0
    log_d_tx = np.log(d + tx)
    span = np.log(d + T) - log_d_tx
    m_span = m * span
    flat = np.abs(m_span) < 1e-8  # exp(-m q) ~ 1 on [0, Y]: q uniform
    safe_m = np.where(flat, 1.0, m)
    frac = -np.expm1(-np.where(flat, 0.0, m_span))  # 1 - exp(-m Y), sign of m
    u, w = tanh_sinh_01(nodes)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(
            flat[:, None],
            u[None, :] * span[:, None],
            -np.log1p(-u[None, :] * frac[:, None]) / safe_m[:, None],
        )
        q = np.clip(q, 0.0, span[:, None])  # 1 - exp(-m Y) rounds to 1 at large m Y
        log_mass = np.log(np.where(flat, span * (1.0 - m_span / 2.0), frac / safe_m))
    log_d = log_d_tx[:, None] + q  # log(d + τ) at each node
    gap = (c - d)[:, None]
    log_c = np.where(gap > 0, np.logaddexp(np.log(np.where(gap > 0, gap, 1.0)), log_d), log_d)
    log_h = -e_c[:, None] * log_c + np.log(w)[None, :]
    top = log_h.max(axis=1, keepdims=True)
    weights = np.exp(log_h - top)
    total = weights.sum(axis=1)
    log_i = -m * log_d_tx + log_mass + top[:, 0] + np.log(total)
    weights /= total[:, None]
    mean_log_c, mean_inv_c = (weights * log_c).sum(axis=1), (weights * np.exp(-log_c)).sum(axis=1)
    mean_log_d, mean_inv_d = (weights * log_d).sum(axis=1), (weights * np.exp(-log_d)).sum(axis=1)
    means = [
        np.where(a_big, mean_log_c, mean_log_d),
        np.where(a_big, mean_inv_c, mean_inv_d),
        np.where(a_big, mean_log_d, mean_log_c),
        np.where(a_big, mean_inv_d, mean_inv_c),
    ]
    return np.where(tx >= T, -np.inf, log_i), means


RHO_MAX = 0.9
"""Where J(T) / J(t_x) exceeds this (a short interval [t_x, T]), the gradient of log I as
a difference of tails would lose more than a digit: quadrature over [t_x, T] instead."""


def _log_j(r, alpha, s, beta, x, age):
    return _log_terms(r, alpha, s, beta, x, age) - np.log(r + s + x)


def _tail_log_and_gradient(r, alpha, s, beta, x, age, log_kj=None):
    """log J(age) and its gradient in (r, α, s, β), per (x, age).

    ∂J/∂α = -(r+x) J|x+1 and ∂J/∂β = -(s+1) J|s+1 (differentiating the integrand shifts
    an exponent by one: the closed form again); ∂/∂r and ∂/∂s bring log(α+τ) and
    log(β+τ) into the integrand, which have no such form, so they are central
    differences of the closed form (step 1e-5 relative; agrees with 64-node quadrature
    to ~1e-8 relative on the 1M demo histories). ``log_kj``: log(K J) when already known.
    """
    if log_kj is None:
        log_kj = _log_terms(r, alpha, s, beta, x, age)
    log_j = log_kj - np.log(r + s + x)
    grad = np.full((len(log_j), 4), np.nan)
    # Where 2F1 failed at the parameters themselves the pair's gradient is integrated by
    # quadrature anyway; the six shifted closed forms are skipped there, since scipy's
    # 2F1 is slowest exactly there (z near 1 at large s or β: ~0.4 ms a call, then NaN).
    ok = np.isfinite(log_j)
    if ok.any():
        x, age, lj = x[ok], age[ok], log_j[ok]
        with np.errstate(all="ignore"):
            d_alpha = -(r + x) * np.exp(_log_j(r, alpha, s, beta, x + 1.0, age) - lj)
            d_beta = -(s + 1.0) * np.exp(_log_j(r, alpha, s + 1.0, beta, x, age) - lj)
            hr, hs = 1e-5 * r, 1e-5 * s
            d_r = (
                _log_j(r + hr, alpha, s, beta, x, age) - _log_j(r - hr, alpha, s, beta, x, age)
            ) / (2 * hr)
            d_s = (
                _log_j(r, alpha, s + hs, beta, x, age) - _log_j(r, alpha, s - hs, beta, x, age)
            ) / (2 * hs)
        grad[ok] = np.column_stack([d_r, d_alpha, d_s, d_beta])
    return log_j, grad


def log_integral_gradient(r, alpha, s, beta, x, tx, T, pairs, pair_terms=None):
    """The I-weighted means of log(α+τ), 1/(α+τ), log(β+τ), 1/(β+τ) over [t_x, T] that
    the likelihood's gradient needs, for scalar parameters.

    I = J(t_x) - J(T), so ∂ log I = (∂ log J(t_x) - ρ ∂ log J(T)) / (1 - ρ) with
    ρ = J(T) / J(t_x): closed forms per distinct (x, age) pair (:func:`age_pairs`), a
    few 2F1 evaluations each, instead of quadrature nodes per row. Rows with ρ above
    :data:`RHO_MAX` or a failed 2F1 are integrated by quadrature. ``pair_terms``: the
    per-pair closed form of :func:`_log_terms`, when the caller has it already.
    """
    ux, uage, inverse = pairs
    log_j, grad_j = _tail_log_and_gradient(r, alpha, s, beta, ux, uage, pair_terms)
    n = len(x)
    first, second = inverse[:n], inverse[n:]
    with np.errstate(all="ignore"):
        rho = np.exp(log_j[second] - log_j[first])
        grad = (grad_j[first] - rho[:, None] * grad_j[second]) / (1.0 - rho)[:, None]
    d_r, d_alpha, d_s, d_beta = grad.T
    means = [-d_r, -d_alpha / (r + x), -d_s, -d_beta / (s + 1.0)]
    open_rows = tx < T
    failed = open_rows & ~np.isfinite(grad).all(axis=1)
    short = open_rows & ~failed & (rho > RHO_MAX)
    # a failed 2F1: the power quadrature; a short interval: the c-power one, 24 nodes
    for rows, power in ((failed, True), (short, False)):
        if rows.any():
            k = int(rows.sum())
            rk, ak, sk, bk = (np.full(k, v) for v in (r, alpha, s, beta))
            xk, txk, tk = x[rows], tx[rows], T[rows]
            if power:
                _, sub = _log_i_power_quadrature(rk, ak, sk, bk, xk, txk, tk)
            else:
                _, sub = _log_i_quadrature(rk, ak, sk, bk, xk, txk, tk, nodes=GRADIENT_NODES)
            for full, part in zip(means, sub, strict=True):
                full[rows] = part
    return [np.where(open_rows, m, 0.0) for m in means]


def pareto_log_integral(r, alpha, s, beta, x, tx, T, pairs=None, pair_terms=None):
    """log I: the closed form where scipy evaluates it, quadrature elsewhere.

    With scalar parameters the closed form is taken once per distinct (x, age) pair
    (``pairs`` from :func:`age_pairs`, computed here when not given; ``pair_terms``, the
    per-pair closed form, when the caller has it already)."""
    scalar = all(np.ndim(v) == 0 for v in (r, alpha, s, beta))
    x, tx, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, tx, T)))
    if scalar:
        pairs = pairs if pairs is not None else age_pairs(x, tx, T)
        exact = _log_i_exact(
            float(r), float(alpha), float(s), float(beta), x, tx, T, pairs, pair_terms
        )
    else:
        exact = _log_i_exact(r, alpha, s, beta, x, tx, T)
    bad = np.isnan(exact)
    if bad.any():
        r, alpha, s, beta, x, tx, T = np.broadcast_arrays(
            *(np.asarray(v, dtype=float) for v in (r, alpha, s, beta, x, tx, T))
        )
        approx, _ = _log_i_power_quadrature(*(v[bad] for v in (r, alpha, s, beta, x, tx, T)))
        exact[bad] = approx
    return exact


class ParetoNBD(ContinuousTransactionModel):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987), parameters ``r, alpha, s, beta``.

    While active a customer buys as Poisson(λ), λ ~ Gamma(r, α); her lifetime is
    exponential(μ), μ ~ Gamma(s, β). Stable for large α, β and T (see the module notes).

    Required columns: ``frequency`` (whole number), ``recency`` and ``T`` (in units of
    ``time_unit_days``); optional ``customer_id``.

    Examples
    --------
    >>> import pandas as pd
    >>> from clientlens.models import ParetoNBD
    >>> df = pd.read_csv("../shared/data/cdnow_customers_summary.csv")
    >>> m = ParetoNBD().fit(df, time_unit_days=7)
    >>> {k: round(v, 3) for k, v in m.params.items()}
    {'r': 0.553, 'alpha': 10.578, 's': 0.606, 'beta': 11.668}
    """

    name = "ParetoNBD"
    param_names = ("r", "alpha", "s", "beta")

    def _initial_params(self, data: ModelData) -> np.ndarray:
        mean_t = max(float(np.average(data.columns["T"], weights=data.weights)), 1e-3)
        return np.array([1.0, mean_t, 1.0, mean_t])

    def _row_log_likelihood(self, params, cols):
        """Note 009 eq. 18: ln L = lnΓ(r+x) - lnΓ(r) + r ln α + s ln β
        + ln[(α+T)^-(r+x) (β+T)^-s + s I]."""
        r, alpha, s, beta = params
        x, tx, T = cols["frequency"], cols["recency"], cols["T"]
        if "_age_pairs" not in cols:  # the same rows at every evaluation of a fit
            cols["_age_pairs"] = age_pairs(x, tx, T)
        pairs = cols["_age_pairs"]
        # the per-pair closed form serves both the value and the gradient
        terms = _log_terms(r, alpha, s, beta, pairs[0], pairs[1])
        log_i = pareto_log_integral(r, alpha, s, beta, x, tx, T, pairs, terms)
        means = log_integral_gradient(r, alpha, s, beta, x, tx, T, pairs, terms)
        mean_log_a, mean_inv_a, mean_log_b, mean_inv_b = means
        log_at, log_bt = np.log(alpha + T), np.log(beta + T)
        a1 = -(r + x) * log_at - s * log_bt
        a2 = np.log(s) + log_i
        top, w2 = second_term_share(a1, a2)
        w1 = 1.0 - w2
        # Γ and ψ of r + x once per distinct frequency
        ux, ix = levels(cols, "frequency")
        g1 = (special.gammaln(r + ux) - special.gammaln(r))[ix]
        dr1 = (special.digamma(r + ux) - special.digamma(r))[ix]
        ll = g1 + r * np.log(alpha) + s * np.log(beta) + top
        d_r = dr1 + np.log(alpha) - w1 * log_at - w2 * mean_log_a
        d_alpha = r / alpha - (r + x) * (w1 / (alpha + T) + w2 * mean_inv_a)
        d_s = np.log(beta) - w1 * log_bt + w2 * (1.0 / s - mean_log_b)
        d_beta = s / beta - w1 * s / (beta + T) - w2 * (s + 1.0) * mean_inv_b
        return ll, np.column_stack([d_r, d_alpha, d_s, d_beta])

    def _log_odds_dead(self, x, tx, T):
        r, alpha, s, beta = self._require_fit()
        log_i = pareto_log_integral(r, alpha, s, beta, x, tx, T)
        return np.log(s) + log_i + (r + x) * np.log(alpha + T) + s * np.log(beta + T)

    def _p_alive_kernel(self, x, tx, T):
        """Note 009: P(alive) = (α+T)^-(r+x) (β+T)^-s / [ ... + s I], as a logistic."""
        return special.expit(-self._log_odds_dead(x, tx, T))

    def _expected_alive_kernel(self, t, x, T):
        """Note 009 / SMC (1987) without the P(alive) factor: (r+x)(β+T)/((α+T)(s-1))
        [1 - ((β+T)/(β+T+t))^(s-1)]; the s = 1 limit (a logarithm) is taken where s is
        close to 1."""
        r, alpha, s, beta = self._require_fit()
        return (
            (r + x)
            / (alpha + T)
            * (beta + T)
            * one_minus_exp_over(s - 1.0, np.log1p(t / (beta + T)))
        )

    def _new_customer_kernel(self, t):
        """SMC (1987): E[X(t)] = r β / (α (s-1)) [1 - (β/(β+t))^(s-1)]."""
        r, alpha, s, beta = self._require_fit()
        return r * beta / alpha * one_minus_exp_over(s - 1.0, np.log1p(t / beta))

    def _prob_n_kernel(self, n, t, x, tx, T):
        """P(X(T, T+t) = n | x, t_x, T) (note 028 eq. 16) as the integral it comes from.

        Given alive at T, λ ~ Gamma(r+x, α+T) and μ ~ Gamma(s, β+T): either the customer
        outlives the horizon, ``NB(n; r+x, t/(α+T+t)) ((β+T)/(β+T+t))^s``, or dies at τ < t,
        ``∫ NB(n; r+x, τ/(α+T+τ)) dF(τ)``, integrated over the dropout time's CDF
        ``w = 1 - ((β+T)/(β+T+τ))^s`` by Gauss-Legendre quadrature. Dead customers add to n = 0.
        """
        r, alpha, s, beta = self._require_fit()
        k, big_a, big_b = r + x, alpha + T, beta + T
        alive = self._p_alive_kernel(x, tx, T)

        def nb(tau, k, big_a):
            tau = np.maximum(tau, 1e-300)
            return np.exp(
                log_nb_pmf(n, k, np.log(tau) - np.log(big_a + tau), -np.log1p(tau / big_a))
            )

        log_survive = -s * np.log1p(t / big_b)
        stays = nb(t, k, big_a) * np.exp(log_survive)
        w_end = -np.expm1(log_survive)
        u, wq = gauss_legendre_01(QUAD_NODES)
        w_nodes = w_end[:, None] * u[None, :]
        tau = big_b[:, None] * np.expm1(-np.log1p(-w_nodes) / s)
        dies = (nb(tau, k[:, None], big_a[:, None]) @ wq) * w_end
        pmf = np.where(t > 0, stays + dies, float(n == 0))
        return alive * pmf + (1.0 - alive) * (n == 0)
