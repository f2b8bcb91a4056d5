"""购买行为分析 / Purchase behaviour: how often customers buy, and who bought only once.

Reads ``customer_summary`` (one row per customer: ``customer_id``, ``n_orders``,
``frequency``, ``monetary_value``, ``total_amount``, ``T``, ``first_purchase``,
``last_purchase``), aggregated in the engine so a million customers cost one query.
When the behaviour results exist it adds the time to a second purchase
(``repeat_purchase``), the weekday × hour pattern (``purchase_heatmap``) and the
category mix (``category_mix``, level ``overall``).

The recommendation targets recent one-time buyers (first purchase within
``report_new_buyer_days``): converting them to a second purchase is the cheapest
growth a shop has. Expected impact = buyers × ``report_conversion_rate`` × the mean
repeat-purchase spend of today's repeat buyers (stated in the text).
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
    TargetList,
)

TABLE = "customer_summary"
NEEDS = {
    TABLE: (
        "customer_id",
        "n_orders",
        "frequency",
        "monetary_value",
        "total_amount",
        "T",
        "first_purchase",
        "last_purchase",
    )
}
BUCKETS = ("1", "2", "3", "4", "5", "6-10", "11+")
REPEAT = "repeat_purchase"
REPEAT_COLUMNS = ("median_days_to_second_purchase",)
HEATMAP = "purchase_heatmap"
HEATMAP_COLUMNS = (
    "day_of_week",
    "hour",
    "orders",
    "order_share",
)
MIX = "category_mix"
MIX_COLUMNS = ("level", "category", "category_rank", "revenue_share")


def _bucket(n: ibis.Value) -> ibis.Value:
    return ibis.cases(
        (n <= 5, n.cast("string")),
        (n <= 10, ibis.literal("6-10")),
        else_=ibis.literal("11+"),
    ).name("bucket")


def build(ctx: ReportContext) -> SectionResult | None:
    t = ctx.query(TABLE)
    totals = (
        t.aggregate(
            customers=t.count(),
            revenue=t.total_amount.sum(),
            orders=t.n_orders.sum(),
            one_time=(t.n_orders == 1).sum(),
            one_time_revenue=(t.n_orders == 1).ifelse(t.total_amount, 0).sum(),
            repeat_spend=(t.frequency > 0).ifelse(t.monetary_value, ibis.null()).mean(),
        )
        .to_pandas()
        .iloc[0]
    )
    customers = int(totals["customers"])
    if customers == 0:
        return None
    revenue = float(totals["revenue"])
    one_time = int(totals["one_time"])
    repeat_share = 1 - one_time / customers
    orders_per_customer = float(totals["orders"]) / customers
    f_one_time = Fact(
        "purchase.one_time", one_time, "count", Source(TABLE, "n_orders", {"n_orders": 1}, "count")
    )
    f_repeat = Fact(
        "purchase.repeat_share",
        repeat_share,
        "rate",
        Source(TABLE, "n_orders", {"n_orders": ">=2"}, agg="share"),
        n=customers,
    )
    f_one_time_rev = Fact(
        "purchase.one_time_revenue_share",
        float(totals["one_time_revenue"]) / revenue if revenue else 0.0,
        "rate",
        Source(TABLE, "total_amount", {"n_orders": 1}, agg="share"),
    )
    result = SectionResult("purchase", ctx.t("section.purchase"))
    result.paragraphs.append(
        ctx.t(
            "purchase.overview",
            customers=(customers, "count"),
            orders=(float(totals["orders"]), "count"),
            revenue=(revenue, "money"),
            per_customer=(orders_per_customer, "number"),
            aov=(revenue / float(totals["orders"]), "money"),
        )
    )
    result.findings.append(
        Finding(
            "purchase.one_time",
            "purchase",
            [f_one_time, f_repeat, f_one_time_rev],
            {
                "one_time_share": (one_time / customers, "rate"),
                "one_time": (one_time, "count"),
                "revenue_share": (f_one_time_rev.value, "rate"),
                "repeat_share": (repeat_share, "rate"),
            },
            # Impact: the revenue one-time buyers would add at the repeat buyers' spend.
            impact=one_time * float(totals["repeat_spend"] or 0),
            tone="bad" if repeat_share < 0.3 else "neutral",
        )
    )

    dist = t.group_by(_bucket(t.n_orders)).aggregate(customers=t.count()).to_pandas()
    dist = dist.set_index("bucket").reindex(BUCKETS).dropna().reset_index()
    dist["customers"] = dist["customers"].astype(int)
    result.charts.append(
        Chart(
            "orders_per_customer",
            ctx.t("purchase.chart.orders"),
            charts.bar(
                dist,
                "bucket",
                "customers",
                ctx.t("purchase.axis.orders"),
                ctx.t("axis.customers"),
                lang=ctx.lang,
                sort=list(BUCKETS),
            ),
        )
    )

    _optional_parts(ctx, result)
    days = int(ctx.settings.get("report_new_buyer_days", 90))
    rate = float(ctx.settings.get("report_conversion_rate", 0.1))
    recent = t.filter((t.n_orders == 1) & (t["T"] <= days))
    targets = recent.select(
        "customer_id",
        first_purchase=t.first_purchase,
        revenue=t.total_amount,
        age_days=t.T,
    ).order_by(ibis.desc("revenue"), "customer_id")
    target_frame: pd.DataFrame = targets.to_pandas()
    n_targets = len(target_frame)
    if n_targets and totals["repeat_spend"] is not None and not pd.isna(totals["repeat_spend"]):
        spend = float(totals["repeat_spend"])
        impact = n_targets * rate * spend
        list_key = "second_purchase"
        result.target_lists.append(
            TargetList(list_key, ctx.t("list.second_purchase"), target_frame)
        )
        result.recommendations.append(
            Recommendation(
                key="second_purchase",
                text=ctx.t("rec.second_purchase", days=days),
                segment=ctx.t("segment.recent_one_time", days=days),
                customers=n_targets,
                value=float(target_frame["revenue"].sum()),
                expected_impact=impact,
                assumption=ctx.t(
                    "rec.assumption.conversion",
                    rate=(rate, "rate"),
                    customers=(n_targets, "count"),
                    spend=(spend, "money"),
                    impact=(impact, "money"),
                ),
                target_list=list_key,
                owner=ctx.t("owner.crm"),
                when=ctx.t("when.within_30"),
                kpi=ctx.t("kpi.repeat_rate"),
            )
        )
    return result


def _optional_parts(ctx: ReportContext, result: SectionResult) -> None:
    """Time to second purchase, the weekday × hour pattern and the category mix, when the
    behaviour results exist."""
    if ctx.has(REPEAT, *REPEAT_COLUMNS):
        repeat = ctx.frame(REPEAT, REPEAT_COLUMNS)
        median = repeat["median_days_to_second_purchase"].dropna()
        if not median.empty:
            result.paragraphs.append(
                ctx.t("purchase.second_purchase", days=(float(median.iloc[0]), "days"))
            )
    if ctx.has(HEATMAP, *HEATMAP_COLUMNS):
        cells = ctx.frame(HEATMAP, HEATMAP_COLUMNS)
        if cells["orders"].sum() > 0:
            day = "day_of_week_name"
            cells = cells.assign(**{day: [ctx.name("weekday", d) for d in cells["day_of_week"]]})
            order = list(cells.sort_values("day_of_week")[day].drop_duplicates())
            result.charts.append(
                Chart(
                    "purchase_heatmap",
                    ctx.t("purchase.chart.heatmap"),
                    charts.heatmap(
                        cells[["hour", day, "order_share"]],
                        "hour",
                        day,
                        "order_share",
                        ctx.t("purchase.axis.hour"),
                        "",
                        ctx.t("axis.share"),
                        labels=False,
                        y_sort=order,
                    ),
                )
            )
    if ctx.has(MIX, *MIX_COLUMNS):
        mix = ctx.frame(MIX, MIX_COLUMNS)
        top = mix[mix["level"] == "overall"].sort_values("category_rank").head(10)
        if len(top) >= 2:
            first = top.iloc[0]
            result.paragraphs.append(
                ctx.t(
                    "purchase.top_category",
                    category=ctx.data_value(first["category"], kind="category"),
                    share=(float(first["revenue_share"]), "rate"),
                )
            )
            result.charts.append(
                Chart(
                    "category_mix",
                    ctx.t("purchase.chart.categories"),
                    charts.bar(
                        top[["category", "revenue_share"]].assign(
                            category=[ctx.data_value(c, kind="category") for c in top["category"]]
                        ),
                        "category",
                        "revenue_share",
                        "",
                        ctx.t("value.revenue_share"),
                        lang=ctx.lang,
                        kind="rate",
                        horizontal=True,
                    ),
                )
            )


SECTION = Section("purchase", NEEDS, build)
