"""Running every analysis whose inputs exist, and materialising the results.

``--as-of`` cuts every input to that date first, so a past month can be re-analysed
exactly: orders, feedback, events and spend after it are left out, customers who
signed up after it are left out, and tickets closed after it count as still open.

Besides the cut tables and earlier results, an analysis may ask for the workspace's
import-side facts (the data-quality analyses do): each canonical table as imported,
``imported_<table>`` (orders of every status, and with ``--as-of`` cut to that date like
every input), and the rows rejected at import, ``_clientlens_rejects``.

An analysis that cannot say anything honest is *skipped with a reason*, never run on
data that cannot support it: when an input it requires is missing (never imported), or
imported but empty (a header-only file), or itself skipped; when the orders span fewer
days than its ``min_history_days``; or when its build raises
:class:`~clientlens.errors.NotEnoughDataError` (a CLV model the data do not identify).
The reason names the root cause, so ``clv_deciles`` skipped after ``orders`` was empty
says so, not just "needs clv".
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
from clientlens.errors import AnalysisDisabled, ConfigError, DataContractError, NotEnoughDataError
from clientlens.models.store import MODELS_DIR, ModelStore
from clientlens.results import Results, RunWriter, input_checksums
from clientlens.schema import TABLE_NAMES
from clientlens.workspace import REJECTS

if TYPE_CHECKING:
    from clientlens.analytics.subset_run import Carried
    from clientlens.subsets import Subset
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
    run_id: int | None = None
    """The published results run (``ws.results.run_id``)."""
    subset: str | None = None
    """For a subset run: the subset's key (``Results(ws, subset=key)`` reads it)."""

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
    subset: Subset | None = None,
) -> AnalyzeResult:
    """Run the registered analyses on the workspace and publish their results as one run.

    The run is written aside and becomes the latest (``ws.results``) only when every
    analysis has run; an interrupted or crashed run leaves the previous one in place.
    ``only`` runs those analyses and whatever they need that the latest run does not
    hold; the new run reuses every other result of the latest run. ``subset`` analyses
    the customers of a subset of the latest run instead (:mod:`clientlens.subsets`).
    """
    if subset is not None:
        from clientlens.analytics.subset_run import run_subset

        if as_of is not None or only:
            raise ConfigError(
                "A subset (--segment, --region, --channel) is cut from the latest run of "
                "all customers and analysed in full: leave out --as-of and --only."
            )
        return run_subset(ws, subset, analyses or all_analyses(), progress)
    step = progress or (lambda _msg, _frac: None)
    tables = ws.canonical_tables()
    # canonical_tables counted every table: a stored one it left out holds no rows
    empty = [name for name in TABLE_NAMES if name not in tables and ws.has_table(name)]
    if "orders" not in tables and "orders" not in empty:
        raise DataContractError(
            "The workspace has no orders. Import them first: clientlens import orders FILE"
        )
    cut = to_date(as_of) if as_of is not None else None
    registered = analyses if analyses is not None else all_analyses()
    base = _base_run(ws, only) if only else None
    todo = _plan(registered, only, base)
    writer = RunWriter.begin(
        ws,
        {
            "as_of": cut,
            "only": tuple(only or ()),
            "inputs": input_checksums(ws.runs(), tables),
        },
        base=base,
    )
    try:
        result = _run_all(ws, writer, tables, empty, cut, todo, base, step)
        writer.publish(result.observation_end)
    except BaseException:
        writer.abort()
        raise
    finally:
        if base is not None:
            base.close()
    ws.forget_results()
    result.run_id = writer.record.run_id
    step("done", 1.0)
    return result


def _base_run(ws: Workspace, only: list[str]) -> Results | None:
    results = Results(ws)
    if not results.exists:
        results.close()
        return None
    return results


def _plan(
    registered: list[Analysis], only: list[str] | None, base: Results | None
) -> list[Analysis]:
    """The analyses to run: all, or ``only`` and the results they require that ``base``
    lacks (optional inputs are used when stored, never computed for the occasion)."""
    if not only:
        return registered
    by_name = {a.name: a for a in registered}
    unknown = sorted(set(only) - set(by_name))
    if unknown:
        raise ConfigError(f"Unknown analyses: {', '.join(unknown)}. Known: {', '.join(by_name)}.")
    stored = set(base.names()) if base is not None else set()
    wanted: set[str] = set()

    def need(name: str) -> None:
        if name in wanted:
            return
        wanted.add(name)
        for dep in by_name[name].requires:
            if dep in by_name and dep not in stored:
                need(dep)

    for name in only:
        need(name)
    return [a for a in registered if a.name in wanted]


def _run_all(
    ws: Workspace,
    writer: RunWriter,
    tables: Mapping[str, ir.Table],
    empty: list[str],
    cut: dt.date | None,
    todo: list[Analysis],
    base: Results | None,
    step: Progress,
    *,
    carried: Carried | None = None,
) -> AnalyzeResult:
    """Prepare the inputs, then run ``todo`` one by one into ``writer``.

    ``carried``, for a subset run, names the observation end of the run it is cut from
    and writes the results it keeps from that run before the others run.
    """
    step("preparing inputs", 0.0)
    inputs: dict[str, ir.Table] = {}
    # Why an input is not there, by name: the root cause a skip reason states.
    absent = {name: f"{name} is empty, imported with no rows" for name in empty}
    if "orders" in tables:
        _prepare_inputs(ws, writer, tables, cut, inputs)
        orders = inputs["orders"]
        span = (
            orders.aggregate(first=orders.order_date.min(), last=orders.order_date.max())
            .execute()
            .iloc[0]
        )
    else:
        span = {"first": None, "last": None}
    if span["last"] is None or pd.isna(span["last"]):
        if "orders" in tables and carried is not None:
            raise DataContractError(f"No completed orders for the customers of {carried.label}.")
        if "orders" in tables and cut is not None:
            # Most likely a mistyped --as-of: refuse rather than publish an empty run.
            raise DataContractError(
                f"No completed orders on or before --as-of {cut}. Pick a later date."
            )
        # The run is still published, every analysis of orders skipped with this reason,
        # so the catalog, the CLI and the report say why there is nothing to show.
        if "orders" in tables:
            absent["orders"] = _no_completed_orders(inputs[IMPORTED_PREFIX + "orders"], cut)
        for name in ("orders", *(IMPORTED_PREFIX + n for n in tables)):
            inputs.pop(name, None)
        observation_end = cut or _today(ws)
        history = None
    else:
        observation_end = carried.observation_end if carried else cut or to_date(span["last"])
        history = (to_date(span["first"]), (observation_end - to_date(span["first"])).days)
    if base is not None:
        _check_base(base, observation_end, cut)
        for row in base.catalog().to_dict("records"):
            name = str(row["name"])
            if row["status"] in {"ok", "reused"}:
                inputs[name] = writer.table(name)
                writer.note(
                    name,
                    "reused",
                    rows=row["rows"],
                    seconds=0.0,
                    created_at=row["created_at"],
                    computed_in_run=row["computed_in_run"],
                    inputs=row["inputs"],
                )
    kept = carried.write(writer, inputs, absent) if carried is not None else []
    context = AnalysisContext(
        observation_end=observation_end,
        settings=dict(ws.config.values),
        # models are trained on all customers only: a subset run keeps their results
        models=ModelStore(ws.path / MODELS_DIR) if carried is None else None,
    )
    result = AnalyzeResult(observation_end, outcomes=kept)
    for i, analysis in enumerate(todo):
        step(analysis.name, (i + 1) / (len(todo) + 1))
        outcome = _run_one(ws, writer, analysis, inputs, context, absent, history)
        result.outcomes.append(outcome)
    return result


def _no_completed_orders(orders: ir.Table, cut: dt.date | None) -> str:
    """Why nothing can be analysed: the statuses found, and how each counts."""
    from clientlens.ingest.vocab import STATUS_CODES

    head = f"No completed orders on or before {cut}" if cut else "No completed orders"
    if "status" not in orders.columns:
        return head + " (the orders table is empty)."
    counts = orders.group_by("status").aggregate(n=orders.count()).order_by(ibis.desc("n"))
    found = counts.limit(12).execute()
    if found.empty:
        return head + " (the orders table is empty)."

    def counted(status: object) -> str:
        if not isinstance(status, str):  # None or NaN: an empty status counts
            return "counted"
        if status in STATUS_CODES:
            return "not counted" if status != "completed" else "counted"
        return "not counted: unknown status"

    listed = ", ".join(
        f"{repr(r.status) if isinstance(r.status, str) else '(empty)'} {int(r.n):,} "
        f"({counted(r.status)})"
        for r in found.itertuples()
    )
    return (
        f"{head}: the statuses found are {listed}. Analyses count orders whose status is "
        "completed or empty; re-import the orders with --values status:VALUE=completed for "
        "a status that means a completed purchase."
    )


def _prepare_inputs(
    ws: Workspace,
    writer: RunWriter,
    tables: Mapping[str, ir.Table],
    cut: dt.date | None,
    inputs: dict[str, ir.Table],
) -> None:
    for name, expr in cut_inputs(tables, cut).items():
        if expr is tables[name]:
            # nothing cut: read the stored table itself instead of copying it (at a
            # million customers the copies of order items and feedback cost seconds)
            inputs[name] = expr
        else:  # stored with the run: the orders every analysis saw
            writer.write(INPUT_PREFIX + name, expr)
            inputs[name] = writer.table(INPUT_PREFIX + name)
    # As imported, every status, but cut to as_of like everything else: re-analysing a
    # past day must not count rows that did not exist on that day.
    imported = cut_inputs(tables, cut, completed_only=False)
    inputs |= {IMPORTED_PREFIX + name: t for name, t in imported.items()}
    inputs[REJECTS] = ws.con.table(REJECTS)


def _today(ws: Workspace) -> dt.date:
    """The observation end of a run without orders: the ``today`` setting, else the date."""
    today = str(ws.config.values.get("today") or "")
    try:
        return dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        raise ConfigError(
            f"setting 'today' must be an ISO date (2024-06-30); got {today!r}."
        ) from None


def _check_base(base: Results, observation_end: dt.date, cut: dt.date | None) -> None:
    """``--only`` reuses results: they must describe the same data end."""
    if base.observation_end != observation_end:
        given = f"--as-of {cut}" if cut else f"the data now end on {observation_end}"
        raise ConfigError(
            f"--only reuses the results of run {base.run_id}, which end on "
            f"{base.observation_end}, but {given}. Run `clientlens analyze` without --only "
            "(or with --as-of matching that run)."
        )


def _run_one(
    ws: Workspace,
    writer: RunWriter,
    analysis: Analysis,
    inputs: dict[str, ir.Table],
    context: AnalysisContext,
    absent: dict[str, str],
    history: tuple[dt.date, int] | None,
) -> AnalysisOutcome:
    """Run one analysis, or skip it with the reason (recorded in ``absent`` for the
    analyses that need it)."""
    reason = _skip_reason(analysis, inputs, absent, history)
    if reason:
        causes = [absent[r] for r in analysis.requires if r not in inputs and r in absent]
        absent[analysis.name] = causes[0] if causes else reason
        outcome = AnalysisOutcome(analysis.name, "skipped", reason=reason)
        return _record(ws, writer, outcome, context)
    given = {k: inputs[k] for k in (*analysis.requires, *analysis.optional) if k in inputs}
    timer = ws.timed()
    try:
        built = analysis.build(given, context.for_analysis(analysis))
        rows = writer.write(analysis.name, built, schema=analysis.schema())
    except NotEnoughDataError as exc:  # the data cannot support it: a skip, not a failure
        inputs.pop(analysis.name, None)
        absent[analysis.name] = f"not enough data: {exc}"
        outcome = AnalysisOutcome(analysis.name, "skipped", reason=absent[analysis.name])
        return _record(ws, writer, outcome, context)
    except AnalysisDisabled as exc:  # turned off by a setting: a skip that says how to turn it on
        inputs.pop(analysis.name, None)
        absent[analysis.name] = str(exc)
        outcome = AnalysisOutcome(analysis.name, "skipped", reason=absent[analysis.name])
        return _record(ws, writer, outcome, context)
    except Exception as exc:  # one analysis failing must not stop the others
        outcome = AnalysisOutcome(
            analysis.name, "failed", seconds=timer.seconds, reason=f"{type(exc).__name__}: {exc}"
        )
        inputs.pop(analysis.name, None)  # a stale reused copy must not feed later analyses
        return _record(ws, writer, outcome, context)
    inputs[analysis.name] = writer.table(analysis.name)
    outcome = AnalysisOutcome(analysis.name, "ok", rows=rows, seconds=timer.seconds)
    return _record(ws, writer, outcome, context, started_at=timer.started_at)


def _skip_reason(
    analysis: Analysis,
    inputs: Mapping[str, ir.Table],
    absent: Mapping[str, str],
    history: tuple[dt.date, int] | None,
) -> str:
    """Why ``analysis`` cannot run, naming the root cause; empty when it can."""
    missing = [r for r in analysis.requires if r not in inputs]
    if missing:
        by_cause: dict[str, list[str]] = {}
        for name in missing:
            by_cause.setdefault(absent.get(name, ""), []).append(name)
        return "; ".join(
            f"needs {', '.join(names)}" + (f": {cause}" if cause else "")
            for cause, names in by_cause.items()
        )
    if history is not None and history[1] < analysis.min_history_days:
        first, days = history
        last = first + dt.timedelta(days=days)
        return (
            f"not enough history: the orders span {days} days ({first.isoformat()} to "
            f"{last.isoformat()}), at least {analysis.min_history_days} needed"
        )
    return ""


def _record(
    ws: Workspace,
    writer: RunWriter,
    outcome: AnalysisOutcome,
    context: AnalysisContext,
    started_at: dt.datetime | None = None,
) -> AnalysisOutcome:
    run_id = writer.record.run_id
    writer.note(
        outcome.name,
        outcome.status,
        rows=outcome.rows,
        seconds=outcome.seconds,
        computed_in_run=run_id if outcome.status == "ok" else None,
        reason=outcome.reason or None,
    )
    details: dict[str, Any] = {"results_run": run_id}
    if writer.subset is not None:
        details["subset"] = writer.subset
    if outcome.reason:
        details["reason"] = outcome.reason
    with ws.transaction() as meta:
        ws.record_run(
            meta,
            kind="analysis",
            name=outcome.name,
            started_at=started_at or dt.datetime.now(),
            duration_s=outcome.seconds,
            rows_loaded=outcome.rows,
            status=outcome.status,
            observation_end=context.observation_end,
            details=details,
        )
    return outcome
