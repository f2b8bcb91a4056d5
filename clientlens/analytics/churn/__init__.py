"""Who is likely to stop buying, and what that puts at risk.

Today's churn risk reads the probability alive of the chosen BTYD purchase model
(``churn_risk``, ``churn_risk_bands``); a trained churn model will score customers in a
result of its own beside them.

Registering an analysis of this domain: its module with a module-level ``ANALYSES``
list, and one entry in :data:`ANALYSES` below.
"""

from clientlens.analytics.base import Analysis
from clientlens.analytics.churn import churn_risk

ANALYSES: list[Analysis] = [*churn_risk.ANALYSES]
