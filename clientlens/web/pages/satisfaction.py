"""Satisfaction: NPS / CSAT trends, themes and complaints (report section
``satisfaction``), shown when the workspace's results hold them."""

from __future__ import annotations

from clientlens.web.pages.base import Page

PAGE = Page(
    key="satisfaction",
    api="satisfaction",
    sections=("satisfaction",),
    tables={"kpis": "period"},
    needs_any=("satisfaction_summary", "feedback_themes", "nps_trend", "kpis"),
)
