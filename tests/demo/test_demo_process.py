"""The hidden process: the truth agrees with the data, and each story is visible in it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from clientlens.demo import text
from clientlens.demo.customers import CHANNELS


def _orders_with_truth(demo):
    return demo.orders.merge(demo.truth, on="customer_id")


def test_no_order_on_or_after_the_dropout_date(demo_large):
    o = _orders_with_truth(demo_large)
    dropped = o.dropout_date.notna()
    assert (o.order_date[dropped] < o.dropout_date[dropped]).all()
    truth = demo_large.truth
    assert (truth.alive_at_end == truth.dropout_date.isna()).all()
    first = demo_large.orders.groupby("customer_id").order_date.min()
    assert (first.reindex(truth.customer_id).to_numpy() == truth.first_order_date.to_numpy()).all()


def test_segments_drive_purchase_counts(demo_large):
    truth = demo_large.truth
    n_orders = demo_large.orders.groupby("customer_id").size().reindex(truth.customer_id)
    by_segment = n_orders.groupby(truth.segment.to_numpy()).mean()
    assert by_segment["one_off"] == 1.0  # one purchase, never a repeat
    assert by_segment["vip"] > 2 * by_segment["regular"] > 2 * by_segment["occasional"]
    rate = truth.groupby("segment").purchase_rate_per_day.mean()
    assert rate["vip"] > rate["regular"] > rate["occasional"] > rate["one_off"] == 0
    # Poisson process: repeats ≈ λ × active days (festivals average out over a year)
    regular = truth[(truth.segment == "regular")]
    start = regular.first_order_date.dt.normalize() + pd.Timedelta(days=1)
    stop = regular.dropout_date.fillna(pd.Timestamp("2026-01-01"))
    expected = (regular.purchase_rate_per_day * (stop - start).dt.days.clip(lower=0)).sum()
    observed = (n_orders[regular.customer_id] - 1).sum()
    assert abs(observed / expected - 1) < 0.08


def test_complaints_hasten_dropout(demo_large):
    truth = demo_large.truth[demo_large.truth.segment != "one_off"]
    end = pd.Timestamp("2026-01-01")
    lifetime = (truth.dropout_date.fillna(end) - truth.first_order_date).dt.days
    mean_life = lifetime.groupby([truth.segment, truth.complained]).mean().unstack()
    assert (mean_life[True] < mean_life[False]).all()
    # Within 120 days of the first complaint most complainers are gone; without one, few
    # customers leave within 120 days of their first order.
    cutoff = end - pd.Timedelta(days=120)
    c = truth[truth.complained & (truth.first_complaint_at < cutoff)]
    gone_after_complaint = (c.dropout_date <= c.first_complaint_at + pd.Timedelta(days=120)).mean()
    n = truth[~truth.complained & (truth.first_order_date < cutoff)]
    gone_anyway = (n.dropout_date <= n.first_order_date + pd.Timedelta(days=120)).mean()
    assert gone_after_complaint > 0.7
    assert gone_anyway < 0.4


def test_complaints_match_tickets(demo_large):
    truth = demo_large.truth.set_index("customer_id")
    first = demo_large.tickets.groupby("customer_id").opened_at.min()
    assert set(first.index) == set(truth.index[truth.complained])
    assert (first == truth.first_complaint_at[first.index]).all()


def test_double_11_and_spring_festival_are_visible(demo_large):
    days = demo_large.orders.order_date.dt.normalize().value_counts()

    def week(start: str) -> int:
        return int(days[pd.date_range(start, periods=7)].sum()) if start else 0

    for year in (2023, 2024, 2025):
        d11 = week(f"{year}-11-08")
        around = (week(f"{year}-10-11") + week(f"{year}-12-06")) / 2
        assert d11 > 1.8 * around, year
    for new_year in ("2024-02-10", "2025-01-29"):
        holiday = week(str((pd.Timestamp(new_year) - pd.Timedelta(days=3)).date()))
        before = week(str((pd.Timestamp(new_year) - pd.Timedelta(days=31)).date()))
        assert holiday < 0.7 * before, new_year


def test_demographics_and_channels_follow_segments(demo_large):
    c = demo_large.customers.merge(demo_large.truth[["customer_id", "segment"]])
    income = c.groupby("segment").income.median()
    age = c.groupby("segment").age.mean()
    assert income["vip"] > 1.3 * income["occasional"]
    assert age["vip"] > age["occasional"] + 5
    labels = {code: zh for code, zh, *_ in CHANNELS}
    vip_share = c.assign(vip=c.segment == "vip").groupby("acquisition_channel").vip.mean()
    assert vip_share[labels["referral"]] > 2 * vip_share[labels["live"]]


def test_cac_differs_by_channel_as_designed(demo_large):
    spend = demo_large.marketing_spend.groupby("channel").spend.sum()
    new = demo_large.customers.acquisition_channel.value_counts()
    cac = spend / new
    for _code, zh, _en, _share, _mix, designed in CHANNELS:
        assert abs(cac[zh] / designed - 1) < 0.1, zh


def _phrase_sentiment(locale: str) -> dict[str, int]:
    lang = 0 if locale == "zh" else 1
    return {
        phrase[lang]: s
        for theme in text.THEMES
        for s, sentiment in enumerate(text.SENTIMENTS)
        for phrase in text._PHRASES[theme][sentiment]
    }


def test_comments_agree_with_scores(demo_zh, demo_en):
    for demo in (demo_zh, demo_en):
        fb = demo.feedback.dropna(subset=["comment"])
        lookup = _phrase_sentiment(demo.locale)
        sentiment = fb.comment.map(
            lambda c: next(v for p, v in lookup.items() if c.startswith(p))  # noqa: B023
        )
        nps = fb.kind == "nps"
        expected = np.where(
            nps,
            np.select([fb.score >= 9, fb.score >= 7], [2, 1], 0),
            np.select([fb.score >= 4, fb.score == 3], [2, 1], 0),
        )
        assert (sentiment.to_numpy() == expected).all()
    assert len(demo_zh.feedback) > 500


def test_satisfaction_follows_segment_and_tickets(demo_large):
    fb = demo_large.feedback.merge(demo_large.truth[["customer_id", "segment"]])
    nps = fb[fb.kind == "nps"].groupby("segment").score.mean()
    assert nps["vip"] > nps["regular"] > nps["occasional"]
    csat = fb[fb.kind == "csat"].score.mean()
    review = fb[fb.kind == "review"].score.mean()
    assert csat < review - 0.8  # answers after a complaint are markedly lower
