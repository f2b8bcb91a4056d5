"""Web sessions: a funnel with drop-off, buying sessions that are the orders, anonymous visitors."""

from __future__ import annotations

import pandas as pd

from clientlens.demo.generate import WEB_DAYS
from clientlens.demo.web import STEPS


def test_purchase_events_are_the_orders_of_the_window(demo_zh):
    ev, orders = demo_zh.events, demo_zh.orders
    start = pd.Timestamp("2025-12-31") - pd.Timedelta(days=WEB_DAYS - 1)
    window = orders[orders.order_date >= start]
    bought = ev[ev.event == "purchase"]
    left = bought[["customer_id", "timestamp"]].sort_values(["customer_id", "timestamp"])
    right = window[["customer_id", "order_date"]].sort_values(["customer_id", "order_date"])
    assert left.to_numpy().tolist() == right.to_numpy().tolist()
    assert ev.timestamp.min() >= start - pd.Timedelta(hours=1)
    assert ev.timestamp.max() < pd.Timestamp("2026-01-01")


def test_sessions_walk_down_the_funnel_and_drop_off(demo_zh):
    ev = demo_zh.events
    reached = ev.groupby("event").session_id.nunique().reindex(STEPS)
    funnel = reached.drop("search")  # searching is optional: many land on a product page
    assert funnel.is_monotonic_decreasing and funnel.is_unique
    assert reached["page_view"] == ev.session_id.nunique()  # every session lands on a page
    assert reached["purchase"] / reached["page_view"] < 0.4
    rank = ev.event.map({s: i for i, s in enumerate(STEPS)})
    in_order = rank.groupby(ev.session_id).is_monotonic_increasing
    assert in_order.all()
    assert ev.groupby("session_id").timestamp.is_monotonic_increasing.all()
    assert (ev.duration_s > 0).all()


def test_anonymous_visitors_browse_but_do_not_buy(demo_zh):
    ev = demo_zh.events
    anonymous = ev.customer_id.isna()
    assert (anonymous == ev.anonymous_id.notna()).all()
    sessions = ev.groupby("session_id").agg(anon=("anonymous_id", "count"), n=("event", "size"))
    share = (sessions.anon > 0).mean()
    assert 0.2 < share < 0.45
    assert not ev[anonymous].event.eq("purchase").any()
    assert set(ev.customer_id.dropna()) <= set(demo_zh.customers.customer_id)
