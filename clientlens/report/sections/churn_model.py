"""The churn section's view of the trained churn model: risk bands with revenue at risk
(``churn_score_bands``), the drivers in words (``churn_drivers``), the decision-tree rules
as sentences with their size and churn rate (``churn_rules``), the validation figures in
one line (``churn_validation``), and the win-back list with its recommendation
(``winback``, ``winback_summary``).

Every figure is a column of those results; this module picks rows and phrases them.
:func:`present` says whether the run holds them all; :mod:`.churn` falls back to the
purchase model's probability alive when it does not.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from clientlens.analytics.churn.reasons import rule_text
from clientlens.report import charts, winback
from clientlens.report.context import ReportContext
from clientlens.report.insights import Fact, Finding, Source
from clientlens.report.sections import targets
from clientlens.report.sections.base import (
    Chart,
    SectionResult,
    TableBlock,
    TargetList,
)

BANDS_TABLE = "churn_score_bands"
DRIVERS = "churn_drivers"
RULES = "churn_rules"
VALIDATION = "churn_validation"
NEEDS = {
    BANDS_TABLE: (
        "risk_band",
        "probability_min",
        "probability_max",
        "customers",
        "customer_share",
        "revenue_at_risk",
        "revenue_at_risk_share",
    ),
    DRIVERS: ("rank", "feature", "importance", "model_version"),
    RULES: ("rule_id", "conditions", "customers", "churn_rate", "validation_cutoff"),
    VALIDATION: ("model", "metric", "value", "validation_cutoff", "horizon_days", "model_version"),
    winback.LIST: winback.LIST_COLUMNS,
    winback.SUMMARY: winback.SUMMARY_COLUMNS,
}
BANDS = ("high", "medium", "low")
DRIVERS_SHOWN = 6
COLORS = ["#c44e52", "#e0a339", "#5b9a68"]
LIST_KEY = "churn_winback"
"""The target list's key and file name part, and the list's audience code in
``audience_summary`` (apart from the RFM ``win_back`` audience's): its recommendation's
size, expected impact, cost and ROI are that row's, its customers the ``winback`` rows."""


def present(ctx: ReportContext) -> bool:
    """Whether the run holds every result of the churn model this view reads."""
    return not ctx.missing(NEEDS)


def build(ctx: ReportContext, result: SectionResult) -> None:
    """Add the churn model's findings, charts, tables, list and recommendation to ``result``."""
    bands = ctx.frame(BANDS_TABLE, NEEDS[BANDS_TABLE]).set_index("risk_band")
    figures = _validation(ctx)
    high = float(bands["probability_min"]["high"])
    medium = float(bands["probability_min"]["medium"])
    pct = ctx.fmt.pct
    horizon = int(figures["horizon_days"])
    high_n = float(bands["customers"]["high"])
    at_risk = float(bands["revenue_at_risk"]["all"])
    result.findings.append(
        Finding(
            "churn.model.bands",
            "churn",
            [
                Fact("churn.model.high_risk", high_n, "count", _src(BANDS_TABLE, "customers")),
                Fact(
                    "churn.model.revenue_at_risk",
                    at_risk,
                    "money",
                    _src(BANDS_TABLE, "revenue_at_risk", "all"),
                ),
            ],
            {
                "customers": (high_n, "count"),
                "scored": (float(bands["customers"]["all"]), "count"),
                "share": (float(bands["customer_share"]["high"]), "rate"),
                "threshold": pct(high, 0),
                "horizon": horizon,
                "at_risk": (at_risk, "money"),
                "high_share": pct(float(bands["revenue_at_risk_share"]["high"]), 0),
            },
            impact=at_risk,
            tone="bad" if float(bands["customer_share"]["high"]) > 0.3 else "neutral",
        )
    )
    # bullets after the findings (which the report puts first): how good, then what drives
    # it; AUC with two decimals always (0.80 beside 0.80, not 0.8)
    result.bullets.append(
        ctx.t(
            "churn.model.validation",
            cutoff=ctx.fmt.date(pd.Timestamp(figures["validation_cutoff"]).date()),
            horizon=horizon,
            customers=ctx.fmt.count(figures["churn_model.customers"]),
            auc=f"{figures['churn_model.roc_auc']:.2f}",
            auc_rfm=f"{figures['rfm_logistic.roc_auc']:.2f}",
            auc_p_alive=f"{figures['p_alive.roc_auc']:.2f}",
            ece=pct(figures["churn_model.ece"], 1),
            lift=f"{figures['churn_model.lift_top_decile']:.1f}",
        )
    )
    names = [
        ctx.t(f"churn.model.band.{b}", high=pct(high, 0), medium=pct(medium, 0)) for b in BANDS
    ]
    shown = pd.DataFrame(
        {
            "band": names,
            "customers": bands.loc[list(BANDS), "customers"].astype(int).to_numpy(),
        }
    )
    result.charts.append(
        Chart(
            "churn_model_bands",
            ctx.t("churn.model.chart"),
            charts.bar(
                shown,
                "band",
                "customers",
                "",
                ctx.t("axis.customers"),
                lang=ctx.lang,
                color="band",
                colors=COLORS,
            ),
        )
    )
    rows = bands.loc[list(BANDS)]
    result.tables.append(
        TableBlock(
            ctx.t("churn.model.table"),
            pd.DataFrame(
                {
                    ctx.t("col.band"): names,
                    ctx.t("col.customers"): [ctx.fmt.count(v) for v in rows["customers"]],
                    ctx.t("col.customer_share"): [pct(v, 1) for v in rows["customer_share"]],
                    ctx.t("col.revenue_at_risk"): [
                        ctx.fmt.money(v) for v in rows["revenue_at_risk"]
                    ],
                    ctx.t("col.share_of_risk"): [
                        "—" if pd.isna(v) else pct(v, 1) for v in rows["revenue_at_risk_share"]
                    ],
                }
            ),
        )
    )
    _drivers(ctx, result)
    _rules(ctx, result)
    summary = _winback(ctx, result)
    source = str(summary["min_clv_source"])
    result.methods.append(
        ctx.t(
            "churn.model.method",
            version=int(figures["model_version"]),
            horizon=horizon,
            high=pct(high, 0),
            medium=pct(medium, 0),
            min_p_alive=pct(float(summary["min_p_alive"]), 0),
            min_clv=ctx.fmt.money(float(summary["min_clv_12m"])),
            clv_source=ctx.t(f"churn.model.clv_source.{source}"),
            rate=pct(float(summary["response_rate"]), 0),
        )
    )


def _src(table: str, column: str, band: str = "high") -> Source:
    return Source(table, column, {"risk_band": band})


def _validation(ctx: ReportContext) -> dict[str, float]:
    """The churn model's validation figures by ``model.metric``, with the cutoff, horizon
    and version (one row each of ``churn_validation``)."""
    v = ctx.frame(VALIDATION, NEEDS[VALIDATION])
    plain = v[v["metric"] != "calibration"]
    out: dict[str, float] = {
        f"{m}.{k}": float(x)
        for m, k, x in zip(plain["model"], plain["metric"], plain["value"], strict=True)
    }
    first = v.iloc[0]
    out["validation_cutoff"] = first["validation_cutoff"]
    out["horizon_days"] = float(first["horizon_days"])
    out["model_version"] = float(first["model_version"])
    return out


def _drivers(ctx: ReportContext, result: SectionResult) -> None:
    d = ctx.frame(DRIVERS, NEEDS[DRIVERS]).sort_values("rank").head(DRIVERS_SHOWN)
    d = d[d["importance"] > 0]  # a feature whose shuffling costs nothing drives nothing
    if d.empty:
        return
    words = [ctx.t(f"churn_feature.{f}") for f in d["feature"]]
    result.bullets.insert(
        0, ctx.t("churn.model.drivers_line", drivers=ctx.t("list_sep").join(words[:3]))
    )
    result.tables.append(
        TableBlock(
            ctx.t("churn.model.drivers"),
            pd.DataFrame(
                {
                    "#": [str(int(r)) for r in d["rank"]],
                    ctx.t("col.driver"): words,
                    ctx.t("col.importance"): [f"{v:.3f}" for v in d["importance"]],
                }
            ),
        )
    )


def _rules(ctx: ReportContext, result: SectionResult) -> None:
    r = ctx.frame(RULES, NEEDS[RULES]).sort_values(
        ["churn_rate", "rule_id"], ascending=[False, True]
    )
    r = r[r["customers"] > 0]  # a leaf nobody reached at the cutoff says nothing
    if r.empty:
        return
    cutoff = ctx.fmt.date(pd.Timestamp(r["validation_cutoff"].iloc[0]).date())
    sentences = [_rule_sentence(ctx, json.loads(c)) for c in r["conditions"]]
    result.tables.append(
        TableBlock(
            ctx.t("churn.model.rules", cutoff=cutoff),
            pd.DataFrame(
                {
                    ctx.t("col.rule"): sentences,
                    ctx.t("col.customers"): [ctx.fmt.count(v) for v in r["customers"]],
                    ctx.t("col.churn_rate"): [
                        "—" if pd.isna(v) else ctx.fmt.pct(v, 0) for v in r["churn_rate"]
                    ],
                }
            ),
        )
    )


def _rule_sentence(ctx: ReportContext, conditions: list[list[Any]]) -> str:
    """A rule's conditions in words, each feature named once: a tree path that tests one
    feature twice on a side keeps the tighter bound ("above 51.5" then "above 103.5" is
    "above 103.5"), and both sides read "above 103.5 and at most 178.5"."""
    bounds: dict[str, dict[str, float]] = {}
    for feature, op, threshold in conditions:
        side = bounds.setdefault(str(feature), {})
        value = float(threshold)
        if op == "<=":
            side["<="] = min(side.get("<=", value), value)
        else:
            side[">"] = max(side.get(">", value), value)
    parts = []
    for feature, side in bounds.items():
        if len(side) == 2:
            parts.append(
                ctx.t(
                    "churn.model.rule_between",
                    feature=ctx.t(f"churn_feature.{feature}"),
                    low=round(side[">"], 2),
                    high=round(side["<="], 2),
                )
            )
        else:
            ((op, value),) = side.items()
            parts.append(rule_text(ctx.lang, [(feature, op, value)]))
    return ctx.t("churn_rule.join").join(parts) if parts else rule_text(ctx.lang, [])


def _winback(ctx: ReportContext, result: SectionResult) -> pd.Series:
    """The win-back finding, its list and recommendation; returns the summary row."""
    summary = ctx.frame(winback.SUMMARY, winback.SUMMARY_COLUMNS).iloc[0]
    customers = int(summary["customers"])
    min_p = ctx.fmt.pct(float(summary["min_p_alive"]), 0)
    min_clv = ctx.fmt.money(float(summary["min_clv_12m"]))
    expected = float(summary["expected_recovered_value"])
    params = {
        "at_risk": (float(summary["at_risk_customers"]), "count"),
        "gone": (float(summary["below_min_p_alive"]), "count"),
        "low_value": (float(summary["below_min_clv_12m"]), "count"),
        "min_p_alive": min_p,
        "min_clv": min_clv,
    }
    fact = Fact(
        "churn.model.winback",
        float(customers),
        "count",
        Source(winback.SUMMARY, "customers"),
    )
    if customers == 0:
        result.findings.append(
            Finding("churn.model.winback_empty", "churn", [fact], params, impact=0.0)
        )
        return summary
    revenue = float(summary["revenue_at_risk"])
    params |= {
        "customers": (float(customers), "count"),
        "revenue": (revenue, "money"),
        "expected": (expected, "money"),
    }
    result.findings.append(
        Finding("churn.model.winback", "churn", [fact], params, impact=revenue, tone="bad")
    )
    frame = winback.words(ctx.frame(winback.LIST, winback.LIST_COLUMNS), ctx.lang)
    result.target_lists.append(
        TargetList(
            LIST_KEY, ctx.t("list.churn_winback"), frame, winback.LIST, winback.headers(ctx.lang)
        )
    )
    row = targets.audience(ctx, LIST_KEY)
    if row is None:  # the audiences were not built on the churn model's list
        return summary
    result.recommendations.append(
        targets.recommendation(
            ctx,
            LIST_KEY,
            row,
            text=ctx.t("rec.winback"),
            segment=ctx.t("segment.winback", min_p_alive=min_p, min_clv=min_clv),
        )
    )
    return summary
