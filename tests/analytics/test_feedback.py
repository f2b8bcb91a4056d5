"""feedback_scored, feedback_themes and feedback_theme_months on comments one can count."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from clientlens.analytics.feedback.scored import score_feedback
from clientlens.analytics.feedback.theme_months import feedback_theme_months
from clientlens.analytics.feedback.themes import feedback_themes
from clientlens.errors import ConfigError
from clientlens.nlp.themes import ThemeKeywords, dictionary

END = dt.date(2024, 6, 30)


def _feedback() -> pd.DataFrame:
    rows = [
        # customer, date, comment
        ("a", "2024-01-05", "物流太慢了，等了一个星期"),
        ("b", "2024-02-05", "物流很快，包装也很好"),
        ("c", "2024-03-05", "Anna here: the courier was late and the box was crushed"),
        ("d", "2024-04-05", "质量很好，做工精细"),
        ("e", "2024-05-05", "质量太差了，用了两次就坏了，电话13812345678"),
        ("f", "2024-06-05", "Great value for the price"),
        ("g", "2024-06-06", "Great value for the price"),
        ("h", "2024-06-07", None),
        ("i", "2024-06-08", "   "),
        ("j", "2024-06-09", "好"),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "comment"])
    return frame.assign(kind="review", score=3.0)


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    return score_feedback(_feedback(), n_topics=0)


def test_one_row_per_comment_with_text(scored):
    assert scored["customer_id"].tolist() == list("abcdefgj")
    assert scored["themes"].tolist() == [
        "logistics",
        "logistics,packaging",
        "logistics,packaging",
        "quality",
        "quality",
        "price",
        "price",
        "other",
    ]
    assert scored["label"].tolist()[:7] == [
        "negative", "positive", "negative", "positive", "negative", "positive", "positive",
    ]  # fmt: skip
    assert scored["comment"].iloc[4] == "质量太差了，用了两次就坏了，电话138****5678"
    assert scored["language"].tolist() == ["zh", "zh", "en", "zh", "zh", "en", "en", "zh"]


def test_themes_count_volume_share_and_sentiment(scored):
    t = feedback_themes(scored, observation_end=END).set_index("theme")
    assert t["volume"].to_dict() == {
        "logistics": 3, "packaging": 2, "price": 2, "quality": 2, "other": 1,
    }  # fmt: skip
    assert t.index.tolist() == ["logistics", "packaging", "price", "quality", "other"]
    assert t.loc["logistics", "share"] == pytest.approx(3 / 8)
    assert t.loc["logistics", "negative_share"] == pytest.approx(2 / 3)
    assert t.loc["logistics", "customers"] == 3
    assert t.loc["price", "positive_share"] == 1.0
    assert t.loc["logistics", "source"] == "dictionary" and t.loc["other", "source"] == "none"
    # last three complete months: Apr-Jun, 5 comments (d e f g j); before: Jan-Mar, 3 (a b c)
    assert t.loc["logistics", "share_recent_3m"] == 0.0
    assert t.loc["logistics", "share_prior_3m"] == 1.0
    assert t.loc["logistics", "share_change_pp"] == pytest.approx(-100.0)
    assert t.loc["price", "share_recent_3m"] == pytest.approx(2 / 5)


def test_quotes_are_the_themes_own_comments_masked(scored):
    t = feedback_themes(scored, observation_end=END, names={"c": "Anna"}).set_index("theme")
    assert t.loc["quality", "quote_negative"] == "质量太差了，用了两次就坏了，电话138****5678"
    assert t.loc["quality", "quote_positive"] == "质量很好，做工精细"
    assert pd.isna(t.loc["price", "quote_negative"])
    # the writer's own name is masked wherever it occurs in their quote
    assert (
        t.loc["packaging", "quote_negative"]
        == "A*** here: the courier was late and the box was crushed"
    )
    assert "物流" in t.loc["logistics", "keywords"]


def test_names_are_looked_up_once_for_the_quoted_customers_only(scored):
    asked = []

    def lookup(ids):
        asked.append(ids)
        return {"c": "Anna"}

    t = feedback_themes(scored, observation_end=END, names=lookup)
    given = feedback_themes(scored, observation_end=END, names={"c": "Anna"})
    pd.testing.assert_frame_equal(t, given)
    (ids,) = asked  # one call, with the authors of the quotes, not every customer
    assert "c" in ids and set(ids) < set(scored["customer_id"]) | {"c"}
    assert len(ids) <= 3 * t["theme"].nunique()


def test_months_have_a_row_per_month_and_theme(scored):
    m = feedback_theme_months(scored, observation_end=END)
    assert m["period_label"].unique().tolist() == [f"2024-0{i}" for i in range(1, 7)]
    assert len(m) == 6 * 5
    june = m[m["period_label"] == "2024-06"].set_index("theme")
    assert june.loc["price", "volume"] == 2 and june.loc["price", "share"] == pytest.approx(2 / 3)
    assert june.loc["quality", "volume"] == 0 and pd.isna(june.loc["quality", "p_positive"])
    assert m["is_complete"].all()


def test_custom_keywords_add_and_replace_themes():
    s = score_feedback(_feedback(), theme_keywords="battery: 两次; price: value, 价格", n_topics=0)
    assert s["themes"].iloc[4] == "quality,battery"
    t = feedback_themes(s, observation_end=END, custom_keywords="battery: 两次; price: value")
    assert t.set_index("theme").loc[["battery", "price"], "source"].tolist() == ["custom"] * 2


@pytest.mark.parametrize(
    ("value", "message"),
    [("battery 电池", "write 'code: keyword"), ("Bad Code: x", "write 'code"),
     ("topic_1: x", "reserved"), ("other: x", "reserved"), ("x:", "write 'code")],
)  # fmt: skip
def test_bad_theme_keywords_are_refused_with_the_format(value, message):
    with pytest.raises(ConfigError, match=message):
        ThemeKeywords(value)


def test_unclaimed_comments_get_data_driven_topics():
    battery = [f"电池{'很' * (i % 4)}耐用{'，待机' * (i % 3)}" for i in range(40)]
    screen = [f"屏幕{'非常' * (i % 4)}清晰{'，色彩' * (i % 3)}" for i in range(40)]
    fb = pd.DataFrame({"customer_id": [str(i) for i in range(80)], "date": "2024-06-01",
                       "kind": "review", "score": 5.0, "comment": battery + screen})  # fmt: skip
    s = score_feedback(fb, n_topics=2)
    assert set(s["themes"]) == {"topic_1", "topic_2"}
    assert s["themes"].iloc[:40].nunique() == 1 and s["themes"].iloc[40:].nunique() == 1
    t = feedback_themes(s, observation_end=END).set_index("theme")
    assert t["source"].tolist() == ["discovered"] * 2
    assert {t.loc[s["themes"].iloc[0], "keywords"].split(", ")[0],
            t.loc[s["themes"].iloc[40], "keywords"].split(", ")[0]} <= {"电池", "耐用", "屏幕", "清晰", "待机", "色彩"}  # fmt: skip


def test_the_built_in_dictionary_has_the_six_themes():
    assert list(dictionary()) == ["logistics", "quality", "price", "service", "packaging", "size"]


@pytest.mark.parametrize(
    ("comments", "reason"),
    [(None, "no comment column"), (["", None], "no feedback row has a comment")],
)
def test_feedback_without_comments_is_skipped_with_the_reason(comments, reason):
    import ibis

    from clientlens.analytics.base import AnalysisContext
    from clientlens.analytics.feedback.scored import ANALYSES
    from clientlens.errors import NotEnoughDataError

    rows = {"customer_id": ["a", "b"], "date": [END, END], "kind": ["nps"] * 2, "score": [9.0, 3.0]}
    if comments is not None:
        rows["comment"] = comments
    context = AnalysisContext(observation_end=END).for_analysis(ANALYSES[0])
    with pytest.raises(NotEnoughDataError, match=reason):
        ANALYSES[0].build({"feedback": ibis.memtable(pd.DataFrame(rows))}, context)
