"""RFM scores and the 11- and 8-segment schemes.

Registering an analysis of this domain: its module with a module-level ``ANALYSES``
list, and one entry in :data:`ANALYSES` below.
"""

from clientlens.analytics.base import Analysis
from clientlens.analytics.segments import rfm_segments

ANALYSES: list[Analysis] = [*rfm_segments.ANALYSES]
