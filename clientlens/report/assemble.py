"""Putting the report together: run the sections, rank the findings, and write the frame
sections (executive summary, data, conclusions, action plan, appendix) around them.

The conclusions open with the action lists side by side (:func:`.targets.plan_tables`):
the priority that puts each customer on one list at most, who was left out and why, and
each list's expected impact, cost and ROI with their total.

The data section phrases ``data_coverage`` and ``data_quality`` and the failed analyses
of the last run (:meth:`ReportContext.failed_analyses`); like the sections it reads
results only through the context.

The result is a :class:`Report`: plain data that the HTML, PDF and Excel renderers lay out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from clientlens.report.context import ReportContext
from clientlens.report.insights import Finding, rank
from clientlens.report.sections import all_sections, targets
from clientlens.report.sections.base import (
    Recommendation,
    SectionResult,
    Sheet,
    TableBlock,
    TargetList,
)
from clientlens.report.sections.value import model_caveat

SUMMARY_MIN = 5
SUMMARY_MAX = 8
COVERAGE = "data_coverage"
COVERAGE_COLUMNS = ("table_name", "display_order", "imported_rows")
QUALITY = "data_quality"
QUALITY_COLUMNS = (
    "orders",
    "first_order_date",
    "orders_up_to_end",
    "orders_excluded",
    "excluded_share",
    "rows_rejected",
)


@dataclass
class Report:
    lang: str
    period: str
    observation_end: dt.date
    title: str
    subtitle: str
    summary: list[tuple[Finding, str]]
    data: SectionResult
    sections: list[SectionResult]
    recommendations: list[Recommendation]
    appendix: SectionResult
    omitted: list[tuple[str, list[str]]] = field(default_factory=list)
    plan_notes: list[str] = field(default_factory=list)
    """How the action lists were drawn up: priority, value test, formulas."""
    plan_tables: list[TableBlock] = field(default_factory=list)
    """The action lists side by side, each with a total row."""
    plan_sheet: Sheet | None = None
    """``audience_summary`` for the workbook."""

    @property
    def target_lists(self) -> list[TargetList]:
        return [tl for s in self.sections for tl in s.target_lists]


def assemble(ctx: ReportContext) -> Report:
    """Build every section whose data exist and the frame around them."""
    built: list[SectionResult] = []
    omitted: list[tuple[str, list[str]]] = []
    for section in all_sections():
        unmet = section.unmet(ctx)
        if unmet:
            omitted.append((section.key, unmet))
            continue
        result = section.build(ctx)
        if result is None:
            omitted.append((section.key, []))
            continue
        result.bullets[:0] = [ctx.t(f.key, **f.params) for f in result.findings]
        built.append(result)
    findings = [f for s in built for f in s.findings]
    limit = int(ctx.settings.get("report_summary_findings", SUMMARY_MAX))
    chosen = rank(findings, limit)
    if len(chosen) < SUMMARY_MIN:
        # Too few headline changes: complete the summary with the other changes the
        # sections state (returning customers, purchase frequency), never with standing
        # figures, which describe structure rather than what moved.
        rest = [f for f in findings if not f.headline and f.is_change and f not in chosen]
        rest.sort(key=lambda f: (-abs(f.impact), f.key))
        chosen += rest[: SUMMARY_MIN - len(chosen)]
    summary = [(f, ctx.t(f.key, **f.params)) for f in chosen]
    recommendations = sorted(
        (r for s in built for r in s.recommendations), key=lambda r: -r.expected_impact
    )
    plan_notes, plan_tables, plan_sheet = targets.plan_tables(ctx)
    return Report(
        lang=ctx.lang,
        period=ctx.period,
        observation_end=ctx.observation_end,
        title=ctx.t("report.title"),
        subtitle=ctx.t("report.subtitle", period=ctx.fmt.month(ctx.period)),
        summary=summary,
        data=_data_section(ctx, omitted, {s.key for s in built}),
        sections=built,
        recommendations=recommendations,
        appendix=_appendix(ctx, built),
        omitted=omitted,
        plan_notes=plan_notes,
        plan_tables=plan_tables,
        plan_sheet=plan_sheet,
    )


def _data_section(
    ctx: ReportContext,
    omitted: list[tuple[str, list[str]]],
    built_keys: set[str] | None = None,
) -> SectionResult:
    result = SectionResult("data", ctx.t("section.data"))
    result.paragraphs.append(ctx.t("data.purpose", period=ctx.fmt.month(ctx.period)))
    if ctx.has(COVERAGE, *COVERAGE_COLUMNS):
        rows = ctx.frame(COVERAGE, COVERAGE_COLUMNS).sort_values("display_order")
        result.tables.append(
            TableBlock(
                ctx.t("data.sources"),
                pd.DataFrame(
                    {
                        ctx.t("col.table"): [ctx.t(f"table.{n}") for n in rows["table_name"]],
                        ctx.t("col.rows"): [ctx.fmt.count(r) for r in rows["imported_rows"]],
                    }
                ),
            )
        )
    quality = (
        ctx.frame(QUALITY, QUALITY_COLUMNS).iloc[0] if ctx.has(QUALITY, *QUALITY_COLUMNS) else None
    )
    if quality is not None and int(quality["orders"]) > 0:
        result.paragraphs.append(
            ctx.t(
                "data.coverage",
                first=ctx.fmt.date(pd.Timestamp(quality["first_order_date"]).date()),
                end=ctx.fmt.date(ctx.observation_end),
                orders=(int(quality["orders"]), "count"),
            )
        )
    caveats = _caveats(ctx, quality)
    for key, needs in omitted:
        title = ctx.t(f"section.{key}")
        if needs:
            caveats.append(ctx.t("data.omitted", section=title, needs=", ".join(needs)))
        else:
            caveats.append(ctx.t("data.omitted_empty", section=title))
    if caveats:
        result.paragraphs.append(ctx.t("data.caveats"))
        result.bullets.extend(caveats)
    return result


def _caveats(ctx: ReportContext, quality: pd.Series | None) -> list[str]:
    out = []
    if ctx.one_day_history:
        out.append(ctx.t("data.one_day", day=ctx.fmt.date(ctx.observation_end)))
    model = model_caveat(ctx)
    if model:
        out.append(model)
    if ctx.partial_period:
        out.append(
            ctx.t(
                "data.partial",
                period=ctx.fmt.month(ctx.period),
                end=ctx.fmt.date(ctx.observation_end),
            )
        )
    if quality is not None:
        excluded = int(quality["orders_excluded"])
        if int(quality["orders_up_to_end"]) and excluded:
            out.append(
                ctx.t(
                    "data.excluded_orders",
                    orders=(excluded, "count"),
                    share=(float(quality["excluded_share"]), "rate"),
                )
            )
        rejected = int(quality["rows_rejected"])
        if rejected:
            out.append(ctx.t("data.rejected", rows=(rejected, "count")))
    for name, reason in ctx.failed_analyses():
        out.append(ctx.t("data.failed", name=name, reason=reason[:160]))
    return out


def _appendix(ctx: ReportContext, built: list[SectionResult]) -> SectionResult:
    result = SectionResult("appendix", ctx.t("section.appendix"))
    terms = [
        "revenue",
        "aov",
        "active_customers",
        "stage_active",
        "repeat_rate",
        "repeat_buyers",
        "retention_rate",
        "churn_rate",
        "mom_yoy",
        "cohort",
        "clv",
        "p_alive",
        "revenue_at_risk",
        "rfm",
        "abc_class",
        "nps",
        "csat",
    ]
    result.tables.append(
        TableBlock(
            ctx.t("appendix.definitions"),
            pd.DataFrame(
                {
                    ctx.t("col.term"): [ctx.t(f"term.{k}") for k in terms],
                    ctx.t("col.definition"): [ctx.t(f"def.{k}") for k in terms],
                }
            ),
        )
    )
    r = ctx.rules
    result.bullets.append(
        ctx.t(
            "appendix.rules",
            rel=(float(r["report_min_relative_change"]), "rate"),
            pp=ctx.fmt.pp(float(r["report_min_rate_change_pp"])),
            score=ctx.fmt.number(float(r["report_min_score_change"])),
            alpha=ctx.fmt.number(float(r["report_significance"])),
        )
    )
    result.bullets.append(ctx.t("appendix.ranking"))
    for s in built:
        result.bullets.extend(s.methods)
        result.tables.extend(s.appendix_tables)
    return result
