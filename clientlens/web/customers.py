"""The customer list and the customer 360 view: per-customer result rows looked up by
key (no aggregation), with the snapshot's profile columns beside them.

The list joins, by ``customer_id``, ``rfm_scores`` (segment, recency, orders, revenue)
with ``clv``, ``churn_risk`` (or ``churn_scores`` when the churn model ran) and the
profile snapshot, each when present; filters and sorting run in the engine and one page
of rows comes back.
"""

from __future__ import annotations

from typing import Any

from clientlens.errors import TableNotFoundError
from clientlens.ingest.export import mask_pii
from clientlens.lazy import ibis
from clientlens.web.data import WebData
from clientlens.web.filters import Filters
from clientlens.web.pages.base import cached

PROFILE = ("name", "phone", "email", "province", "city", "acquisition_channel")
LIST_COLUMNS = (
    "customer_id",
    *PROFILE,
    "segment",
    "segment8",
    "recency_days",
    "orders",
    "revenue",
    "clv_12m",
    "p_alive",
    "churn_probability",
    "risk_band",
    "revenue_at_risk",
)


FILTER_VALUES = 500


def filter_values(data: WebData) -> dict[str, list[str]]:
    """The regions (provinces and cities) and acquisition channels customers have, most
    common first, for the filter form to offer (kept per run; empty without a snapshot)."""
    results = data.results()
    if not results.exists:
        return {"region": [], "channel": []}
    return dict(cached((data.run_key(), "filter_values"), lambda: _filter_values(data)))


def _filter_values(data: WebData) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"region": [], "channel": []}
    table = data.snapshot_table("customers")
    if table is None:
        return out
    for key, columns in (("region", ("province", "city")), ("channel", ("acquisition_channel",))):
        for column in (c for c in columns if c in table.columns):
            t = table.filter(table[column].notnull())
            counts = t.group_by(value=t[column]).aggregate(n=t.count())
            top = counts.order_by([ibis.desc("n"), "value"]).limit(FILTER_VALUES).to_pandas()
            out[key] += [str(v) for v in top["value"] if str(v) not in out[key]]
    return out


def profiles(data: WebData, masked: bool) -> Any | None:
    table = data.snapshot_table("customers")
    if table is None:
        return None
    return mask_pii(table, "customers") if masked else table


def _churn(data: WebData) -> Any | None:
    results = data.results()
    if data.has("churn_scores"):
        t = results.table("churn_scores")
        return t.select("customer_id", "churn_probability", "risk_band", "revenue_at_risk")
    if data.has("churn_risk"):
        t = results.table("churn_risk")
        return t.select(
            "customer_id",
            churn_probability=1 - t.p_alive,
            risk_band=t.risk_band,
            revenue_at_risk=t.revenue_at_risk,
        )
    return None


def _attach(table: Any, other: Any) -> Any:
    """``table`` with ``other``'s columns beside it, matched by customer_id (left join)."""
    extra = [other[c] for c in other.columns if c != "customer_id"]
    return table.left_join(other, table.customer_id == other.customer_id).select(table, *extra)


def customer_table(data: WebData, filters: Filters, *, masked: bool) -> Any:
    """Every customer the filters keep, one row each, as an Ibis table (not executed)."""
    results = data.results()
    if not data.has("rfm_scores"):
        raise TableNotFoundError("customer list needs the rfm_scores result")
    t = results.table("rfm_scores").select(
        "customer_id", "segment", "segment8", "recency_days", "orders", "revenue"
    )
    if data.has("clv"):
        t = _attach(t, results.table("clv").select("customer_id", "clv_12m", "p_alive"))
    churn = _churn(data)
    if churn is not None:
        t = _attach(t, churn)
    people = profiles(data, masked)
    if people is not None:
        have = [c for c in PROFILE if c in people.columns]
        t = _attach(t, people.select("customer_id", *have))
    t = t.select(*[c for c in LIST_COLUMNS if c in t.columns])
    if filters.segment:
        t = t.filter((t.segment == filters.segment) | (t.segment8 == filters.segment))
    if filters.risk_band and "risk_band" in t.columns:
        t = t.filter(t.risk_band == filters.risk_band)
    for value, columns in (
        (filters.region, ("province", "city")),
        (filters.channel, ("acquisition_channel",)),
    ):
        if value is None:
            continue
        present = [c for c in columns if c in t.columns]
        if not present:
            t = t.filter(False)
            continue
        cond = t[present[0]] == value
        for c in present[1:]:
            cond = cond | (t[c] == value)
        t = t.filter(cond)
    return t


def sorted_table(table: Any, filters: Filters) -> Any:
    key = filters.sort if filters.sort in table.columns else "revenue"
    column = (
        table[key].desc(nulls_first=False)
        if filters.descending
        else table[key].asc(nulls_first=False)
    )
    return table.order_by([column] if key == "customer_id" else [column, table.customer_id])


def customer_page(data: WebData, filters: Filters, *, masked: bool, size: int) -> dict[str, Any]:
    """One page of the filtered, sorted customer list, with the total count (kept per
    run, filters and masking)."""
    key = (data.run_key(), "customers", filters, masked, size, data.has_snapshot())
    return dict(cached(key, lambda: _customer_page(data, filters, masked=masked, size=size)))


def _customer_page(data: WebData, filters: Filters, *, masked: bool, size: int) -> dict[str, Any]:
    table = customer_table(data, filters, masked=masked)
    total = int(table.count().execute())
    rows = sorted_table(table, filters).limit(size, offset=(filters.page - 1) * size).to_pandas()
    return {
        "total": total,
        "page": filters.page,
        "page_size": size,
        "pages": max(1, -(-total // size)),
        "columns": list(rows.columns),
        "rows": records(rows),
    }


def records(frame: Any) -> list[dict[str, Any]]:
    """A frame's rows as JSON-ready dicts (dates as ISO text, NaN as None)."""
    import json

    return list(json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False)))


def _rows(
    data: WebData, name: str, customer_id: str, columns: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    if not data.has(name):
        return []
    t = data.results().table(name)
    t = t.filter(t.customer_id == customer_id)
    if columns:
        t = t.select(*[c for c in columns if c in t.columns])
    return records(t.limit(1000).to_pandas())


def _first(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    return rows[0] if rows else None


def customer_360(data: WebData, customer_id: str, *, masked: bool) -> dict[str, Any] | None:
    """Everything the results and the snapshot hold about one customer; None if unknown
    (kept per run and masking)."""
    key = (data.run_key(), "360", customer_id, masked, data.has_snapshot())
    found: dict[str, Any] | None = cached(
        key, lambda: _customer_360(data, customer_id, masked=masked)
    )
    return found


def _customer_360(data: WebData, customer_id: str, *, masked: bool) -> dict[str, Any] | None:
    results = data.results()
    rfm = _rows(data, "rfm_scores", customer_id)
    summary = _rows(data, "customer_summary", customer_id)
    if not rfm and not summary:
        return None
    people = profiles(data, masked)
    profile: list[dict[str, Any]] = []
    if people is not None:
        profile = records(people.filter(people.customer_id == customer_id).limit(1).to_pandas())
    orders: list[dict[str, Any]] = []
    if data.has("_input_orders"):
        o = results.table("_input_orders")
        o = o.filter(o.customer_id == customer_id).order_by(o.order_date.desc()).limit(200)
        orders = records(o.to_pandas())
    snapshot_rows: dict[str, list[dict[str, Any]]] = {}
    for name, when in (("feedback", "date"), ("tickets", "opened_at")):
        t = data.snapshot_table(name)
        if t is None:
            snapshot_rows[name] = []
            continue
        t = t.filter(t.customer_id == customer_id)
        if when in t.columns:
            t = t.order_by(t[when].desc())
        if masked:  # free text may name people; the masking of free text is not here yet
            t = t.drop(*[c for c in ("comment", "description") if c in t.columns])
        snapshot_rows[name] = records(t.limit(100).to_pandas())
    return {
        "customer_id": customer_id,
        "profile": _first(profile),
        "summary": _first(summary),
        "rfm": _first(rfm),
        "clv": _first(_rows(data, "clv", customer_id)),
        "value": _first(_rows(data, "customer_value", customer_id)),
        "churn": _first(
            _rows(data, "churn_scores", customer_id) or _rows(data, "churn_risk", customer_id)
        ),
        "lifecycle": _first(_rows(data, "lifecycle_stages", customer_id)),
        "audiences": _rows(data, "audiences", customer_id, ("audience", "audience_rank")),
        "orders": orders,
        "feedback": snapshot_rows["feedback"],
        "tickets": snapshot_rows["tickets"],
    }
