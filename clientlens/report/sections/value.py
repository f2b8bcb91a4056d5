"""客户价值与贡献 / Customer value: RFM segments, who brings the revenue, and who is slipping.

Reads ``rfm_segments`` (per scheme and segment: ``customers``, ``customer_share``,
``revenue``, ``revenue_share``, ``avg_recency_days``, ``avg_historical_clv``,
``avg_clv_12m``; names and actions from the text catalog) and, for the target lists,
``rfm_scores`` (per customer: ``segment``, ``recency_days``, ``orders``, ``revenue``).

Two recommendations, each with its customer list:

* win back the high-value customers who have stopped buying (``at_risk`` and
  ``cant_lose``): expected impact = customers × ``report_conversion_rate`` × their mean
  order value (one returning order each);
* keep and grow the best customers (``champions`` and ``loyal``): expected impact =
  customers × ``report_conversion_rate`` × their mean order value (one extra order each,
  from a referral or loyalty programme).
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

SEGMENTS = "rfm_segments"
SCORES = "rfm_scores"
NEEDS = {
    SEGMENTS: (
        "scheme",
        "segment",
        "display_order",
        "customers",
        "customer_share",
        "revenue",
        "revenue_share",
        "avg_recency_days",
        "avg_historical_clv",
        "avg_clv_12m",
    ),
    SCORES: ("customer_id", "segment", "recency_days", "orders", "revenue"),
}
SUMMARY = "value_summary"
SUMMARY_COLUMNS = ("section", "group", "customers", "revenue", "revenue_share", "value")
CURVE = "value_concentration"
CURVE_COLUMNS = ("point", "customer_share", "revenue_share")
BEST = ("champions", "loyal")
SLIPPING = ("at_risk", "cant_lose")


def _group_fact(seg: pd.DataFrame, codes: tuple[str, ...], column: str, key: str) -> Fact:
    rows = seg[seg["segment"].isin(codes)]
    return Fact(
        key,
        float(rows[column].sum()),
        "rate" if column.endswith("share") else "count" if column == "customers" else "money",
        Source(SEGMENTS, column, {"scheme": "rfm11", "segment": codes}, agg="sum"),
    )


def _target_list(ctx: ReportContext, codes: tuple[str, ...]) -> pd.DataFrame:
    t = ctx.query(SCORES)
    picked = t.filter(t.segment.isin(codes))
    cols = ["customer_id", "segment", "recency_days", "orders", "revenue"]
    frame = picked.select(*cols).order_by(ibis.desc("revenue"), "customer_id").to_pandas()
    frame.insert(2, "segment_name", [ctx.name("segment.rfm11", c) for c in frame["segment"]])
    return frame


def _recommendation(
    ctx: ReportContext, key: str, codes: tuple[str, ...], segment_name: str
) -> tuple[Recommendation, TargetList] | None:
    frame = _target_list(ctx, codes)
    if frame.empty:
        return None
    rate = float(ctx.settings.get("report_conversion_rate", 0.1))
    value = float(frame["revenue"].sum())
    aov = value / float(frame["orders"].sum())
    impact = len(frame) * rate * aov
    return (
        Recommendation(
            key=key,
            text=ctx.t(f"rec.{key}"),
            segment=segment_name,
            customers=len(frame),
            value=value,
            expected_impact=impact,
            assumption=ctx.t(
                "rec.assumption.one_order",
                rate=(rate, "rate"),
                customers=(len(frame), "count"),
                aov=(aov, "money"),
                impact=(impact, "money"),
            ),
            target_list=key,
            owner=ctx.t("owner.crm" if key == "win_back" else "owner.key_accounts"),
            when=ctx.t("when.within_30" if key == "win_back" else "when.this_quarter"),
            kpi=ctx.t("kpi.reactivated" if key == "win_back" else "kpi.best_share"),
        ),
        TargetList(key, ctx.t(f"list.{key}"), frame),
    )


def build(ctx: ReportContext) -> SectionResult | None:
    all_segments = ctx.frame(SEGMENTS, NEEDS[SEGMENTS])
    seg = all_segments[all_segments["scheme"] == "rfm11"].sort_values("display_order")
    if seg.empty or seg["customers"].sum() == 0:
        return None
    name_col, action_col = "segment_name", "action"
    seg = seg.assign(
        segment_name=[ctx.name("segment.rfm11", c) for c in seg["segment"]],
        action=[ctx.name("segment_action.rfm11", c) for c in seg["segment"]],
    )
    names = dict(zip(seg["segment"], seg[name_col], strict=True))
    result = SectionResult("value", ctx.t("section.value"))

    best_customers = _group_fact(seg, BEST, "customer_share", "value.best_customer_share")
    best_revenue = _group_fact(seg, BEST, "revenue_share", "value.best_revenue_share")
    result.findings.append(
        Finding(
            "value.best",
            "value",
            [best_customers, best_revenue],
            {
                "segments": ctx.t("and").join(names[c] for c in BEST),
                "customer_share": (best_customers.value, "rate"),
                "revenue_share": (best_revenue.value, "rate"),
            },
            # Ranked by revenue per year (revenue to date over the years of history).
            impact=float(seg[seg["segment"].isin(BEST)]["revenue"].sum()) / ctx.history_years,
            tone="neutral",
        )
    )
    slip_n = _group_fact(seg, SLIPPING, "customers", "value.slipping_customers")
    slip_rev = _group_fact(seg, SLIPPING, "revenue", "value.slipping_revenue")
    if slip_n.value > 0:
        rows = seg[seg["segment"].isin(SLIPPING)]
        recency = float((rows["avg_recency_days"] * rows["customers"]).sum() / slip_n.value)
        result.findings.append(
            Finding(
                "value.slipping",
                "value",
                [slip_n, slip_rev],
                {
                    "segments": ctx.t("and").join(names[c] for c in SLIPPING),
                    "customers": (slip_n.value, "count"),
                    "revenue": (slip_rev.value, "money"),
                    "days": (recency, "days"),
                },
                impact=slip_rev.value / ctx.history_years,
                tone="bad",
            )
        )

    shares = pd.concat(
        [
            pd.DataFrame({"segment": seg[name_col], "measure": ctx.t(label), "share": seg[column]})
            for column, label in (
                ("customer_share", "value.customer_share"),
                ("revenue_share", "value.revenue_share"),
            )
        ]
    )
    result.charts.append(
        Chart(
            "rfm_shares",
            ctx.t("value.chart.rfm"),
            charts.grouped_bar(
                shares,
                "segment",
                "share",
                "measure",
                "",
                ctx.t("axis.share"),
                sort=list(seg[name_col]),
            ),
        )
    )
    has_clv = seg["avg_clv_12m"].notna().any()
    table = pd.DataFrame(
        {
            ctx.t("col.segment"): seg[name_col],
            ctx.t("col.customers"): [ctx.fmt.count(v) for v in seg["customers"]],
            ctx.t("value.customer_share"): [ctx.fmt.pct(v) for v in seg["customer_share"]],
            ctx.t("value.revenue_share"): [ctx.fmt.pct(v) for v in seg["revenue_share"]],
            ctx.t("col.avg_historical_clv"): [ctx.fmt.money(v) for v in seg["avg_historical_clv"]],
        }
    )
    if has_clv:
        table[ctx.t("col.avg_clv_12m")] = [ctx.fmt.money(v) for v in seg["avg_clv_12m"]]
    table[ctx.t("col.action")] = list(seg[action_col])
    result.tables.append(TableBlock(ctx.t("value.table"), table[seg["customers"].to_numpy() > 0]))
    result.sheets[ctx.t("sheet.rfm")] = _named_segments(ctx, all_segments)

    if ctx.has(SUMMARY, *SUMMARY_COLUMNS) and ctx.has(CURVE, *CURVE_COLUMNS):
        _concentration(ctx, result)
    for key, codes in (("win_back", SLIPPING), ("loyalty", BEST)):
        made = _recommendation(ctx, key, codes, ctx.t("and").join(names[c] for c in codes))
        if made is not None:
            result.recommendations.append(made[0])
            result.target_lists.append(made[1])
    return result


def _concentration(ctx: ReportContext, result: SectionResult) -> None:
    """Pareto curve and the top-20% share (from ``value_summary``), when the value results exist."""
    summary = ctx.frame(SUMMARY, SUMMARY_COLUMNS)
    top = summary[(summary["section"] == "top_share") & (summary["group"] == "top_20pct")]
    gini = summary[summary["section"] == "gini"]
    if top.empty:
        return
    share = float(top["revenue_share"].iloc[0])
    facts = [
        Fact(
            "value.top20_share",
            share,
            "rate",
            Source(SUMMARY, "revenue_share", {"section": "top_share", "group": "top_20pct"}),
        )
    ]
    params: dict[str, object] = {"share": (share, "rate")}
    key = "value.top20"
    if not gini.empty and not pd.isna(gini["value"].iloc[0]):
        g = float(gini["value"].iloc[0])
        facts.append(Fact("value.gini", g, "number", Source(SUMMARY, "value", {"section": "gini"})))
        params["gini"] = ctx.fmt.number(g, 2)
        key = "value.top20_gini"
    result.findings.append(
        Finding(
            key,
            "value",
            facts,
            params,
            impact=float(top["revenue"].iloc[0]) / ctx.history_years,
            tone="neutral",
        )
    )
    curve = ctx.frame(CURVE, CURVE_COLUMNS)
    marks = curve[curve["point"].isin([10, 20, 50])].copy()
    marks["label"] = [
        ctx.t("value.pareto_mark", top=ctx.fmt.pct(c, 0), share=ctx.fmt.pct(r, 0))
        for c, r in zip(marks["customer_share"], marks["revenue_share"], strict=True)
    ]
    result.charts.append(
        Chart(
            "pareto",
            ctx.t("value.chart.pareto"),
            charts.pareto(
                curve[["customer_share", "revenue_share"]],
                "customer_share",
                "revenue_share",
                ctx.t("value.axis.top_customers"),
                ctx.t("value.axis.cum_revenue"),
                marks=marks[["customer_share", "revenue_share", "label"]],
            ),
        )
    )
    result.sheets[ctx.t("sheet.value")] = summary


def _named_segments(ctx: ReportContext, frame: pd.DataFrame) -> pd.DataFrame:
    """The ``rfm_segments`` sheet with each segment's name and action beside its code."""
    names = [
        ctx.name(f"segment.{s}", c) for s, c in zip(frame["scheme"], frame["segment"], strict=True)
    ]
    actions = [
        ctx.name(f"segment_action.{s}", c)
        for s, c in zip(frame["scheme"], frame["segment"], strict=True)
    ]
    out = frame.copy()
    out.insert(2, "segment_name", names)
    out["action"] = actions
    return out


SECTION = Section("value", NEEDS, build)
