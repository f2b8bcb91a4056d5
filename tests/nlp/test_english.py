"""English sentiment on feedback sentences labelled by hand (tests/nlp/english_sample*.csv).

english_sample.csv (159 sentences) was written first; VADER alone labelled 78% of them
right, missing shop words ("slow", "flimsy", "overpriced"). The shipped supplement
(clientlens/nlp/en_shopping_lexicon.txt) was then written from shop vocabulary — with
that first sample in view, so its figure is flattering. english_sample_2.csv (60
sentences) was written after the supplement was fixed and never changed it: its figure
is the honest one. Both are in docs/feedback.md.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import clientlens as cl
from clientlens.nlp.english import shopping_lexicon

HERE = Path(__file__).parent
SAMPLES = {"english_sample.csv": 0.85, "english_sample_2.csv": 0.80}
"""Accuracy each sample must reach: measured 0.893 and 0.833."""


@pytest.mark.parametrize(("name", "floor"), SAMPLES.items())
def test_accuracy_on_the_hand_labelled_samples(name, floor):
    sample = pd.read_csv(HERE / name)
    assert set(sample["label"]) == {"positive", "negative", "neutral"}
    out = cl.sentiment(sample["text"])
    assert (out["language"] == "en").mean() >= 0.98
    accuracy = (out["label"] == sample["label"]).mean()
    assert accuracy >= floor, f"{name}: accuracy {accuracy:.3f}"


def test_the_samples_hold_at_least_150_distinct_sentences_together():
    texts = pd.concat([pd.read_csv(HERE / name)["text"] for name in SAMPLES])
    assert texts.nunique() == len(texts) >= 150


def test_the_supplement_changes_what_vader_alone_misses():
    assert shopping_lexicon()["flimsy"] < 0 < shopping_lexicon()["sturdy"]
    out = cl.sentiment(["Flimsy and overpriced.", "Sturdy and reliable."])
    assert out["label"].tolist() == ["negative", "positive"]
