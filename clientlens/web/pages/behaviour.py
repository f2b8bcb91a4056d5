"""Behaviour: purchase timing, intervals, order counts and category mix (report section
``purchase``). Paths and funnels join when web-events analyses publish them."""

from __future__ import annotations

from clientlens.web.pages.base import Page

PAGE = Page(
    key="behaviour",
    api="behaviour",
    sections=("purchase",),
    tables={
        "purchase_trend": "month",
        "purchase_heatmap": None,
        "purchase_intervals": None,
        "purchase_order_counts": None,
        "repeat_purchase": None,
        "category_mix": None,
    },
)
