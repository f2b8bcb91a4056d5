"""How customers buy: timing, repeat purchase, trends and category mix.

Registering an analysis of this domain: its module with a module-level ``ANALYSES``
list, and one entry in :data:`ANALYSES` below.
"""

from clientlens.analytics.base import Analysis
from clientlens.analytics.purchase import behaviour, category_mix, order_buckets, trends

ANALYSES: list[Analysis] = [
    *behaviour.ANALYSES,
    *order_buckets.ANALYSES,
    *trends.ANALYSES,
    *category_mix.ANALYSES,
]
