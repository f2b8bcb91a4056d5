"""Lifecycle: cohort retention heatmap, stages and transitions (report section
``lifecycle``); the date range cuts the monthly series of the API."""

from __future__ import annotations

from clientlens.web.pages.base import Page

PAGE = Page(
    key="lifecycle",
    api="lifecycle",
    sections=("lifecycle",),
    tables={
        "lifecycle_summary": "month",
        "lifecycle_transitions": "month",
        "cohort_retention": "cohort",
        "retention_baseline": "cohort",
    },
)
