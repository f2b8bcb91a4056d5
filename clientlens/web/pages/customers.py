"""Customers: the profile charts (report section ``profile``) and the customer list,
filterable, sortable, paginated and exportable; each row opens the customer 360 page."""

from __future__ import annotations

from clientlens.web.pages.base import Page
from clientlens.web.pages.drill import profile_groups

PAGE = Page(
    key="customers",
    api="profile",
    sections=("profile",),
    tables={"profile_distribution": None, "profile_new_customers": None},
    drill=profile_groups,
    customer_list={},
    list_first=True,
)
