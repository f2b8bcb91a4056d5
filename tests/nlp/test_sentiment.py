"""clientlens.sentiment: one row per text in input order, and clear answers to bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import clientlens as cl
from clientlens.errors import ConfigError, DataContractError
from clientlens.nlp.language import language_of


def test_one_row_per_text_in_input_order_with_the_declared_columns():
    texts = ["质量太差了，用了两次就坏了", "Fast delivery and great quality", "", None,
             "物流很快，很满意", "Fast delivery and great quality", float("nan"), "👍👍"]  # fmt: skip
    out = cl.sentiment(texts)
    assert list(out.columns) == ["language", "p_positive", "label"]
    assert list(out.index) == list(range(len(texts)))
    assert out["language"].tolist() == [
        "zh",
        "en",
        "unknown",
        "unknown",
        "zh",
        "en",
        "unknown",
        "unknown",
    ]
    assert out["label"].tolist() == ["negative", "positive", "neutral", "neutral", "positive",
                                     "positive", "neutral", "neutral"]  # fmt: skip
    assert out["p_positive"].between(0, 1).all()
    assert out["p_positive"].iloc[0] < 0.2 < 0.8 < out["p_positive"].iloc[4]
    # an explicit neutral row for no text, and the same text scores the same wherever it is
    assert out["p_positive"].iloc[[2, 3, 6, 7]].tolist() == [0.5] * 4
    assert out["p_positive"].iloc[1] == out["p_positive"].iloc[5]


def test_a_series_and_a_generator_score_like_a_list():
    texts = ["包装破损", "Lovely packaging", "一般"]
    expected = cl.sentiment(texts)
    pd.testing.assert_frame_equal(cl.sentiment(pd.Series(texts, index=[7, 8, 9])), expected)
    pd.testing.assert_frame_equal(cl.sentiment(t for t in texts), expected)


def test_no_texts_give_an_empty_frame():
    out = cl.sentiment([])
    assert list(out.columns) == ["language", "p_positive", "label"] and len(out) == 0


def test_other_languages_get_an_explicit_neutral_row():
    out = cl.sentiment(["Livraison très rapide, produit conforme à la description"])
    assert out.iloc[0].tolist() == ["fr", 0.5, "neutral"]


def test_lang_forces_the_scorer():
    # "Good" alone is English to the detector; forced to zh, the Chinese model scores it.
    assert cl.sentiment(["Good"], lang="zh")["language"].tolist() == ["zh"]
    assert cl.sentiment(["质量很好"], lang="en")["p_positive"].tolist() == [
        0.5
    ]  # VADER knows no Chinese


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ("物流很快", "takes a list of texts, not one text"),
        (["ok", 5], "text 1 is 5 (int), not a text"),
        ([b"bytes"], "text 0 is b'bytes' (bytes)"),
    ],
)
def test_bad_input_is_a_clear_error(texts, message):
    with pytest.raises(DataContractError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cl.sentiment(texts)


def test_an_unknown_lang_is_a_config_error():
    with pytest.raises(ConfigError, match="lang is 'zh', 'en' or None"):
        cl.sentiment(["ok"], lang="fr")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("物流很快", "zh"),
        ("这个 app 很好用", "zh"),  # Chinese with an English word
        ("Great value, 质量 ok", "en"),  # English with a Chinese word
        ("Slow, unreliable delivery.", "en"),  # langid alone says Italian
        ("Even during Double 11 it shipped quickly, great.", "en"),  # langid alone: French
        ("とても良い商品です", "ja"),
        ("배송이 빨라요", "ko"),
        ("Muy buena calidad y envío rápido", "es"),
        ("12345 !!!", "unknown"),
        ("   ", "unknown"),
    ],
)
def test_language_of(text, language):
    assert language_of(text) == language


def test_the_scores_do_not_depend_on_batching():
    """Texts scored together or one by one get the same probabilities."""
    texts = ["物流很快", "质量很差", "包装一般", "客服态度很好，下次还来"]
    together = cl.sentiment(texts)["p_positive"].to_numpy()
    alone = np.array([cl.sentiment([t])["p_positive"].iloc[0] for t in texts])
    np.testing.assert_allclose(together, alone, rtol=1e-12)
