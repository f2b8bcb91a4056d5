"""The contract of a dashboard page: which report sections it shows, which result tables
its API serves, and how its chart marks lead to customers.

A page is a small unit (one module in this package, one line in ``PAGES``):

* ``sections``: report sections (:mod:`clientlens.report.sections`) whose findings,
  charts and tables the page shows, built on the thread's results view: the same
  Vega-Lite specs and sentences as the report, never a second copy of that logic;
* ``tables``: result tables its JSON API (``/api/v1/<api>``) serves, each with the date
  column the date range filters on (None: not a time series), paginated;
* ``drill``: for each result code a chart shows by name (segment, risk band …), the
  customer-list filter a click on its mark applies.

A section built once for a run, language and report month is kept (results of a run
never change), so pages answer in milliseconds at any size.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from clientlens.web.filters import Filters


@dataclass(frozen=True)
class Page:
    key: str
    """URL path and text key: ``/<key>``, ``web.page.<key>``."""
    api: str
    """``/api/v1/<api>``."""
    sections: tuple[str, ...] = ()
    tables: Mapping[str, str | None] = field(default_factory=dict)
    drill: Callable[[Any], dict[str, dict[str, str]]] | None = None
    """``drill(ctx)`` → {text on a mark: {filter parameter: code}}."""
    customer_list: Mapping[str, str] | None = None
    """Shows the customer list with these fixed filters (win-back: risk_band=high)."""
    list_first: bool = False
    """The customer list above the sections (Customers), not below them (Churn)."""
    extra: Callable[[Any], dict[str, Any]] | None = None
    """More data for the page and API (``extra(ctx)``), from declared result columns."""
    needs_any: tuple[str, ...] = ()
    """The page exists when one of these results does (Satisfaction: feedback results)."""


@dataclass
class PageContext:
    """What a page reads for one request.

    With a segment, region or channel filter the page reads that subset's run
    (:mod:`clientlens.web.subsets`): ``results``, ``has``, ``workspace`` and ``run_key``
    answer for it once it is published; until then :attr:`pending` is true, and
    :meth:`build` says how far its background build has come.
    """

    data: Any
    filters: Filters
    lang: str
    principal: Any
    page_size: int
    builds: Any = None
    """The workspace's :class:`~clientlens.web.subsets.SubsetBuilds` (None: never build)."""
    _ready: bool | None = field(default=None, init=False, repr=False)

    @property
    def subset_key(self) -> str | None:
        """The namespace of the filters' subset of the latest run; None without one."""
        subset = self.filters.subset
        return None if subset is None else self.data.subset_key(subset)

    def _subset_view(self) -> Any | None:
        key = self.subset_key
        if key is None:
            return None
        view = self.data.subset_view(key)
        if self._ready is None:  # decided once: every read of one request sees one run
            self._ready = view is not None
        return view if self._ready else None

    @property
    def pending(self) -> bool:
        """True when the filters name a subset whose run is not published yet."""
        return self.subset_key is not None and self._subset_view() is None

    def build(self) -> Any | None:
        """The background build of the pending subset (started here when it is not)."""
        if not self.pending or self.builds is None:
            return None
        return self.builds.request(self.filters.subset, self.subset_key)

    @property
    def workspace(self) -> Any:
        """The thread's workspace view whose ``results`` the page reads (a report context
        is built on it)."""
        view = self._subset_view()
        return view if view is not None else self.data._view().ws

    @property
    def results(self) -> Any:
        """The calling thread's view of the run the page reads: the subset's when the
        filters name one and it is published, else the latest (:mod:`clientlens.web.deps`)."""
        view = self._subset_view()
        return view.results if view is not None else self.data.results()

    def has(self, name: str) -> bool:
        """The page's run holds result ``name``."""
        return bool(self.data.has(name, self.results))

    def run_key(self) -> tuple[Any, ...]:
        """The start of every kept answer's key: workspace, latest run, subset run."""
        view = self._subset_view()
        return (*self.data.run_key(), view.results.run_id if view is not None else None)

    @property
    def observation_end(self) -> Any:
        return self.data.observation_end()

    @property
    def masked(self) -> bool:
        return bool(self.principal.masked)


_cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_cache_lock = threading.Lock()
CACHE_LIMIT = 256


def cached(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """``build()`` once per key, the least recently used of :data:`CACHE_LIMIT` entries
    dropped first. Every key holds the run id: a published run never changes, so an
    answer for it stays right until the next run is read."""
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = build()
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > CACHE_LIMIT:
            _cache.popitem(last=False)
    return value
