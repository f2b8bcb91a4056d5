"""The customers each recommended action targets, by rule, and what acting should bring.

Registering an analysis of this domain: its module with a module-level ``ANALYSES``
list, and one entry in :data:`ANALYSES` below.
"""

from clientlens.analytics.audiences import audiences
from clientlens.analytics.base import Analysis

ANALYSES: list[Analysis] = [*audiences.ANALYSES]
