"""``clientlens.sentiment(texts)``: language, P(positive) and a label for each text.

Each distinct text is scored once (feedback repeats itself: 好评, "Great"), Chinese by
the shipped model (:mod:`clientlens.nlp.chinese`), English by VADER
(:mod:`clientlens.nlp.english`). A text in another language, or with no letters (empty,
emoji, digits), gets an explicit neutral row: ``p_positive`` 0.5, ``label`` neutral, and
its language says why (``fr``, ``unknown``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from clientlens.errors import ConfigError, DataContractError
from clientlens.lazy import np, pd
from clientlens.nlp import chinese, english
from clientlens.nlp.language import UNKNOWN, language_of

LANGUAGES = ("zh", "en")
"""Languages scored; any other gets a neutral row."""
LABELS = ("negative", "neutral", "positive")
ZH_NEUTRAL = (0.35, 0.65)
"""Chinese ``p_positive`` strictly between these is neutral. The model is trained on
positive and negative reviews only; a comment such as 物流速度一般 scores about 0.38."""
EN_NEUTRAL = (0.5 - english.NEUTRAL_COMPOUND / 2, 0.5 + english.NEUTRAL_COMPOUND / 2)
"""VADER's ±0.05 compound, on the 0–1 scale."""
BATCH = 50_000


def _texts(texts: Iterable[Any]) -> list[str | None]:
    if isinstance(texts, str | bytes):
        raise DataContractError(
            "sentiment() takes a list of texts, not one text: sentiment([text]) scores one."
        )
    out: list[str | None] = []
    for i, t in enumerate(texts):
        if t is None or (isinstance(t, float) and math.isnan(t)) or t is pd.NA:
            out.append(None)
        elif isinstance(t, str):
            out.append(t)
        else:
            raise DataContractError(
                f"sentiment(): text {i} is {t!r} ({type(t).__name__}), not a text; "
                "pass strings (None or NaN for no text)."
            )
    return out


def _labels(p: Any, low: float, high: float) -> Any:
    return np.where(p >= high, "positive", np.where(p <= low, "negative", "neutral"))


def score_distinct(texts: list[str], lang: str | None = None) -> pd.DataFrame:
    """Language, p_positive and label of distinct non-empty ``texts``, in their order."""
    langs = (
        np.array([language_of(t) for t in texts], dtype=object)
        if lang is None
        else np.full(len(texts), lang, dtype=object)
    )
    p = np.full(len(texts), 0.5)
    label = np.full(len(texts), "neutral", dtype=object)
    zh = np.flatnonzero(langs == "zh")
    model = chinese.shipped_model() if zh.size else None
    for start in range(0, zh.size, BATCH):
        rows = zh[start : start + BATCH]
        p[rows] = model.p_positive([texts[i] for i in rows])  # type: ignore[union-attr]
    label[zh] = _labels(p[zh], *ZH_NEUTRAL)
    en = np.flatnonzero(langs == "en")
    if en.size:
        p[en] = (np.asarray(english.compound([texts[i] for i in en])) + 1) / 2
        label[en] = _labels(p[en], *EN_NEUTRAL)
    return pd.DataFrame({"language": langs, "p_positive": p, "label": label})


def sentiment(texts: Iterable[Any], lang: str | None = None) -> pd.DataFrame:
    """The sentiment of each text: one row per text, in input order.

    Parameters
    ----------
    texts
        A list, tuple, pandas Series or any iterable of strings. ``None``, NaN and texts
        with no letters (empty, whitespace, emoji only) get a neutral row whose
        language is ``unknown``.
    lang
        ``"zh"`` or ``"en"`` to score every text in that language; None (default)
        detects each text's language (:func:`clientlens.nlp.language.language_of`).

    Returns
    -------
    pandas.DataFrame
        ``language`` (``zh``, ``en``, another ISO 639-1 code, or ``unknown``),
        ``p_positive`` (0–1: the Chinese model's probability; for English VADER's
        compound score mapped to 0–1), ``label`` (``positive``, ``negative`` or
        ``neutral``; other languages are neutral with ``p_positive`` 0.5).

    Raises
    ------
    DataContractError
        When ``texts`` is one string, or holds something other than text.
    ConfigError
        When ``lang`` is neither None, ``"zh"`` nor ``"en"``.

    Examples
    --------
    >>> import clientlens as cl
    >>> texts = ["物流很快，质量很好", "Terrible, it broke in a day", None, "Arrived on Tuesday"]
    >>> cl.sentiment(texts).round(3)
      language  p_positive     label
    0       zh       0.983  positive
    1       en       0.145  negative
    2  unknown       0.500   neutral
    3       en       0.500   neutral
    """
    if lang is not None and lang not in LANGUAGES:
        raise ConfigError(f"sentiment(lang={lang!r}): lang is 'zh', 'en' or None (detect).")
    values = _texts(texts)
    frame = pd.DataFrame({"text": pd.Series(values, dtype=object)})
    stripped = frame["text"].str.strip()
    has_text = stripped.notna() & (stripped != "")
    codes, distinct = pd.factorize(frame.loc[has_text, "text"])
    scored = score_distinct(list(distinct), lang)
    out = pd.DataFrame(
        {
            "language": np.full(len(frame), UNKNOWN, dtype=object),
            "p_positive": np.full(len(frame), 0.5),
            "label": np.full(len(frame), "neutral", dtype=object),
        }
    )
    rows = np.flatnonzero(has_text.to_numpy())
    for col in out.columns:
        out.loc[rows, col] = scored[col].to_numpy()[codes] if rows.size else []
    return out
