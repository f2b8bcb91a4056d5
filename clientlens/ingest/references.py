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
from typing import TYPE_CHECKING

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
    frame: pd.DataFrame,
    *,
    label: str,
    source_names: Mapping[str, str],
) -> list[Problem]:
    """One warning per reference column of ``frame`` with values not in the stored table.

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
        if column not in frame.columns or frame.empty or not ws.has_table(target):
            continue
        if ws.row_count(target) == 0:  # nothing imported there yet: nothing to point to
            continue
        values = frame[[column]].assign(**{_POS: range(len(frame))})
        with ws.scratch_table(values, ibis.schema({column: "string", _POS: "int64"})) as given:
            stored = ws.con.table(target)
            known = stored.select(_known=stored[column])
            unknown = given.filter(given[column].notnull()).anti_join(
                known, given[column] == known._known
            )
            count = int(ws.con.execute(unknown.count()))
            if not count:
                continue
            first = ws.con.execute(
                unknown.group_by(column)
                .aggregate(_first=unknown[_POS].min())
                .order_by("_first")
                .limit(FIRST_SHOWN)
            )[column].tolist()
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
