"""Monthly and weekly KPIs with 环比 / 同比, and acquisition cost by channel.

Registering an analysis of this domain: its module with a module-level ``ANALYSES``
list, and one entry in :data:`ANALYSES` below.
"""

from clientlens.analytics.base import Analysis
from clientlens.analytics.kpis import bridge, kpi_cac, kpis, targets

ANALYSES: list[Analysis] = [
    *kpis.ANALYSES,
    *targets.ANALYSES,
    *bridge.ANALYSES,
    *kpi_cac.ANALYSES,
]
