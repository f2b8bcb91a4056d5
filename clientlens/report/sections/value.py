"""客户价值与贡献 / Customer value: RFM segments, who brings the revenue, and who is slipping.

Reads ``rfm_segments`` (per scheme and segment: ``customers``, ``customer_share``,
``revenue``, ``revenue_share``, ``avg_historical_clv``, ``avg_clv_12m``; names and
actions from the text catalog) and the RFM audiences of ``audience_summary``: ``loyalty`` (the best
customers: Champions and Loyal) and ``win_back`` (the high-value customers who have
stopped buying: At Risk and Can't Lose), with their customer lists from ``audiences``.

When ``clv_models`` says the final purchase model is not identified (no customer bought on
two different days, or its fit did not converge), ``clv`` was skipped: the section shows
no predicted CLV and says why (:func:`model_caveat`, also a caveat of the data section).

The best customers' weight is their rule's (``rule_customer_share``, ``rule_revenue_share``);
the slipping ones are told with how many a list above took, how many the purchase model
writes off, and how many the win-back list keeps.

Two recommendations, each with its customer list: win back the slipping high-value
customers, and keep and grow the best ones. Their expected impact, cost and ROI are the
audience's (customers × ``audience_<code>_response_rate`` × their mean order value; see
:mod:`clientlens.analytics.audiences.audiences`).
"""

from __future__ import annotations

import pandas as pd

from clientlens.report import charts
from clientlens.report.context import ReportContext
from clientlens.report.insights import Fact, Finding, Source
from clientlens.report.sections import targets
from clientlens.report.sections.base import Chart, Section, SectionResult, Sheet, TableBlock

SEGMENTS = "rfm_segments"
NEEDS = {
    SEGMENTS: (
        "scheme",
        "segment",
        "display_order",
        "customers",
        "customer_share",
        "revenue_share",
        "avg_historical_clv",
        "avg_clv_12m",
    ),
    targets.SUMMARY: targets.SUMMARY_COLUMNS,
    targets.MEMBERS: targets.MEMBER_COLUMNS,
}
MODELS = "clv_models"
MODEL_COLUMNS = ("model", "role", "stage", "identified", "note")
SUMMARY = "value_summary"
SUMMARY_COLUMNS = ("section", "group", "customers", "revenue", "revenue_share", "value")
CURVE = "value_concentration"
CURVE_COLUMNS = ("point", "customer_share", "revenue_share")
BEST = "loyalty"
SLIPPING = "win_back"


def model_caveat(ctx: ReportContext) -> str | None:
    """Why no CLV is shown, from ``clv_models``: None when the final purchase model is
    identified (or no model was fitted at all: the report then says why elsewhere)."""
    if not ctx.has(MODELS, *MODEL_COLUMNS):
        return None
    models = ctx.frame(MODELS, MODEL_COLUMNS)
    final = models[models["stage"] == "final"].set_index("role")
    if "purchases" not in final.index or bool(final.loc["purchases", "identified"]):
        return None
    spend_note = str(final.loc["spend", "note"]) if "spend" in final.index else ""
    key = (
        "data.clv_no_repeat"
        if "no_repeat_buyers" in spend_note.split()
        else ("data.clv_not_converged")
    )
    return ctx.t(key, model=str(final.loc["purchases", "model"]))


def _audience_fact(row: pd.Series, column: str, key: str, kind: str) -> Fact:
    audience = str(row["audience"])
    return Fact(
        key, float(row[column]), kind, Source(targets.SUMMARY, column, {"audience": audience})
    )


def build(ctx: ReportContext) -> SectionResult | None:
    all_segments = ctx.frame(SEGMENTS, NEEDS[SEGMENTS])
    seg = all_segments[all_segments["scheme"] == "rfm11"].sort_values("display_order")
    if seg.empty or (seg["customers"] == 0).all():
        return None
    name_col, action_col = "segment_name", "action"
    seg = seg.assign(
        segment_name=[ctx.name("segment.rfm11", c) for c in seg["segment"]],
        action=[ctx.name("segment_action.rfm11", c) for c in seg["segment"]],
    )
    result = SectionResult("value", ctx.t("section.value"))
    caveat = model_caveat(ctx)
    if caveat:
        result.paragraphs.append(caveat)

    best = targets.audience(ctx, BEST)
    slipping = targets.audience(ctx, SLIPPING)
    if best is None or slipping is None:
        return None
    # the best customers' weight in the base is their rule's, not the loyalty list's: a
    # list above or the value test may have taken some of them
    best_customers = _audience_fact(
        best, "rule_customer_share", "value.best_customer_share", "rate"
    )
    best_revenue = _audience_fact(best, "rule_revenue_share", "value.best_revenue_share", "rate")
    result.findings.append(
        Finding(
            "value.best",
            "value",
            [best_customers, best_revenue],
            {
                "segments": targets.rule_segments(ctx, best),
                "customer_share": (best_customers.value, "rate"),
                "revenue_share": (best_revenue.value, "rate"),
            },
            # Ranked by revenue per year (revenue to date over the years of history).
            impact=float(best["revenue"]) / ctx.history_years,
            tone="neutral",
        )
    )
    _slipping(ctx, result, slipping)

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
    result.sheets[ctx.t("sheet.rfm")] = Sheet(SEGMENTS, _named_segments(ctx, all_segments))

    if ctx.has(SUMMARY, *SUMMARY_COLUMNS) and ctx.has(CURVE, *CURVE_COLUMNS):
        _concentration(ctx, result)
    for row in (slipping, best):
        if targets.actionable(ctx, row):
            code = str(row["audience"])
            result.recommendations.append(
                targets.recommendation(
                    ctx,
                    code,
                    row,
                    text=ctx.t(f"rec.{code}"),
                    segment=targets.rule_segments(ctx, row),
                )
            )
            result.target_lists.append(targets.target_list(ctx, code, f"list.{code}"))
    return result


def _slipping(ctx: ReportContext, result: SectionResult, row: pd.Series) -> None:
    """The high-value customers who stopped buying: how many, how many are still worth a
    win-back offer, and why the others are not."""
    rule = _audience_fact(row, "rule_customers", "value.slipping_customers", "count")
    if rule.value == 0:
        return
    listed = _audience_fact(row, "customers", "value.slipping_listed", "count")
    params: dict[str, object] = {
        "segments": targets.rule_segments(ctx, row),
        "rule": (rule.value, "count"),
        "higher": (float(row["higher_priority"]), "count"),
        "gone": (float(row["left_out_gone"]), "count"),
        "low_value": (float(row["left_out_low_value"]), "count"),
        "customers": (listed.value, "count"),
    }
    if listed.value == 0:
        key = "value.slipping_none" if targets.value_tested(row) else "value.slipping_taken"
        result.findings.append(Finding(key, "value", [rule, listed], params, impact=0.0))
        return
    revenue = _audience_fact(row, "revenue", "value.slipping_revenue", "money")
    params |= {
        "revenue": (revenue.value, "money"),
        "days": (float(row["mean_recency_days"]), "days"),
    }
    key = "value.slipping" if targets.value_tested(row) else "value.slipping_untested"
    result.findings.append(
        Finding(
            key,
            "value",
            [rule, listed, revenue],
            params,
            impact=revenue.value / ctx.history_years,
            tone="bad",
        )
    )


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
    result.sheets[ctx.t("sheet.value")] = Sheet(SUMMARY, _named_summary(ctx, summary))


def _named_segments(ctx: ReportContext, frame: pd.DataFrame) -> pd.DataFrame:
    """The ``rfm_segments`` sheet with each segment's name and action beside its code and
    the scheme in words (its rows are in listed order already)."""
    names = [
        ctx.name(f"segment.{s}", c) for s, c in zip(frame["scheme"], frame["segment"], strict=True)
    ]
    actions = [
        ctx.name(f"segment_action.{s}", c)
        for s, c in zip(frame["scheme"], frame["segment"], strict=True)
    ]
    out = frame.drop(columns=["display_order"]).reset_index(drop=True)
    out.insert(2, "segment_name", names)
    out["action"] = actions
    out["scheme"] = [ctx.name("scheme", s) for s in out["scheme"]]
    return out


SUMMARY_ORDER = ("total", "top_share", "gini", "abc", "rfm11", "rfm8", "acquisition_channel")
"""The ``value_summary`` sections in the order the sheet lists them."""


def _value_group(ctx: ReportContext, section: str, group: str) -> str:
    """A ``value_summary`` group in words: top_20pct, a class, a segment, a channel."""
    if section == "top_share" and group.startswith("top_") and group.endswith("pct"):
        return ctx.t("value_group.top_share", pct=group[4:-3])
    if section == "gini":
        return ctx.t("value_group.gini")
    if section == "total" or group == "unknown":
        return ctx.t(f"group.{'all' if section == 'total' else 'unknown'}")
    if section == "abc":
        return ctx.name("abc", group)
    if section in {"rfm11", "rfm8"}:
        return ctx.name(f"segment.{section}", group)
    return str(ctx.data_value(group, kind=section))


def _named_summary(ctx: ReportContext, frame: pd.DataFrame) -> pd.DataFrame:
    """The ``value_summary`` sheet with its sections and groups in words, in listed order."""
    known = {s: i for i, s in enumerate(SUMMARY_ORDER)}
    order = frame["section"].map(lambda s: known.get(s, len(known)))
    out = frame.assign(_order=order).sort_values(["_order", "revenue"], ascending=[True, False])
    out["group"] = [
        _value_group(ctx, s, str(g)) for s, g in zip(out["section"], out["group"], strict=True)
    ]
    out["section"] = [ctx.name("value_section", s) for s in out["section"]]
    return out.drop(columns=["_order"]).reset_index(drop=True)


SECTION = Section("value", NEEDS, build)
