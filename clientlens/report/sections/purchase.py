"""购买行为分析 / Purchase behaviour: how often customers buy, and who bought only once.

Reads ``customer_base`` (the customer base in one row: customers, orders, revenue,
one-time buyers and their shares, the repeat buyers' mean spend) and
``purchase_order_buckets`` (customers by number of orders: 1 … 5, 6-10, 11+). When the
behaviour results exist it adds the time to a second purchase (``repeat_purchase``),
the weekday × hour pattern (``purchase_heatmap``) and the category mix
(``category_mix``, level ``overall``).

With every order on one day (``customer_base.history_days`` under 1) nobody can have come
back yet: the section states the figures of that day and says the history is too short,
instead of a repeat share of same-day orders.

The recommendation targets recent one-time buyers, the ``second_purchase`` audience
(``audience_summary``, ``audiences``): converting them to a second purchase is the
cheapest growth a shop has. Its rule and expected impact are the audience's (see
:mod:`clientlens.analytics.audiences.audiences`).
"""

from __future__ import annotations

import pandas as pd

from clientlens.report import charts
from clientlens.report.context import ReportContext
from clientlens.report.insights import Fact, Finding, Source
from clientlens.report.sections import targets
from clientlens.report.sections.base import Chart, Section, SectionResult

TABLE = "customer_base"
BUCKETS = "purchase_order_buckets"
NEEDS = {
    TABLE: (
        "customers",
        "orders",
        "revenue",
        "orders_per_customer",
        "aov",
        "one_time_buyers",
        "one_time_share",
        "repeat_share",
        "one_time_revenue_share",
        "mean_repeat_spend",
    ),
    BUCKETS: ("bucket", "bucket_order", "customers"),
}
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
SECOND = "second_purchase"


def _source(column: str) -> Source:
    return Source(TABLE, column)


def build(ctx: ReportContext) -> SectionResult | None:
    base = ctx.frame(TABLE, NEEDS[TABLE]).iloc[0]
    customers = int(base["customers"])
    if customers == 0:
        return None
    one_time = int(base["one_time_buyers"])
    repeat_share = float(base["repeat_share"])
    f_one_time = Fact("purchase.one_time", one_time, "count", _source("one_time_buyers"))
    f_repeat = Fact(
        "purchase.repeat_share", repeat_share, "rate", _source("repeat_share"), n=customers
    )
    f_one_time_rev = Fact(
        "purchase.one_time_revenue_share",
        float(base["one_time_revenue_share"]),
        "rate",
        _source("one_time_revenue_share"),
    )
    result = SectionResult("purchase", ctx.t("section.purchase"))
    result.paragraphs.append(
        ctx.t(
            "purchase.overview",
            customers=(customers, "count"),
            orders=(float(base["orders"]), "count"),
            revenue=(float(base["revenue"]), "money"),
            per_customer=(float(base["orders_per_customer"]), "number"),
            aov=(float(base["aov"]), "money"),
        )
    )
    if ctx.one_day_history:
        # Two orders on the one day of data are not a customer who came back.
        result.paragraphs.append(ctx.t("purchase.one_day", day=ctx.fmt.date(ctx.observation_end)))
        _optional_parts(ctx, result)
        return result
    spend = base["mean_repeat_spend"]
    result.findings.append(
        Finding(
            "purchase.one_time",
            "purchase",
            [f_one_time, f_repeat, f_one_time_rev],
            {
                "one_time_share": (float(base["one_time_share"]), "rate"),
                "one_time": (one_time, "count"),
                "revenue_share": (f_one_time_rev.value, "rate"),
                "repeat_share": (repeat_share, "rate"),
            },
            # Impact: the revenue one-time buyers would add at the repeat buyers' spend.
            impact=one_time * (0.0 if pd.isna(spend) else float(spend)),
            tone="bad" if repeat_share < 0.3 else "neutral",
        )
    )

    buckets = ctx.frame(BUCKETS, NEEDS[BUCKETS]).sort_values("bucket_order")
    dist = buckets[buckets["customers"] > 0][["bucket", "customers"]].reset_index(drop=True)
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
                sort=list(buckets["bucket"]),
            ),
        )
    )

    _optional_parts(ctx, result)
    row = targets.audience(ctx, SECOND)
    if row is not None and targets.actionable(ctx, row):
        days = int(row["max_age_days"])
        result.target_lists.append(targets.target_list(ctx, SECOND, "list.second_purchase"))
        result.recommendations.append(
            targets.recommendation(
                ctx,
                SECOND,
                row,
                text=ctx.t("rec.second_purchase", days=days),
                segment=ctx.t("segment.recent_one_time", days=days),
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
        if (cells["orders"] > 0).any():
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
        overall = mix[mix["level"] == "overall"]
        top = overall.sort_values("category_rank").head(10)
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
                    # "top 10" only when there are more than ten to choose from
                    ctx.t(
                        "purchase.chart.categories_top"
                        if len(overall) > len(top)
                        else "purchase.chart.categories",
                        n=len(top),
                    ),
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
