"""Satisfaction and complaints: NPS, CSAT, CES and review scores with intervals and tests,
complaint volume and SLA, and how satisfaction relates to later buying and churn.

Feedback text (sentiment and themes) is the ``feedback`` domain's.

Registering an analysis of this domain: its module, its declaration in
:mod:`.tables`, and one entry there in ``ANALYSES``.
"""

from clientlens.analytics.base import Analysis
from clientlens.analytics.satisfaction import tables

ANALYSES: list[Analysis] = [*tables.ANALYSES]
