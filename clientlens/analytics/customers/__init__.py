"""Who the customers are: the per-customer purchase summary and the customer profile.

Registering an analysis of this domain: its module with a module-level ``ANALYSES``
list, and one entry in :data:`ANALYSES` below.
"""

from clientlens.analytics.base import Analysis
from clientlens.analytics.customers import profile, summary

ANALYSES: list[Analysis] = [*summary.ANALYSES, *profile.ANALYSES]
