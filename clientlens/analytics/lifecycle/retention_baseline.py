"""Second-month retention of each monthly cohort against the cohorts before it
(``retention_baseline``).

For every monthly cohort whose second month (period 1) is complete: its retention in
that month, and the pooled rate of the up to :data:`BASELINE_COHORTS` cohorts before it,
Σ active customers / Σ cohort sizes — the baseline the report tests a cohort against
with a two-proportion z-test on the sizes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, as_int64, as_table
from clientlens.lazy import ibis, ir

BASELINE_COHORTS = 6


def retention_baseline(cohort_retention: Any, *, cohorts: int = BASELINE_COHORTS) -> ir.Table:
    """Period-1 retention per monthly cohort with the pooled rate of the cohorts before it.

    Parameters
    ----------
    cohort_retention
        The ``cohort_retention`` result.
    cohorts
        How many earlier cohorts the baseline pools.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"grain": "month", "period_index": 1, "period_complete": True,
    ...     "cohort": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
    ...     "cohort_size": [10, 30, 20], "active_customers": [1, 6, 8],
    ...     "retention_rate": [0.1, 0.2, 0.4]})
    >>> r = retention_baseline(c).order_by("cohort").to_pandas()
    >>> r[["baseline_cohorts", "baseline_rate"]].values.tolist()[2]
    [2.0, 0.175]
    """
    t = as_table(cohort_retention)
    m1 = t.filter((t.grain == "month") & (t.period_index == 1) & t.period_complete)
    before = ibis.window(order_by=m1.cohort, rows=(-cohorts, -1))
    m1 = m1.mutate(
        baseline_cohorts=m1.count().over(before).cast("int64"),
        baseline_size=m1.cohort_size.sum().over(before).fill_null(0).cast("int64"),
        baseline_active=m1.active_customers.sum().over(before).fill_null(0).cast("int64"),
    )
    return m1.select(
        cohort=m1.cohort.cast("date"),
        cohort_size=m1.cohort_size.cast("int64"),
        active_customers=m1.active_customers.cast("int64"),
        retention_rate=m1.retention_rate.cast("float64"),
        baseline_cohorts=m1.baseline_cohorts,
        baseline_size=m1.baseline_size,
        baseline_active=m1.baseline_active,
        baseline_rate=ibis.ifelse(
            m1.baseline_size > 0,
            m1.baseline_active.cast("float64") / m1.baseline_size.cast("float64"),
            ibis.null("float64"),
        ),
        baseline_window=as_int64(ibis.literal(cohorts, "int64")),
    )


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return retention_baseline(inputs["cohort_retention"])


ANALYSES = [
    Analysis(
        name="retention_baseline",
        requires=("cohort_retention",),
        build=_build,
        description="Second-month retention of every monthly cohort whose second month is "
        f"complete, against the pooled rate of the {BASELINE_COHORTS} cohorts before it.",
        columns={
            "cohort": Column("date", "First day of the cohort's month.", "获客批次（月）"),
            "cohort_size": Column("int64", "Customers in the cohort.", "批次客户数", "count"),
            "active_customers": Column(
                "int64",
                "Of them, customers who bought in their second month.",
                "次月活跃客户数",
                "count",
            ),
            "retention_rate": Column(
                "float64", "active_customers / cohort_size.", "次月留存率", "share"
            ),
            "baseline_cohorts": Column(
                "int64",
                f"Earlier cohorts pooled into the baseline (up to {BASELINE_COHORTS}; 0 for "
                "the first cohort).",
                "基准所含批次数",
                "count",
            ),
            "baseline_size": Column(
                "int64", "Customers of those cohorts.", "基准批次客户数", "count"
            ),
            "baseline_active": Column(
                "int64",
                "Of them, customers who bought in their second month.",
                "基准次月活跃客户数",
                "count",
            ),
            "baseline_rate": Column(
                "float64",
                "baseline_active / baseline_size: the pooled second-month retention (empty "
                "without earlier cohorts).",
                "基准次月留存率",
                "share",
            ),
            "baseline_window": Column(
                "int64", "Most earlier cohorts the baseline pools.", "基准最多批次数", "count"
            ),
        },
    )
]
