import ibis
import numpy as np
import pandas as pd
import pytest

from clientlens.analytics.common import median_value
from clientlens.analytics.segments.rfm_segments import rfm_scores, rfm_segment_summary
from clientlens.analytics.segments.segments_catalog import RFM8_RULES, RFM11, RFM11_GRID, rfm11_code
from clientlens.errors import ConfigError, DataContractError

END = "2024-03-31"


def _orders():
    # recency (days to Mar 31, 2024 — a leap year): a 1, b 6, c 45, d 81, e 182.
    # orders: a 3, b 2 (same day), c 1, d 2, e 1 (+ one after the observation end).
    # total: a 600, b 100, c 400, d 50, e 10.
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "b", "c", "d", "d", "e", "e"],
            "order_date": pd.to_datetime(
                [
                    "2024-03-30 10:00",
                    "2024-03-01 00:00",
                    "2024-02-01 00:00",
                    "2024-03-25 09:00",
                    "2024-03-25 21:00",
                    "2024-02-15 00:00",
                    "2024-01-10 00:00",
                    "2023-12-01 00:00",
                    "2023-10-01 00:00",
                    "2024-04-05 00:00",
                ]
            ),
            "amount": [100.0, 200.0, 300.0, 50.0, 50.0, 400.0, 20.0, 30.0, 10.0, 999.0],
        }
    )


def _scores(**kw):
    s = rfm_scores(_orders(), observation_end=END, **kw).to_pandas()
    return s.set_index("customer_id").sort_index()


def test_scores_and_segments_by_hand():
    s = _scores()
    assert s.recency_days.tolist() == [1, 6, 45, 81, 182]
    assert s.frequency.tolist() == [3, 2, 1, 2, 1]
    assert s.monetary.tolist() == [600.0, 100.0, 400.0, 50.0, 10.0]
    assert s.revenue.tolist() == [600.0, 100.0, 400.0, 50.0, 10.0]
    # n = 5 customers and 5 bins: score = 1 + number of customers strictly worse.
    assert s.r_score.tolist() == [5, 4, 3, 2, 1]
    # b and d tie on 2 orders (2 customers below them); c and e tie on 1.
    assert s.f_score.tolist() == [5, 3, 1, 3, 1]
    assert s.m_score.tolist() == [5, 3, 4, 2, 1]
    # fm = floor((f + m + 1) / 2)
    assert s.fm_score.tolist() == [5, 3, 3, 3, 1]
    assert s.segment.tolist() == [
        "champions",
        "potential_loyalist",
        "need_attention",
        "at_risk",
        "lost",
    ]
    assert (s.loc["a", "segment"], s.loc["e", "segment"]) == ("champions", "lost")
    # means: recency 315/5 = 63, frequency 9/5 = 1.8, monetary 1160/5 = 232
    assert s.r_high.tolist() == [True, True, True, False, False]
    assert s.f_high.tolist() == [True, True, False, True, False]
    assert s.m_high.tolist() == [True, False, True, False, False]
    assert s.segment8.tolist() == [
        "important_value",
        "general_value",
        "important_develop",
        "general_retain",
        "general_winback",
    ]
    assert (s.loc["c", "segment8"], s.loc["d", "segment8"]) == (
        "important_develop",
        "general_retain",
    )


def test_median_threshold():
    s = _scores(threshold="median")
    # medians: recency 45, frequency 2, monetary 100 — strictly better than the median is high.
    assert s.r_high.tolist() == [True, True, False, False, False]
    assert s.f_high.tolist() == [True, False, False, False, False]
    assert s.segment8.tolist() == [
        "important_value",
        "general_develop",
        "important_winback",
        "general_winback",
        "general_winback",
    ]


def test_purchase_days_mean_spend_and_three_bins():
    s = _scores(frequency="days", monetary="mean")
    # b's two orders are one purchase day; mean spend: a 200, b 50, c 400, d 25, e 10.
    assert s.frequency.tolist() == [3, 1, 1, 2, 1]
    assert s.f_score.tolist() == [5, 1, 1, 4, 1]
    assert s.monetary.tolist() == [200.0, 50.0, 400.0, 25.0, 10.0]
    assert s.m_score.tolist() == [4, 3, 5, 2, 1]
    assert s.revenue.tolist() == [600.0, 100.0, 400.0, 50.0, 10.0]
    s3 = _scores(bins=3)
    # 1 + floor(3 * worse / 5) for worse = 4, 3, 2, 1, 0
    assert s3.r_score.tolist() == [3, 2, 2, 1, 1]
    # levels 1 + round((s - 1) * 4 / 2): 1 -> 1, 2 -> 3, 3 -> 5; a R 3 FM 3 = champions,
    # b R 2 (level 3) FM (2 + 2 + 1) // 2 = 2 (level 3) = need_attention; e 1/1 = lost
    assert s3.loc["a", "segment"] == "champions"
    assert s3.loc["b", "segment"] == "need_attention"
    assert s3.loc["e", "segment"] == "lost"


def test_summary_by_hand():
    scores = rfm_scores(_orders(), observation_end=END)
    clv = ibis.memtable(pd.DataFrame({"customer_id": ["a", "b"], "clv_12m": [300.0, 50.0]}))
    out = rfm_segment_summary(scores, clv).to_pandas()
    assert out.groupby("scheme").size().to_dict() == {"rfm11": 11, "rfm8": 8}
    assert out.groupby("scheme").customers.sum().to_dict() == {"rfm11": 5, "rfm8": 5}
    champ = out[(out.scheme == "rfm11") & (out.segment == "champions")].iloc[0]
    assert champ.customers == 1 and champ.customer_share == pytest.approx(0.2)
    assert champ.revenue_share == pytest.approx(600 / 1160)
    assert champ.avg_historical_clv == 600.0 and champ.avg_clv_12m == 300.0
    assert (champ.scheme, champ.segment) == ("rfm11", "champions")  # its action: the catalog
    loyal = out[(out.scheme == "rfm11") & (out.segment == "loyal")].iloc[0]
    assert loyal.customers == 0 and loyal.revenue == 0.0 and np.isnan(loyal.avg_monetary)
    lost = out[(out.scheme == "rfm11") & (out.segment == "lost")].iloc[0]
    assert np.isnan(lost.avg_clv_12m)  # e has no clv row
    gw = out[(out.scheme == "rfm8") & (out.segment == "general_winback")].iloc[0]
    assert (gw.customers, gw.avg_recency_days, gw.display_order) == (1, 182.0, 8)
    no_clv = rfm_segment_summary(scores).to_pandas()
    assert list(no_clv.columns) == list(out.columns)
    assert no_clv.avg_clv_12m.isna().all()


def test_exact_median():
    t = ibis.memtable(pd.DataFrame({"v": [5.0, 1.0, 9.0, 3.0]}))
    assert median_value(t, "v").execute() == 4.0
    t = ibis.memtable(pd.DataFrame({"v": [5, 1, 9]}))
    assert median_value(t, "v").execute() == 5.0


def test_catalog_grid_covers_every_segment():
    codes = {c for row in RFM11_GRID.values() for c in row}
    assert codes == {s.code for s in RFM11} and len(codes) == 11
    assert len(set(RFM8_RULES.values())) == 8


def test_bad_arguments_are_explained():
    with pytest.raises(ConfigError, match="rfm_bins"):
        rfm_scores(_orders(), bins=1)
    with pytest.raises(ConfigError, match="rfm_threshold"):
        rfm_scores(_orders(), threshold="mode")
    with pytest.raises(DataContractError, match="amount"):
        rfm_scores(_orders().drop(columns="amount"))


def _pandas_rfm(orders: pd.DataFrame, end: pd.Timestamp, bins: int = 5) -> pd.DataFrame:
    """The same definitions, written independently with pandas ranks."""
    g = orders.groupby("customer_id")
    out = pd.DataFrame(
        {
            "recency_days": (end - g.order_date.max().dt.normalize()).dt.days,
            "frequency": g.size(),
            "monetary": g.amount.sum(),
        }
    )
    n = len(out)
    worse = {
        "r": out.recency_days.rank(method="min", ascending=False) - 1,
        "f": out.frequency.rank(method="min") - 1,
        "m": out.monetary.rank(method="min") - 1,
    }
    for k, w in worse.items():
        out[f"{k}_score"] = 1 + (bins * w.astype(int)) // n
    fm = (out.f_score + out.m_score + 1) // 2
    out["segment"] = [rfm11_code(r, f) for r, f in zip(out.r_score, fm, strict=True)]
    high = (
        out.recency_days < out.recency_days.mean(),
        out.frequency > out.frequency.mean(),
        out.monetary > out.monetary.mean(),
    )
    out["segment8"] = [RFM8_RULES[k] for k in zip(*high, strict=True)]
    return out.sort_index()


@pytest.mark.slow
def test_scores_match_pandas_on_cdnow(cdnow_master):
    end = cdnow_master.order_date.max()
    got = rfm_scores(cdnow_master, observation_end=end).to_pandas()
    got = got.set_index("customer_id").sort_index()
    expected = _pandas_rfm(cdnow_master, end)
    assert len(got) == len(expected) == 23570
    for col in (
        "recency_days",
        "frequency",
        "r_score",
        "f_score",
        "m_score",
        "segment",
        "segment8",
    ):
        assert got[col].tolist() == expected[col].tolist(), col
    np.testing.assert_allclose(got.monetary, expected.monetary, rtol=1e-12)
    # CDNOW: over half of the customers bought once, so they share F score 1.
    assert (got.f_score == 1).mean() > 0.5
    assert set(got.r_score) == {1, 2, 3, 4, 5}
