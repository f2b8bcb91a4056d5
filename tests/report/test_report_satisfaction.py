"""The satisfaction section read from hand-made satisfaction results on the tiny workspace:
the split, tested changes, 'not enough responses', the CSAT flag, complaints with their
recommendation, and the themes part against a fixture table of ``feedback_themes``'s shape."""

from __future__ import annotations

import pandas as pd
import pytest

from clientlens.analytics.satisfaction.behaviour import satisfaction_behaviour
from clientlens.analytics.satisfaction.complaints import complaint_summary
from clientlens.analytics.satisfaction.scores import satisfaction_scores
from clientlens.analytics.satisfaction.sla import complaint_sla
from clientlens.report import report_context
from clientlens.report.assemble import assemble
from clientlens.report.sections import satisfaction_voice as voice
from clientlens.report.sections.base import SectionResult
from clientlens.results import publish_tables
from tests.report.conftest import ORDERS

END = "2024-06-30"


def nps_answers(month: str, promoters: int, detractors: int, n: int) -> list[tuple]:
    scores = [10.0] * promoters + [0.0] * detractors + [8.0] * (n - promoters - detractors)
    return [(f"{month}-{i}", f"{month}-15", "nps", s) for i, s in enumerate(scores)]


def feedback(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "kind", "score"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def section(ws, lang: str = "en") -> tuple[SectionResult, list[str]]:
    report = assemble(report_context(ws, lang=lang))
    found = next(s for s in report.sections if s.key == "satisfaction")
    return found, found.bullets


def publish_scores(ws, rows: list[tuple]) -> None:
    publish_tables(
        ws, {"satisfaction_scores": satisfaction_scores(feedback(rows), observation_end=END)}
    )


@pytest.mark.parametrize(
    ("responses", "expected"), [(50, "not significant"), (5000, "up 10.0 points")]
)
def test_nps_rise_is_claimed_only_with_enough_responses(report_ws, responses, expected):
    # NPS 20 in May, 30 in June: 40% / 20% promoters / detractors, then 50% / 20%
    may = nps_answers("2024-05", int(0.4 * responses), int(0.2 * responses), responses)
    june = nps_answers("2024-06", int(0.5 * responses), int(0.2 * responses), responses)
    publish_scores(report_ws, may + june)
    _, bullets = section(report_ws)
    assert bullets[0].startswith(f"NPS in June 2024: 30.0 ({responses:,} answers; interval")
    assert expected in bullets[0]


def test_split_change_test_and_not_enough_responses(report_ws):
    rows = nps_answers("2024-05", 30, 30, 100) + nps_answers("2024-06", 50, 20, 100)
    rows += [(f"s{i}", "2024-06-10", "csat", 5.0 if i < 2 else 2.0) for i in range(5)]
    publish_scores(report_ws, rows)
    result, bullets = section(report_ws)
    text = "\n".join(bullets)
    # se: 100 sqrt(.61/100) and 100 sqrt(.6/100): z = 30 / 11.0, p = 0.0064
    assert (
        "NPS in June 2024: 30.0 (100 answers; interval 14.7 to 45.3); up 30.0 points on "
        "the month before (0.0; p = 0.0064); nothing to compare with in the same month a "
        "year before." in text
    )
    assert (
        "NPS split over July 2023–June 2024: 40.0% promoters (9–10), 35.0% passives (7–8), 25.0% detractors (0–6)."
        in text
    )
    assert (
        "CSAT in June 2024: not enough responses (5 answers; a figure needs at least 30)." in text
    )
    assert "40.0%" not in next(b for b in bullets if b.startswith("CSAT in June"))
    nps = next(f for f in result.findings if f.key == "sat.score")
    assert nps.facts[0].value == pytest.approx(30.0) and nps.tone == "good" and nps.headline
    assert [c.key for c in result.charts] == []  # two months: too short for a trend
    assert any("Feedback themes and quotes are not available" in b for b in bullets)


def test_a_csat_whose_whole_interval_is_below_half_is_flagged(report_ws):
    rows = [(f"c{i}", "2024-03-10", "csat", 5.0 if i < 12 else 1.0) for i in range(40)]
    publish_scores(report_ws, rows)
    result, bullets = section(report_ws, "zh")
    flag = next(f for f in result.findings if f.key == "sat.majority_unsatisfied")
    assert flag.tone == "bad" and flag.facts[0].value < 0.5
    assert "CSAT 的多数回复并不满意：区间上限" in "\n".join(bullets)
    assert "2023年7月–2024年6月，CSAT 为 30.0%（40 份回复" in "\n".join(bullets)


def _tickets() -> pd.DataFrame:
    # logistics: 10 tickets in the year to June 2023, 40 in the year to June 2024; the
    # tickets start in July 2022, so the year before is fully observed
    opened = ["2023-01-10"] * 10 + ["2024-02-10"] * 40 + ["2024-03-05"] * 4 + ["2022-07-01"]
    category = ["物流配送"] * 50 + ["商品质量"] * 4 + ["价格争议"]
    closed = [pd.Timestamp(d) + pd.Timedelta(hours=30) for d in opened]
    closed[-2] = None  # one quality ticket still open
    return pd.DataFrame(
        {
            "ticket_id": [f"T{i}" for i in range(55)],
            "customer_id": [f"k{i % 45}" for i in range(55)],
            "opened_at": pd.to_datetime(opened),
            "closed_at": pd.to_datetime(closed),
            "category": category,
            "severity": "medium",
        }
    )


def test_complaints_and_the_recommendation_tied_to_the_rising_category(report_ws):
    tickets = _tickets()
    orders = ORDERS.assign(order_date=pd.to_datetime(ORDERS["order_date"]))
    publish_tables(
        report_ws,
        {
            "complaint_summary": complaint_summary(tickets, observation_end=END),
            "complaint_sla": complaint_sla(tickets, observation_end=END),
            "satisfaction_behaviour": satisfaction_behaviour(
                orders, observation_end=END, tickets=tickets
            ),
        },
    )
    _, bullets = section(report_ws)
    text = "\n".join(bullets)
    assert (
        "44 complaint tickets over July 2023–June 2024 from 44 customers (0 complained more "
        "than once); up 300% on the 12 months before (11; p < 0.001)." in text
    )
    assert (
        "Recommendation — Logistics: complaints up 300% (40 tickets over 12 months against "
        "10; 40 affected customers)." in text
    )
    # 30 hours against the 24 h target of medium tickets: every resolved ticket breached
    assert "Time to resolution over the last 12 months: median 30 hours" in text
    assert "missed their SLA target (medium 24 h)" in text
    assert "1 tickets are open at the observation end" in text
    assert "Feedback themes" not in text  # no scores: the themes note belongs with them
    assert "first response" not in text  # the tickets have no first_response_at


def _answered_tickets() -> pd.DataFrame:
    # of the 44 tickets of the 12 months: logistics 30 answered after 1 h and 10 after
    # 5 h, quality 3 after 8 h and the open one not at all
    tickets = _tickets()
    hours = [1.0] * 10 + [1.0] * 30 + [5.0] * 10 + [8.0] * 3 + [None, 1.0]
    tickets["first_response_at"] = [
        None if h is None else t + pd.Timedelta(hours=h)
        for t, h in zip(tickets["opened_at"], hours, strict=True)
    ]
    tickets["first_response_at"] = pd.to_datetime(tickets["first_response_at"])
    return tickets


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_first_response_times_and_misses_are_read_from_complaint_sla(report_ws, lang):
    tickets = _answered_tickets()
    publish_tables(
        report_ws,
        {
            "complaint_summary": complaint_summary(tickets, observation_end=END),
            "complaint_sla": complaint_sla(tickets, observation_end=END),
        },
    )
    result, bullets = section(report_ws, lang)
    text = "\n".join(bullets)
    # 43 answered: 30 × 1 h, 10 × 5 h, 3 × 8 h -> median the 22nd, 1 h; p90 the 39th, 5 h.
    # Late against the 4 h target: 10 + 3 answered, and the open one (since March)
    # unanswered: 14 of 44
    if lang == "en":
        assert (
            "Time to first response over the last 12 months: median 1 hours, 90th percentile "
            "5 hours; 14 tickets (31.8% of those answered or awaiting) were answered later "
            "than the 4-hour target or are still waiting past it. Open tickets still "
            "awaiting a first response at the observation end: 1." in text
        )
    else:
        assert (
            "近 12 个月首次响应时长：中位数 1 小时，第 90 百分位 5 小时；14 张工单（占已响应与"
            "待响应工单的 31.8%）超过 4 小时的首次响应目标，或尚未响应且已超时。截至观察截止日有 "
            "1 张未关闭工单仍在等待首次响应。" in text
        )
    title = {
        "en": "Resolution times and SLA by severity, last 12 months",
        "zh": "近 12 个月各严重程度的处理时长与 SLA",
    }[lang]
    table = next(t.frame for t in result.tables if t.title == title)
    # the one severity (medium): first-reply median and the share late
    assert table.iloc[0, -2:].tolist() == ["1.0", "31.8%"]


THEMES = pd.DataFrame(
    {
        "theme": ["物流", "质量", "价格"],
        "volume": [120, 300, 30],
        "share": [0.27, 0.67, 0.06],
        "negative_share": [0.6, 0.1, 0.5],
        "quote": ["快递太慢了，等了一周才到。", None, "比别家贵"],
    }
)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_themes_with_quotes_from_a_table_of_the_feedback_themes_shape(report_ws, lang):
    ctx = report_context(report_ws, lang=lang)
    result = SectionResult("satisfaction", "")
    voice.themes_table(ctx, result, THEMES)
    (table,) = result.tables
    assert table.frame.iloc[:, 1].tolist() == ["300", "120", "30"]  # largest first
    assert table.frame.iloc[1, -1] == "“快递太慢了，等了一周才到。”"
    (rec,) = [ctx.t(f.key, **f.params) for f in result.findings]
    # 物流: 0.6 × 120 = 72 negative mentions, more than 质量's 30
    if lang == "zh":
        assert rec.startswith(
            "建议——物流：提及 120 次（占反馈 27.0%），其中负面 60.0%，例如“快递太慢"
        )
    else:
        assert "120 mentions (27.0% of feedback), 60.0% of them negative" in rec


def test_themes_are_read_when_the_contract_declares_them(report_ws, monkeypatch):
    from clientlens.analytics.base import Column

    declared = {
        "feedback_themes": {
            c: Column("string" if c in {"theme", "quote"} else "float64", c, c)
            for c in ("theme", "volume", "share", "negative_share", "quote")
        }
    }
    monkeypatch.setattr(voice, "declared_columns", lambda: declared)
    assert voice.theme_columns() == ("theme", "volume", "share", "negative_share", "quote")
    publish_scores(report_ws, nps_answers("2024-06", 20, 5, 40))
    publish_tables(report_ws, {"feedback_themes": THEMES.astype({"volume": "float64"})})
    result, bullets = section(report_ws)
    assert any(t.title == "Feedback themes, largest first" for t in result.tables)
    assert not any("not available" in b for b in bullets)
