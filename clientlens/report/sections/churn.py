"""流失风险 / Churn risk: who is likely to have stopped buying, and what that puts at risk.

Reads ``churn_risk_bands`` (customers, revenue at risk and predicted value per risk
band and over all customers, the band edges and the model) and ``clv_deciles``
(predicted 12-month value per customer decile); the high-value customers at risk come
from the ``vip_at_risk`` audience (``audience_summary``, ``audiences``) when it exists: how
many meet its rule, how many the purchase model writes off, and who is left on the list.
``clv_models`` (model comparison on the holdout), when present, goes to the appendix as
the model validation figures. Every figure is computed by those analyses
(:mod:`clientlens.analytics.churn`, :mod:`clientlens.analytics.audiences`); this section
phrases them.

When the run holds the trained churn model's results (``churn_model = true``), the
section shows them instead (:mod:`.churn_model`: its risk bands, drivers, rules,
validation and the win-back list, which replaces the high-value list of customers whose
probability alive has fallen, many of them gone already). Without them it says so and
shows the purchase model's view above.
"""

from __future__ import annotations

import pandas as pd

from clientlens.report import charts
from clientlens.report.context import ReportContext
from clientlens.report.insights import Fact, Finding, Source
from clientlens.report.sections import churn_model, targets
from clientlens.report.sections.base import Chart, Section, SectionResult, Sheet, TableBlock

BANDS_TABLE = "churn_risk_bands"
DECILES = "clv_deciles"
MODELS = "clv_models"
NEEDS = {
    BANDS_TABLE: (
        "risk_band",
        "band_order",
        "p_alive_min",
        "p_alive_max",
        "customers",
        "customer_share",
        "revenue_at_risk",
        "model",
    ),
    DECILES: ("decile", "clv_12m"),
}
MODEL_COLUMNS = (
    "model",
    "role",
    "stage",
    "chosen",
    "log_likelihood",
    "n_customers",
    "holdout_mae",
    "aggregate_error_pct",
)
BANDS = ("high", "medium", "low")
VIP = "vip_at_risk"


def build(ctx: ReportContext) -> SectionResult | None:
    bands = ctx.frame(BANDS_TABLE, NEEDS[BANDS_TABLE]).set_index("risk_band")
    total = float(bands["customers"]["all"])
    if total == 0:
        return None
    result = SectionResult("churn", ctx.t("section.churn"))
    if churn_model.present(ctx):
        churn_model.build(ctx, result)
        result.charts.append(_clv_deciles(ctx))
        if ctx.has(MODELS, *MODEL_COLUMNS):
            _validation(ctx, result)
        return result
    result.paragraphs.append(ctx.t("churn.model.off"))
    high_cut = float(bands["p_alive_max"]["high"])
    low_cut = float(bands["p_alive_min"]["low"])
    high_n = float(bands["customers"]["high"])
    high_share = float(bands["customer_share"]["high"])
    risk_total = float(bands["revenue_at_risk"]["all"])
    f_high = Fact(
        "churn.high_risk_customers",
        high_n,
        "count",
        Source(BANDS_TABLE, "customers", {"risk_band": "high"}),
    )
    f_risk = Fact(
        "churn.revenue_at_risk",
        risk_total,
        "money",
        Source(BANDS_TABLE, "revenue_at_risk", {"risk_band": "all"}),
    )
    result.findings.append(
        Finding(
            "churn.bands",
            "churn",
            [f_high, f_risk],
            {
                "customers": (high_n, "count"),
                "share": (high_share, "rate"),
                "threshold": ctx.fmt.pct(high_cut, 0),
                "at_risk": (risk_total, "money"),
            },
            impact=risk_total,
            tone="bad" if high_share > 0.3 else "neutral",
        )
    )
    _vip(ctx, result)

    shown = pd.DataFrame(
        {
            "band": [
                ctx.t(f"churn.band.{b}", low=ctx.fmt.pct(low_cut, 0), high=ctx.fmt.pct(high_cut, 0))
                for b in BANDS
            ],
            "customers": bands.loc[list(BANDS), "customers"].astype(int).to_numpy(),
            "revenue_at_risk": bands.loc[list(BANDS), "revenue_at_risk"].to_numpy(),
        }
    )
    result.charts.append(
        Chart(
            "risk_bands",
            ctx.t("churn.chart.bands"),
            charts.bar(
                shown,
                "band",
                "customers",
                "",
                ctx.t("axis.customers"),
                lang=ctx.lang,
                color="band",
                colors=["#c44e52", "#e0a339", "#5b9a68"],
            ),
        )
    )
    result.tables.append(
        TableBlock(
            ctx.t("churn.table"),
            pd.DataFrame(
                {
                    ctx.t("col.band"): shown["band"],
                    ctx.t("col.customers"): [ctx.fmt.count(v) for v in shown["customers"]],
                    ctx.t("col.revenue_at_risk"): [
                        ctx.fmt.money(v) for v in shown["revenue_at_risk"]
                    ],
                }
            ),
        )
    )
    result.charts.append(_clv_deciles(ctx))
    result.methods.append(
        ctx.t(
            "churn.method",
            model=str(bands["model"]["all"]),
            high=ctx.fmt.pct(high_cut, 0),
            low=ctx.fmt.pct(low_cut, 0),
        )
    )
    if ctx.has(MODELS, *MODEL_COLUMNS):
        _validation(ctx, result)
    return result


def _vip(ctx: ReportContext, result: SectionResult) -> None:
    """High-value customers whose probability alive has fallen: finding, list, action."""
    row = targets.audience(ctx, VIP)
    if row is None or int(row["rule_customers"]) == 0:
        return
    rule = int(row["rule_customers"])
    customers = int(row["customers"])
    threshold = ctx.fmt.pct(float(row["p_alive_below"]), 0)
    facts = [
        Fact(key, float(row[col]), "count", Source(targets.SUMMARY, col, {"audience": VIP}))
        for key, col in (("churn.vip_at_risk", "rule_customers"), ("churn.vip_listed", "customers"))
    ]
    params: dict[str, object] = {
        "rule": (rule, "count"),
        "threshold": threshold,
        "gone": (int(row["left_out_gone"]), "count"),
        "low_value": (int(row["left_out_low_value"]), "count"),
        "customers": (customers, "count"),
        "min_p_alive": ctx.fmt.pct(float(row["min_p_alive"]), 0),
    }
    if customers == 0:
        result.findings.append(Finding("churn.vip_none", "churn", facts, params, impact=0.0))
        return
    revenue = float(row["revenue"])
    params |= {"revenue": (revenue, "money"), "clv": (float(row["clv_12m"]), "money")}
    result.findings.append(
        Finding("churn.vip", "churn", facts, params, impact=revenue / ctx.history_years, tone="bad")
    )
    if not targets.actionable(ctx, row):
        return
    result.target_lists.append(targets.target_list(ctx, VIP, "list.vip_at_risk"))
    result.recommendations.append(
        targets.recommendation(
            ctx,
            VIP,
            row,
            text=ctx.t("rec.vip_at_risk"),
            segment=ctx.t("segment.vip_at_risk", threshold=threshold),
        )
    )


def _clv_deciles(ctx: ReportContext) -> Chart:
    """Predicted 12-month value by customer decile (top 10% first): how concentrated it is."""
    deciles = ctx.frame(DECILES, NEEDS[DECILES]).sort_values("decile").reset_index(drop=True)
    deciles["label"] = [ctx.t("churn.decile", n=int(d)) for d in deciles["decile"]]
    return Chart(
        "clv_deciles",
        ctx.t("churn.chart.clv"),
        charts.bar(
            deciles[["label", "clv_12m"]],
            "label",
            "clv_12m",
            "",
            ctx.t("axis.clv"),
            lang=ctx.lang,
            kind="money",
            symbol=ctx.fmt.symbol,
        ),
    )


def _validation(ctx: ReportContext, result: SectionResult) -> None:
    models = ctx.frame(MODELS, MODEL_COLUMNS)
    calib = models[models["stage"] == "calibration"]
    if calib.empty:
        return
    yes, no = ctx.t("yes"), ""
    table = pd.DataFrame(
        {
            ctx.t("col.model"): calib["model"],
            ctx.t("col.chosen"): [yes if c else no for c in calib["chosen"]],
            ctx.t("col.log_likelihood"): [ctx.fmt.number(v, 6) for v in calib["log_likelihood"]],
            ctx.t("col.holdout_mae"): [ctx.fmt.number(v) for v in calib["holdout_mae"]],
            ctx.t("col.aggregate_error"): [
                "—" if pd.isna(v) else f"{v:+.1f}%" for v in calib["aggregate_error_pct"]
            ],
        }
    )
    result.appendix_tables.append(TableBlock(ctx.t("churn.validation"), table))
    models = models.assign(
        role=[ctx.name("clv_role", r) for r in models["role"]],
        stage=[ctx.name("clv_stage", s) for s in models["stage"]],
    )
    result.sheets[ctx.t("sheet.models")] = Sheet(MODELS, models)


SECTION = Section("churn", NEEDS, build)
