"""The shipped Chinese sentiment model: what the training script makes, loaded offline.

The corpus is ../shared/data/online_shopping_10_cats.zip (read, never copied).
"""

from __future__ import annotations

import socket

import numpy as np
import pytest

from clientlens.nlp import chinese, train_zh
from clientlens.nlp.sentiment import sentiment
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def corpus():
    return train_zh.read_corpus(shared_data("online_shopping_10_cats.zip"))


def test_the_model_loads_and_scores_without_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the network was used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    chinese.shipped_model.cache_clear()
    model = chinese.shipped_model()
    assert model.coef.shape == (chinese.N_FEATURES,)
    assert sentiment(["质量很好，物流也快", "太差了，退货"])["label"].tolist() == [
        "positive",
        "negative",
    ]


def test_the_model_file_is_small_plain_arrays():
    from importlib import resources

    path = resources.files("clientlens.nlp") / chinese.MODEL_FILE
    assert path.stat().st_size < 3_000_000  # type: ignore[attr-defined]
    with np.load(str(path), allow_pickle=False) as data:  # no pickled objects inside
        assert sorted(data.files) == ["card", "coef", "intercept"]


def test_the_card_names_the_corpus_and_the_measured_accuracy(corpus):
    card = chinese.shipped_model().card
    assert card["corpus_sha256"] == corpus.sha256
    assert card["reviews"] == len(corpus.reviews) == 62_705
    assert card["held_out_accuracy"] >= 0.90
    assert sorted(card["leave_one_category_out"]) == sorted(corpus.reviews["cat"].unique())


@pytest.mark.slow
def test_the_shipped_model_scores_the_held_out_tenth_at_090(corpus):
    _, held_out = train_zh.split(corpus)
    rows = corpus.reviews.iloc[held_out]
    p = chinese.shipped_model().p_positive(rows["review"].tolist())
    accuracy = float(np.mean((p >= 0.5) == (rows["label"].to_numpy() == 1)))
    assert accuracy == pytest.approx(chinese.shipped_model().card["held_out_accuracy"], abs=1e-4)
    assert accuracy >= 0.90


@pytest.mark.slow
def test_the_training_script_reproduces_the_shipped_weights(corpus, tmp_path):
    coef, intercept, card = train_zh.train(corpus)  # no categories left out: the same fit
    shipped = chinese.shipped_model()
    # float32 training: a BLAS that splits its sums by the cores it is given (a pytest-xdist
    # worker's share) moves the last bits, 5e-7 at most; the accuracy is unchanged
    np.testing.assert_allclose(coef.astype(np.float64), shipped.coef, rtol=0, atol=2e-6)
    assert intercept == pytest.approx(shipped.intercept, abs=2e-6)
    assert card["held_out_accuracy"] == shipped.card["held_out_accuracy"]
    chinese.save_model(tmp_path / "m.npz", coef, intercept, card)
    again = chinese.read_model(tmp_path / "m.npz")
    np.testing.assert_array_equal(again.coef, coef.astype(np.float64))  # the file round-trips
