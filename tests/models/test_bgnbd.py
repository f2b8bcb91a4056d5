"""BG/NBD against Fader, Hardie & Lee (2005) on CDNOW, hand-checkable cases and the contract."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from clientlens.errors import ModelInputError, NotFittedError
from clientlens.models import BetaGeo

PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


@pytest.fixture(scope="module")
def fitted(cdnow_summary):
    return BetaGeo().fit(cdnow_summary, time_unit_days=7)


def test_reproduces_published_estimates(fitted):
    for name, value in PUBLISHED.items():
        assert fitted.params[name] == pytest.approx(value, rel=5e-4, abs=5e-4), name
    assert fitted.log_likelihood == pytest.approx(-9582.4, abs=0.05)
    assert fitted.convergence.converged
    assert fitted.convergence.gradient_norm < 1e-5
    assert fitted.n_customers == 2357


def test_summary_and_intervals(fitted):
    summary = fitted.summary()
    assert list(summary.columns) == ["parameter", "estimate", "std_error", "ci_lower", "ci_upper"]
    assert list(summary["parameter"]) == ["r", "alpha", "a", "b"]
    assert summary.attrs["log_likelihood"] == pytest.approx(-9582.43, abs=0.01)
    # standard errors from the Hessian: r is well identified, b much less so
    se = fitted.standard_errors
    assert 0.005 < se["r"] < 0.03
    assert se["b"] > se["r"]
    assert (summary["ci_lower"] < summary["estimate"]).all()
    assert (summary["estimate"] < summary["ci_upper"]).all()


def test_weights_equal_repeated_rows(cdnow_summary):
    """Fitting distinct rows with counts as weights is the same likelihood as all rows."""
    cols = ["frequency", "recency", "T"]
    counted = cdnow_summary.groupby(cols).size().reset_index(name="n")
    by_weight = BetaGeo().fit(counted, time_unit_days=7, weights=counted["n"].to_numpy())
    assert len(counted) < len(cdnow_summary)
    assert by_weight.log_likelihood == pytest.approx(-9582.43, abs=0.01)
    assert by_weight.params["r"] == pytest.approx(0.2426, abs=1e-4)


def test_time_unit_converts_horizons(fitted, cdnow_summary):
    """Parameters are per week; a 39-week horizon is 273 days."""
    weeks = fitted.expected_purchases(cdnow_summary, horizon_days=273)
    assert weeks.loc[0, "expected_purchases"] == pytest.approx(1.2259104, rel=1e-6)
    assert list(weeks.columns) == ["customer_id", "expected_purchases"]
    assert weeks["customer_id"].iloc[0] == 1


def test_hand_checkable_predictions():
    """No repeat purchase: P(alive) = 1. a = 2, b = 1, r = 1, α = 1 gives closed forms.

    For a new customer E[X(t)] = E_p[(1 - (1 + p t)^-1) / p] with p ~ Beta(2, 1)
    (density 2p) = ∫ 2 p t / (1 + p t) dp = 2 (1 - log(1 + t) / t).
    """
    m = BetaGeo.from_params({"r": 1.0, "alpha": 1.0, "a": 2.0, "b": 1.0})
    assert m.expected_purchases_new_customer(3.0) == pytest.approx(
        2 * (1 - np.log(4.0) / 3), rel=1e-9
    )
    row = pd.DataFrame({"frequency": [0, 2], "recency": [0.0, 5.0], "T": [5.0, 5.0]})
    # x = 2 bought at T: odds of being dead a/(b+x-1) = 2/2 = 1, so P(alive) = 1/2
    assert m.probability_alive(row)["p_alive"].tolist() == pytest.approx([1.0, 0.5])
    # x = 2, t_x = 1, T = 5: odds of being dead = a/(b+x-1) ((α+T)/(α+t_x))^(r+x) = 1 × 3^3
    row = pd.DataFrame({"frequency": [2], "recency": [1.0], "T": [5.0]})
    assert m.probability_alive(row)["p_alive"][0] == pytest.approx(1 / 28, rel=1e-12)


def test_probability_of_purchases_is_a_distribution(fitted, cdnow_summary):
    rows = cdnow_summary.head(40)
    probs = np.column_stack(
        [
            fitted.probability_of_purchases(rows, n=n, horizon_days=273)["probability"]
            for n in range(80)
        ]
    )
    assert probs.sum(axis=1) == pytest.approx(np.ones(40), abs=1e-8)
    mean = probs @ np.arange(80)
    expected = fitted.expected_purchases(rows, horizon_days=273)["expected_purchases"]
    assert mean == pytest.approx(expected.to_numpy(), rel=1e-7)


def test_new_customer_pmf_matches_lifetimes(fitted):
    """A customer of age 0 has the prior: lifetimes' probability_of_n_purchases_up_to_time(10, 2)."""
    m = BetaGeo.from_params(
        {
            "r": 0.24259290721969373,
            "alpha": 4.413531565484301,
            "a": 0.7928861485524686,
            "b": 2.425753441155209,
        }
    )
    row = pd.DataFrame({"frequency": [0], "recency": [0.0], "T": [0.0]})
    assert m.probability_of_purchases(row, n=2, horizon_days=10)["probability"][0] == pytest.approx(
        0.05078020324555026, rel=1e-9
    )


def test_impossible_rows_are_all_reported():
    bad = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "frequency": [1, -1, 2, 0, 1.5],
            "recency": [5.0, 0.0, 0.0, 3.0, 1.0],
            "T": [4.0, 1.0, 3.0, 3.0, 2.0],
        }
    )
    with pytest.raises(ModelInputError) as err:
        BetaGeo().fit(bad)
    text = str(err.value)
    assert "5 impossible value(s)" in text
    assert "customer_id 'a'), column 'recency': recency is greater than T" in text
    assert "customer_id 'b'), column 'frequency': must be >= 0" in text
    assert "customer_id 'c'), column 'recency': frequency > 0 needs recency > 0" in text
    assert "customer_id 'e'), column 'frequency': must be a whole number" in text


def test_missing_column_and_not_fitted():
    with pytest.raises(ModelInputError, match="missing T"):
        BetaGeo().fit(pd.DataFrame({"frequency": [1], "recency": [1.0]}))
    with pytest.raises(NotFittedError, match=r"call \.fit"):
        BetaGeo().probability_alive(pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0]}))


def test_save_load_round_trip(fitted, cdnow_summary, tmp_path):
    path = tmp_path / "bg.json"
    fitted.save(path)
    payload = json.loads(path.read_text())
    assert payload["model"] == "BetaGeo" and payload["time_unit_days"] == 7.0
    loaded = BetaGeo.load(path)
    assert loaded.params == fitted.params
    assert loaded.standard_errors == pytest.approx(fitted.standard_errors)
    a = loaded.probability_alive(cdnow_summary.head(5))["p_alive"]
    b = fitted.probability_alive(cdnow_summary.head(5))["p_alive"]
    assert a.tolist() == b.tolist()


def test_penalizer_shrinks_parameters(cdnow_summary):
    plain = BetaGeo().fit(cdnow_summary, time_unit_days=7)
    shrunk = BetaGeo(penalizer=0.01).fit(cdnow_summary, time_unit_days=7)
    assert shrunk.params["alpha"] < plain.params["alpha"]
    assert shrunk.log_likelihood < plain.log_likelihood


def test_accepts_arrow_input(fitted, cdnow_summary):
    import pyarrow as pa

    table = pa.Table.from_pandas(cdnow_summary.head(3))
    assert fitted.probability_alive(table)["p_alive"].tolist() == pytest.approx(
        [0.726609, 0.212227, 1.0], abs=1e-6
    )


def test_accepts_ibis_table(fitted, cdnow_summary):
    import ibis

    table = ibis.memtable(cdnow_summary.head(3))
    out = fitted.probability_alive(table)
    assert out["customer_id"].tolist() == [1, 2, 3]
    assert out["p_alive"].tolist() == pytest.approx([0.726609, 0.212227, 1.0], abs=1e-6)


def test_unidentified_parameters_are_not_reported_as_converged():
    """Nobody bought twice: the likelihood does not depend on a and b at all."""
    nobody = pd.DataFrame(
        {"frequency": [0, 0, 0, 0], "recency": [0.0] * 4, "T": [10.0, 20.0, 30.0, 40.0]}
    )
    m = BetaGeo().fit(nobody)
    assert not m.convergence.converged
    assert "not identified" in m.convergence.message
    assert np.isnan(m.standard_errors["a"])


def reference_h(t, k, big_a, a, bp):
    """E[(1 - (1 + p t/A)^-k) / p] for p ~ Beta(a, bp), by adaptive quadrature."""
    from scipy import integrate, special

    s = t / big_a

    def f(p):
        density = np.exp((a - 1) * np.log(p) + (bp - 1) * np.log1p(-p) - special.betaln(a, bp))
        return density * (-np.expm1(-k * np.log1p(p * s)) / p)

    value, _ = integrate.quad(f, 0, 1, epsrel=1e-11, limit=500, points=[min(0.5, 1 / s)])
    return value


@pytest.mark.parametrize(
    ("t", "k", "big_a", "a", "bp"),
    [
        (2686.8, 368.77, 0.7188, 2.2975, 6.0113),  # 2F1 overflows: Euler-transformed form
        (1055.6, 8726.99, 0.18834, 1.00873, 8683.005),  # a near 1 and huge x
        (317.94, 878.36, 0.58328, 1.28626, 894.43),
        (39.0, 2.243, 42.4, 0.793, 4.426),  # CDNOW-like
    ],
)
def test_expectation_matches_numerical_integral(t, k, big_a, a, bp):
    from clientlens.models._special import bg_expected_h

    got = bg_expected_h(
        np.array([t]), np.array([k]), np.array([big_a]), np.array([a]), np.array([bp])
    )[0]
    assert got == pytest.approx(reference_h(t, k, big_a, a, bp), rel=1e-6)
