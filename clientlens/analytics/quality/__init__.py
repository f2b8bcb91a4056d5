"""What the analysis saw: rows per table, the order span, and what was left out or rejected.

Registering an analysis of this domain: its module with a module-level ``ANALYSES``
list, and one entry in :data:`ANALYSES` below.
"""

from clientlens.analytics.base import Analysis
from clientlens.analytics.quality import coverage

ANALYSES: list[Analysis] = [*coverage.ANALYSES]
