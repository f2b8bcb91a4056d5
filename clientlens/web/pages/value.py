"""Value: Pareto curve, CLV distribution and contribution (report section ``value``)."""

from __future__ import annotations

from clientlens.web.pages.base import Page
from clientlens.web.pages.drill import segments

PAGE = Page(
    key="value",
    api="value",
    sections=("value",),
    tables={
        "value_summary": None,
        "value_concentration": None,
        "clv_deciles": None,
        "clv_segment_summary": None,
    },
    drill=segments,
)
