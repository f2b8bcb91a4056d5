"""The dashboard's pages, in menu order. Adding one: its module here, one line below."""

from __future__ import annotations

from clientlens.web.pages import (
    behaviour,
    churn,
    customers,
    data_page,
    lifecycle,
    overview,
    satisfaction,
    segments,
    value,
)
from clientlens.web.pages.base import Page

PAGES: tuple[Page, ...] = (
    overview.PAGE,
    customers.PAGE,
    segments.PAGE,
    value.PAGE,
    lifecycle.PAGE,
    behaviour.PAGE,
    churn.PAGE,
    satisfaction.PAGE,
    data_page.PAGE,
)
