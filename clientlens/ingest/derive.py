"""Columns an import fills from tables already in the workspace, by joins in the engine.

* **Amounts from order items** (``--amount-from items``): an order without an amount gets
  the sum of quantity × unit price of its imported items, plus an extra column of the
  orders file when one is named (``--amount-extra freight``; an empty cell adds 0). An
  order with no amount and no items to price it from is a problem of its row, never 0.
* **Customer ids through the id map** (the ``customer_ids`` table): in ``events``,
  ``feedback`` and ``tickets``, a ``customer_id`` that is a mapped source id becomes the
  customer it stands for, and an event without a ``customer_id`` gets the customer of its
  ``anonymous_id`` when that is mapped.

The file's validated rows are registered in the engine beside the stored tables and
joined there; what comes back is the rows to load.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from clientlens.errors import ConfigError, DataContractError, Problem
from clientlens.schema import Column, TableSpec, normalise_header, table_spec

if TYPE_CHECKING:
    from clientlens.workspace import Workspace

AMOUNT_SOURCES = ("items",)
AMOUNT_EXTRA = "_amount_extra"
"""The column an ``--amount-extra`` header is read into; never stored."""
ID_MAP = "customer_ids"
ID_MAPPED_TABLES = ("events", "feedback", "tickets")
_ROW = "_clientlens_row"


@dataclass
class Derived:
    """The rows to load after a derivation, and what it did."""

    frame: pd.DataFrame
    rows: int
    """Rows whose value was derived (amounts computed, ids translated)."""
    problems: list[Problem] = field(default_factory=list)
    """Rows that could not be derived; they are not in ``frame``."""


def check_amount_options(kind: str, amount_from: str | None, amount_extra: str | None) -> None:
    """Refuse, before reading, options that cannot apply."""
    if amount_from is None:
        if amount_extra is not None:
            raise ConfigError("--amount-extra adds to derived amounts: give --amount-from items.")
        return
    if amount_from not in AMOUNT_SOURCES:
        raise ConfigError(
            f"--amount-from {amount_from!r}: amounts can only come from "
            f"{', '.join(AMOUNT_SOURCES)} (the imported order items)."
        )
    if kind != "orders":
        raise ConfigError(f"--amount-from applies to orders, not to {kind}.")


def amount_spec(extra_header: str | None) -> TableSpec:
    """The orders contract with ``amount`` optional and the extra column as a number."""
    orders = table_spec("orders")
    columns = tuple(replace(c, required=False) if c.name == "amount" else c for c in orders.columns)
    if extra_header is not None:
        columns += (Column(AMOUNT_EXTRA, "float", nonnegative=True),)
    return replace(orders, columns=columns)


def extra_header_missing(headers: list[str], extra_header: str) -> Problem | None:
    """The structural problem of an ``--amount-extra`` header the file does not have."""
    if normalise_header(extra_header) in {normalise_header(h) for h in headers}:
        return None
    return Problem(
        "",
        None,
        extra_header,
        None,
        f"the column named by --amount-extra is not in the file; the file has the headers "
        f"{', '.join(map(repr, headers)) or '(none)'}",
    )


def amounts_from_items(
    ws: Workspace,
    frame: pd.DataFrame,
    source_rows: np.ndarray,
    *,
    label: str,
    amount_header: str | None,
) -> Derived:
    """Fill each empty ``amount`` of ``frame`` (validated orders) from the stored order items.

    ``source_rows`` holds each row's number in the source, for the problems;
    ``amount_header`` is what the file calls ``amount`` (None when it has no such column).
    """
    if not ws.has_table("order_items"):
        raise DataContractError(
            f"{label}: --amount-from items needs the order items, and none are imported. "
            "Import them first: clientlens import order_items FILE"
        )
    spec = amount_spec(AMOUNT_EXTRA if AMOUNT_EXTRA in frame.columns else None)
    rows = frame.assign(**{_ROW: source_rows}) if len(frame) else frame.assign(**{_ROW: 0})
    if "amount" not in rows.columns:
        rows = rows.assign(amount=None)
    schema = ibis.schema(
        {
            **{c: spec.column(c).ibis_type for c in spec.names if c in rows.columns},
            _ROW: "int64",
        }
    )
    with ws.scratch_table(rows, schema) as orders:
        items = ws.con.table("order_items")
        per_order = items.group_by(_item_order=items.order_id).aggregate(
            _items=items.count(),
            _unpriced=(items.quantity.isnull() | items.unit_price.isnull()).cast("int64").sum(),
            _items_amount=(items.quantity.cast("float64") * items.unit_price).sum(),
        )
        joined = orders.left_join(per_order, orders.order_id == per_order._item_order)
        extra = ibis.coalesce(joined[AMOUNT_EXTRA], 0.0) if AMOUNT_EXTRA in orders.columns else 0.0
        wanted = joined.amount.isnull()
        priced = joined._items.notnull() & (joined._unpriced == 0)
        result = ws.con.execute(
            joined.select(
                *[joined[c] for c in orders.columns if c not in {"amount", AMOUNT_EXTRA}],
                amount=ibis.ifelse(wanted & priced, joined._items_amount + extra, joined.amount),
                _derived=wanted & priced,
                _unpriceable=wanted & ~priced,
                _items=joined._items,
                _unpriced=joined._unpriced,
            )
        )
    bad = result[result["_unpriceable"].astype(bool)]
    problems = [
        Problem(
            label,
            int(row),
            amount_header or "amount",
            "",
            "no amount, and no order items of this order to derive it from (--amount-from items)"
            if pd.isna(n_items)
            else f"no amount, and {int(unpriced)} of its {int(n_items)} order items have no "
            "quantity or unit_price to derive it from (--amount-from items)",
        )
        for row, n_items, unpriced in zip(bad[_ROW], bad["_items"], bad["_unpriced"], strict=True)
    ]
    problems.sort(key=lambda p: p.row or 0)
    good = result[~result["_unpriceable"].astype(bool)].sort_values(_ROW)
    kept = [c for c in table_spec("orders").names if c in good.columns]
    return Derived(
        good[kept].reset_index(drop=True), int(good["_derived"].astype(bool).sum()), problems
    )


def map_customer_ids(ws: Workspace, kind: str, frame: pd.DataFrame) -> Derived:
    """Translate the ids of a log (``events``, ``feedback``, ``tickets``) through the
    stored id map; unchanged when there is none or ``kind`` is not such a log."""
    if kind not in ID_MAPPED_TABLES or frame.empty or not ws.has_table(ID_MAP):
        return Derived(frame, 0)
    spec = table_spec(kind)
    schema = ibis.schema({c: spec.column(c).ibis_type for c in frame.columns})
    with ws.scratch_table(frame, schema) as rows:
        mapped = _through_id_map(ws, kind, rows)
    if mapped is None:
        return Derived(frame, 0)
    n_mapped = int(mapped.pop("_mapped_row").astype(bool).sum())
    columns = [c for c in spec.names if c in frame.columns or (c == "customer_id" and n_mapped)]
    return Derived(mapped[columns].reset_index(drop=True), n_mapped)


def _through_id_map(ws: Workspace, kind: str, rows: ir.Table) -> pd.DataFrame | None:
    stored = ws.con.table(ID_MAP)
    joined = rows
    found = []  # the candidates, first wins: the id's customer, the id itself, the device's
    if "customer_id" in rows.columns:
        by_id = stored.select(_source_c=stored.source_id, _by_customer=stored.customer_id)
        joined = joined.left_join(by_id, joined.customer_id == by_id._source_c)
        found += ["_by_customer", "customer_id"]
    if kind == "events" and "anonymous_id" in rows.columns:
        by_device = stored.select(_source_d=stored.source_id, _by_device=stored.customer_id)
        joined = joined.left_join(by_device, joined.anonymous_id == by_device._source_d)
        found.append("_by_device")
    if not found:
        return None
    customer = ibis.coalesce(*[joined[c] for c in found]) if len(found) > 1 else joined[found[0]]
    before = joined.customer_id if "customer_id" in rows.columns else ibis.null("string")
    return ws.con.execute(
        joined.select(
            *[joined[c] for c in rows.columns if c != "customer_id"],
            customer_id=customer,
            _mapped_row=~customer.identical_to(before),
        )
    )
