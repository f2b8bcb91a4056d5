"""The trained-model contract's calibration map, on numbers worked out by hand."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from clientlens.models.trained import IsotonicCalibration


def test_centred_isotonic_joins_the_centres_of_the_pooled_blocks():
    # PAV pools 0.2 and 0.3 (outcomes 1, 0) into one block of 0.5: blocks (0.1 → 0),
    # (0.2, 0.3 → 0.5), (0.4 → 1) with centres 0.1, 0.25, 0.4.
    cal = IsotonicCalibration().fit(np.array([0.1, 0.2, 0.3, 0.4]), np.array([0, 1, 0, 1]))
    np.testing.assert_allclose(cal.centres_, [0.1, 0.25, 0.4])
    np.testing.assert_allclose(cal.values_, [0.0, 0.5, 1.0])
    # 0.2 lies a third of the way from 0.1 to 0.25; outside the range it is clipped
    got = cal.transform(np.array([0.2, 0.25, 0.325, 0.0, 0.9]))
    np.testing.assert_allclose(got, [1 / 3, 0.5, 0.75, 0.0, 1.0])


def test_centred_isotonic_keeps_the_ranking_a_step_function_ties():
    rng = np.random.default_rng(0)
    raw = rng.random(5_000)
    y = (rng.random(raw.size) < raw).astype(int)
    cal = IsotonicCalibration().fit(raw, y)
    new = rng.random(5_000)
    y_new = (rng.random(new.size) < new).astype(int)
    p = cal.transform(new)
    assert np.all(np.diff(p[np.argsort(new)]) >= 0)  # monotone
    step = cal.isotonic_.predict(new)
    assert len(np.unique(p)) > 10 * len(np.unique(step))
    assert roc_auc_score(y_new, p) >= roc_auc_score(y_new, step)
    assert abs(p.mean() - y_new.mean()) < 0.02  # still calibrated
