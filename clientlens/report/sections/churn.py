"""流失风险 / Churn risk: who is likely to have stopped buying, and what that puts at risk.

Reads ``clv`` (per customer: ``p_alive``, ``clv_12m``, ``model``) and ``customer_summary``
(``total_amount``, ``n_orders``, ``last_purchase``); all per-customer work runs in the
engine. ``clv_models`` (model comparison on the holdout), when present, goes to the
appendix as the model validation figures.

Definitions (GLOSSARY): churn probability = 1 − p_alive; revenue at risk =
(1 − p_alive) × predicted 12-month value. Risk bands: high below a
p_alive of 0.3, medium below 0.7, low from 0.7.
High-value customers are the top 20% by revenue to date. The recommendation targets
high-value customers whose p_alive is below 0.5; expected impact = customers ×
``report_conversion_rate`` × their mean order value (one order each).
"""

from __future__ import annotations

import ibis
import pandas as pd

from clientlens.report import charts
from clientlens.report.context import ReportContext
from clientlens.report.insights import Fact, Finding, Source
from clientlens.report.sections.base import (
    Chart,
    Recommendation,
    Section,
    SectionResult,
    TableBlock,
    TargetList,
)

CLV = "clv"
SUMMARY = "customer_summary"
MODELS = "clv_models"
NEEDS = {
    CLV: ("customer_id", "p_alive", "clv_12m", "model"),
    SUMMARY: ("customer_id", "total_amount", "n_orders", "last_purchase"),
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
HIGH_RISK_P_ALIVE = 0.3
LOW_RISK_P_ALIVE = 0.7
HIGH_VALUE_QUANTILE = 0.8
AT_RISK_P_ALIVE = 0.5
BANDS = ("high", "medium", "low")


def _joined(ctx: ReportContext) -> ibis.Table:
    clv, summary = ctx.query(CLV), ctx.query(SUMMARY)
    return clv.join(summary, "customer_id").select(
        "customer_id",
        "p_alive",
        "clv_12m",
        "total_amount",
        "n_orders",
        "last_purchase",
    )


def build(ctx: ReportContext) -> SectionResult | None:
    t = _joined(ctx)
    high_cut, low_cut = HIGH_RISK_P_ALIVE, LOW_RISK_P_ALIVE
    band = ibis.cases(
        (t.p_alive < high_cut, "high"), (t.p_alive < low_cut, "medium"), else_="low"
    ).name("band")
    at_risk_value = ((1 - t.p_alive) * t.clv_12m).name("revenue_at_risk")
    bands = (
        t.mutate(band=band, revenue_at_risk=at_risk_value)
        .group_by("band")
        .aggregate(
            customers=ibis._.count(),
            revenue_at_risk=ibis._.revenue_at_risk.sum(),
            clv_12m=ibis._.clv_12m.sum(),
        )
        .to_pandas()
        .set_index("band")
        .reindex(BANDS)
        .fillna(0)
    )
    total = float(bands["customers"].sum())
    if total == 0:
        return None
    result = SectionResult("churn", ctx.t("section.churn"))
    high_n = float(bands.loc["high", "customers"])
    risk_total = float(bands["revenue_at_risk"].sum())
    f_high = Fact(
        "churn.high_risk_customers",
        high_n,
        "count",
        Source(CLV, "p_alive", {"p_alive": f"<{high_cut}"}, agg="count"),
    )
    f_risk = Fact(
        "churn.revenue_at_risk",
        risk_total,
        "money",
        Source(CLV, "clv_12m", {"weight": "1 - p_alive"}, agg="sum"),
    )
    result.findings.append(
        Finding(
            "churn.bands",
            "churn",
            [f_high, f_risk],
            {
                "customers": (high_n, "count"),
                "share": (high_n / total, "rate"),
                "threshold": ctx.fmt.pct(high_cut, 0),
                "at_risk": (risk_total, "money"),
            },
            impact=risk_total,
            tone="bad" if high_n / total > 0.3 else "neutral",
        )
    )

    cut = t.total_amount.quantile(HIGH_VALUE_QUANTILE).execute()
    vip = t.filter((t.total_amount >= cut) & (t.p_alive < AT_RISK_P_ALIVE))
    targets = _with_segments(
        ctx,
        vip.select(
            "customer_id",
            "clv_12m",
            "p_alive",
            "last_purchase",
            revenue=vip.total_amount,
            orders=vip.n_orders,
        ),
    )
    if not targets.empty:
        revenue = float(targets["revenue"].sum())
        f_vip = Fact(
            "churn.vip_at_risk",
            float(len(targets)),
            "count",
            Source(CLV, "p_alive", {"p_alive": f"<{AT_RISK_P_ALIVE}", "top": "20%"}, agg="count"),
        )
        result.findings.append(
            Finding(
                "churn.vip",
                "churn",
                [f_vip],
                {
                    "customers": (len(targets), "count"),
                    "revenue": (revenue, "money"),
                    "clv": (float(targets["clv_12m"].sum()), "money"),
                    "threshold": ctx.fmt.pct(AT_RISK_P_ALIVE, 0),
                },
                impact=revenue / ctx.history_years,
                tone="bad",
            )
        )
        rate = float(ctx.settings.get("report_conversion_rate", 0.1))
        aov = revenue / float(targets["orders"].sum())
        impact = len(targets) * rate * aov
        result.target_lists.append(TargetList("vip_at_risk", ctx.t("list.vip_at_risk"), targets))
        result.recommendations.append(
            Recommendation(
                key="vip_at_risk",
                text=ctx.t("rec.vip_at_risk"),
                segment=ctx.t("segment.vip_at_risk", threshold=ctx.fmt.pct(AT_RISK_P_ALIVE, 0)),
                customers=len(targets),
                value=revenue,
                expected_impact=impact,
                assumption=ctx.t(
                    "rec.assumption.one_order",
                    rate=(rate, "rate"),
                    customers=(len(targets), "count"),
                    aov=(aov, "money"),
                    impact=(impact, "money"),
                ),
                target_list="vip_at_risk",
                owner=ctx.t("owner.key_accounts"),
                when=ctx.t("when.within_30"),
                kpi=ctx.t("kpi.p_alive"),
            )
        )

    shown = pd.DataFrame(
        {
            "band": [
                ctx.t(f"churn.band.{b}", low=ctx.fmt.pct(low_cut, 0), high=ctx.fmt.pct(high_cut, 0))
                for b in BANDS
            ],
            "customers": bands["customers"].astype(int).to_numpy(),
            "revenue_at_risk": bands["revenue_at_risk"].to_numpy(),
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
            model=str(ctx.query(CLV).model.max().execute()),
            high=ctx.fmt.pct(high_cut, 0),
            low=ctx.fmt.pct(low_cut, 0),
        )
    )
    if ctx.has(MODELS, *MODEL_COLUMNS):
        _validation(ctx, result)
    return result


def _with_segments(ctx: ReportContext, targets: ibis.Table) -> pd.DataFrame:
    """The target list with each customer's RFM segment and lifecycle stage, when known."""
    has_segment = ctx.has("rfm_scores", "customer_id", "segment")
    if has_segment:
        rfm = ctx.query("rfm_scores").select("customer_id", rfm_segment="segment")
        targets = targets.left_join(rfm, "customer_id").drop("customer_id_right")
    has_stage = ctx.has("lifecycle_stages", "customer_id", "stage")
    if has_stage:
        stages = ctx.query("lifecycle_stages").select("customer_id", lifecycle_stage="stage")
        targets = targets.left_join(stages, "customer_id").drop("customer_id_right")
    frame: pd.DataFrame = targets.order_by(ibis.desc("revenue"), "customer_id").to_pandas()
    if has_segment:
        segment = frame["rfm_segment"]
        frame["rfm_segment"] = segment.map(lambda c: ctx.name("segment.rfm11", c), "ignore")
    if has_stage:
        stage = frame["lifecycle_stage"]
        frame["lifecycle_stage"] = stage.map(lambda s: ctx.name("stage", s), "ignore")
    return frame


def _clv_deciles(ctx: ReportContext) -> Chart:
    """Predicted 12-month value by customer decile (top 10% first): how concentrated it is."""
    clv = ctx.query(CLV)
    ranked = clv.mutate(
        decile=(ibis.percent_rank().over(order_by=ibis.desc(clv.clv_12m)) * 10)
        .floor()
        .clip(upper=9)
        .cast("int64")
        + 1
    )
    deciles = (
        ranked.group_by("decile")
        .aggregate(clv_12m=ranked.clv_12m.sum())
        .order_by("decile")
        .to_pandas()
    )
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
    result.sheets[ctx.t("sheet.models")] = models


SECTION = Section("churn", NEEDS, build)
