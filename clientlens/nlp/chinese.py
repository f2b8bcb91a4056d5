"""Chinese sentiment: logistic regression over hashed jieba words and character pairs.

The model is a file shipped in the package, ``zh_sentiment.npz``: the weights of a
logistic regression over :data:`N_FEATURES` hashed features (numpy arrays only, loaded
with ``allow_pickle=False``: no code runs when it loads, nothing downloads).
``python -m clientlens.nlp.train_zh`` reproduces it from the shopping-review corpus
(online_shopping_10_cats, 62,774 labelled reviews in ten categories) and a seed; see
that module for the split and the measured accuracy.

A text's features (:func:`features`) are its jieba words (``w:物流``), pairs of
neighbouring words (``b:不 太``, which carries negation), and pairs of neighbouring Han
characters (``c:很快``, which survive jieba's segmentation mistakes and new words).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from clientlens.lazy import np
from clientlens.nlp.tokens import HAN, tokens

N_FEATURES = 2**18
"""Hashed feature space; collisions cost well under a point of accuracy at this size."""
FEATURES_VERSION = 1
"""Bumped when :func:`features` changes, so an old model file is refused, not misread."""
MODEL_FILE = "zh_sentiment.npz"

_lock = threading.Lock()


def features(text: str) -> list[str]:
    """The features of one text, as strings to hash.

    >>> features("质量不太好")
    ['w:质量', 'w:不太好', 'b:质量 不太好', 'c:质量', 'c:量不', 'c:不太', 'c:太好']
    """
    words = tokens(text)
    out = ["w:" + w for w in words]
    out += ["b:" + a + " " + b for a, b in itertools.pairwise(words)]
    han = "".join(HAN.findall(text))
    out += ["c:" + han[i : i + 2] for i in range(len(han) - 1)]
    return out


@cache
def _vectorizer() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer=features, n_features=N_FEATURES, alternate_sign=False, norm="l2"
    )


def matrix(texts: Sequence[str]) -> Any:
    """The hashed feature matrix of ``texts`` (scipy CSR, one row per text, L2-normed)."""
    return _vectorizer().transform(texts)


class ChineseModel:
    """The shipped model's weights and what it was trained on (:attr:`card`)."""

    def __init__(self, coef: Any, intercept: float, card: dict[str, Any]) -> None:
        self.coef = coef
        self.intercept = intercept
        self.card = card

    def p_positive(self, texts: Sequence[str]) -> Any:
        """P(positive) of each text, a numpy array."""
        if len(texts) == 0:
            return np.zeros(0)
        z = matrix(texts) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


def save_model(path: Any, coef: Any, intercept: float, card: dict[str, Any]) -> None:
    """Write the model file: plain arrays and a JSON card, compressed."""
    np.savez_compressed(
        path,
        coef=np.asarray(coef, dtype=np.float32),
        intercept=np.asarray([intercept], dtype=np.float64),
        card=np.asarray(json.dumps(card, ensure_ascii=False, sort_keys=True)),
    )


def read_model(path: Any) -> ChineseModel:
    """Read a model file written by :func:`save_model`."""
    from clientlens.errors import ModelError

    with np.load(path, allow_pickle=False) as data:
        card = json.loads(str(data["card"]))
        coef = data["coef"].astype(np.float64)
        intercept = float(data["intercept"][0])
    if card.get("features_version") != FEATURES_VERSION or coef.shape != (N_FEATURES,):
        raise ModelError(
            f"{path}: a Chinese sentiment model of features version "
            f"{card.get('features_version')} with {coef.shape[0]} weights; this ClientLens "
            f"reads version {FEATURES_VERSION} with {N_FEATURES}. Retrain it with "
            "python -m clientlens.nlp.train_zh."
        )
    return ChineseModel(coef, intercept, card)


@cache
def shipped_model() -> ChineseModel:
    """The model shipped in the package, loaded once."""
    with _lock, resources.as_file(resources.files("clientlens.nlp") / MODEL_FILE) as path:
        return read_model(path)
