"""Who is likely to stop buying, and what that puts at risk.

``churn_risk`` and ``churn_risk_bands`` read the probability alive of the chosen BTYD
purchase model; the trained churn model (``churn_validation``, ``churn_scores``,
``churn_drivers``, ``churn_rules``) is validated out of time, calibrated, and gives each
customer three reasons and an action.

Registering an analysis of this domain: its module with a module-level ``ANALYSES``
list, and one entry in :data:`ANALYSES` below.
"""

from clientlens.analytics.base import Analysis
from clientlens.analytics.churn import churn_risk, churn_score_bands, churn_tables, winback

ANALYSES: list[Analysis] = [
    *churn_risk.ANALYSES,
    *churn_tables.ANALYSES,
    *churn_score_bands.ANALYSES,
    *winback.ANALYSES,
]
