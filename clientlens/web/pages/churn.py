"""Churn: risk bands and revenue at risk (report section ``churn``), the churn model's
drivers when it ran, and the win-back list (high-risk customers by revenue at risk),
exportable. A click on a band's bar lists its customers."""

from __future__ import annotations

from clientlens.web.pages.base import Page
from clientlens.web.pages.drill import risk_bands

PAGE = Page(
    key="churn",
    api="churn",
    sections=("churn",),
    tables={
        "churn_risk_bands": None,
        "churn_drivers": None,
        "churn_rules": None,
        "clv_deciles": None,
    },
    drill=risk_bands,
    customer_list={"risk_band": "high", "sort": "revenue_at_risk"},
)
