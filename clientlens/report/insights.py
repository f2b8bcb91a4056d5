"""Facts, the rules that decide whether a change is worth saying, and findings ranked by impact.

A :class:`Fact` is one number read from one result table (it remembers the table,
column and row it came from, so a test can check the report against the data). A
:class:`Finding` is a sentence-to-be: a locale template key, the facts it quotes and the
business impact (in currency) used to rank findings for the executive summary.

Whether a change may be called a rise or a fall (:func:`assess_change`):

* **material** — rates (shares of customers) must move by at least
  ``report_min_rate_change_pp`` percentage points; levels (revenue, counts, means) by at
  least ``report_min_relative_change`` of the earlier value; scores (NPS, −100..100) by
  at least ``report_min_score_change`` points;
* **not noise** — when the sample sizes are known: a two-proportion z-test for rates, a
  z-test on the NPS difference with the NPS standard error
  ``sqrt((p + d − (p − d)²) / n)`` (p, d promoter and detractor shares), and for counts
  (new customers, orders) the Poisson test ``z = (x₁ − x₀) / sqrt(x₁ + x₀)``; the change
  must be significant at ``report_significance``. Amounts carry no sample variance in
  the result tables, so revenue and AOV changes are judged by materiality alone.

A change that fails either test is reported as "stable" or not at all, never as a rise
or a fall.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scipy import stats

DEFAULT_RULES = {
    "report_min_relative_change": 0.05,
    "report_min_rate_change_pp": 0.01,
    "report_min_score_change": 3.0,
    "report_significance": 0.05,
}


@dataclass(frozen=True)
class Source:
    """Where a fact's number lives: ``table``, ``column`` and the row (column → value)."""

    table: str
    column: str
    where: Mapping[str, Any] = field(default_factory=dict)
    agg: str = ""
    """Empty for a single cell; ``sum``/``count``/``mean`` when the fact aggregates rows."""


@dataclass(frozen=True)
class Fact:
    """One number from a result table, with what it is compared to.

    ``kind`` is ``money``, ``count``, ``rate``, ``score``, ``days`` or ``number``; ``n`` and
    ``n_previous`` are the sample sizes behind a rate or score (for significance).
    """

    key: str
    value: float
    kind: str
    source: Source
    previous: float | None = None
    last_year: float | None = None
    n: float | None = None
    n_previous: float | None = None
    n_last_year: float | None = None
    extra: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """How a value moved against a base, and whether the move may be stated."""

    direction: str  # "up", "down" or "flat"
    absolute: float
    relative: float | None
    material: bool
    significant: bool
    p_value: float | None

    @property
    def stated(self) -> bool:
        """Only a material, non-noise change is called a rise or a fall."""
        return self.direction != "flat"


def _p_two_sided(z: float) -> float:
    return float(2 * stats.norm.sf(abs(z)))


def proportion_p_value(p1: float, n1: float, p0: float, n0: float) -> float | None:
    """Two-proportion z-test (pooled) of p1 on n1 against p0 on n0."""
    if not n1 or not n0 or n1 <= 0 or n0 <= 0:
        return None
    pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n0)
    if var <= 0:
        return 1.0 if p1 == p0 else 0.0
    return _p_two_sided((p1 - p0) / math.sqrt(var))


def nps_standard_error(promoters: float, detractors: float, n: float) -> float:
    """Standard error of NPS in points, from promoter and detractor shares (0..1) and n."""
    var = promoters + detractors - (promoters - detractors) ** 2
    return 100 * math.sqrt(max(var, 0.0) / n) if n > 0 else math.inf


def count_p_value(x1: float, x0: float) -> float | None:
    """Poisson test of two counts: z = (x1 − x0) / sqrt(x1 + x0)."""
    if x1 + x0 <= 0:
        return None
    return _p_two_sided((x1 - x0) / math.sqrt(x1 + x0))


def assess_change(
    fact: Fact, base: str = "previous", rules: Mapping[str, Any] | None = None
) -> Change | None:
    """Compare ``fact.value`` with ``fact.previous`` (or ``last_year``); None if no base."""
    r = {**DEFAULT_RULES, **(rules or {})}
    then = fact.previous if base == "previous" else fact.last_year
    n_then = fact.n_previous if base == "previous" else fact.n_last_year
    if then is None or (isinstance(then, float) and math.isnan(then)):
        return None
    now = fact.value
    delta = now - then
    relative = delta / abs(then) if then else None
    p_value: float | None = None
    if fact.kind == "rate":
        material = abs(delta) >= float(r["report_min_rate_change_pp"])
        if fact.n and n_then:
            p_value = proportion_p_value(now, fact.n, then, n_then)
    elif fact.kind == "score":
        material = abs(delta) >= float(r["report_min_score_change"])
        if fact.n and n_then and "promoters" in fact.extra and "promoters_previous" in fact.extra:
            se_now = nps_standard_error(
                fact.extra["promoters"], fact.extra["detractors"], float(fact.n)
            )
            se_then = nps_standard_error(
                fact.extra["promoters_previous"], fact.extra["detractors_previous"], float(n_then)
            )
            p_value = _p_two_sided(delta / math.hypot(se_now, se_then))
    else:
        material = relative is not None and abs(relative) >= float(r["report_min_relative_change"])
        if fact.kind == "count":
            p_value = count_p_value(now, then)
    significant = p_value is None or p_value < float(r["report_significance"])
    direction = "flat"
    if material and significant and delta != 0:
        direction = "up" if delta > 0 else "down"
    return Change(direction, delta, relative, material, significant, p_value)


@dataclass
class Finding:
    """A statement to make: template ``key``, the facts it quotes, its impact for ranking.

    ``params`` holds the template's values as ``(value, kind)`` pairs or plain strings;
    ``tone`` is ``good``, ``bad`` or ``neutral`` (colours the summary); ``impact`` is the
    money the finding is about (revenue change, revenue at risk, value of a segment), so
    findings from different sections compare on one scale.
    """

    key: str
    section: str
    facts: list[Fact]
    params: dict[str, Any]
    impact: float
    tone: str = "neutral"
    headline: bool = True
    """Whether the finding may go into the executive summary."""
    pinned: bool = False
    """Always first in the executive summary (the month's revenue)."""
    compared: bool | None = None
    """Whether it states a change over a period or a gap to a target; None: whenever
    one of its facts has a value to compare with (``previous`` or ``last_year``)."""

    @property
    def is_change(self) -> bool:
        """Only changes and gaps to targets go into the executive summary: a standing
        figure (a segment's share, the revenue at risk) is structure, which the sections
        describe."""
        if self.compared is not None:
            return self.compared
        return any(f.previous is not None or f.last_year is not None for f in self.facts)


def rank(findings: list[Finding], limit: int = 8) -> list[Finding]:
    """The executive summary: headline findings that state a change or a gap to a target
    (:attr:`Finding.is_change`), largest impact first (ties by key)."""
    eligible = [f for f in findings if (f.headline or f.pinned) and f.is_change]
    eligible.sort(key=lambda f: (not f.pinned, -abs(f.impact), f.key))
    return eligible[:limit]


def change_word(change: Change | None) -> str:
    """Template suffix: ``up``, ``down``, ``flat`` (immaterial), ``noise`` (material but not
    significant) or ``none`` (nothing to compare with)."""
    if change is None:
        return "none"
    if change.direction == "flat" and change.material and not change.significant:
        return "noise"
    return change.direction
