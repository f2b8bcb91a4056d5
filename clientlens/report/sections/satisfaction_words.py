"""How the satisfaction section words a score, a change and a group: shared by its score,
loyalty and complaint parts (:mod:`.satisfaction`, :mod:`.satisfaction_complaints`).

A change is called a rise or a fall only when the result table's test says it is
significant (``*_significant``, at ``1 − satisfaction_confidence``) *and* it is material
by the report's rules (``report_min_score_change`` points for NPS,
``report_min_rate_change_pp`` for shares, ``report_min_relative_change`` for means and
counts); a material change that is not significant is "not significant", a smaller one
"about the same".
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from clientlens.report.context import ReportContext
from clientlens.report.insights import Fact, Finding, Source
from clientlens.report.sections.base import SectionResult

KIND = {"nps": "score", "csat": "rate", "review": "rate", "ces": "number"}
"""How a metric's value is formatted (the Formatter's kinds)."""


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value)


def flag(values: pd.Series) -> pd.Series:
    """A result's nullable boolean column as plain booleans, null read as false."""
    return values.astype("boolean").fillna(False).astype(bool)


def by_group(rows: pd.DataFrame, key: str = "group") -> dict[str, dict[str, Any]]:
    """Rows by their group, each a plain dict (the section reads a few named rows)."""
    return {str(r[key]): {str(k): v for k, v in r.items()} for r in rows.to_dict("records")}


def value_text(ctx: ReportContext, metric: str, value: float) -> str:
    return ctx.fmt.value(float(value), KIND[metric])


def size_text(ctx: ReportContext, metric: str, delta: float, *, relative: bool = False) -> str:
    """The size of a change, without its sign (the words carry the direction)."""
    if relative:
        return ctx.fmt.pct(abs(delta))
    if metric == "nps":
        return ctx.t("unit.points", n=ctx.fmt.score(abs(delta)))
    if KIND[metric] == "rate":
        return ctx.fmt.pp(delta)
    return ctx.fmt.number(abs(delta), 2)


def signed(ctx: ReportContext, metric: str, delta: float, *, relative: bool = False) -> str:
    return ("+" if delta > 0 else "−" if delta < 0 else "") + size_text(
        ctx, metric, delta, relative=relative
    )


def p_text(ctx: ReportContext, p: float) -> str:
    return ctx.t("sat.p_small") if p < 0.001 else ctx.t("sat.p", p=ctx.fmt.number(p, 2))


def _signed_number(x: float) -> str:
    return ("+" if x > 0 else "−" if x < 0 else "") + f"{abs(x):.1f}"


def range_text(ctx: ReportContext, metric: str, low: float, high: float) -> str:
    """The interval of a difference: percentage points for shares, points for NPS."""
    if missing(low) or missing(high):
        return "—"
    if metric == "nps":
        return ctx.t("sat.points_interval", low=_signed_number(low), high=_signed_number(high))
    return ctx.t("sat.pp_interval", low=_signed_number(100 * low), high=_signed_number(100 * high))


def period_text(ctx: ReportContext, label: str) -> str:
    """``2025-01..2025-12`` as the months it spans, in the report's language."""
    first, _, last = str(label).partition("..")
    return f"{ctx.fmt.month(first)}–{ctx.fmt.month(last or first)}"


def note(result: SectionResult, key: str, **params: Any) -> None:
    """A sentence of the section, kept in reading order among its findings."""
    result.findings.append(Finding(key, "satisfaction", [], params, impact=0.0, headline=False))


def material(ctx: ReportContext, metric: str, delta: float, base: float | None) -> bool:
    rules = ctx.rules
    if metric == "nps":
        return abs(delta) >= float(rules["report_min_score_change"])
    if KIND[metric] == "rate":
        return abs(delta) >= float(rules["report_min_rate_change_pp"])
    if base is None or base == 0:
        return False
    return abs(delta / base) >= float(rules["report_min_relative_change"])


def change_word(
    ctx: ReportContext, metric: str, row: pd.Series, base: str, *, min_n: int = 1, count: str = ""
) -> str:
    """up, down, noise, flat, few (the base had too few answers) or none (no base)."""
    n_base = row[f"{base}_{count or 'responses'}"]
    if missing(n_base) or int(n_base) == 0:
        return "none"
    if not count and int(n_base) < min_n:
        return "few"
    delta = row[f"{base}_change"]
    significant = row[f"{base}_significant"]
    if missing(delta) or missing(significant):
        return "none" if missing(delta) else "few"
    previous = None if count else float(row[f"{base}_value"])
    if count:  # counts: the change is relative already
        is_material = abs(float(delta)) >= float(ctx.rules["report_min_relative_change"])
    else:
        is_material = material(ctx, metric, float(delta), previous)
    if is_material and bool(significant):
        return "up" if float(delta) > 0 else "down"
    return "noise" if is_material else "flat"


def change_clause(
    ctx: ReportContext,
    metric: str,
    row: pd.Series,
    base: str,
    base_words: str,
    *,
    min_n: int = 1,
    count: str = "",
) -> tuple[str, str]:
    """The words of the change against ``base`` (``previous`` / ``last_year``) and its word."""
    word = change_word(ctx, metric, row, base, min_n=min_n, count=count)
    params: dict[str, Any] = {"base": ctx.t(base_words)}
    if word == "few":
        params["n"] = ctx.fmt.count(float(row[f"{base}_{count or 'responses'}"]))
    if word in {"up", "down", "noise", "flat"}:
        delta = float(row[f"{base}_change"])
        relative = bool(count)
        params["size"] = (
            signed(ctx, metric, delta, relative=relative)
            if word == "noise"
            else size_text(ctx, metric, delta, relative=relative)
        )
        params["previous"] = (
            ctx.fmt.count(float(row[f"{base}_{count}"]))
            if count
            else value_text(ctx, metric, float(row[f"{base}_value"]))
        )
        p = row[f"{base}_p_value"]
        params["p"] = "—" if missing(p) else p_text(ctx, float(p))
    return ctx.t(f"sat.change.{word}", **params), word


def score_fact(table: str, metric: str, row: pd.Series, where: dict[str, Any]) -> Fact:
    """The score of one result row as a fact the summary can quote and a test can check."""
    return Fact(
        f"sat.{metric}",
        float(row["value"]),
        KIND[metric],
        Source(table, "value", where),
        n=float(row["responses"]),
    )


def group_name(ctx: ReportContext, dimension: str, group: str) -> str:
    """The words for a group of a satisfaction or complaint dimension."""
    if group == "unknown":
        return ctx.name("group", "unknown")
    if dimension == "rfm_segment":
        return ctx.name("segment.rfm8", group)
    if dimension == "clv_tier":
        return ctx.name("clv_segment", group)
    if dimension == "severity" and group in {"high", "medium", "low"}:
        return ctx.t(f"sat.severity.{group}")
    return str(ctx.data_value(group))


def interval_text(ctx: ReportContext, metric: str, low: float, high: float) -> str:
    if missing(low) or missing(high):
        return "—"
    return ctx.t(
        "sat.interval", low=value_text(ctx, metric, low), high=value_text(ctx, metric, high)
    )
