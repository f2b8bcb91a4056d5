"""What customers are worth: contribution, ABC classes, value segments and predicted CLV.

Registering an analysis of this domain: its module with a module-level ``ANALYSES``
list, and one entry in :data:`ANALYSES` below.
"""

from clientlens.analytics.base import Analysis
from clientlens.analytics.value import clv, clv_distribution, value

ANALYSES: list[Analysis] = [*clv.ANALYSES, *clv_distribution.ANALYSES, *value.ANALYSES]
