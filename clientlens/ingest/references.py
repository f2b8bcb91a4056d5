"""Referential warnings: ids of an import that point to no row of the table they name.

Each column a table declares as a reference (``TableSpec.references``: ``order_items``'
``order_id`` → ``orders`` and ``product_id`` → ``products``; ``customer_id`` of
``orders``, ``feedback``, ``tickets`` and ``customer_ids`` → ``customers``) is checked
against the stored table it points to, when that table has been imported. The rows are
loaded anyway: one warning per column says how many rows point nowhere and which ids
come first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ibis
import pandas as pd

from clientlens.errors import Problem
from clientlens.schema import TableSpec

if TYPE_CHECKING:
    from clientlens.workspace import Workspace

FIRST_SHOWN = 5
_POS = "_clientlens_pos"


def unknown_references(
    ws: Workspace,
    spec: TableSpec,
    rows: pd.DataFrame | Any,
    *,
    label: str,
    source_names: Mapping[str, str],
) -> list[Problem]:
    """One warning per reference column of ``rows`` with values not in the stored table.

    ``rows`` is a frame, or an Ibis table of the engine with the source row numbers in
    ``_row`` (the validated rows of a DuckDB import, never fetched into Python).

    ``source_names`` maps a canonical column to the file's header, which the warning names.

    Examples
    --------
    >>> import clientlens as cl, pandas as pd
    >>> from clientlens.schema import table_spec
    >>> ws = cl.Workspace.init("shop")
    >>> _ = ws.import_table("customers", pd.DataFrame({"customer_id": ["C1"]}))
    >>> rows = pd.DataFrame({"customer_id": ["C1", "C9", "C7", "C9"]})
    >>> spec = table_spec("feedback")
    >>> [str(p) for p in unknown_references(ws, spec, rows, label="f.csv", source_names={})]
    ["f.csv, column 'customer_id': 3 row(s) point to no row of customers: customer_id not found there (loaded anyway); the first: C9, C7"]
    """
    out = []
    for column, target in spec.references.items():
        if column not in rows.columns or not ws.has_table(target):
            continue
        if ws.row_count(target) == 0:  # nothing imported there yet: nothing to point to
            continue
        if isinstance(rows, pd.DataFrame):
            if rows.empty:
                continue
            values = rows[[column]].assign(**{_POS: range(len(rows))})
            schema = ibis.schema({column: "string", _POS: "int64"})
            with ws.scratch_table(values, schema) as given:
                found = _unknown(ws, given, column, target)
        else:  # the validated rows in the engine already, with their row numbers
            found = _unknown(ws, rows.select(column, **{_POS: rows["_row"]}), column, target)
        if found is None:
            continue
        count, first = found
        out.append(
            Problem(
                label,
                None,
                source_names.get(column, column),
                None,
                f"{count} row(s) point to no row of {target}: {column} not found there "
                f"(loaded anyway); the first: {', '.join(map(str, first))}",
                "warning",
            )
        )
    return out


def _unknown(ws: Workspace, given: Any, column: str, target: str) -> tuple[int, list[Any]] | None:
    """How many of ``given``'s ``column`` values ``target`` lacks, and the first of them."""
    stored = ws.con.table(target)
    known = stored.select(_known=stored[column])
    unknown = given.filter(given[column].notnull()).anti_join(known, given[column] == known._known)
    count = int(ws.con.execute(unknown.count()))
    if not count:
        return None
    first = ws.con.execute(
        unknown.group_by(column)
        .aggregate(_first=unknown[_POS].min())
        .order_by("_first")
        .limit(FIRST_SHOWN)
    )[column].tolist()
    return count, first
