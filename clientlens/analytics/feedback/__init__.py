"""Feedback text: each comment's language, sentiment and themes, and each theme's volume,
sentiment, trend and quotes.

Registering an analysis of this domain: its module with a module-level ``ANALYSES``
list, and one entry in :data:`ANALYSES` below. The text work itself (language, the
sentiment models, theme matching and topics) is in :mod:`clientlens.nlp`; these modules
read the ``feedback`` table and shape its results.
"""

from clientlens.analytics.base import Analysis
from clientlens.analytics.feedback import scored, theme_months, themes

ANALYSES: list[Analysis] = [*scored.ANALYSES, *themes.ANALYSES, *theme_months.ANALYSES]
