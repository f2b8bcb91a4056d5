"""What every page and API route reads from its request: the principal, the filters,
the language, and one :class:`PageContext` around them.

The context holds no results view: FastAPI may run a sync dependency and its route in
two different worker threads, and a DuckDB connection must stay on the thread that
opened it, so ``ctx.results`` asks for the calling thread's own view each time."""

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
        filters=filters,
        lang=language(request),
        principal=principal,
        page_size=max(1, min(1000, int(web.config.web_page_size))),
        builds=web.subsets,
    )
