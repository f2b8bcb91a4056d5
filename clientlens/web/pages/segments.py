"""Segments: the RFM grid and segment tables (report section ``segments``), the 8-segment
scheme beside the 11; a click on a segment's mark lists its customers. Tiers and
clusters appear when analyses publish them (none does yet)."""

from __future__ import annotations

from clientlens.web.pages.base import Page
from clientlens.web.pages.drill import segments

PAGE = Page(
    key="segments",
    api="segments",
    sections=("segments",),
    tables={"rfm_segments": None, "audience_summary": None},
    drill=segments,
)
