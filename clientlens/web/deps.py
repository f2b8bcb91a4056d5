"""What every page and API route reads from its request: the principal, the filters,
the language, and one :class:`PageContext` around them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from clientlens.web.app import language
from clientlens.web.auth import Principal, current_principal
from clientlens.web.filters import Filters
from clientlens.web.pages.base import PageContext


def page_context(
    request: Request, principal: Annotated[Principal, Depends(current_principal)]
) -> PageContext:
    web = request.app.state.web
    filters = Filters.parse(request.query_params)
    return PageContext(
        data=web.data,
        results=web.data.results(),
        filters=filters,
        lang=language(request),
        principal=principal,
        page_size=int(web.config.web_page_size),
    )
