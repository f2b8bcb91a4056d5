"""The statistics behind every satisfaction figure: intervals, tests, matched differences.

They run in numpy on small aggregated tables (counts per metric, group and month),
after the engine has done the counting, because the normal distribution's quantiles
and tails are not Ibis operations.

* **Shares** (CSAT, review top-2-box, repurchase and churn rates): Wilson score
  interval (Wilson 1927), which stays inside 0..1 and behaves at n = 1 and p = 0 or 1,
  where the normal interval collapses to a point.
* **NPS** = 100 (p − d) with p, d the promoter and detractor shares. The multinomial
  variance of one response's value (+1, 0, −1) is ``p + d − (p − d)²``, so
  ``se = 100 sqrt((p + d − (p − d)²) / n)``; the interval is NPS ± z se, clipped to
  −100..100.
* **CES** (a mean score): mean ± z sd / sqrt(n), sd the sample standard deviation.
* **Changes**: a z-test of the difference of two independent estimates,
  ``z = (a − b) / sqrt(se_a² + se_b²)``; for shares with the pooled variance (the
  two-proportion z-test).
* **Matched difference** (:func:`stratified_difference`): the mean over cells, weighted
  by the treated count, of (treated rate − control rate) in each cell that holds both
  groups; its variance is the weighted sum of the cells' binomial variances.

>>> low, high = wilson_interval(np.array([8.0]), np.array([10.0]), 0.95)
>>> round(float(low[0]), 4), round(float(high[0]), 4)
(0.4902, 0.9433)
>>> round(float(nps_standard_error(np.array([0.5]), np.array([0.2]), np.array([100.0]))[0]), 3)
7.81
"""

from __future__ import annotations

from typing import Any

from clientlens.lazy import np, pd


def z_value(confidence: float) -> float:
    """The two-sided normal quantile of ``confidence`` (1.96 for 0.95)."""
    from scipy import stats

    return float(stats.norm.ppf(0.5 + confidence / 2))


def _safe(n: np.ndarray) -> np.ndarray:
    n = np.asarray(n, dtype="float64")
    return np.where(n > 0, n, np.nan)


def wilson_interval(
    successes: np.ndarray, n: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of ``successes / n``; NaN where n is 0."""
    z = z_value(confidence)
    n = _safe(n)
    p = np.asarray(successes, dtype="float64") / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def share_standard_error(p: np.ndarray, n: np.ndarray) -> np.ndarray:
    return np.sqrt(np.asarray(p, dtype="float64") * (1 - np.asarray(p)) / _safe(n))


def nps_standard_error(promoters: np.ndarray, detractors: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Standard error of NPS in points from promoter and detractor shares (0..1) and n."""
    p = np.asarray(promoters, dtype="float64")
    d = np.asarray(detractors, dtype="float64")
    var = np.maximum(p + d - (p - d) ** 2, 0.0)
    return 100 * np.sqrt(var / _safe(n))


def mean_standard_error(total: np.ndarray, squares: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Standard error of a mean from the sum and the sum of squares of n values (n ≥ 2)."""
    n = np.asarray(n, dtype="float64")
    many = np.where(n >= 2, n, np.nan)
    mean = np.asarray(total, dtype="float64") / many
    var = np.maximum((np.asarray(squares, dtype="float64") - many * mean**2) / (many - 1), 0.0)
    return np.sqrt(var / many)


def two_sided_p(z: np.ndarray) -> np.ndarray:
    from scipy import stats

    return np.asarray(2 * stats.norm.sf(np.abs(np.asarray(z, dtype="float64"))))


def difference_p_value(diff: np.ndarray, se_a: np.ndarray, se_b: np.ndarray) -> np.ndarray:
    """p of the z-test of a difference of two independent estimates; NaN when unknown.

    A zero standard error on both sides (every answer the same) gives p = 1 for no
    difference and p = 0 for any difference.
    """
    se = np.hypot(np.asarray(se_a, dtype="float64"), np.asarray(se_b, dtype="float64"))
    diff = np.asarray(diff, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = two_sided_p(diff / se)
    exact = se == 0
    return np.where(exact, np.where(diff == 0, 1.0, 0.0), p)


def proportion_p_value(
    x1: np.ndarray, n1: np.ndarray, x0: np.ndarray, n0: np.ndarray
) -> np.ndarray:
    """Pooled two-proportion z-test of x1/n1 against x0/n0; NaN when either n is 0."""
    n1, n0 = _safe(n1), _safe(n0)
    x1 = np.asarray(x1, dtype="float64")
    x0 = np.asarray(x0, dtype="float64")
    pooled = (x1 + x0) / (n1 + n0)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    return difference_p_value(x1 / n1 - x0 / n0, se, np.zeros_like(se))


def stratified_difference(
    treated_n: Any,
    treated_events: Any,
    control_n: Any,
    control_events: Any,
    confidence: float,
) -> dict[str, float]:
    """Matched (exact-cell) difference of rates, treated − control, with its interval.

    Each position is one cell (an RFM cell). Cells lacking either group are left out
    (``cells`` counts the cells used, ``matched_treated`` their treated units). Returns
    ``difference``, ``ci_low``, ``ci_high``, ``p_value``, ``treated_rate`` and
    ``control_rate`` (the control rate reweighted to the treated cells' mix); NaN
    values when no cell holds both groups.
    """
    tn = np.asarray(treated_n, dtype="float64")
    te = np.asarray(treated_events, dtype="float64")
    cn = np.asarray(control_n, dtype="float64")
    ce = np.asarray(control_events, dtype="float64")
    use = (tn > 0) & (cn > 0)
    nan = float("nan")
    if not use.any():
        return {
            "difference": nan,
            "ci_low": nan,
            "ci_high": nan,
            "p_value": nan,
            "treated_rate": nan,
            "control_rate": nan,
            "cells": 0.0,
            "matched_treated": 0.0,
        }
    tn, te, cn, ce = tn[use], te[use], cn[use], ce[use]
    w = tn / tn.sum()
    pt, pc = te / tn, ce / cn
    diff = float(np.sum(w * (pt - pc)))
    var = float(np.sum(w**2 * (pt * (1 - pt) / tn + pc * (1 - pc) / cn)))
    half = z_value(confidence) * np.sqrt(var)
    p = float(difference_p_value(np.array([diff]), np.array([np.sqrt(var)]), np.zeros(1))[0])
    return {
        "difference": diff,
        "ci_low": diff - half,
        "ci_high": diff + half,
        "p_value": p,
        "treated_rate": float(np.sum(w * pt)),
        "control_rate": float(np.sum(w * pc)),
        "cells": float(use.sum()),
        "matched_treated": float(tn.sum()),
    }


def significance(p: Any, testable: Any, alpha: float) -> Any:
    """A nullable boolean array: p below ``alpha`` where ``testable``, null elsewhere."""
    values = [bool(v < alpha) if ok else None for v, ok in zip(p, testable, strict=True)]
    return pd.array(values, dtype="boolean")


def no_test(n: int) -> Any:
    """A nullable boolean array of ``n`` nulls (rows that are never tested)."""
    return pd.array([None] * n, dtype="boolean")
