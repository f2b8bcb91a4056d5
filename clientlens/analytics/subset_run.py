"""Analysing a subset of customers (:mod:`clientlens.subsets`): a run cut from the latest.

The subset's customers are found on the latest run of all customers (its *base*) and
stored with the new run (``_subset_members``); every canonical table is cut to them; the
results declared ``subset="members"`` or ``"whole"`` are copied from the base in the
engine; every other analysis runs on the cut tables, with the base's observation end, so
that recency and months mean the same in the subset as in the whole. The run is
published in the subset's namespace (``Results(ws, subset=key)``), never as the latest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis.expr.types as ir
import pandas as pd

from clientlens.analytics.base import Analysis, to_date
from clientlens.errors import DataContractError, EmptySubsetError, WorkspaceError
from clientlens.results import NO_RESULTS, Results, RunWriter, input_checksums, run_tables
from clientlens.schema import TABLE_NAMES
from clientlens.subsets import MEMBERS, Subset, describe, restrict

if TYPE_CHECKING:
    from clientlens.analytics.runner import AnalysisOutcome, AnalyzeResult
    from clientlens.workspace import Progress, Workspace


@dataclass
class Carried:
    """The results a subset run keeps from its base run, and the base's facts it uses."""

    label: str
    """The subset in words (``segment=champions, region=广东``), for messages."""
    observation_end: dt.date
    base: Results
    base_table: Callable[[str], ir.Table]
    members: ir.Table
    rules: Mapping[str, str]
    """Result name → ``"members"`` or ``"whole"`` (:attr:`Analysis.subset`)."""
    left_out: Mapping[str, str]
    """Canonical tables the subset cannot hold, with the reason (marketing spend)."""

    def write(
        self, writer: RunWriter, inputs: dict[str, ir.Table], absent: dict[str, str]
    ) -> list[AnalysisOutcome]:
        """Copy the kept results into ``writer``, add them to ``inputs`` and return their
        outcomes; a result the base run lacks is skipped with the base's reason."""
        from clientlens.analytics.runner import AnalysisOutcome

        absent.update(self.left_out)
        catalog = self.base.catalog().set_index("name")
        run = self.base.run_id
        out = []
        for name, rule in self.rules.items():
            row = catalog.loc[name] if name in catalog.index else None
            if row is None or row["status"] not in {"ok", "reused"}:
                status = "not run" if row is None else str(row["status"])
                why = "" if row is None or pd.isna(row["reason"]) else f": {row['reason']}"
                absent[name] = f"{status} in run {run} of all customers{why}"
                writer.note(name, "skipped", reason=absent[name])
                out.append(AnalysisOutcome(name, "skipped", reason=absent[name]))
                continue
            table = self.base_table(name)
            if rule == "members":
                table = table.semi_join(self.members, "customer_id")
            rows = writer.write(name, table)
            writer.note(
                name,
                "reused",
                rows=rows,
                seconds=0.0,
                created_at=row["created_at"],
                computed_in_run=row["computed_in_run"],
                inputs=row["inputs"],
            )
            inputs[name] = writer.table(name)
            kept = "its customers' rows" if rule == "members" else "as it is"
            out.append(AnalysisOutcome(name, "ok", rows=rows, reason=f"run {run}, {kept}"))
        return out


def run_subset(
    ws: Workspace, subset: Subset, registered: list[Analysis], progress: Progress | None
) -> AnalyzeResult:
    """Analyse the customers of ``subset`` and publish the run in its namespace."""
    from clientlens.analytics.runner import INPUT_PREFIX, _run_all

    step = progress or (lambda _msg, _frac: None)
    if subset.empty:
        raise DataContractError("A subset names a segment, a region or a channel.")
    tables = ws.canonical_tables()
    if "orders" not in tables:
        raise DataContractError(
            "The workspace has no orders. Import them first: clientlens import orders FILE"
        )
    base = Results(ws)
    if not base.exists:
        base.close()
        raise WorkspaceError(
            NO_RESULTS.replace("first.", "first: a subset is cut from a run of all customers.")
        )
    empty = [name for name in TABLE_NAMES if name not in tables and ws.has_table(name)]
    as_of = base.run()["as_of"]
    cut = None if as_of is None or pd.isna(as_of) else to_date(as_of)
    key = subset.key(base.run_id)
    label = describe(subset)
    writer = RunWriter.begin(
        ws, {"as_of": cut, "inputs": input_checksums(ws.runs(), tables)}, subset=key
    )
    try:
        with run_tables(ws, base) as base_table:
            step("finding the subset's customers", 0.0)
            rfm = base_table("rfm_scores") if base.has("rfm_scores") else None
            if not writer.write(MEMBERS, subset.members(tables.get("customers"), rfm)):
                raise EmptySubsetError(f"No customer is in the subset {label}.")
            members = writer.table(MEMBERS)
            cut_tables, left_out = restrict(tables, members, subset)
            if "order_items" in cut_tables:  # stored: a join of orders with their items
                # must not find orders inside the items' own expression
                writer.write(INPUT_PREFIX + "order_items", cut_tables["order_items"])
                cut_tables["order_items"] = writer.table(INPUT_PREFIX + "order_items")
            carried = Carried(
                label=label,
                observation_end=base.observation_end,
                base=base,
                base_table=base_table,
                members=members,
                rules={a.name: a.subset for a in registered if a.subset != "recompute"},
                left_out=left_out,
            )
            # the analyses of the base run, no others: the subset's pages mirror its pages
            ran = set(base.catalog()["name"])
            registered = [a for a in registered if a.name in ran]
            carried.rules = {a.name: a.subset for a in registered if a.subset != "recompute"}
            todo = [a for a in registered if a.subset == "recompute"]
            result = _run_all(ws, writer, cut_tables, empty, cut, todo, None, step, carried=carried)
            writer.publish(result.observation_end)
    except BaseException:
        writer.abort()
        raise
    finally:
        base.close()
    result.run_id = writer.record.run_id
    result.subset = key
    step("done", 1.0)
    return result
