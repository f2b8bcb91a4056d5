"""Running every analysis whose inputs exist, and materialising the results.

``--as-of`` cuts every input to that date first, so a past month can be re-analysed
exactly: orders, feedback, events and spend after it are left out, customers who
signed up after it are left out, and tickets closed after it count as still open.

Besides the cut tables and earlier results, an analysis may ask for the workspace's
import-side facts (the data-quality analyses do): each canonical table as imported,
``imported_<table>`` (orders of every status, and with ``--as-of`` cut to that date like
every input), and the rows rejected at import, ``_clientlens_rejects``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from clientlens.analytics.base import Analysis, AnalysisContext, to_date
from clientlens.analytics.quality.coverage import IMPORTED_PREFIX
from clientlens.analytics.registry import all_analyses
from clientlens.errors import ConfigError, DataContractError
from clientlens.workspace import REJECTS

if TYPE_CHECKING:
    from clientlens.workspace import Progress, Workspace

INPUT_PREFIX = "_input_"


@dataclass
class AnalysisOutcome:
    name: str
    status: str  # "ok", "skipped", "failed"
    rows: int = 0
    seconds: float = 0.0
    reason: str = ""


@dataclass
class AnalyzeResult:
    observation_end: dt.date
    outcomes: list[AnalysisOutcome] = field(default_factory=list)

    @property
    def ran(self) -> list[AnalysisOutcome]:
        return [o for o in self.outcomes if o.status == "ok"]

    @property
    def skipped(self) -> list[AnalysisOutcome]:
        return [o for o in self.outcomes if o.status == "skipped"]

    @property
    def failed(self) -> list[AnalysisOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def cut_inputs(
    tables: Mapping[str, ir.Table], as_of: dt.date | None, *, completed_only: bool = True
) -> dict[str, ir.Table]:
    """Completed orders only (every status with ``completed_only=False``), and every table
    cut to ``as_of`` (inclusive)."""
    out = dict(tables)
    orders = out["orders"]
    if completed_only and "status" in orders.columns:
        orders = orders.filter(orders.status.isnull() | (orders.status == "completed"))
    if as_of is None:
        out["orders"] = orders
        return out
    day = ibis.literal(as_of)
    out["orders"] = orders.filter(orders.order_date.cast("date") <= day)
    date_cols = {
        "customers": "signup_date",
        "events": "timestamp",
        "feedback": "date",
        "tickets": "opened_at",
        "marketing_spend": "date",
    }
    for name, col in date_cols.items():
        if name in out and col in out[name].columns:
            t = out[name]
            out[name] = t.filter(t[col].isnull() | (t[col].cast("date") <= day))
    if "tickets" in out and "closed_at" in out["tickets"].columns:
        t = out["tickets"]
        late = t.closed_at.cast("date") > day
        changes: dict[str, Any] = {"closed_at": late.ifelse(ibis.null("timestamp"), t.closed_at)}
        if "status" in t.columns:
            changes["status"] = late.ifelse("open", t.status)
        out["tickets"] = t.mutate(**changes)
    if "order_items" in out:
        out["order_items"] = out["order_items"].semi_join(out["orders"], "order_id")
    return out


def run_analyses(
    ws: Workspace,
    *,
    as_of: dt.date | str | None = None,
    only: list[str] | None = None,
    progress: Progress | None = None,
    analyses: list[Analysis] | None = None,
) -> AnalyzeResult:
    """Run the registered analyses on the workspace and store their results."""
    step = progress or (lambda _msg, _frac: None)
    tables = ws.canonical_tables()
    if "orders" not in tables:
        raise DataContractError(
            "The workspace has no orders. Import them first: clientlens import orders FILE"
        )
    cut = to_date(as_of) if as_of is not None else None
    step("preparing inputs", 0.0)
    inputs: dict[str, ir.Table] = {}
    for name, expr in cut_inputs(tables, cut).items():
        if expr is tables[name]:
            # nothing cut: read the stored table itself instead of copying it (at a
            # million customers the copies of order items and feedback cost seconds)
            inputs[name] = expr
        else:
            inputs[name] = ws.con.table(_store(ws, INPUT_PREFIX + name, expr))
    # As imported, every status, but cut to as_of like everything else: re-analysing a
    # past day must not count rows that did not exist on that day.
    imported = cut_inputs(tables, cut, completed_only=False)
    inputs |= {IMPORTED_PREFIX + name: t for name, t in imported.items()}
    inputs[REJECTS] = ws.con.table(REJECTS)
    last = inputs["orders"].order_date.max().execute()
    if last is None or pd.isna(last):
        raise DataContractError(
            f"No completed orders on or before {cut}." if cut else "No completed orders."
        )
    observation_end = cut or to_date(last)
    context = AnalysisContext(observation_end=observation_end, settings=dict(ws.config.values))

    todo = analyses if analyses is not None else all_analyses()
    if only:
        unknown = sorted(set(only) - {a.name for a in todo})
        if unknown:
            raise ConfigError(
                f"Unknown analyses: {', '.join(unknown)}. Known: {', '.join(a.name for a in todo)}."
            )
        todo = [a for a in todo if a.name in set(only)]
    result = AnalyzeResult(observation_end)
    for i, analysis in enumerate(todo):
        step(analysis.name, (i + 1) / (len(todo) + 1))
        result.outcomes.append(_run_one(ws, analysis, inputs, context))
    step("done", 1.0)
    return result


def _store(ws: Workspace, name: str, expr: ir.Table) -> str:
    ws.materialise(name, expr)
    return name


def _run_one(
    ws: Workspace, analysis: Analysis, inputs: dict[str, ir.Table], context: AnalysisContext
) -> AnalysisOutcome:
    missing = [r for r in analysis.requires if r not in inputs]
    if missing:
        reason = "needs " + ", ".join(missing)
        return _record(ws, AnalysisOutcome(analysis.name, "skipped", reason=reason), context)
    given = {k: inputs[k] for k in (*analysis.requires, *analysis.optional) if k in inputs}
    timer = ws.timed()
    try:
        built = analysis.build(given, context)
        if isinstance(built, pd.DataFrame):
            ws.con.create_table(analysis.name, built, overwrite=True)
            rows = len(built)
        else:
            rows = ws.materialise(analysis.name, built)
    except Exception as exc:  # one analysis failing must not stop the others
        outcome = AnalysisOutcome(
            analysis.name, "failed", seconds=timer.seconds, reason=f"{type(exc).__name__}: {exc}"
        )
        return _record(ws, outcome, context)
    inputs[analysis.name] = ws.con.table(analysis.name)
    outcome = AnalysisOutcome(analysis.name, "ok", rows=rows, seconds=timer.seconds)
    return _record(ws, outcome, context, started_at=timer.started_at)


def _record(
    ws: Workspace,
    outcome: AnalysisOutcome,
    context: AnalysisContext,
    started_at: dt.datetime | None = None,
) -> AnalysisOutcome:
    with ws.transaction() as writer:
        ws.record_run(
            writer,
            kind="analysis",
            name=outcome.name,
            started_at=started_at or dt.datetime.now(),
            duration_s=outcome.seconds,
            rows_loaded=outcome.rows,
            status=outcome.status,
            observation_end=context.observation_end,
            details={"reason": outcome.reason} if outcome.reason else None,
        )
    return outcome
