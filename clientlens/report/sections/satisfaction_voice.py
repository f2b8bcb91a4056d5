"""The voice-of-the-customer parts of the satisfaction section: what promoters, passives and
detractors did next, loyalty as behaviour beside loyalty as stated
(``satisfaction_behaviour``), and the feedback themes with quotes (``feedback_themes``,
the feedback domain's result, read only when the result contract declares it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from clientlens.analytics.registry import declared_columns
from clientlens.report import charts
from clientlens.report.context import ReportContext
from clientlens.report.sections.base import Chart, SectionResult, TableBlock
from clientlens.report.sections.satisfaction_words import (
    by_group,
    missing,
    note,
    p_text,
    range_text,
    signed,
)

NPS_PARTS = ("promoter", "passive", "detractor")
BEHAVIOUR = "satisfaction_behaviour"
BEHAVIOUR_COLUMNS = (
    "comparison",
    "group",
    "units",
    "value",
    "ci_low",
    "ci_high",
    "difference",
    "difference_ci_low",
    "difference_ci_high",
    "p_value",
    "window_days",
    "cells",
    "significant",
)
THEMES = "feedback_themes"
THEME_COLUMNS = ("theme", "volume", "share")
"""The columns of ``feedback_themes`` the section needs; it also shows a sentiment column
(:data:`THEME_SENTIMENT`) and a quote (:data:`THEME_QUOTE`) when the contract has one."""
THEME_SENTIMENT = ("negative_share", "p_negative", "p_positive")
THEME_QUOTE = ("quote_negative", "quote", "quote_1", "example")
"""The quote shown: a negative one first (feedback_themes holds one per sentiment), as the
section's recommendations aim at what customers complain of."""


# -- loyalty --------------------------------------------------------------------------
def _rates(rows: pd.DataFrame, comparison: str) -> dict[str, dict[str, Any]]:
    return by_group(rows[rows["comparison"] == comparison])


def _significance(ctx: ReportContext, row: Mapping[str, Any]) -> str:
    if missing(row["significant"]):
        return ""
    key = "sat.significant" if bool(row["significant"]) else "sat.not_significant"
    return ctx.t(key, p=p_text(ctx, float(row["p_value"])))


def loyalty(ctx: ReportContext, result: SectionResult, frame: pd.DataFrame) -> None:
    pct = ctx.fmt.pct
    chart_rows = []
    for comparison, key in (
        ("nps_repurchase_90d", "sat.loyalty.repurchase"),
        ("nps_churn", "sat.loyalty.churn"),
    ):
        rows = _rates(frame, comparison)
        if set(NPS_PARTS) - set(rows) or any(int(r["units"]) == 0 for r in rows.values()):
            continue
        d = rows["detractor"]
        note(
            result,
            key,
            days=ctx.fmt.count(float(d["window_days"])),
            promoter=pct(float(rows["promoter"]["value"])),
            passive=pct(float(rows["passive"]["value"])),
            detractor=pct(float(d["value"])),
            diff=signed(ctx, "csat", float(d["difference"])),
            range=range_text(
                ctx, "csat", float(d["difference_ci_low"]), float(d["difference_ci_high"])
            ),
            sig=_significance(ctx, d),
        )
        measure = ctx.t(f"sat.measure.{comparison}")
        for part in NPS_PARTS:
            chart_rows.append(
                {
                    "group": ctx.t(f"sat.nps_group.{part}"),
                    "measure": measure,
                    "rate": float(rows[part]["value"]),
                }
            )
    if chart_rows:
        result.charts.append(
            Chart(
                "sat_loyalty",
                ctx.t("sat.chart.loyalty"),
                charts.grouped_bar(
                    pd.DataFrame(chart_rows),
                    "group",
                    "rate",
                    "measure",
                    "",
                    ctx.t("axis.share"),
                    sort=[ctx.t(f"sat.nps_group.{p}") for p in NPS_PARTS],
                ),
            )
        )
    stated = _rates(frame, "loyalty_stated")
    if {"loyal_behaviour", "other"} <= set(stated) and all(
        int(r["units"]) > 0 for r in stated.values()
    ):
        loyal = stated["loyal_behaviour"]
        note(
            result,
            "sat.loyalty.stated",
            loyal=ctx.fmt.score(float(loyal["value"])),
            other=ctx.fmt.score(float(stated["other"]["value"])),
            n=ctx.fmt.count(int(loyal["units"])),
            diff=signed(ctx, "nps", float(loyal["difference"])),
            range=range_text(
                ctx, "nps", float(loyal["difference_ci_low"]), float(loyal["difference_ci_high"])
            ),
            sig=_significance(ctx, loyal),
        )


# -- themes ---------------------------------------------------------------------------
def theme_columns() -> tuple[str, ...] | None:
    """The ``feedback_themes`` columns the section reads, from the result contract; None
    when no analysis declares the table or it lacks :data:`THEME_COLUMNS`."""
    declared = declared_columns().get(THEMES)
    if declared is None or set(THEME_COLUMNS) - set(declared):
        return None
    extra = [
        next((c for c in options if c in declared), None)
        for options in (THEME_SENTIMENT, THEME_QUOTE)
    ]
    return (*THEME_COLUMNS, *[c for c in extra if c is not None])


def themes(ctx: ReportContext, result: SectionResult, *, has_scores: bool) -> None:
    columns = theme_columns()
    if columns is None or not ctx.has(THEMES, *columns):
        if has_scores:
            note(result, "sat.themes_missing")
        return
    themes_table(ctx, result, ctx.frame(THEMES, columns))


def _theme(ctx: ReportContext, code: object) -> str:
    """A theme's name in the report's language (物流 / logistics), not its code."""
    from clientlens.nlp.themes import theme_name

    return theme_name(str(code), ctx.lang)


def themes_table(ctx: ReportContext, result: SectionResult, frame: pd.DataFrame) -> None:
    """The themes, largest first, with their sentiment and a quote, and the recommendation
    for the theme with the most negative mentions."""
    rows = frame.sort_values("volume", ascending=False).head(8)
    if rows.empty:
        return
    sentiment = next((c for c in THEME_SENTIMENT if c in rows.columns), None)
    quote = next((c for c in THEME_QUOTE if c in rows.columns), None)
    table = {
        ctx.t("sat.col.theme"): [_theme(ctx, t) for t in rows["theme"]],
        ctx.t("sat.col.mentions"): [ctx.fmt.count(v) for v in rows["volume"]],
        ctx.t("axis.share"): [ctx.fmt.pct(v) for v in rows["share"]],
    }
    if sentiment is not None:
        table[ctx.t(f"sat.col.{sentiment}")] = [ctx.fmt.pct(v) for v in rows[sentiment]]
    if quote is not None:
        table[ctx.t("sat.col.quote")] = ["" if missing(q) else f"“{q}”" for q in rows[quote]]
    result.tables.append(TableBlock(ctx.t("sat.table.themes"), pd.DataFrame(table)))
    if sentiment is None:
        return
    records = rows.assign(
        _negative=rows[sentiment] if sentiment != "p_positive" else 1 - rows[sentiment]
    ).to_dict("records")
    # the theme with the most negative mentions: share negative × volume
    worst = max(records, key=lambda r: float(r["_negative"]) * float(r["volume"]))
    note(
        result,
        "sat.rec.theme",
        theme=_theme(ctx, worst["theme"]),
        volume=ctx.fmt.count(float(worst["volume"])),
        share=ctx.fmt.pct(float(worst["share"])),
        negative=ctx.fmt.pct(float(worst["_negative"])),
        quote=""
        if quote is None or missing(worst[quote])
        else ctx.t("sat.rec.quote", quote=worst[quote]),
    )
