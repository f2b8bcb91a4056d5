"""The dashboard's global filters: date range, segment, region, channel (and, for the
customer list, risk band, sort and page).

The date range narrows time series. Segment, region and channel name a subset of
customers: customer lists are filtered in the engine, and the aggregate pages read the
subset's own run (:mod:`clientlens.web.subsets`).

Every filter is parsed and checked here, then applied as an Ibis expression, so its value
reaches the engine as a literal of a typed expression, never as SQL text: nothing a
request sends is spliced into a query. A bad value is a 400 that names the parameter and
the value, never a traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from clientlens.errors import ClientLensError
from clientlens.subsets import segment_codes

if TYPE_CHECKING:
    from clientlens.subsets import Subset

MAX_TEXT = 100
SORTS = (
    "revenue",
    "orders",
    "recency_days",
    "clv_12m",
    "p_alive",
    "revenue_at_risk",
    "churn_probability",
    "customer_id",
)
RISK_BANDS = ("high", "medium", "low")


class FilterError(ClientLensError, ValueError):
    """A query parameter the dashboard cannot use: answered with 400."""

    def __init__(self, parameter: str, value: str, why: str):
        super().__init__(f"Query parameter {parameter}={value!r}: {why}")
        self.parameter = parameter
        self.value = value


def _date(name: str, raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise FilterError(name, raw, "write the date as YYYY-MM-DD, e.g. 2024-06-30.") from None


def _text(name: str, raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    if len(raw) > MAX_TEXT or any(ord(c) < 32 for c in raw):
        raise FilterError(name, raw[:40], f"at most {MAX_TEXT} printable characters.")
    return raw.strip()


def _int(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise FilterError(name, raw, f"a whole number from {low} to {high}.")
    return int(raw)


@dataclass(frozen=True)
class Filters:
    start: dt.date | None = None
    end: dt.date | None = None
    segment: str | None = None
    region: str | None = None
    channel: str | None = None
    risk_band: str | None = None
    sort: str = "revenue"
    descending: bool = True
    page: int = 1

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> Filters:
        start, end = _date("start", query.get("start")), _date("end", query.get("end"))
        if start and end and start > end:
            raise FilterError("start", str(start), f"after end={end}.")
        segment = _text("segment", query.get("segment"))
        if segment is not None and segment not in segment_codes():
            raise FilterError("segment", segment, "not a segment code (see /api/v1/segments).")
        band = _text("risk_band", query.get("risk_band"))
        if band is not None and band not in RISK_BANDS:
            raise FilterError("risk_band", band, f"one of {', '.join(RISK_BANDS)}.")
        sort = query.get("sort") or "revenue"
        if sort not in SORTS:
            raise FilterError("sort", sort, f"one of {', '.join(SORTS)}.")
        order = query.get("order") or "desc"
        if order not in {"asc", "desc"}:
            raise FilterError("order", order, "asc or desc.")
        return cls(
            start=start,
            end=end,
            segment=segment,
            region=_text("region", query.get("region")),
            channel=_text("channel", query.get("channel")),
            risk_band=band,
            sort=sort,
            descending=order == "desc",
            page=_int("page", query.get("page"), 1, 1, 10_000_000),
        )

    @property
    def subset(self) -> Subset | None:
        """The subset of customers the segment, region and channel filters name
        (:class:`clientlens.subsets.Subset`), whose own run the aggregate pages read;
        None without them."""
        if not (self.segment or self.region or self.channel):
            return None
        from clientlens.subsets import Subset

        return Subset(segment=self.segment, region=self.region, channel=self.channel)

    @property
    def customer_filters(self) -> bool:
        """Filters that narrow a list of customers (the date range narrows time series)."""
        return any((self.segment, self.region, self.channel, self.risk_band))

    def query(self, **changes: Any) -> str:
        """These filters as a query string (for links), with ``changes`` applied."""
        values = {k: v for k, v in asdict(self).items()}
        values["order"] = "desc" if values.pop("descending") else "asc"
        values.update(changes)
        defaults = {"sort": "revenue", "order": "desc", "page": 1}
        shown = {
            k: str(v) for k, v in values.items() if v not in (None, "") and defaults.get(k) != v
        }
        return urlencode(shown)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("start", "end"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


def in_range(table: Any, column: str, filters: Filters) -> Any:
    """Rows of a time series whose ``column`` falls in the date range."""
    if filters.start is not None:
        table = table.filter(table[column] >= filters.start)
    if filters.end is not None:
        table = table.filter(table[column] <= filters.end)
    return table
