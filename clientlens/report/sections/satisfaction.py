"""客户满意度与忠诚度 / Satisfaction and loyalty: NPS and CSAT this month, their trend, and
whether they moved.

Reads the KPI pack (``kpis``: rows ``nps``, ``csat``, ``nps_responses`` and
``csat_responses``). A change is stated only when it passes the rules of
:mod:`clientlens.report.insights` on the month's response counts (NPS with the
largest-variance standard error, 100 / √n, since the pack holds no promoter shares).
The section is left out when the month has no responses. Feedback themes and
complaints need an analysis ClientLens does not have yet; the data section says so.
"""

from __future__ import annotations

from clientlens.report import charts
from clientlens.report.context import ReportContext
from clientlens.report.insights import Finding, assess_change, change_word
from clientlens.report.sections.base import Chart, Section, SectionResult
from clientlens.report.sections.overview import NEEDS, TABLE, kpi_fact, kpi_value

SCORES = ("nps", "csat")


def build(ctx: ReportContext) -> SectionResult | None:
    frame = ctx.frame(TABLE, NEEDS[TABLE])
    result = SectionResult("satisfaction", ctx.t("section.satisfaction"))
    revenue = kpi_value(frame, ctx.period, "revenue") or 0.0
    for kpi in SCORES:
        fact = kpi_fact(frame, ctx.period, kpi)
        if fact is None:
            continue
        change = assess_change(fact, "previous", ctx.rules)
        word = change_word(change)
        size = ""
        if change is not None:
            size = (
                ctx.t("unit.points", n=ctx.fmt.number(abs(change.absolute), 2))
                if kpi == "nps"
                else ctx.fmt.pp(change.absolute)
            )
        scale = 100 if kpi == "nps" else 1
        impact = 0.0
        if change is not None and change.stated:
            # Customers won or lost as promoters (or satisfied), at this month's revenue
            # per active customer, over a year.
            impact = 12 * abs(change.absolute) / scale * revenue
        result.findings.append(
            Finding(
                f"satisfaction.{word}",
                "satisfaction",
                [fact],
                {
                    "metric": ctx.t(f"kpi.{kpi}"),
                    "value": (fact.value, fact.kind),
                    "previous": ctx.fmt.value(fact.previous, fact.kind)
                    if fact.previous is not None
                    else "—",
                    "size": size,
                    "n": (fact.n or 0, "count"),
                },
                impact=impact,
                tone={"up": "good", "down": "bad"}.get(word, "neutral"),
                headline=word in {"up", "down"},
            )
        )
    if not result.findings:
        return None
    trend = frame[frame["kpi"].isin(SCORES) & frame["is_complete"].astype(bool)]
    trend = trend[trend["period_label"] <= ctx.period][["period_label", "kpi", "value"]].dropna()
    nps = trend[trend["kpi"] == "nps"].tail(24)
    if len(nps) >= 3:
        result.charts.append(
            Chart(
                "nps_trend",
                ctx.t("satisfaction.chart.nps"),
                charts.line(
                    nps,
                    "period_label",
                    "value",
                    ctx.t("axis.month"),
                    "NPS",
                    lang=ctx.lang,
                    kind="number",
                ),
            )
        )
    csat = trend[trend["kpi"] == "csat"].tail(24)
    if len(csat) >= 3:
        result.charts.append(
            Chart(
                "csat_trend",
                ctx.t("satisfaction.chart.csat"),
                charts.line(
                    csat,
                    "period_label",
                    "value",
                    ctx.t("axis.month"),
                    "CSAT",
                    lang=ctx.lang,
                    kind="rate",
                ),
            )
        )
    result.methods.append(ctx.t("satisfaction.method"))
    return result


SECTION = Section("satisfaction", NEEDS, build)
