"""Who the customers are: the per-customer purchase summary and the customer profile.

Registering an analysis of this domain: its module with a module-level ``ANALYSES``
list, and one entry in :data:`ANALYSES` below.
"""

from clientlens.analytics.base import Analysis
from clientlens.analytics.customers import customer_base, profile, profile_index, summary

ANALYSES: list[Analysis] = [
    *summary.ANALYSES,
    *customer_base.ANALYSES,
    *profile.ANALYSES,
    *profile_index.ANALYSES,
]
