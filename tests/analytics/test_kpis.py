"""The KPI pack (kpis) and CAC per channel (kpi_cac) on a dozen orders worked by hand."""

from __future__ import annotations

import itertools
import math

import ibis
import pandas as pd
import pytest

from clientlens.analytics.base import AnalysisContext
from clientlens.analytics.kpis import kpi_cac as kpi_cac_module
from clientlens.analytics.kpis import kpis as kpis_module
from clientlens.analytics.kpis.kpi_cac import kpi_cac
from clientlens.analytics.kpis.kpis import (
    churn_window_days,
    exact_median,
    kpis,
    median_purchase_cycle_days,
)
from clientlens.analytics.purchase.behaviour import purchase_cycle
from clientlens.errors import ConfigError

END = "2024-04-15"  # April is the partial current month; March the latest complete one


def _orders() -> pd.DataFrame:
    rows = [
        # a: Jan 5, Jan 20, Feb 10, Apr 12 -> gaps 15, 21, 62 days, median 21
        ("a", "2024-01-05 10:00", 100.0),
        ("a", "2024-01-20 11:00", 50.0),
        ("a", "2024-02-10 12:00", 30.0),
        ("a", "2024-04-12 09:00", 10.0),
        # b: Jan 10, Mar 5, Apr 1 -> gaps 55, 27, median 41
        ("b", "2024-01-10 10:00", 200.0),
        ("b", "2024-03-05 10:00", 40.0),
        ("b", "2024-04-01 10:00", 40.0),
        # c: Feb 15, Feb 16 -> gap 1
        ("c", "2024-02-15 10:00", 60.0),
        ("c", "2024-02-16 10:00", 60.0),
        ("d", "2024-03-10 10:00", 80.0),
        ("e", "2024-04-02 10:00", 20.0),
        ("f", "2024-05-01 10:00", 999.0),  # after the observation end: left out
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


def _spend() -> pd.DataFrame:
    return pd.DataFrame(
        {
            # the Apr 20 row lies after the observation end: left out
            "date": pd.to_datetime(
                ["2024-01-01", "2024-01-15", "2024-02-01", "2024-04-01", "2024-04-20"]
            ),
            "channel": ["search", "social", "search", "search", "search"],
            "spend": [300.0, 100.0, 200.0, 50.0, 1000.0],
        }
    )


def _clv() -> pd.DataFrame:
    return pd.DataFrame(
        {"customer_id": list("abcde"), "clv_12m": [300.0, 500.0, 120.0, 90.0, 60.0]}
    )


def _feedback() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": list("abcdabcde"),
            "date": pd.to_datetime(
                [
                    *("2024-01-03", "2024-01-09", "2024-01-28", "2024-01-31"),
                    *("2024-02-02", "2024-02-20"),
                    *("2024-01-04", "2024-01-05", "2024-01-06"),
                ]
            ),
            "kind": ["nps"] * 4 + ["NPS "] * 2 + ["CSAT"] * 3,
            "score": [10.0, 9.0, 7.0, 3.0, 6.0, 0.0, 5.0, 4.0, 2.0],
        }
    )


def _by(frame: pd.DataFrame, kpi: str, column: str = "value") -> dict[str, float]:
    rows = frame[frame.kpi == kpi].sort_values("period")
    return dict(zip(rows.period_label, rows[column], strict=True))


def _same(got: dict[str, float], want: dict[str, float | None]) -> None:
    assert list(got) == list(want)
    for label, value in want.items():
        if value is None:
            assert math.isnan(got[label]), (label, got[label])
        else:
            assert got[label] == pytest.approx(value, abs=1e-12), label


@pytest.fixture(scope="module")
def pack() -> pd.DataFrame:
    return kpis(
        ibis.memtable(_orders()),
        observation_end=END,
        marketing_spend=_spend(),
        feedback=_feedback(),
        clv=_clv(),
        churn_window_days_setting=30,
    ).to_pandas()


def test_customer_counts_revenue_and_orders(pack):
    _same(_by(pack, "active_customers"), {"2024-01": 2, "2024-02": 2, "2024-03": 2, "2024-04": 3})
    _same(_by(pack, "new_customers"), {"2024-01": 2, "2024-02": 1, "2024-03": 1, "2024-04": 1})
    _same(
        _by(pack, "returning_customers"), {"2024-01": 0, "2024-02": 1, "2024-03": 1, "2024-04": 2}
    )
    _same(_by(pack, "revenue"), {"2024-01": 350, "2024-02": 150, "2024-03": 120, "2024-04": 70})
    _same(_by(pack, "orders"), {"2024-01": 3, "2024-02": 3, "2024-03": 2, "2024-04": 3})
    _same(_by(pack, "aov"), {"2024-01": 350 / 3, "2024-02": 50, "2024-03": 60, "2024-04": 70 / 3})
    _same(
        _by(pack, "purchase_frequency"),
        {"2024-01": 1.5, "2024-02": 1.5, "2024-03": 1, "2024-04": 1},
    )


def test_rates(pack):
    # a bought twice in January, c twice in February
    _same(_by(pack, "repeat_rate"), {"2024-01": 0.5, "2024-02": 0.5, "2024-03": 0, "2024-04": 0})
    # Feb: of {a, b} a came back; Mar: of {a, c} nobody; Apr: of {b, d} b
    _same(
        _by(pack, "retention_rate"),
        {"2024-01": None, "2024-02": 0.5, "2024-03": 0.0, "2024-04": 0.5},
    )
    # 30-day window. Jan: a's next purchase 21 days after Jan 20 (stays), b's 55 days after
    # Jan 10 (churned). Feb: a's next is 62 days after Feb 10, c never returns. March ends
    # Mar 31, and Mar 31 + 30 days lies after Apr 15: unknown.
    _same(
        _by(pack, "churn_rate"), {"2024-01": 0.5, "2024-02": 1.0, "2024-03": None, "2024-04": None}
    )
    assert set(pack[pack.kpi == "churn_rate"].window_days) == {30.0}
    assert pack[pack.kpi != "churn_rate"].window_days.isna().all()
    # revenue to date / customers to date: 350/2, 500/3, 620/4, 690/5
    _same(
        _by(pack, "historical_clv"),
        {"2024-01": 175, "2024-02": 500 / 3, "2024-03": 155, "2024-04": 138},
    )


def test_cac_clv_cac_nps_csat(pack):
    # spend: Jan 300 + 100 over 2 new, Feb 200 over 1, March none recorded, Apr 50 over 1
    _same(_by(pack, "cac"), {"2024-01": 200, "2024-02": 200, "2024-03": None, "2024-04": 50})
    # mean CLV of the month's new customers: Jan (300+500)/2, Feb 120, Apr 60
    _same(
        _by(pack, "clv_cac_ratio"),
        {"2024-01": 2.0, "2024-02": 0.6, "2024-03": None, "2024-04": 1.2},
    )
    # Jan 10, 9, 7, 3: 2 promoters, 1 detractor of 4; Feb 6, 0: 2 detractors of 2
    _same(_by(pack, "nps"), {"2024-01": 25, "2024-02": -100, "2024-03": None, "2024-04": None})
    _same(_by(pack, "nps_responses"), {"2024-01": 4, "2024-02": 2, "2024-03": 0, "2024-04": 0})
    _same(_by(pack, "csat"), {"2024-01": 2 / 3, "2024-02": None, "2024-03": None, "2024-04": None})
    _same(_by(pack, "csat_responses"), {"2024-01": 3, "2024-02": 0, "2024-03": 0, "2024-04": 0})


def test_changes_units_and_markers(pack):
    _same(
        _by(pack, "revenue", "mom"),
        # April is partial: no change against a whole month
        {"2024-01": None, "2024-02": -200 / 350, "2024-03": -0.2, "2024-04": None},
    )
    _same(
        _by(pack, "revenue", "previous_value"),
        {"2024-01": None, "2024-02": 350, "2024-03": 150, "2024-04": 120},
    )
    _same(
        _by(pack, "repeat_rate", "mom_pp"),
        {"2024-01": None, "2024-02": 0, "2024-03": -50, "2024-04": None},
    )
    _same(
        _by(pack, "retention_rate", "mom_pp"),
        {"2024-01": None, "2024-02": None, "2024-03": -50, "2024-04": None},
    )
    # NPS: points, never a relative change (its base can be negative)
    _same(
        _by(pack, "nps", "mom_pp"),
        {"2024-01": None, "2024-02": -125, "2024-03": None, "2024-04": None},
    )
    assert pack[pack.kpi == "nps"].mom.isna().all()
    assert pack[pack.kpi == "revenue"].mom_pp.isna().all()
    assert pack.yoy.isna().all()  # no month has a year before it here
    units = pack.drop_duplicates("kpi").set_index("kpi").unit.to_dict()
    assert units == kpis_module.UNITS
    assert set(pack[pack.is_latest].period_label) == {"2024-03"}
    assert set(pack[~pack.is_complete].period_label) == {"2024-04"}
    assert len(pack) == 4 * len(kpis_module.UNITS)
    assert sorted({str(p)[:10] for p in pack.period}) == [
        "2024-01-01",
        "2024-02-01",
        "2024-03-01",
        "2024-04-01",
    ]


def test_year_over_year_and_empty_months():
    orders = pd.DataFrame(
        {
            "customer_id": ["x", "y"],
            "order_date": pd.to_datetime(["2023-01-10", "2024-01-10"]),
            "amount": [100.0, 150.0],
        }
    )
    k = kpis(ibis.memtable(orders), observation_end="2024-01-31").to_pandas()
    revenue = _by(k, "revenue")
    assert len(revenue) == 13  # every month from Jan 2023 to Jan 2024, none skipped
    assert revenue["2023-02"] == 0.0
    jan = k[(k.kpi == "revenue") & (k.period_label == "2024-01")].iloc[0]
    assert (jan.last_year_value, jan.yoy) == (100.0, 0.5)
    assert math.isnan(jan.mom)  # December's revenue was 0: no base
    assert _by(k, "retention_rate")["2023-02"] == 0.0
    assert math.isnan(_by(k, "retention_rate")["2023-03"])  # nobody was active in February
    assert _by(k, "revenue", "is_latest")["2024-01"]  # Jan 31 ends January: complete


def test_purchase_cycle_and_default_window():
    orders = ibis.memtable(_orders()[lambda f: f.order_date <= END])
    # per-customer medians 21 (a), 41 (b), 1 (c); d and e never bought twice
    assert median_purchase_cycle_days(orders).execute() == 21.0
    assert churn_window_days(orders).execute() == 90.0  # 2 x 21 < 90
    assert churn_window_days(orders, 45).execute() == 45.0
    with pytest.raises(ConfigError, match="churn_window_days"):
        churn_window_days(orders, -1)
    long_gaps = pd.DataFrame(
        {
            "customer_id": ["p", "p", "q", "q"],
            "order_date": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-01-01", "2024-04-01"]),
        }
    )
    # medians 60 and 91 -> 75.5 -> window 151
    assert churn_window_days(ibis.memtable(long_gaps)).execute() == 151.0


def test_window_from_the_purchase_cycle_result_is_the_same():
    # p: gap 60; q: gap 91; r: gaps 10, 200, 30 -> median 30; s buys once.
    # Median over customers of 60, 91, 30 is 60 -> window 120 days.
    days = {
        "p": ["2024-01-01", "2024-03-01"],
        "q": ["2024-01-01", "2024-04-01"],
        "r": ["2024-01-01", "2024-01-11", "2024-07-29", "2024-08-28"],
        "s": ["2024-02-01"],
    }
    orders = pd.DataFrame(
        [(c, pd.Timestamp(d), 10.0) for c, ds in days.items() for d in ds],
        columns=["customer_id", "order_date", "amount"],
    )
    end = "2024-12-31"
    cycles = purchase_cycle(orders, observation_end=end)  # the behaviour analysis's result

    # an engine returns rows in no set order: compare them sorted
    def run(**extra) -> pd.DataFrame:
        frame = kpis(orders, observation_end=end, **extra).to_pandas()
        return frame.sort_values(["kpi", "period"]).reset_index(drop=True)

    own, reused = run(), run(purchase_cycle=cycles)
    pd.testing.assert_frame_equal(own, reused)
    assert set(own[own.kpi == "churn_rate"].window_days) == {120.0}
    # January: p returns 60 days on, q 91 days on, but r's next purchase after Jan 11 is
    # 200 days later: 1 of 3. August (ends Aug 31, + 120 = Dec 29 <= Dec 31): r never
    # returns after Aug 28: 1 of 1.
    churn = _by(own, "churn_rate")
    assert (churn["2024-01"], churn["2024-08"]) == (1 / 3, 1.0)
    assert math.isnan(churn["2024-09"])  # Sep 30 + 120 days is after Dec 31


def test_exact_median_even_and_odd():
    t = ibis.memtable({"g": ["a"] * 4 + ["b"] * 3, "v": [5, 1, 100, 3, 7, 2, 9]})
    per_group = exact_median(t, "v", by="g").to_pandas().set_index("g")["median"].to_dict()
    assert per_group == {"a": 4.0, "b": 7.0}
    assert exact_median(t, "v").to_pandas()["median"].tolist() == [5.0]


def test_missing_optional_inputs_leave_rows_out_with_the_same_schema(pack):
    ctx = AnalysisContext(observation_end=pd.Timestamp(END).date())
    bare = kpis_module._build({"orders": ibis.memtable(_orders())}, ctx).to_pandas()
    assert list(bare.columns) == list(pack.columns) == list(kpis_module.ANALYSES[0].columns)
    assert set(bare.kpi) == set(kpis_module.UNITS) - {
        "cac",
        "clv_cac_ratio",
        "nps",
        "nps_responses",
        "csat",
        "csat_responses",
    }
    # clv without spend gives no CLV:CAC; the automatic window (90 days) is recorded
    no_spend = kpis_module._build(
        {"orders": ibis.memtable(_orders()), "clv": ibis.memtable(_clv())}, ctx
    ).to_pandas()
    assert "clv_cac_ratio" not in set(no_spend.kpi)
    assert set(no_spend[no_spend.kpi == "churn_rate"].window_days) == {90.0}
    assert no_spend[no_spend.kpi == "churn_rate"].value.isna().all()


def test_cac_per_channel():
    customers = pd.DataFrame(
        {"customer_id": list("abcd"), "acquisition_channel": ["search", "social", "search", None]}
    )
    got = kpi_cac(
        _orders(), _spend(), observation_end=END, customers=customers, clv=_clv()
    ).to_pandas()
    assert list(got.columns) == list(kpi_cac_module.ANALYSES[0].columns)
    got = got.sort_values(["period_label", "channel"])
    rows = [
        (r.period_label, r.channel, r.spend, r.new_customers, r.cac, r.avg_clv_12m, r.clv_cac_ratio)
        for r in got.itertuples()
    ]
    nan = float("nan")
    want = [
        ("2024-01", "all", 400.0, 2, 200.0, 400.0, 2.0),
        ("2024-01", "search", 300.0, 1, 300.0, 300.0, 1.0),
        ("2024-01", "social", 100.0, 1, 100.0, 500.0, 5.0),
        ("2024-02", "all", 200.0, 1, 200.0, 120.0, 0.6),
        ("2024-02", "search", 200.0, 1, 200.0, 120.0, 0.6),
        # d has no channel, e no customer record: both 'unknown', with no spend recorded
        ("2024-03", "all", nan, 1, nan, 90.0, nan),
        ("2024-03", "unknown", nan, 1, nan, 90.0, nan),
        ("2024-04", "all", 50.0, 1, 50.0, 60.0, 1.2),
        ("2024-04", "search", 50.0, 0, nan, nan, nan),
        ("2024-04", "unknown", nan, 1, nan, 60.0, nan),
    ]
    assert len(rows) == len(want)
    for g, w in zip(rows, want, strict=True):
        assert g[:2] == w[:2]
        assert g[3] == w[3], g
        for a, b in zip(g[2:], w[2:], strict=True):
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b), (g, w)
    assert set(got[~got.is_complete].period_label) == {"2024-04"}


def test_cac_without_customers_or_clv_has_only_all_rows():
    got = kpi_cac(_orders(), _spend(), observation_end=END).to_pandas()
    assert set(got.channel) == {"all"}
    assert got.avg_clv_12m.isna().all() and got.clv_cac_ratio.isna().all()
    # and it agrees with the kpis table's cac
    pack = kpis(_orders(), observation_end=END, marketing_spend=_spend()).to_pandas()
    cac = _by(pack, "cac")
    for r in got.itertuples():
        assert (math.isnan(r.cac) and math.isnan(cac[r.period_label])) or r.cac == cac[
            r.period_label
        ]


def test_independent_pandas_computation_on_cdnow(cdnow_master):
    """Monthly counts and rates against a plain pandas computation on all of CDNOW."""
    orders = cdnow_master[["customer_id", "order_date", "amount"]]
    got = kpis(orders, observation_end="1998-06-30").to_pandas()
    month = orders.order_date.dt.to_period("M")
    cm = orders.assign(month=month).groupby(["customer_id", "month"]).amount.agg(["size", "sum"])
    cm = cm.reset_index()
    first = cm.groupby("customer_id").month.transform("min")
    by_month = cm.groupby("month").agg(
        active=("customer_id", "size"), revenue=("sum", "sum"), orders=("size", "sum")
    )
    by_month["new"] = cm[cm.month == first].groupby("month").size()
    by_month["repeat"] = cm[cm["size"] >= 2].groupby("month").size()
    active_sets = cm.groupby("month").customer_id.agg(set)
    months = list(by_month.index)
    for label, column, expected in [
        ("active_customers", "active", by_month.active),
        ("new_customers", "new", by_month.new.fillna(0)),
        ("revenue", "revenue", by_month.revenue),
        ("orders", "orders", by_month.orders),
        ("repeat_rate", "repeat", by_month.repeat.fillna(0) / by_month.active),
    ]:
        mine = _by(got, label)
        for m in months:
            assert mine[str(m)] == pytest.approx(expected[m], rel=1e-9), (label, column, m)
    retention = _by(got, "retention_rate")
    for prev, this in itertools.pairwise(months):
        want = len(active_sets[prev] & active_sets[this]) / len(active_sets[prev])
        assert retention[str(this)] == pytest.approx(want, rel=1e-12)
