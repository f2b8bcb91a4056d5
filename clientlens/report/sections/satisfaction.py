"""客户满意度与忠诚度 / Satisfaction and loyalty: scores with their intervals and tested
changes, the promoter / passive / detractor split, NPS by RFM segment, what promoters and
detractors did next, feedback themes with quotes, and the complaints part
(:mod:`.satisfaction_complaints`).

Reads ``satisfaction_scores`` and ``satisfaction_behaviour`` when feedback was
analysed, ``complaint_summary`` and ``complaint_sla`` when tickets were, and
``feedback_themes`` when the result contract declares it (the feedback domain's: the
section then quotes its themes; otherwise it says that themes are not available).
A period with fewer than ``satisfaction_min_responses`` answers is stated as "not enough
responses", never as a figure. Wording of changes: :mod:`.satisfaction_words`.
"""

from __future__ import annotations

import pandas as pd

from clientlens.analytics.satisfaction.scores import CONFIDENCE, MIN_RESPONSES
from clientlens.report import charts
from clientlens.report.context import ReportContext
from clientlens.report.insights import Fact, Finding, Source
from clientlens.report.sections import satisfaction_complaints as complaints
from clientlens.report.sections import satisfaction_voice as voice
from clientlens.report.sections.base import Chart, Section, SectionResult, TableBlock
from clientlens.report.sections.satisfaction_words import (
    change_clause,
    flag,
    group_name,
    interval_text,
    note,
    period_text,
    score_fact,
    value_text,
)

SCORES = "satisfaction_scores"
SCORE_COLUMNS = (
    "metric",
    "dimension",
    "group",
    "grain",
    "period_label",
    "is_complete",
    "responses",
    "promoter_share",
    "passive_share",
    "detractor_share",
    "value",
    "ci_low",
    "ci_high",
    "enough_responses",
    "previous_value",
    "previous_responses",
    "previous_change",
    "previous_p_value",
    "previous_significant",
    "last_year_value",
    "last_year_responses",
    "last_year_change",
    "last_year_p_value",
    "last_year_significant",
)
METRICS = ("nps", "csat", "review", "ces")
NPS_PARTS = ("promoter", "passive", "detractor")
NPS_COLOURS = ["#5b9a68", "#bbbbbb", "#c44e52"]
NEEDS = {SCORES: SCORE_COLUMNS}
ALTERNATIVES = (complaints.NEEDS,)


def build(ctx: ReportContext) -> SectionResult | None:
    result = SectionResult("satisfaction", ctx.t("section.satisfaction"))
    min_n = int(ctx.settings.get(MIN_RESPONSES.name, MIN_RESPONSES.default))
    if ctx.has(SCORES, *SCORE_COLUMNS):
        _scores(ctx, result, ctx.frame(SCORES, SCORE_COLUMNS), min_n)
    if ctx.has(voice.BEHAVIOUR, *voice.BEHAVIOUR_COLUMNS):
        voice.loyalty(ctx, result, ctx.frame(voice.BEHAVIOUR, voice.BEHAVIOUR_COLUMNS))
    voice.themes(ctx, result, has_scores=ctx.has(SCORES, *SCORE_COLUMNS))
    complaints.build(ctx, result)
    if not result.findings:
        return None
    result.methods.append(
        ctx.t(
            "sat.method",
            min=ctx.fmt.count(min_n),
            level=ctx.fmt.pct(float(ctx.settings.get(CONFIDENCE.name, CONFIDENCE.default))),
        )
    )
    return result


# -- scores ---------------------------------------------------------------------------
def _row(
    frame: pd.DataFrame, metric: str, grain: str, label: str | None = None
) -> pd.Series | None:
    rows = frame[
        (frame["metric"] == metric) & (frame["dimension"] == "all") & (frame["grain"] == grain)
    ]
    if label is not None:
        rows = rows[rows["period_label"] == label]
    return None if rows.empty else rows.iloc[-1]


def _scores(ctx: ReportContext, result: SectionResult, frame: pd.DataFrame, min_n: int) -> None:
    month = ctx.fmt.month(ctx.period)
    for metric in METRICS:
        row = _row(frame, metric, "month", ctx.period)
        name = ctx.t(f"sat.metric.{metric}")
        if row is not None and int(row["responses"]) > 0:
            if not bool(row["enough_responses"]):
                note(
                    result,
                    "sat.not_enough",
                    metric=name,
                    month=month,
                    n=ctx.fmt.count(int(row["responses"])),
                    min=ctx.fmt.count(min_n),
                )
            else:
                result.findings.append(_month_finding(ctx, metric, row, month, min_n))
        twelve = _row(frame, metric, "last_12_months")
        if twelve is not None and int(twelve["responses"]) > 0:
            _twelve(ctx, result, metric, twelve, min_n)
    _split(ctx, result, frame)
    _trend_charts(ctx, result, frame)
    _segment_table(ctx, result, frame)


def _month_finding(
    ctx: ReportContext, metric: str, row: pd.Series, month: str, min_n: int
) -> Finding:
    mom, word = change_clause(ctx, metric, row, "previous", "sat.base.previous_month", min_n=min_n)
    yoy, _ = change_clause(ctx, metric, row, "last_year", "sat.base.last_year", min_n=min_n)
    where = {"metric": metric, "dimension": "all", "grain": "month", "period_label": ctx.period}
    fact = score_fact(SCORES, metric, row, where)
    return Finding(
        "sat.score",
        "satisfaction",
        [fact],
        {
            "metric": ctx.t(f"sat.metric.{metric}"),
            "month": month,
            "value": (fact.value, fact.kind),
            "n": (int(row["responses"]), "count"),
            "interval": interval_text(ctx, metric, row["ci_low"], row["ci_high"]),
            "mom": mom,
            "yoy": yoy,
        },
        # Customers won or lost as promoters (or satisfied) do not translate into money
        # without a model; a stated move ranks by its size alone, after money findings.
        impact=abs(float(row["previous_change"])) if word in {"up", "down"} else 0.0,
        compared=word in {"up", "down"},
        tone={"up": "good", "down": "bad"}.get(word, "neutral"),
        headline=word in {"up", "down"},
    )


def _twelve(
    ctx: ReportContext, result: SectionResult, metric: str, row: pd.Series, min_n: int
) -> None:
    name = ctx.t(f"sat.metric.{metric}")
    if not bool(row["enough_responses"]):
        note(
            result,
            "sat.not_enough_12m",
            metric=name,
            n=ctx.fmt.count(int(row["responses"])),
            min=ctx.fmt.count(min_n),
        )
        return
    change, _ = change_clause(ctx, metric, row, "previous", "sat.base.previous_12", min_n=min_n)
    note(
        result,
        "sat.score_12m",
        metric=name,
        period=period_text(ctx, row["period_label"]),
        value=value_text(ctx, metric, float(row["value"])),
        n=ctx.fmt.count(int(row["responses"])),
        interval=interval_text(ctx, metric, row["ci_low"], row["ci_high"]),
        change=change,
    )
    if metric in {"csat", "review"} and float(row["ci_high"]) < 0.5:
        # The whole interval below one half: most answers are unhappy, whatever the noise;
        # a reader must not find a CSAT of 30% without this said (and in the summary).
        where = {"metric": metric, "dimension": "all", "grain": "last_12_months"}
        fact = Fact(
            f"sat.{metric}_high", float(row["ci_high"]), "rate", Source(SCORES, "ci_high", where)
        )
        result.findings.append(
            Finding(
                "sat.majority_unsatisfied",
                "satisfaction",
                [fact],
                {"metric": name, "high": (fact.value, "rate")},
                impact=0.0,
                tone="bad",
            )
        )


def _split(ctx: ReportContext, result: SectionResult, frame: pd.DataFrame) -> None:
    row = _row(frame, "nps", "last_12_months")
    if row is None or not bool(row["enough_responses"]):
        return
    note(
        result,
        "sat.split",
        period=period_text(ctx, row["period_label"]),
        promoters=ctx.fmt.pct(float(row["promoter_share"])),
        passives=ctx.fmt.pct(float(row["passive_share"])),
        detractors=ctx.fmt.pct(float(row["detractor_share"])),
    )


def _months(frame: pd.DataFrame, metric: str, period: str) -> pd.DataFrame:
    rows = frame[
        (frame["metric"] == metric)
        & (frame["dimension"] == "all")
        & (frame["grain"] == "month")
        & frame["is_complete"].astype(bool)
        & (frame["period_label"] <= period)
        & frame["enough_responses"].astype(bool)
    ]
    return rows.tail(24)


def _trend_charts(ctx: ReportContext, result: SectionResult, frame: pd.DataFrame) -> None:
    for metric, kind in (("nps", "number"), ("csat", "rate"), ("review", "rate")):
        rows = _months(frame, metric, ctx.period)
        if len(rows) < 3:
            continue
        data = rows[["period_label", "value", "ci_low", "ci_high"]].assign(
            significant=flag(rows["previous_significant"])
        )
        result.charts.append(
            Chart(
                f"sat_{metric}_trend",
                ctx.t(f"sat.chart.{metric}"),
                charts.interval_line(
                    data,
                    "period_label",
                    "value",
                    "ci_low",
                    "ci_high",
                    ctx.t("axis.month"),
                    ctx.t(f"sat.metric.{metric}"),
                    lang=ctx.lang,
                    kind=kind,
                    marked="significant",
                ),
                caption=ctx.t("sat.chart.caption"),
            )
        )
        if metric == "nps":
            _split_chart(ctx, result, rows.tail(12))


def _split_chart(ctx: ReportContext, result: SectionResult, rows: pd.DataFrame) -> None:
    names = [ctx.t(f"sat.nps_group.{p}") for p in NPS_PARTS]
    parts = [
        pd.DataFrame(
            {
                "period_label": rows["period_label"],
                "part": name,
                "share": rows[f"{p}_share"],
                "part_order": i,
            }
        )
        for i, (p, name) in enumerate(zip(NPS_PARTS, names, strict=True))
    ]
    result.charts.append(
        Chart(
            "sat_nps_split",
            ctx.t("sat.chart.split"),
            charts.share_bars(
                pd.concat(parts, ignore_index=True),
                "period_label",
                "share",
                "part",
                ctx.t("axis.month"),
                ctx.t("axis.share"),
                order=names,
                colors=NPS_COLOURS,
            ),
        )
    )


def _segment_table(ctx: ReportContext, result: SectionResult, frame: pd.DataFrame) -> None:
    for dimension, title in (
        ("rfm_segment", "sat.table.segments"),
        ("clv_tier", "sat.table.tiers"),
        ("channel", "sat.table.channels"),
    ):
        rows = frame[
            (frame["metric"] == "nps")
            & (frame["dimension"] == dimension)
            & (frame["grain"] == "last_12_months")
            & (frame["responses"] > 0)
        ].sort_values("responses", ascending=False)
        if rows.empty:
            continue
        enough = rows["enough_responses"].astype(bool)
        not_enough = ctx.t("sat.not_enough_short")
        result.tables.append(
            TableBlock(
                ctx.t(title, period=period_text(ctx, rows["period_label"].iloc[0])),
                pd.DataFrame(
                    {
                        ctx.t(f"sat.col.{dimension}"): [
                            group_name(ctx, dimension, g) for g in rows["group"]
                        ],
                        ctx.t("sat.col.answers"): [ctx.fmt.count(n) for n in rows["responses"]],
                        ctx.t("sat.metric.nps"): [
                            ctx.fmt.score(v) if ok else not_enough
                            for v, ok in zip(rows["value"], enough, strict=True)
                        ],
                        ctx.t("sat.col.interval"): [
                            interval_text(ctx, "nps", lo, hi) if ok else ""
                            for lo, hi, ok in zip(
                                rows["ci_low"], rows["ci_high"], enough, strict=True
                            )
                        ],
                        ctx.t("sat.nps_group.promoter"): [
                            ctx.fmt.pct(v) if ok else ""
                            for v, ok in zip(rows["promoter_share"], enough, strict=True)
                        ],
                        ctx.t("sat.nps_group.detractor"): [
                            ctx.fmt.pct(v) if ok else ""
                            for v, ok in zip(rows["detractor_share"], enough, strict=True)
                        ],
                    }
                ),
            )
        )


SECTION = Section("satisfaction", NEEDS, build, alternatives=ALTERNATIVES)
