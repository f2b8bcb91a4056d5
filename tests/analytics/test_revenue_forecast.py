"""The monthly forecast: benchmarks by hand, a known season inside its interval, short
histories, convergence recorded, reproducible by seed, and CDNOW's 18 months."""

from __future__ import annotations

import datetime as dt
import math
import warnings

import ibis
import numpy as np
import pandas as pd
import pytest

from clientlens.analytics.forecast import series_models
from clientlens.analytics.forecast.revenue_forecast import (
    SERIES,
    monthly_series,
    revenue_forecast,
    revenue_forecast_validation,
)
from clientlens.analytics.forecast.series_models import (
    Z_95,
    backtest,
    forecast_method,
    methods_for,
    naive_forecast,
)
from clientlens.analytics.purchase.trends import purchase_trend
from clientlens.errors import NotEnoughDataError


def _months(values: dict[str, np.ndarray], start: str = "2022-01-01") -> pd.DataFrame:
    n = len(next(iter(values.values())))
    months = pd.date_range(start, periods=n, freq="MS").date
    return pd.DataFrame({"month": months, **values})


def _seasonal(n: int, seed: int = 0) -> np.ndarray:
    """A growing series with a yearly season and a little noise."""
    m = np.arange(n)
    noise = np.random.default_rng(seed).normal(0, 5, n)
    return 1000 + 8 * m + 150 * np.sin(2 * np.pi * m / 12) + noise


def test_seasonal_naive_repeats_last_season_with_its_interval_by_hand():
    y = np.array([10.0, 20, 30, 12, 22, 32])
    f = naive_forecast(y, 4, period=3)
    assert f.mean.tolist() == [12.0, 22.0, 32.0, 12.0]
    sigma = 2.0  # every one-season difference is 2
    # the fourth month is a season further away: σ√2
    want = [12 + Z_95 * sigma, 22 + Z_95 * sigma, 32 + Z_95 * sigma, 12 + Z_95 * sigma * 2**0.5]
    assert f.upper_95.tolist() == pytest.approx(want)
    naive = naive_forecast(y, 2, period=1)
    assert naive.mean.tolist() == [32.0, 32.0]
    # one-month differences 10, 10, -18, 10, 10: σ = sqrt(724 / 5)
    assert naive.lower_95[1] == pytest.approx(32 - Z_95 * math.sqrt(724 / 5) * math.sqrt(2))


def test_backtest_mape_of_seasonal_naive_by_hand():
    y = np.array([10.0, 20, 30, 10, 20, 30, 10, 20, 40])
    b = backtest(y, "seasonal_naive", period=3, horizon=2, origins=3, seed=0)
    assert (b.mape_pct, b.mae, b.n_errors) == (10.0, 4.0, 5)  # errors 0, 0, 0, 10, 10


@pytest.mark.slow
def test_a_known_season_is_forecast_inside_its_interval_and_beats_seasonal_naive():
    y = _seasonal(54)
    history, future = y[:48], y[48:]
    months = _months({s: history for s in SERIES})
    v = revenue_forecast_validation(months, horizon_months=6)
    rev = v[v.series == "revenue"].set_index("method")
    chosen = rev[rev.chosen].index[0]
    assert series_models.CANDIDATES[chosen].seasonal is not None
    assert rev.loc[chosen, "mape_pct"] < rev.loc["seasonal_naive", "mape_pct"]
    assert rev.loc[chosen, "mape_vs_seasonal_naive"] < 0
    assert rev["converged"].all() and (rev["errors"] == 21).all()  # 6 + 5 + … + 1
    f = revenue_forecast(months, v, horizon_months=6)
    ahead = f[(f.series == "revenue") & (f.kind == "forecast")]
    assert ahead["month"].tolist() == list(pd.date_range("2026-01-01", periods=6, freq="MS").date)
    assert ((future >= ahead.lower_95) & (future <= ahead.upper_95)).all()
    assert (ahead.lower_95 <= ahead.lower_80).all() and (ahead.upper_80 <= ahead.upper_95).all()
    assert np.abs(ahead.value.to_numpy() / future - 1).max() < 0.05
    history_rows = f[(f.series == "revenue") & (f.kind == "actual")]
    assert history_rows.value.tolist() == pytest.approx(history.tolist())


@pytest.mark.slow
def test_reproducible_by_seed():
    months = _months({s: _seasonal(40, seed=3) for s in SERIES})
    a = revenue_forecast_validation(months, seed=5)
    b = revenue_forecast_validation(months, seed=5)
    pd.testing.assert_frame_equal(a, b)
    fa, fb = revenue_forecast(months, a, seed=5), revenue_forecast(months, b, seed=5)
    pd.testing.assert_frame_equal(fa, fb)


@pytest.mark.slow
def test_short_histories_say_why():
    with pytest.raises(NotEnoughDataError, match=r"needs 18 complete months.*give 17"):
        revenue_forecast_validation(_months({s: _seasonal(17) for s in SERIES}))
    # 20 months: 14 before the first of 6 origins, fewer than two 12-month seasons
    y = _seasonal(20)
    methods, notes = methods_for(y, period=12, origins=6)
    assert methods == ["ets_ann", "ets_aadn"] and notes == ["no_seasonal_model"]
    v = revenue_forecast_validation(_months({s: y for s in SERIES}))
    assert set(v.method) == {"ets_ann", "ets_aadn", "seasonal_naive", "naive"}
    assert set(v.note) == {"no_seasonal_model"}
    # a month at zero rules out a multiplicative season, and says so
    z = _seasonal(40)
    z[3] = 0.0
    methods, notes = methods_for(z, period=12, origins=6)
    assert "ets_anm" not in methods and "ets_ana" in methods
    assert notes == ["no_multiplicative_season"]


@pytest.mark.slow
def test_a_convergence_warning_is_recorded_not_raised(monkeypatch):
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    real_fit = ETSModel.fit

    def warning_fit(self, *args, **kwargs):
        warnings.warn("Optimization failed to converge.", ConvergenceWarning, stacklevel=2)
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(ETSModel, "fit", warning_fit)
    y = _seasonal(30)
    f = forecast_method(y, "ets_ann", 12, 3, 0)
    assert f.converged is False and "ConvergenceWarning" in f.messages[0]
    v = revenue_forecast_validation(_months({s: y for s in SERIES}))
    assert not v[v.role == "candidate"].converged.any()
    # unconverged fits are not chosen while a converged method (the benchmarks) is
    assert set(v[v.chosen].method) <= {"naive", "seasonal_naive"}


def test_monthly_series_keeps_complete_months_and_drops_a_partial_first_month():
    orders = pd.DataFrame(
        {
            "customer_id": ["a", "b", "a", "b", "a"],
            "order_date": pd.to_datetime(
                ["2024-01-15", "2024-02-03", "2024-02-20", "2024-04-01", "2024-05-10"]
            ),
            "amount": [5.0, 10.0, 20.0, 30.0, 40.0],
        }
    )
    trend = purchase_trend(ibis.memtable(orders), observation_end="2024-05-20").to_pandas()
    m = monthly_series(trend, dt.date(2024, 1, 15))
    # January starts on the 15th, May is not over: February to April, March at zero
    assert m["month"].tolist() == [dt.date(2024, 2, 1), dt.date(2024, 3, 1), dt.date(2024, 4, 1)]
    assert m["revenue"].tolist() == [30.0, 0.0, 30.0]
    assert m["orders"].tolist() == [2.0, 0.0, 1.0]
    assert m["active_customers"].tolist() == [2.0, 0.0, 1.0]


@pytest.mark.slow
def test_cdnow_eighteen_months_forecast_without_a_season(cdnow_master):
    orders = ibis.memtable(cdnow_master.drop(columns="n_cds"))
    trend = purchase_trend(orders, observation_end="1998-06-30").to_pandas()
    months = monthly_series(trend, dt.date(1997, 1, 1))
    assert len(months) == 18
    v = revenue_forecast_validation(months)
    assert set(v.note) == {"no_seasonal_model"}
    rev = v[v.series == "revenue"].set_index("method")
    chosen = rev[rev.chosen].index[0]
    # the cohort's purchases fall from 1997's first quarter: last year's month is no guide
    assert rev.loc[chosen, "mape_pct"] < rev.loc["seasonal_naive", "mape_pct"]
    f = revenue_forecast(months, v)
    assert (f[f.kind == "forecast"].value >= 0).all()
