"""客户细分 / Customer segments: the 8-segment RFM scheme (重要价值客户 …), ABC classes and
CLV tiers side by side, so each team can find its customers in the scheme it uses.

Reads ``rfm_segments`` (rows of scheme ``rfm8``) and, when present, ``value_summary``
(section ``abc``) and ``clv_segment_summary`` (customers and predicted value per CLV
segment).
Its findings repeat nothing from the value section, so none goes to the summary.
"""

from __future__ import annotations

import pandas as pd

from clientlens.report import charts
from clientlens.report.context import ReportContext
from clientlens.report.insights import Fact, Finding, Source
from clientlens.report.sections.base import Chart, Section, SectionResult, TableBlock

SEGMENTS = "rfm_segments"
NEEDS = {
    SEGMENTS: (
        "scheme",
        "segment",
        "display_order",
        "customers",
        "customer_share",
        "revenue",
        "revenue_share",
    )
}
VALUE = "value_summary"
VALUE_COLUMNS = (
    "section",
    "group",
    "customers",
    "customer_share",
    "revenue_share",
)
CLV = "clv_segment_summary"
CLV_COLUMNS = ("clv_segment", "segment_order", "customers", "clv_12m", "clv_share")


def build(ctx: ReportContext) -> SectionResult | None:
    frame = ctx.frame(SEGMENTS, NEEDS[SEGMENTS])
    rfm8 = frame[(frame["scheme"] == "rfm8") & (frame["customers"] > 0)].sort_values(
        "display_order"
    )
    if rfm8.empty:
        return None
    name, action = "name", "action"
    rfm8 = rfm8.assign(
        name=[ctx.name("segment.rfm8", c) for c in rfm8["segment"]],
        action=[ctx.name("segment_action.rfm8", c) for c in rfm8["segment"]],
    )
    result = SectionResult("segments", ctx.t("section.segments"))
    # Without CLV tiers (no identified CLV model) the intro names the two schemes shown.
    has_tiers = ctx.has(CLV, *CLV_COLUMNS)
    result.paragraphs.append(ctx.t("segments.intro" if has_tiers else "segments.intro_no_clv"))
    top = rfm8.iloc[0]
    where = {"scheme": "rfm8", "segment": top["segment"]}
    result.findings.append(
        Finding(
            "segments.top",
            "segments",
            [
                Fact(
                    "segments.top_share",
                    float(top["customer_share"]),
                    "rate",
                    Source(SEGMENTS, "customer_share", where),
                ),
                Fact(
                    "segments.top_revenue",
                    float(top["revenue_share"]),
                    "rate",
                    Source(SEGMENTS, "revenue_share", where),
                ),
            ],
            {
                "segment": top[name],
                "customer_share": (float(top["customer_share"]), "rate"),
                "revenue_share": (float(top["revenue_share"]), "rate"),
            },
            impact=0.0,
            headline=False,
        )
    )
    shares = pd.concat(
        [
            pd.DataFrame({"segment": rfm8[name], "measure": ctx.t(label), "share": rfm8[col]})
            for col, label in (
                ("customer_share", "value.customer_share"),
                ("revenue_share", "value.revenue_share"),
            )
        ]
    )
    result.charts.append(
        Chart(
            "rfm8",
            ctx.t("segments.chart.rfm8"),
            charts.grouped_bar(
                shares,
                "segment",
                "share",
                "measure",
                "",
                ctx.t("axis.share"),
                sort=list(rfm8[name]),
            ),
        )
    )
    result.tables.append(
        TableBlock(
            ctx.t("segments.table.rfm8"),
            pd.DataFrame(
                {
                    ctx.t("col.segment"): rfm8[name],
                    ctx.t("col.customers"): [ctx.fmt.count(v) for v in rfm8["customers"]],
                    ctx.t("value.customer_share"): [ctx.fmt.pct(v) for v in rfm8["customer_share"]],
                    ctx.t("value.revenue_share"): [ctx.fmt.pct(v) for v in rfm8["revenue_share"]],
                    ctx.t("col.action"): list(rfm8[action]),
                }
            ),
        )
    )
    if ctx.has(VALUE, *VALUE_COLUMNS):
        abc = ctx.frame(VALUE, VALUE_COLUMNS)
        abc = abc[abc["section"] == "abc"].sort_values("group")
        if not abc.empty:
            result.tables.append(
                TableBlock(
                    ctx.t("segments.table.abc"),
                    pd.DataFrame(
                        {
                            ctx.t("col.segment"): [ctx.name("abc", g) for g in abc["group"]],
                            ctx.t("col.customers"): [ctx.fmt.count(v) for v in abc["customers"]],
                            ctx.t("value.customer_share"): [
                                ctx.fmt.pct(v) for v in abc["customer_share"]
                            ],
                            ctx.t("value.revenue_share"): [
                                ctx.fmt.pct(v) for v in abc["revenue_share"]
                            ],
                        }
                    ),
                )
            )
    if has_tiers:
        tiers = ctx.frame(CLV, CLV_COLUMNS).sort_values("segment_order")
        tiers = tiers[tiers["customers"] > 0]
        if not tiers.empty:
            result.tables.append(
                TableBlock(
                    ctx.t("segments.table.clv"),
                    pd.DataFrame(
                        {
                            ctx.t("col.segment"): [
                                ctx.t(f"segments.clv.{k}") for k in tiers["clv_segment"]
                            ],
                            ctx.t("col.customers"): [ctx.fmt.count(v) for v in tiers["customers"]],
                            ctx.t("col.clv_total"): [ctx.fmt.money(v) for v in tiers["clv_12m"]],
                            ctx.t("col.clv_share"): [
                                ctx.fmt.pct(v) for v in tiers["clv_share"].fillna(0.0)
                            ],
                        }
                    ),
                )
            )
    return result


SECTION = Section("segments", NEEDS, build)
