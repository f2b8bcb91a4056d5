"""What the analysis saw, against what was imported (``data_coverage``, ``data_quality``).

Besides the canonical tables cut to the observation end (``orders`` holding completed
orders only), the runner hands this analysis each canonical table as imported,
``imported_<table>`` (every status; with ``--as-of``, cut to that date like every input,
so a past day is re-analysed as if later rows did not exist), and the import's rejected
rows, ``_clientlens_rejects`` (see :mod:`clientlens.analytics.runner`), so it can say what
was left out and why:

* ``data_coverage``: rows of every canonical table holding data, as imported and as
  analysed (for orders, completed ones only; order items of those orders);
* ``data_quality``: the completed orders the analyses saw and their date span, the
  orders up to the observation end left out by their status (refunded, cancelled …)
  and their share, and the rows rejected at import.

Analyses that failed in a run are not here: an analysis cannot know what runs after
it. The runner records them in the run metadata, and the report reads them from there
(:meth:`clientlens.report.context.ReportContext.failed_analyses`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, as_int64, as_table, to_date
from clientlens.lazy import ibis, ir
from clientlens.schema import TABLE_NAMES
from clientlens.workspace import REJECTS

IMPORTED_PREFIX = "imported_"
"""Input name prefix of a canonical table as imported (before the as-of cut)."""
COMPLETED = "completed"


def data_coverage(
    analysed: Mapping[str, Any], imported: Mapping[str, Any] | None = None
) -> ir.Table:
    """Rows per canonical table, as imported and as analysed, in the canonical order.

    Parameters
    ----------
    analysed
        Canonical table name → the table the analyses read (cut to the observation end).
    imported
        Canonical table name → the table as imported; a table missing here gets empty
        ``imported_rows``.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"order_id": ["1", "2"], "status": ["completed", "refunded"]})
    >>> r = data_coverage({"orders": o[o.status == "completed"]}, {"orders": o}).to_pandas()
    >>> r[["table_name", "imported_rows", "analysed_rows"]].values.tolist()
    [['orders', 2, 1]]
    """
    imported = imported or {}
    parts = []
    for order, name in enumerate(TABLE_NAMES, start=1):
        if name not in analysed:
            continue
        a = as_table(analysed[name])
        if name == "order_items" and "orders" in analysed:
            # the items of the analysed orders (the runner leaves the items of excluded
            # orders in when nothing is cut; every analysis joins them to orders anyway)
            a = a.semi_join(as_table(analysed["orders"]), "order_id")
        row = a.aggregate(analysed_rows=a.count().cast("int64"))
        if name in imported:
            i = as_table(imported[name])
            row = row.cross_join(i.aggregate(imported_rows=i.count().cast("int64")))
        else:
            row = row.mutate(imported_rows=ibis.null("int64"))
        parts.append(
            row.select(
                table_name=ibis.literal(name, "string"),
                display_order=as_int64(ibis.literal(order, "int64")),
                imported_rows=row.imported_rows,
                analysed_rows=row.analysed_rows,
            )
        )
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def data_quality(
    orders: Any,
    *,
    observation_end: dt.date | str,
    imported_orders: Any = None,
    rejects: Any = None,
) -> ir.Table:
    """One row: the orders the analyses saw, the orders left out by status, rejected rows.

    Parameters
    ----------
    orders
        Completed orders up to the observation end (the analyses' ``orders``).
    observation_end
        Last day of data used.
    imported_orders
        Orders as imported, every status; without it nothing counts as excluded.
    rejects
        The import's rejected rows (``_clientlens_rejects``); without it none.
    """
    o = as_table(orders)
    end = to_date(observation_end)
    row = o.aggregate(
        orders=o.count().cast("int64"),
        first_order_date=o.order_date.min().cast("date"),
        last_order_date=o.order_date.max().cast("date"),
    )
    if imported_orders is not None:
        i = as_table(imported_orders)
        i = i.filter(i.order_date.cast("date") <= ibis.literal(end))
        if "status" in i.columns:
            left_out = (i.status.notnull() & (i.status != COMPLETED)).sum()
        else:
            left_out = ibis.literal(0)
        row = row.cross_join(
            i.aggregate(
                orders_up_to_end=i.count().cast("int64"),
                orders_excluded=left_out.fill_null(0).cast("int64"),
            )
        )
    else:
        row = row.mutate(orders_up_to_end=row.orders, orders_excluded=ibis.literal(0, "int64"))
    if rejects is not None:
        r = as_table(rejects)
        row = row.cross_join(r.aggregate(rows_rejected=r.count().cast("int64")))
    else:
        row = row.mutate(rows_rejected=ibis.literal(0, "int64"))
    total = row.orders_up_to_end.cast("float64")
    return row.select(
        "orders",
        "first_order_date",
        "last_order_date",
        observation_end=ibis.literal(end, "date"),
        orders_up_to_end=row.orders_up_to_end,
        orders_excluded=row.orders_excluded,
        excluded_share=ibis.ifelse(
            total > 0, row.orders_excluded.cast("float64") / total, ibis.null("float64")
        ),
        rows_rejected=row.rows_rejected,
    )


def _build_coverage(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    analysed = {n: inputs[n] for n in TABLE_NAMES if n in inputs}
    imported = {
        n: inputs[IMPORTED_PREFIX + n] for n in TABLE_NAMES if IMPORTED_PREFIX + n in inputs
    }
    return data_coverage(analysed, imported)


def _build_quality(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return data_quality(
        inputs["orders"],
        observation_end=ctx.observation_end,
        imported_orders=inputs.get(IMPORTED_PREFIX + "orders"),
        rejects=inputs.get(REJECTS),
    )


ANALYSES = [
    Analysis(
        name="data_coverage",
        requires=("orders",),
        optional=(
            *(n for n in TABLE_NAMES if n != "orders"),
            *(IMPORTED_PREFIX + n for n in TABLE_NAMES),
        ),
        build=_build_coverage,
        description="Rows of every canonical table holding data: as imported, and as the "
        "analyses read them (completed orders only), both cut to the --as-of date.",
        columns={
            "table_name": Column("string", "Canonical table (orders, customers, …).", "数据表"),
            "display_order": Column("int64", "Position in the data contract's order.", "显示顺序"),
            "imported_rows": Column(
                "int64",
                "Rows as imported, every status (with --as-of: up to that date).",
                "导入行数",
                "count",
            ),
            "analysed_rows": Column(
                "int64",
                "Rows the analyses read: up to the observation end, and for orders only "
                "completed ones (order items of those orders).",
                "参与分析的行数",
                "count",
            ),
        },
    ),
    Analysis(
        name="data_quality",
        requires=("orders",),
        optional=(IMPORTED_PREFIX + "orders", REJECTS),
        build=_build_quality,
        description="What the analyses saw and what was left out: completed orders and "
        "their date span, orders up to the observation end excluded by their status, and "
        "rows rejected at import.",
        columns={
            "orders": Column(
                "int64",
                "Completed orders up to the observation end (what every analysis read).",
                "已完成订单数",
                "count",
            ),
            "first_order_date": Column(
                "date", "Date of the first of those orders.", "首笔订单日期"
            ),
            "last_order_date": Column(
                "date", "Date of the last of those orders.", "最后一笔订单日期"
            ),
            "observation_end": Column("date", "Last day of data used.", "观察截止日"),
            "orders_up_to_end": Column(
                "int64",
                "Imported orders up to the observation end, every status.",
                "截止日前的全部订单数",
                "count",
            ),
            "orders_excluded": Column(
                "int64",
                "Of those, orders whose status is not completed (refunded, cancelled …): "
                "left out of revenue and every analysis.",
                "因状态被排除的订单数",
                "count",
            ),
            "excluded_share": Column(
                "float64", "orders_excluded / orders_up_to_end.", "被排除订单占比", "share"
            ),
            "rows_rejected": Column(
                "int64",
                "Rows that failed validation at import (all imports).",
                "导入时被拒绝的行数",
                "count",
            ),
        },
    ),
]
