"""The demo tables: contract, determinism, locales and well-formed personal data."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from clientlens.demo import generate, service
from clientlens.errors import ConfigError
from clientlens.schema import TABLES

_DTYPES = {
    "string": "object",
    "float": "float64",
    "int": "int64",
    "date": "datetime64[ns]",
    "timestamp": "datetime64[ns]",
}


def test_tables_follow_the_contract(demo_zh):
    for name, frame in demo_zh.tables().items():
        spec = TABLES[name]
        assert list(frame.columns) == [c for c in spec.names if c in frame.columns], name
        assert set(spec.required) <= set(frame.columns), name
        for col in frame.columns:
            assert str(frame[col].dtype) == _DTYPES[spec.column(col).type], (name, col)
        for key in [spec.key] if spec.key else []:
            assert not frame.duplicated(list(key)).any(), name


def test_same_seed_same_data_other_seed_other_data():
    a, b = generate(300, seed=4), generate(300, seed=4)
    for name, frame in a.tables().items():
        pd.testing.assert_frame_equal(frame, b.tables()[name])
    pd.testing.assert_frame_equal(a.truth, b.truth)
    c = generate(300, seed=5)
    assert not a.orders["amount"].equals(c.orders["amount"])
    assert not a.truth["segment"].equals(c.truth["segment"])


def test_locales_differ_only_in_words(demo_zh, demo_en):
    for name, zh in demo_zh.tables().items():
        en = demo_en.tables()[name]
        numeric = [c for c in zh.columns if zh[c].dtype != object]
        pd.testing.assert_frame_equal(zh[numeric], en[numeric])
    pd.testing.assert_frame_equal(demo_zh.truth, demo_en.truth)
    assert demo_zh.orders["order_id"].equals(demo_en.orders["order_id"])
    assert "广东" in set(demo_zh.customers.province)
    assert "Guangdong" in set(demo_en.customers.province)
    guangzhou = demo_zh.customers.city == "广州"
    assert (demo_en.customers.city[guangzhou] == "Guangzhou").all()
    comments = demo_en.feedback.comment.dropna()
    assert comments.map(str.isascii).all()
    assert demo_zh.feedback.comment.dropna().str.contains(r"[\u4e00-\u9fff]").all()


def test_personal_data_is_well_formed(demo_zh, demo_en):
    c = demo_zh.customers
    assert c.phone.str.fullmatch(r"1[3-9]\d{9}").all()
    assert c.email.str.fullmatch(r"[a-z]+\d{3}@[a-z0-9]+\.com").all()
    assert c.name.str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all()
    assert demo_en.customers.name.str.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+").all()
    assert c.customer_id.str.fullmatch(r"C\d{6}").all()
    assert set(c.gender) == {"female", "male"}
    # age is the age on the last day of the history (31 Dec 2025)
    assert (2025 - c.birth_date.dt.year == c.age).all()


def test_order_amount_is_the_sum_of_its_items(demo_zh):
    items = demo_zh.order_items
    lines = (items.quantity * items.unit_price).groupby(items.order_id).sum()
    orders = demo_zh.orders.set_index("order_id")
    assert set(lines.index) == set(orders.index)
    np.testing.assert_allclose(lines[orders.index], orders.amount, atol=0.011)
    assert (orders.cost < orders.amount).mean() > 0.97  # margins are positive but for deep coupons
    assert set(items.product_id) <= set(demo_zh.products.product_id)


def test_history_is_fixed_and_in_the_past(demo_zh):
    end = pd.Timestamp("2026-01-01")
    assert demo_zh.orders.order_date.min() >= pd.Timestamp("2023-01-01")
    for frame, col in [
        (demo_zh.orders, "order_date"),
        (demo_zh.events, "timestamp"),
        (demo_zh.feedback, "date"),
        (demo_zh.tickets, "opened_at"),
        (demo_zh.tickets, "closed_at"),
        (demo_zh.marketing_spend, "date"),
    ]:
        assert frame[col].max() < end, col
    t = demo_zh.tickets
    assert (t.closed_at.dropna() >= t.opened_at[t.closed_at.notna()]).all()
    assert ((t.status == "open") == t.closed_at.isna()).all()


def test_first_responses_come_hours_after_opening_and_some_open_tickets_await_one(demo_large):
    t = demo_large.tickets
    answered = t[t.first_response_at.notna()]
    hours = (answered.first_response_at - answered.opened_at).dt.total_seconds() / 3600
    assert (hours >= 0).all()
    assert (answered.first_response_at <= answered.closed_at.fillna(pd.Timestamp.max)).all()
    # planted medians 3 / 1.5 / 0.5 h by severity, capped at the resolution time
    by_severity = hours.groupby(answered.severity).median()
    assert 0.3 < by_severity["high"] < by_severity["medium"] < by_severity["low"] < 3.5
    # only open tickets lack a reply (the demo leaves a handful open: 3 here)
    assert not (t.first_response_at.isna() & t.closed_at.notna()).any()


def test_the_planted_share_of_open_tickets_awaits_a_reply():
    # 10,000 tickets opened on day 10 (medium severity), the first half still open
    n = 10_000
    hist = SimpleNamespace(ticket_opened=np.full(n, 10.0), ticket_severity=np.ones(n, int))
    closed = np.where(np.arange(n) < n // 2, np.nan, 12.0)
    first = service._first_responses(np.random.default_rng(1), hist, np.full(n, 48.0), closed)
    unanswered = np.isnan(first)
    assert not unanswered[n // 2 :].any()
    # binomial(5,000, 0.3): sd 0.0065
    assert unanswered[: n // 2].mean() == pytest.approx(service._UNANSWERED_OPEN_SHARE, abs=0.03)
    # replies never come after the 48 h resolution: day 10 + at most 2 days
    assert np.nanmax(first) <= 12.0


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"n_customers": 0}, "n_customers"),
        ({"locale": "fr"}, "locale"),
        ({"web_days": 0}, "web_days"),
    ],
)
def test_bad_options_are_refused(kwargs, word):
    with pytest.raises(ConfigError, match=word):
        generate(**{"n_customers": 10, **kwargs})


def test_order_ids_follow_time(demo_zh):
    o = demo_zh.orders
    assert o.order_date.is_monotonic_increasing
    assert re.fullmatch(r"O\d{7}", o.order_id.iloc[0])
