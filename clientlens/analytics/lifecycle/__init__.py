"""Cohorts, lifecycle stages and their transitions.

Registering an analysis of this domain: its module with a module-level ``ANALYSES``
list, and one entry in :data:`ANALYSES` below.
"""

from clientlens.analytics.base import Analysis
from clientlens.analytics.lifecycle import cohorts, lifecycle, retention_baseline

ANALYSES: list[Analysis] = [
    *cohorts.ANALYSES,
    *retention_baseline.ANALYSES,
    *lifecycle.ANALYSES,
]
