"""English sentiment: VADER, with the lexicon it ships.

VADER (Hutto & Gilbert 2014, "VADER: A Parsimonious Rule-based Model for Sentiment
Analysis of Social Media Text", ICWSM) scores a text from a hand-rated lexicon of about
7,500 words with rules for negation, intensifiers, "but" and punctuation. Its
``compound`` score runs from −1 to 1; its authors' thresholds, ±0.05, separate
negative, neutral and positive, and ClientLens keeps them. VADER was built on social
media text and lacks much of a shop's vocabulary ("slow", "flimsy", "overpriced",
"sturdy"), which a small shipped supplement (:data:`SHOPPING_LEXICON`) adds. ``p_positive`` is the
compound score mapped onto 0–1, ``(compound + 1) / 2``: a score, not a calibrated
probability (VADER is not a trained classifier), so 0.5 means "no sentiment found".

tests/nlp/english_sample.csv holds feedback sentences labelled by hand, on which
tests/nlp/test_english.py measures the accuracy (docs/feedback.md states it).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from typing import Any

NEUTRAL_COMPOUND = 0.05
"""VADER's own threshold: |compound| below it is neutral."""

_lock = threading.Lock()


SHOPPING_LEXICON = "en_shopping_lexicon.txt"
"""Shop-review words added to VADER's lexicon (slow, flimsy, overpriced, sturdy …)."""


def shopping_lexicon() -> dict[str, float]:
    """The shipped supplement: word → valence, in VADER's scale."""
    from importlib import resources

    text = (resources.files("clientlens.nlp") / SHOPPING_LEXICON).read_text("utf-8")
    found = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            word, valence = line.split("\t")
            found[word] = float(valence)
    return found


@cache
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(shopping_lexicon())
    return analyzer


def lexicon() -> dict[str, float]:
    """VADER's lexicon: word → mean valence (−4..4)."""
    return dict(_analyzer().lexicon)


def compound(texts: Sequence[str]) -> list[float]:
    """VADER's compound score (−1..1) of each text.

    >>> [round(c, 2) for c in compound(["Great value, fast delivery", "It broke after two days"])]
    [0.84, -0.42]
    """
    analyzer = _analyzer()
    with _lock:
        return [float(analyzer.polarity_scores(t)["compound"]) for t in texts]
