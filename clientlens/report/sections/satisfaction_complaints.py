"""The complaints part of the satisfaction section: volume and its tested change, categories,
SLA and backlog, the matched churn of complainers, and recommendations tied to the
categories that rose.

Reads ``complaint_summary`` and ``complaint_sla`` (12-month and backlog rows, with the
first-response columns when the result has them and the tickets had first responses)
and the ``complaint_churn`` rows of ``satisfaction_behaviour``. A recommendation names a category
whose tickets rose significantly over the last 12 months against the 12 before (the
largest rises first, at most :data:`MAX_RECOMMENDATIONS`), or, when none rose, the
largest category; it quotes the tickets, the affected customers, the SLA misses when
the category misses more often than all tickets do, and the complainers' extra churn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from clientlens.analytics.satisfaction import sla
from clientlens.report.context import ReportContext
from clientlens.report.insights import Fact, Finding, Source
from clientlens.report.sections.base import SectionResult, TableBlock
from clientlens.report.sections.satisfaction_words import (
    by_group,
    change_clause,
    flag,
    group_name,
    missing,
    note,
    p_text,
    period_text,
    range_text,
    signed,
)

SUMMARY = "complaint_summary"
SUMMARY_COLUMNS = (
    "dimension",
    "group",
    "grain",
    "period_label",
    "tickets",
    "ticket_share",
    "customers",
    "repeat_customers",
    "open_tickets",
    "previous_tickets",
    "previous_change",
    "previous_p_value",
    "previous_significant",
)
SLA = "complaint_sla"
SLA_COLUMNS = (
    "dimension",
    "group",
    "grain",
    "tickets",
    "open_tickets",
    "target_hours",
    "resolution_median_hours",
    "resolution_p90_hours",
    "breached",
    "breach_rate",
    "open_breached",
    "open_age_median_days",
    "open_age_p90_days",
)
FIRST_RESPONSE_COLUMNS = ("dimension", "group", "grain", *sla.FIRST_RESPONSE_COLUMNS)
"""Read apart from :data:`SLA_COLUMNS`: a result published before they existed still has
its resolution times reported."""
BEHAVIOUR = "satisfaction_behaviour"
CHURN_COLUMNS = (
    "comparison",
    "group",
    "units",
    "value",
    "difference",
    "difference_ci_low",
    "difference_ci_high",
    "p_value",
    "window_days",
    "cells",
    "significant",
)
NEEDS = {SUMMARY: SUMMARY_COLUMNS}
MAX_RECOMMENDATIONS = 3
TWELVE = "last_12_months"
SEVERITY_ORDER = ("high", "medium", "low")


def build(ctx: ReportContext, result: SectionResult) -> None:
    if not ctx.has(SUMMARY, *SUMMARY_COLUMNS):
        return
    summary = ctx.frame(SUMMARY, SUMMARY_COLUMNS)
    twelve = summary[summary["grain"] == TWELVE]
    total = by_group(twelve[twelve["dimension"] == "all"]).get("all")
    if total is None or int(total["tickets"]) == 0:
        return
    sla = ctx.frame(SLA, SLA_COLUMNS) if ctx.has(SLA, *SLA_COLUMNS) else None
    _volume(ctx, result, total)
    categories = twelve[twelve["dimension"] == "category"].sort_values("tickets", ascending=False)
    _category_table(ctx, result, categories, sla)
    first = (
        ctx.frame(SLA, FIRST_RESPONSE_COLUMNS) if ctx.has(SLA, *FIRST_RESPONSE_COLUMNS) else None
    )
    if sla is not None:
        _sla(ctx, result, sla, first)
    complainers = _churn(ctx, result)
    _recommendations(ctx, result, categories, sla, complainers)


def _volume(ctx: ReportContext, result: SectionResult, row: dict[str, Any]) -> None:
    change, word = change_clause(
        ctx, "tickets", pd.Series(row), "previous", "sat.base.previous_12", count="tickets"
    )
    where = {"dimension": "all", "group": "all", "grain": TWELVE}
    fact = Fact(
        "complaints.tickets", float(row["tickets"]), "count", Source(SUMMARY, "tickets", where)
    )
    result.findings.append(
        Finding(
            "complaints.volume",
            "satisfaction",
            [fact],
            {
                "tickets": (fact.value, "count"),
                "period": period_text(ctx, row["period_label"]),
                "customers": (int(row["customers"]), "count"),
                "repeat": (int(row["repeat_customers"]), "count"),
                "change": change,
            },
            impact=0.0,
            # More complaints is bad news, fewer good.
            tone={"up": "bad", "down": "good"}.get(word, "neutral"),
            headline=word in {"up", "down"},
            compared=word in {"up", "down"},
        )
    )


def _sla_for(
    sla: pd.DataFrame | None, dimension: str, grain: str = TWELVE
) -> dict[str, dict[str, Any]]:
    if sla is None:
        return {}
    return by_group(sla[(sla["dimension"] == dimension) & (sla["grain"] == grain)])


def _hours(ctx: ReportContext, value: Any) -> str:
    """Hours in a sentence: 30 hours, a 4-hour target, 1.97 hours."""
    return "—" if missing(value) else ctx.fmt.number(float(value), 3)


def _hours_cell(ctx: ReportContext, value: Any) -> str:
    """Hours in a table column: one decimal on every row (0.6, 26.0, 112.3)."""
    return "—" if missing(value) else ctx.fmt.fixed(float(value))


def _change(ctx: ReportContext, r: Mapping[Any, Any]) -> str:
    if missing(r["previous_change"]):
        return "—"
    significant = not missing(r["previous_significant"]) and bool(r["previous_significant"])
    return signed(ctx, "tickets", float(r["previous_change"]), relative=True) + (
        "*" if significant else ""
    )


def _category_table(
    ctx: ReportContext, result: SectionResult, categories: pd.DataFrame, sla: pd.DataFrame | None
) -> None:
    if categories.empty:
        return
    times = _sla_for(sla, "category")
    rows = categories.to_dict("records")
    frame: dict[str, list[str]] = {
        ctx.t("complaints.col.category"): [group_name(ctx, "category", r["group"]) for r in rows],
        ctx.t("complaints.col.tickets"): [ctx.fmt.count(r["tickets"]) for r in rows],
        ctx.t("axis.share"): [ctx.fmt.pct(r["ticket_share"]) for r in rows],
        ctx.t("complaints.col.change"): [_change(ctx, r) for r in rows],
        ctx.t("complaints.col.customers"): [ctx.fmt.count(r["customers"]) for r in rows],
        ctx.t("complaints.col.repeat"): [ctx.fmt.count(r["repeat_customers"]) for r in rows],
    }
    if times:
        pick = [times.get(str(r["group"]), {}) for r in rows]
        for column, key in (
            ("resolution_median_hours", "complaints.col.median_hours"),
            ("resolution_p90_hours", "complaints.col.p90_hours"),
        ):
            frame[ctx.t(key)] = [_hours_cell(ctx, t.get(column)) for t in pick]
        frame[ctx.t("complaints.col.breach_rate")] = [
            "—" if missing(t.get("breach_rate")) else ctx.fmt.pct(t["breach_rate"]) for t in pick
        ]
    title = ctx.t("complaints.table.categories", period=period_text(ctx, rows[0]["period_label"]))
    result.tables.append(TableBlock(title, pd.DataFrame(frame)))


def _sla(
    ctx: ReportContext, result: SectionResult, sla: pd.DataFrame, first: pd.DataFrame | None
) -> None:
    overall = _sla_for(sla, "all").get("all")
    found = _sla_for(sla, "severity")
    replies = _sla_for(first, "severity")
    severity = [found[g] for g in SEVERITY_ORDER if g in found]
    severity += [r for g, r in found.items() if g not in SEVERITY_ORDER]
    if overall is not None and int(overall["tickets"]) > 0:
        targets = [
            ctx.t(
                "complaints.target",
                severity=group_name(ctx, "severity", r["group"]),
                hours=_hours(ctx, r["target_hours"]),
            )
            for r in severity
            if not missing(r["target_hours"]) and r["group"] in SEVERITY_ORDER
        ]
        note(
            result,
            "complaints.sla",
            median=_hours(ctx, overall["resolution_median_hours"]),
            p90=_hours(ctx, overall["resolution_p90_hours"]),
            breached=ctx.fmt.count(int(overall["breached"])),
            rate=ctx.fmt.pct(float(overall["breach_rate"])),
            targets=ctx.t("sat.list_sep").join(targets) or "—",
        )
    if severity:
        table = {
            ctx.t("complaints.col.severity"): [
                group_name(ctx, "severity", r["group"]) for r in severity
            ],
            ctx.t("complaints.col.tickets"): [ctx.fmt.count(r["tickets"]) for r in severity],
            ctx.t("complaints.col.target"): [_hours_cell(ctx, r["target_hours"]) for r in severity],
            ctx.t("complaints.col.median_hours"): [
                _hours_cell(ctx, r["resolution_median_hours"]) for r in severity
            ],
            ctx.t("complaints.col.p90_hours"): [
                _hours_cell(ctx, r["resolution_p90_hours"]) for r in severity
            ],
            ctx.t("complaints.col.breach_rate"): [ctx.fmt.pct(r["breach_rate"]) for r in severity],
        }
        pick = [replies.get(str(r["group"]), {}) for r in severity]
        if any(not missing(p.get("responded")) for p in pick):
            table[ctx.t("complaints.col.first_median_hours")] = [
                _hours_cell(ctx, p.get("first_response_median_hours")) for p in pick
            ]
            table[ctx.t("complaints.col.first_breach_rate")] = [
                _share(ctx, p.get("first_response_breach_rate")) for p in pick
            ]
        result.tables.append(TableBlock(ctx.t("complaints.table.sla"), pd.DataFrame(table)))
    _first_response(ctx, result, first)
    backlog = _sla_for(sla, "all", "backlog").get("all")
    if backlog is None or int(backlog["tickets"]) == 0:
        note(result, "complaints.backlog_none")
        return
    note(
        result,
        "complaints.backlog",
        open=ctx.fmt.count(int(backlog["tickets"])),
        median=ctx.fmt.number(float(backlog["open_age_median_days"]), 2),
        p90=ctx.fmt.number(float(backlog["open_age_p90_days"]), 2),
        breached=ctx.fmt.count(int(backlog["open_breached"])),
    )


def _share(ctx: ReportContext, value: Any) -> str:
    return "—" if missing(value) else ctx.fmt.pct(float(value))


def _first_response(ctx: ReportContext, result: SectionResult, first: pd.DataFrame | None) -> None:
    """The 12 months' time to first response and its misses, and the open tickets still
    unanswered; nothing when the tickets had no first-response times."""
    row = _sla_for(first, "all").get("all")
    if row is None or missing(row["responded"]):
        return
    if int(row["responded"]) + int(row["awaiting_response"]) == 0:
        return
    backlog = _sla_for(first, "all", "backlog").get("all")
    awaiting = 0 if backlog is None else int(backlog["awaiting_response"])
    note(
        result,
        "complaints.first_response",
        median=_hours(ctx, row["first_response_median_hours"]),
        p90=_hours(ctx, row["first_response_p90_hours"]),
        target=_hours(ctx, row["first_response_target_hours"]),
        breached=ctx.fmt.count(int(row["first_response_breached"])),
        rate=_share(ctx, row["first_response_breach_rate"]),
        awaiting=ctx.fmt.count(awaiting),
    )


def _churn(ctx: ReportContext, result: SectionResult) -> dict[str, Any] | None:
    if not ctx.has(BEHAVIOUR, *CHURN_COLUMNS):
        return None
    frame = ctx.frame(BEHAVIOUR, CHURN_COLUMNS)
    rows = by_group(frame[frame["comparison"] == "complaint_churn"])
    c = rows.get("complainers")
    if c is None or missing(c["difference"]):
        return None
    sig = ""
    if not missing(c["significant"]):
        key = "sat.significant" if bool(c["significant"]) else "sat.not_significant"
        sig = ctx.t(key, p=p_text(ctx, float(c["p_value"])))
    where = {"comparison": "complaint_churn", "group": "complainers"}
    fact = Fact(
        "complaints.churn_gap",
        float(c["difference"]),
        "number",
        Source(BEHAVIOUR, "difference", where),
    )
    result.findings.append(
        Finding(
            "complaints.churn",
            "satisfaction",
            [fact],
            {
                "complainers": ctx.fmt.pct(float(c["value"])),
                "matched": ctx.fmt.pct(float(rows["matched_non_complainers"]["value"])),
                "others": ctx.fmt.pct(float(rows["all_non_complainers"]["value"])),
                "days": ctx.fmt.count(float(c["window_days"])),
                "diff": signed(ctx, "csat", float(c["difference"])),
                "range": range_text(
                    ctx, "csat", float(c["difference_ci_low"]), float(c["difference_ci_high"])
                ),
                "sig": sig,
                "n": ctx.fmt.count(int(c["units"])),
                "cells": ctx.fmt.count(int(c["cells"])),
            },
            impact=0.0,
            tone="bad" if float(c["difference"]) > 0 else "neutral",
            headline=False,
        )
    )
    return c


def _recommendations(
    ctx: ReportContext,
    result: SectionResult,
    categories: pd.DataFrame,
    sla: pd.DataFrame | None,
    complainers: dict[str, Any] | None,
) -> None:
    if categories.empty:
        return
    rose = categories[
        flag(categories["previous_significant"]) & (categories["previous_change"] > 0)
    ]
    rose = rose.assign(_rise=rose["tickets"] - rose["previous_tickets"]).sort_values(
        "_rise", ascending=False
    )
    picked = (rose.head(MAX_RECOMMENDATIONS) if not rose.empty else categories.head(1)).to_dict(
        "records"
    )
    times = _sla_for(sla, "category")
    overall = _sla_for(sla, "all").get("all")
    all_rate = None if overall is None else float(overall["breach_rate"])
    churn = ""
    if (
        complainers is not None
        and not missing(complainers["significant"])
        and bool(complainers["significant"])
        and float(complainers["difference"]) > 0
    ):
        churn = ctx.t("complaints.rec.churn", diff=ctx.fmt.pp(float(complainers["difference"])))
    key = "complaints.rec.rise" if not rose.empty else "complaints.rec.largest"
    for i, r in enumerate(picked):
        sla_words = ""
        t = times.get(str(r["group"]))
        slower = (
            t is not None
            and all_rate is not None
            and not missing(t["breach_rate"])
            and float(t["breach_rate"]) > all_rate
        )
        if slower and t is not None:
            sla_words = ctx.t(
                "complaints.rec.sla",
                rate=ctx.fmt.pct(float(t["breach_rate"])),
                median=_hours(ctx, t["resolution_median_hours"]),
            )
        name = group_name(ctx, "category", r["group"])
        note(
            result,
            key,
            category=name,
            change="—"
            if missing(r["previous_change"])
            else ctx.fmt.pct(abs(float(r["previous_change"]))),
            tickets=ctx.fmt.count(int(r["tickets"])),
            previous=ctx.fmt.count(int(r["previous_tickets"])),
            share=ctx.fmt.pct(float(r["ticket_share"])),
            customers=ctx.fmt.count(int(r["customers"])),
            sla=sla_words,
            # the complainers' extra churn is said once, with the first recommendation
            churn=churn if i == 0 else "",
        )
