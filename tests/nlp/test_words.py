"""Every code the feedback results carry has words in both languages."""

from __future__ import annotations

import pytest

from clientlens.nlp.sentiment import LABELS
from clientlens.nlp.themes import OTHER, THEMES, theme_name
from clientlens.text import LANGUAGES, catalog


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_feedback_code_has_words(lang):
    wanted = [f"theme.{c}" for c in (*THEMES, OTHER, "topic")]
    wanted += [f"theme_source.{s}" for s in ("dictionary", "custom", "discovered", "none")]
    wanted += [f"sentiment.{label}" for label in LABELS]
    wanted += [f"comment_language.{c}" for c in ("zh", "en", "unknown", "other")]
    assert [k for k in wanted if k not in catalog(lang)] == []


def test_theme_names():
    assert [theme_name(c, "zh") for c in THEMES] == ["物流", "质量", "价格", "客服", "包装", "尺码"]
    assert theme_name("topic_1", "zh", "电池, 充电") == "话题1：电池, 充电"
    assert theme_name("other", "en") == "Other"
