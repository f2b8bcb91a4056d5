"""``satisfaction_scores`` on answers whose scores, intervals and tests are worked out by hand:
the NPS split, CSAT's top-2 box, the CES mean, an empty month, a single answer, a partial
month, 环比 and 同比 tests, and the 12-month rows."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from clientlens.analytics.satisfaction.scores import satisfaction_scores
from clientlens.errors import ConfigError

Z = 1.959963984540054


def answers(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "kind", "score"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def month(scores: pd.DataFrame, metric: str, label: str, dimension: str = "all") -> pd.Series:
    rows = scores[
        (scores.metric == metric)
        & (scores.dimension == dimension)
        & (scores.grain == "month")
        & (scores.period_label == label)
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]


SMALL = answers(
    [
        # January: NPS 10, 9, 8, 7, 6, 0 -> 2 promoters, 2 passives, 2 detractors: NPS 0
        *[(f"c{i}", "2024-01-10", "nps", s) for i, s in enumerate([10, 9, 8, 7, 6, 0])],
        # CSAT 5, 4, 3, 2 -> 2 of 4 satisfied; CES 2 and 4 -> mean 3, sd sqrt(2)
        *[(f"d{i}", "2024-01-11", "csat", s) for i, s in enumerate([5, 4, 3, 2])],
        ("e1", "2024-01-12", "ces", 2.0),
        ("e2", "2024-01-12", "ces", 4.0),
        # February: no answer at all. March: a single NPS answer of 10.
        ("f1", "2024-03-03", " NPS ", 10.0),
        # April (the observation end's month, not over): one answer, no comparison.
        ("g1", "2024-04-05", "nps", 3.0),
        # not a scored kind, and an answer after the observation end: left out
        ("h1", "2024-01-15", "complaint", 1.0),
        ("h2", "2024-05-01", "nps", 10.0),
    ]
)


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return satisfaction_scores(SMALL, observation_end="2024-04-20", min_responses=2)


def test_nps_split_and_interval_by_hand(small):
    jan = month(small, "nps", "2024-01")
    assert (jan.responses, jan.promoters, jan.passives, jan.detractors) == (6, 2, 2, 2)
    assert jan.promoter_share == pytest.approx(1 / 3)
    assert jan.detractor_share == pytest.approx(1 / 3)
    assert jan.value == pytest.approx(0.0)
    # Multinomial variance of +1/0/-1: p + d - (p - d)^2 = 2/3; se = 100 sqrt(2/3 / 6)
    se = 100 * math.sqrt((2 / 3) / 6)
    assert (jan.ci_low, jan.ci_high) == (pytest.approx(-Z * se), pytest.approx(Z * se))
    assert jan.scale == "0-10" and bool(jan.enough_responses)


def test_csat_top_two_box_with_wilson_interval(small):
    jan = month(small, "csat", "2024-01")
    assert (jan.responses, jan.satisfied, jan.value) == (4, 2, 0.5)
    # Wilson at p = 0.5, n = 4 is symmetric around 0.5
    half = Z * math.sqrt(0.25 / 4 + Z**2 / 64) / (1 + Z**2 / 4)
    assert jan.ci_low == pytest.approx(0.5 - half)
    assert jan.ci_high == pytest.approx(0.5 + half)
    assert pd.isna(jan.promoter_share) and pd.isna(jan.promoters)


def test_ces_mean_and_normal_interval(small):
    jan = month(small, "ces", "2024-01")
    assert jan.value == pytest.approx(3.0)
    # sd of (2, 4) is sqrt(2); se = sqrt(2) / sqrt(2) = 1
    assert (jan.ci_low, jan.ci_high) == (pytest.approx(3 - Z), pytest.approx(3 + Z))
    assert jan.scale == "1-7"


def test_an_empty_month_has_a_row_without_value(small):
    feb = month(small, "nps", "2024-02")
    assert feb.responses == 0 and pd.isna(feb.value) and not bool(feb.enough_responses)
    mar = month(small, "nps", "2024-03")
    # against an empty month: nothing to compare with
    assert mar.previous_responses == 0 and pd.isna(mar.previous_change)
    assert pd.isna(mar.previous_significant)


def test_a_single_answer_is_not_enough_and_is_not_tested(small):
    mar = month(small, "nps", "2024-03")
    assert (mar.responses, mar.value, mar.ci_low, mar.ci_high) == (1, 100.0, 100.0, 100.0)
    assert not bool(mar.enough_responses)


def test_the_partial_month_has_no_changes(small):
    apr = month(small, "nps", "2024-04")
    assert not bool(apr.is_complete) and apr.responses == 1
    assert pd.isna(apr.previous_change) and pd.isna(apr.previous_p_value)
    months = small[(small.metric == "nps") & (small.dimension == "all") & (small.grain == "month")]
    assert months.period_label.tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert months.responses.sum() == 8  # May's answer and the unknown kind are left out


def test_changes_are_tested_against_the_month_before_and_a_year_before():
    rows = []
    # 2023-02 and 2024-01: 100 answers, 50 promoters, 20 detractors: NPS 30
    # 2024-02: 100 answers, 30 promoters, 30 detractors: NPS 0
    for label, p, d in (("2023-02", 50, 20), ("2024-01", 50, 20), ("2024-02", 30, 30)):
        scores = [10.0] * p + [0.0] * d + [8.0] * (100 - p - d)
        rows += [(f"{label}-{i}", f"{label}-15", "nps", s) for i, s in enumerate(scores)]
    out = satisfaction_scores(answers(rows), observation_end="2024-02-29")
    feb = month(out, "nps", "2024-02")
    se_then = 100 * math.sqrt((0.5 + 0.2 - 0.3**2) / 100)
    se_now = 100 * math.sqrt(0.6 / 100)
    p = 2 * stats.norm.sf(30 / math.hypot(se_then, se_now))
    assert feb.previous_change == pytest.approx(-30.0)
    assert feb.previous_p_value == pytest.approx(p)
    assert bool(feb.previous_significant)  # p = 0.0064
    assert feb.last_year_value == pytest.approx(30.0) and feb.last_year_responses == 100
    assert feb.last_year_p_value == pytest.approx(p)
    # 2024-01 against an empty December: no test; against 2023-01 (before the first
    # answer, so outside the months): none either.
    jan = month(out, "nps", "2024-01")
    assert pd.isna(jan.previous_p_value) and jan.previous_responses == 0


def test_a_csat_change_uses_the_two_proportion_test():
    rows = [(f"a{i}", "2024-01-10", "csat", 5.0 if i < 60 else 1.0) for i in range(100)]
    rows += [(f"b{i}", "2024-02-10", "csat", 5.0 if i < 45 else 2.0) for i in range(100)]
    out = satisfaction_scores(answers(rows), observation_end="2024-02-29")
    feb = month(out, "csat", "2024-02")
    pooled = 105 / 200
    z = (0.45 - 0.60) / math.sqrt(pooled * (1 - pooled) * (2 / 100))
    assert feb.previous_change == pytest.approx(-0.15)
    assert feb.previous_p_value == pytest.approx(2 * stats.norm.sf(abs(z)))
    assert bool(feb.previous_significant)


def test_twelve_month_rows_add_up_the_months_and_compare_with_the_year_before():
    rows = [(f"x{i}", "2023-06-01", "nps", 10.0) for i in range(40)]
    rows += [(f"y{i}", f"2024-{m:02d}-01", "nps", 0.0) for i, m in enumerate(range(1, 13))]
    rows += [(f"z{i}", "2024-12-20", "nps", 10.0) for i in range(30)]
    out = satisfaction_scores(answers(rows), observation_end="2024-12-31")
    year = out[(out.metric == "nps") & (out.dimension == "all") & (out.grain == "last_12_months")]
    (row,) = year.itertuples()
    assert row.period_label == "2024-01..2024-12" and row.responses == 42
    assert row.value == pytest.approx(100 * (30 - 12) / 42)
    # the answers start in June 2023: the 12 months before (2023-01..12) are not all seen
    assert row.previous_responses == 0 and pd.isna(row.previous_change)
    assert pd.isna(row.last_year_p_value)
    rows.append(("w", "2023-01-05", "nps", 10.0))  # now they are
    out = satisfaction_scores(answers(rows), observation_end="2024-12-31")
    year = out[(out.metric == "nps") & (out.dimension == "all") & (out.grain == "last_12_months")]
    assert year.previous_responses.tolist() == [41]
    assert year.previous_value.tolist() == [pytest.approx(100.0)]


def test_groups_by_channel_region_and_rfm_segment():
    fb = answers([("a", "2024-01-05", "nps", 10.0), ("b", "2024-01-06", "nps", 2.0)])
    fb["channel"] = ["短信问卷", None]
    customers = pd.DataFrame({"customer_id": ["a", "b"], "province": ["广东", "浙江"]})
    rfm = pd.DataFrame({"customer_id": ["a"], "segment8": ["important_value"]})
    mix = pd.DataFrame(
        {
            "level": ["overall", "customer", "customer"],
            "group_code": ["all", "a", "b"],
            "category": ["服饰", "服饰", "数码"],
        }
    )
    out = satisfaction_scores(
        fb,
        observation_end="2024-01-31",
        customers=customers,
        rfm_scores=rfm,
        category_mix=mix,
        min_responses=1,
    )
    groups = {
        (d, g): v
        for d, g, v in out[(out.metric == "nps") & (out.grain == "month")][
            ["dimension", "group", "value"]
        ].itertuples(index=False)
    }
    assert groups == {
        ("all", "all"): 0.0,
        ("channel", "短信问卷"): 100.0,
        ("channel", "unknown"): -100.0,
        ("region", "广东"): 100.0,
        ("region", "浙江"): -100.0,
        ("rfm_segment", "important_value"): 100.0,
        ("rfm_segment", "unknown"): -100.0,
        ("category", "服饰"): 100.0,
        ("category", "数码"): -100.0,
    }


def test_no_answers_give_an_empty_table_with_the_declared_columns():
    from clientlens.analytics.satisfaction.tables import SCORES_COLUMNS

    out = satisfaction_scores(
        answers([("a", "2024-05-01", "nps", 9.0)]), observation_end="2024-04-30"
    )
    assert out.empty and list(out.columns) == list(SCORES_COLUMNS)


def test_bad_settings_are_named():
    with pytest.raises(ConfigError, match="satisfaction_confidence must lie between 0 and 1"):
        satisfaction_scores(SMALL, observation_end="2024-04-20", confidence=95.0)
