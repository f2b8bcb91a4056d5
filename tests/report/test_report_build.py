"""The report on a tiny workspace: numbers equal their tables, sentences follow the data."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from clientlens.errors import ConfigError
from clientlens.report import build_report, report_context
from clientlens.report.assemble import assemble
from clientlens.report.fmt import Formatter
from clientlens.report.html import render_html
from clientlens.results import publish_tables
from clientlens.text import text
from tests.report.conftest import BASE_KPIS, kpi_rows, rebuild, set_kpis


def _summary(ws, lang="en"):
    report = assemble(report_context(ws, lang=lang))
    return report, {f.facts[0].key if f.facts else f.key: (f, s) for f, s in report.summary}


def _source_value(ws, fact):
    """Re-read a fact's number from its result table, as the fact says it was read."""
    src = fact.source
    frame = ws.results.table(src.table).to_pandas()
    if not src.agg:
        for col, value in src.where.items():
            column = frame[col]
            if isinstance(value, dt.date):
                column = pd.to_datetime(column).dt.date
            frame = frame[column == value]
        assert len(frame) == 1, (src, len(frame))
        return float(frame[src.column].iloc[0])
    if src.agg in {"count", "sum"}:
        for col, value in src.where.items():
            frame = frame[frame[col].isin(value if isinstance(value, tuple) else [value])]
        return float(len(frame) if src.agg == "count" else frame[src.column].sum())
    if src.agg == "share" and src.column == "n_orders":  # share of repeat buyers
        return float((frame["n_orders"] >= 2).mean())
    if src.agg == "share":  # revenue share of the rows matching `where`
        mask = pd.Series(True, index=frame.index)
        for col, value in src.where.items():
            mask &= frame[col] == value
        return float(frame.loc[mask, src.column].sum() / frame[src.column].sum())
    raise AssertionError(src)


def test_every_summary_number_equals_its_result_table(report_ws):
    set_kpis(report_ws, BASE_KPIS)
    report, _ = _summary(report_ws)
    assert report.period == "2024-06"
    assert len(report.summary) >= 2
    fmt = Formatter("en")
    for finding, sentence in report.summary:
        for fact in finding.facts:
            assert fact.value == pytest.approx(_source_value(report_ws, fact)), fact.key
            assert fmt.value(fact.value, fact.kind) in sentence, (fact.key, sentence)
    # The rendered sentences carry those numbers in the locale's format.
    text = " ".join(s for _, s in report.summary)
    assert "Revenue: ¥12K, up 20.0% month over month (last month ¥10K)" in text
    assert "up 33.3% year over year" in text
    # 6 customers, 2 (a, b) bought more than once: 4 one-time buyers are 66.7%, a
    # standing figure the purchase section states, not a change for the summary
    assert "66.7% of customers (4) bought only once" not in text
    assert all(finding.is_change for finding, _ in report.summary)
    purchase = next(s for s in report.sections if s.key == "purchase")
    assert any("66.7% of customers (4) bought only once" in b for b in purchase.bullets)


def test_a_rise_becomes_a_fall_and_a_small_change_is_no_claim(report_ws):
    set_kpis(report_ws, BASE_KPIS)
    _, rising = _summary(report_ws)
    assert "up 20.0% month over month" in rising["kpi.revenue"][1]

    falling = dict(BASE_KPIS)
    falling["revenue"] = ("currency", {"2024-05": 10000.0, "2024-06": 8000.0})
    set_kpis(report_ws, falling)
    _, after = _summary(report_ws)
    assert "down 20.0% month over month" in after["kpi.revenue"][1]
    assert after["kpi.revenue"][0].tone == "bad"

    flat = dict(BASE_KPIS)
    flat["revenue"] = ("currency", {"2024-05": 10000.0, "2024-06": 10200.0})
    set_kpis(report_ws, flat)
    _, steady = _summary(report_ws)
    assert "about flat month over month" in steady["kpi.revenue"][1]
    # repeat rate 30.0% → 30.5% (0.5 pp) is below the 1 pp threshold: no finding at all.
    assert "kpi.repeat_rate" not in steady


def test_a_rate_fall_is_stated_only_when_the_sample_makes_it_significant(report_ws):
    kpis = dict(BASE_KPIS)
    kpis["repeat_rate"] = ("ratio", {"2024-05": 0.30, "2024-06": 0.25})
    kpis["active_customers"] = ("count", {"2024-05": 40.0, "2024-06": 40.0})
    set_kpis(report_ws, kpis)
    _, few = _summary(report_ws)
    assert "kpi.repeat_rate" not in few  # 5 pp on 40 customers is noise
    kpis["active_customers"] = ("count", {"2024-05": 4000.0, "2024-06": 4000.0})
    set_kpis(report_ws, kpis)
    _, many = _summary(report_ws)
    assert "down 5.0 pp month over month" in many["kpi.repeat_rate"][1]


def test_zh_report_sentences(report_ws):
    set_kpis(report_ws, BASE_KPIS)
    _, zh = _summary(report_ws, lang="zh")
    assert zh["kpi.revenue"][1].startswith(
        "销售额为 ¥1.2万，环比上升 20.0%（上月 ¥1万），同比上升 33.3%"
    )


def test_missing_results_leave_their_section_out_and_say_so(report_ws):
    report = assemble(report_context(report_ws, lang="en"))  # no kpis table
    assert [s.key for s in report.sections] == ["purchase", "value", "lifecycle", "segments"]
    assert ("overview", ["kpis"]) in report.omitted
    assert any("Business overview" in b and "kpis" in b for b in report.data.bullets)
    html = render_html(report)
    assert "Business overview" not in html.split("<nav")[1].split("</nav>")[0]


def test_period_after_the_results_is_a_clear_error(report_ws):
    with pytest.raises(ConfigError, match="results end on 2024-06-30"):
        report_context(report_ws, period="2024-07")
    assert report_context(report_ws, period="2024-05").period == "2024-05"


def _urls_outside_inline_scripts(html: str) -> list[str]:
    body = re.sub(r"<script>.*?</script>", "", html, flags=re.S)  # the inlined bundle's code
    pattern = r"""(?:src|href)\s*=\s*["']?\s*https?:|@import|url\(\s*["']?https?:"""
    return re.findall(pattern, body)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_and_xlsx_are_self_contained_and_hold_the_findings(report_ws, tmp_path, lang):
    set_kpis(report_ws, BASE_KPIS)
    paths = build_report(report_ws, lang=lang, formats=("html", "xlsx"), out_dir=tmp_path)
    html = paths["html"].read_text(encoding="utf-8")
    assert _urls_outside_inline_scripts(html) == []
    assert "<script src" not in html and "<link" not in html
    assert "vegaEmbed" in html  # charts are interactive from the inlined bundle
    report, _ = _summary(report_ws, lang=lang)
    words = re.sub(r'<span class="fig">(.*?)</span>', r"\1", html)  # figures kept on one line
    # a list's file name wraps between its parts in the action plan, never inside one
    assert f"report_<wbr>2024-06_<wbr>{lang}_<wbr>second_<wbr>purchase<wbr>.csv" in html
    for _, sentence in report.summary:
        assert sentence.replace("'", "&#39;").replace('"', "&#34;") in words

    from openpyxl import load_workbook

    book = load_workbook(paths["xlsx"], read_only=True)
    summary = [v for r in book.worksheets[0].iter_rows(values_only=True) for v in r if v]
    sentences = [s for _, s in report.summary]
    assert [v for v in summary if v in sentences] == sentences  # all, in order
    # Second-purchase list: one-time buyers within 90 days of their first order (d 76 days,
    # e 20, f 10; c bought 212 days before the end), by revenue: f 70, d 40, e 30.
    customer_id = text(lang, "column.customer_id")
    listed = pd.read_csv(paths["list:second_purchase"], dtype={customer_id: str})
    assert list(listed[customer_id]) == ["f", "d", "e"]
    target = report.target_lists[0]
    sheet = book[text(lang, f"sheet.list.{target.key}")]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["f", "d", "e"]


def test_value_section_lists_follow_the_rfm_scores(report_ws):
    report = assemble(report_context(report_ws, lang="en"))
    scores = report_ws.table("rfm_scores").to_pandas()
    lists = {tl.key: tl.frame for tl in report.target_lists}
    # win-back comes before second purchase, loyalty after it: a loyal one-time buyer of
    # the last 90 days is on the second-purchase list only
    earlier = {"win_back": set(), "loyalty": set(lists["second_purchase"]["customer_id"])}
    for key, codes in (("win_back", ["at_risk", "cant_lose"]), ("loyalty", ["champions", "loyal"])):
        expected = scores[
            scores["segment"].isin(codes) & ~scores["customer_id"].isin(earlier[key])
        ].sort_values(["revenue", "customer_id"], ascending=[False, True])
        if expected.empty:
            assert key not in lists
            continue
        assert list(lists[key]["customer_id"]) == list(expected["customer_id"])
        rec = next(r for r in report.recommendations if r.key == key)
        # impact = customers x 10% x their mean order value
        aov = expected["revenue"].sum() / expected["orders"].sum()
        assert rec.expected_impact == pytest.approx(len(expected) * 0.1 * aov)
        assert rec.customers == len(expected)


def test_the_action_lists_without_a_purchase_model(report_ws):
    report = assemble(report_context(report_ws, lang="en"))
    lists = [set(tl.frame["customer_id"]) for tl in report.target_lists]
    assert sum(len(x) for x in lists) == len(set().union(*lists))  # nobody twice
    who, money = report.plan_tables
    assert "No purchase model in these results" in " ".join(report.plan_notes)
    assert "Gone (probability alive < 30%)" not in who.frame.columns  # nothing judged
    summary = report_ws.results.table("audience_summary").to_pandas().set_index("audience")
    total = money.frame.iloc[-1]
    assert total["List"] == "All lists"
    fmt = Formatter("en")
    assert total["Expected impact"] == fmt.money(summary.loc["all", "expected_impact"])
    shown = [r for r in report.recommendations if r.key in summary.index]
    assert summary.loc["all", "expected_impact"] == pytest.approx(
        sum(r.expected_impact for r in shown)
    )


def test_churn_section_from_hand_written_clv(report_ws):
    # p_alive and clv_12m by hand: high risk (< 0.3) are c and d; revenue at risk
    # = Σ (1 − p) × clv = .1×200 + .6×100 + .9×10 + .8×5 + .5×40 + .2×50 = 123.
    clv = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e", "f"],
            "p_alive": [0.9, 0.4, 0.1, 0.2, 0.5, 0.8],
            "clv_12m": [200.0, 100.0, 10.0, 5.0, 40.0, 50.0],
            "model": "ParetoNBD",
        }
    )
    publish_tables(report_ws, {"clv": clv})
    rebuild(
        report_ws, "churn_risk", "churn_risk_bands", "clv_deciles", "audiences", "audience_summary"
    )
    report = assemble(report_context(report_ws, lang="en"))
    churn = next(s for s in report.sections if s.key == "churn")
    bands = next(f for f in churn.findings if f.key == "churn.bands")
    assert [f.value for f in bands.facts] == [2, pytest.approx(123.0)]
    assert "2 customers (33.3%) have a probability alive below 30%" in churn.bullets[0]
    assert "revenue at risk over the next 12 months is ¥123" in churn.bullets[0]
    # Top 20% by revenue to date: a (300) and b (100, the 80th percentile); of them only
    # b has p_alive below 0.5.
    vip = next(tl for tl in report.target_lists if tl.key == "vip_at_risk")
    assert list(vip.frame["customer_id"]) == ["b"]
    assert list(vip.frame.columns) == [
        "customer_id",
        "clv_12m",
        "p_alive",
        "last_purchase",
        "revenue",
        "orders",
        "rfm_segment",
    ]
    assert list(vip.frame["rfm_segment"]) == ["At Risk"]  # b, from rfm_scores


def test_profile_standout_group_by_hand(report_ws):
    # 40% of customers in 浙江 bring 60% of revenue: index 1.5, the largest among known
    # groups under half of the customers (广东 is 50%: a majority says little).
    rows = [
        ("province", "广东", 1, 50, 0.5, 500.0, 0.3),
        ("province", "浙江", 2, 40, 0.4, 1000.0, 0.6),
        ("province", "unknown", 3, 10, 0.1, 170.0, 0.1),
        ("gender", "female", 1, 60, 0.6, 1000.0, 0.6),
        ("gender", "male", 2, 40, 0.4, 700.0, 0.4),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "dimension",
            "group",
            "group_order",
            "customers",
            "customer_share",
            "revenue",
            "revenue_share",
        ],
    ).assign(buyers=lambda f: f["customers"], orders=10, aov=1.0, repeat_rate=0.5)
    publish_tables(report_ws, {"profile_distribution": frame})
    rebuild(report_ws, "profile_revenue_index")
    report = assemble(report_context(report_ws, lang="zh"))
    profile = next(s for s in report.sections if s.key == "profile")
    assert profile.bullets[0] == (
        "省份为“浙江”的客户占 40.0%，贡献了 60.0% 的销售额，人均贡献是整体的 1.5 倍。"
    )
    assert [c.key for c in profile.charts] == ["profile_gender", "profile_province"]


def test_a_partial_month_makes_no_change_claims(report_ws):
    frame = kpi_rows(BASE_KPIS)
    frame.loc[frame["period_label"] == "2024-06", "is_complete"] = False
    publish_tables(report_ws, {"kpis": frame})
    report, summary = _summary(report_ws)
    # no comparison, so not in the executive summary; the overview still states it
    assert "kpi.revenue" not in summary
    overview = next(s for s in report.sections if s.key == "overview")
    assert "Revenue: ¥12K." in overview.bullets
    # repeat rate 30.0% → 30.5% would be no claim anyway; the others have no change at all
    assert all("month over month" not in sentence for _, sentence in summary.values())


def test_active_customers_slipping_to_at_risk_by_hand(report_ws):
    # 2024-05: 10 of 100 active became at risk (10%); 2024-06: 30 of 100 (30%).
    # z = 0.2 / sqrt(.2 × .8 × 2 / 100) = 3.54: a significant rise of 20 pp.
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime(["2024-05-01", "2024-06-01"]),
            "month_complete": True,
            "from_stage": "active",
            "to_stage": "at_risk",
            "customers": [10, 30],
            "share": [0.1, 0.3],
        }
    )
    publish_tables(report_ws, {"lifecycle_transitions": frame})
    report = assemble(report_context(report_ws, lang="en"))
    lifecycle = next(s for s in report.sections if s.key == "lifecycle")
    finding = next(f for f in lifecycle.findings if f.key.startswith("lifecycle.slipping"))
    assert finding.key == "lifecycle.slipping.up" and finding.tone == "bad"
    assert finding.facts[0].value == pytest.approx(0.3)
    assert "30 customers who were active last month became at risk this month: 30.0%" in (
        " ".join(lifecycle.bullets)
    )


def test_kpis_against_targets_and_the_report_says_when_none_are_set(report_ws):
    from clientlens import Workspace
    from clientlens.config import write_setting

    set_kpis(report_ws, BASE_KPIS)
    rebuild(report_ws, "kpi_targets")
    report, summary = _summary(report_ws)
    overview = next(s for s in report.sections if s.key == "overview")
    assert any(p.startswith("No KPI targets are set") for p in overview.paragraphs)
    assert "Target" not in overview.tables[0].frame.columns

    write_setting(report_ws.path, "kpi_targets", "revenue=15000; repeat_rate=0.25")
    ws = Workspace(report_ws.path, settings={"today": "2026-11-24"})
    rebuild(ws, "kpi_targets")
    report, summary = _summary(ws)
    # June: ¥12K against ¥15K is 20% below; the repeat rate 30.5% beats 25% by 5.5 pp
    assert summary["kpi.revenue"][1].endswith("; target ¥15K (20.0% below): missed.")
    overview = next(s for s in report.sections if s.key == "overview")
    table = overview.tables[0].frame.set_index("Metric")
    assert table.loc["Revenue", "Target"] == "¥15K (20.0% below)"
    assert table.loc["Repeat-purchase rate (month)", "Target"] == "25.0% (5.5 pp above)"
    assert table.loc["Orders", "Target"] == "—"
    # the repeat rate did not change enough to state, so its gap is the finding
    assert (
        "Repeat-purchase rate (month): 30.5%, target 25.0% (5.5 pp above): met." in overview.bullets
    )
    assert not any(p.startswith("No KPI targets are set") for p in overview.paragraphs)
    ws.close()


def test_after_a_seasonal_peak_the_summary_leads_year_on_year(report_ws):
    set_kpis(report_ws, BASE_KPIS)
    row = {
        "period": pd.Timestamp("2024-06-01"),
        "period_label": "2024-06",
        "is_complete": True,
        "revenue": 12000.0,
        "customers": 1000.0,
        "base_customers": 1100.0,
        "orders_per_customer": 1.3,
        "base_orders_per_customer": 1.2,
        "aov": 9.23,
        "base_aov": 10.0,
        "new_revenue": 2000.0,
        "after_peak": True,
    }
    bridge = pd.DataFrame(
        [
            row
            | {
                "comparison": "mom",
                "base_period_label": "2024-05",
                "base_revenue": 15000.0,
                "change": -3000.0,
                "change_relative": -0.2,
                "customers_effect": -1000.0,
                "frequency_effect": -500.0,
                "aov_effect": -1500.0,
                "new_change": -1000.0,
                "returning_change": -2000.0,
                "last_year_change": -0.3,
            },
            row
            | {
                "comparison": "yoy",
                "base_period_label": "2023-06",
                "base_revenue": 9000.0,
                "change": 3000.0,
                "change_relative": 1 / 3,
                "customers_effect": 2000.0,
                "frequency_effect": 500.0,
                "aov_effect": 500.0,
                "new_change": 1000.0,
                "returning_change": 2000.0,
                "last_year_change": None,
            },
        ]
    )
    publish_tables(report_ws, {"revenue_bridge": bridge})
    report, _ = _summary(report_ws)
    first = report.summary[0][1]
    assert first.startswith("Revenue: ¥12K, up 33.3% year over year. May 2024 was the peak")
    assert "from May 2024 it fell 20.0%; a year earlier the same month fell 30.0%." in first
    why = [s for _, s in report.summary if s.startswith("Why revenue moved from May 2024")]
    assert why == [
        "Why revenue moved from May 2024 (¥15K → ¥12K): active customers −¥1,000, orders per "
        "customer −¥500, order value −¥1,500; by customer, new −¥1,000 and returning −¥2,000."
    ]
    overview = next(s for s in report.sections if s.key == "overview")
    assert [c.key for c in overview.charts][-1] == "revenue_bridge"
