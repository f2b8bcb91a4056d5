"""Web and app behaviour of the demo shop: sessions that walk down the purchase funnel.

A session is page views, perhaps a search, product views, then add to cart, checkout
and purchase, dropping off at each step. Every order placed in the tracked window has
its buying session ending in a ``purchase`` event at the order's timestamp; logged-in
customers also browse without buying (more often the more they buy, and only while
they are still customers), and anonymous visitors browse and rarely get far. Each event
carries its dwell time (seconds until the visitor's next action).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientlens.demo import seasons
from clientlens.demo.catalog import CATEGORY_CODE, Catalog
from clientlens.demo.customers import Population
from clientlens.demo.process import History

STEPS = np.array(
    ["page_view", "search", "product_view", "add_to_cart", "checkout", "purchase"], dtype=object
)
_DWELL_MEDIAN_S = np.array([25.0, 12.0, 40.0, 8.0, 50.0, 6.0])
# Chance of reaching each of search, product_view, add_to_cart, checkout from the step
# before, for browsing customers and anonymous visitors (purchases are buying sessions).
_REACH = {"customer": (0.5, 0.7, 0.3, 0.35), "anonymous": (0.35, 0.6, 0.15, 0.2)}


@dataclass
class Events:
    session: np.ndarray
    """Per event: session number (sessions are numbered in time order)."""
    customer: np.ndarray
    """Per event: customer index, -1 for anonymous visitors."""
    visitor: np.ndarray
    """Per event: anonymous visitor number, -1 for logged-in customers."""
    seconds: np.ndarray
    """Per event: seconds since seasons.START."""
    step: np.ndarray
    page: np.ndarray
    """Index into pages()."""
    duration_s: np.ndarray


def pages(catalog: Catalog) -> np.ndarray:
    """Page paths; index 0..5 fixed pages, then category pages, then product pages."""
    fixed = ["/", "/promo", "/search", "/cart", "/checkout", "/checkout/success"]
    cats = [f"/category/{c}" for c in CATEGORY_CODE]
    prods = [f"/product/{p}" for p in catalog.product_id]
    return np.array(fixed + cats + prods, dtype=object)


def _funnel(rng: np.random.Generator, n: int, reach: tuple[float, ...]) -> np.ndarray:
    """Event counts per step (n × 6) of sessions that do not buy."""
    counts = np.zeros((n, 6), dtype=np.int64)
    counts[:, 0] = 1 + rng.poisson(0.8, n)
    counts[:, 1] = (rng.random(n) < reach[0]) * (1 + rng.poisson(0.3, n))
    viewed = rng.random(n) < reach[1]
    counts[:, 2] = viewed * (1 + rng.poisson(1.2, n))
    carted = viewed & (rng.random(n) < reach[2])
    counts[:, 3] = carted
    counts[:, 4] = carted & (rng.random(n) < reach[3])
    return counts


def browse(
    rng: np.random.Generator,
    pop: Population,
    hist: History,
    catalog: Catalog,
    window_days: int,
) -> Events:
    """Sessions of the last ``window_days`` days of the history."""
    first_day = seasons.N_DAYS - window_days
    order_time = hist.order_day * 86400.0 + hist.order_seconds

    # 1. Buying sessions: one per order in the window, ending at the order's time.
    buy = np.flatnonzero(hist.order_day >= first_day)
    n_buy = buy.size
    buy_counts = np.zeros((n_buy, 6), dtype=np.int64)
    buy_counts[:, 0] = 1 + rng.poisson(0.8, n_buy)
    buy_counts[:, 1] = (rng.random(n_buy) < 0.6) * (1 + rng.poisson(0.3, n_buy))
    buy_counts[:, 2] = 1 + rng.poisson(1.5, n_buy)
    buy_counts[:, 3:] = 1

    # 2. Customers browsing while they are customers: rate grows with purchase rate.
    lo = np.maximum(pop.signup_day, first_day).astype(float)
    hi = np.minimum(hist.dropout_day, seasons.N_DAYS).astype(float)
    active = np.clip(hi - lo, 0, None)
    n_visits = rng.poisson((1.5 * pop.purchase_rate + 0.01) * active)
    visit_cust = np.repeat(np.arange(pop.size), n_visits)
    visit_day = np.floor(
        np.repeat(lo, n_visits) + rng.random(visit_cust.size) * np.repeat(active, n_visits)
    )
    n_visit = visit_cust.size

    # 3. Anonymous visitors: about half as many sessions again, 1.6 sessions per visitor.
    n_anon = int(rng.poisson(0.5 * (n_buy + n_visit)))
    n_visitors = max(1, int(n_anon / 1.6))
    anon_visitor = rng.integers(0, n_visitors, n_anon)
    cum = seasons.cumulative(seasons.season_multiplier()[first_day:])
    anon_day = first_day + seasons.invert(cum, rng.random(n_anon) * cum[-1])

    counts = np.concatenate(
        [
            buy_counts,
            _funnel(rng, n_visit, _REACH["customer"]),
            _funnel(rng, n_anon, _REACH["anonymous"]),
        ]
    )
    customer = np.concatenate([hist.order_customer[buy], visit_cust, np.full(n_anon, -1)])
    visitor = np.concatenate([np.full(n_buy + n_visit, -1), anon_visitor])
    browse_days = np.concatenate([visit_day.astype(np.int64), anon_day])
    browse_start = browse_days * 86400.0 + seasons.draw_seconds_of_day(rng, browse_days)

    # Events: steps in funnel order within each session, with dwell times.
    n_sessions = counts.shape[0]
    per_session = counts.sum(axis=1)
    sess = np.repeat(np.arange(n_sessions), per_session)
    step = np.repeat(np.tile(np.arange(6), n_sessions), counts.ravel())
    dwell = np.round(_DWELL_MEDIAN_S[step] * rng.lognormal(0.0, 0.7, step.size), 1)
    ends = np.cumsum(per_session)
    cum_dwell = np.cumsum(dwell)
    before = (
        cum_dwell
        - dwell
        - np.repeat(np.concatenate([[0.0], cum_dwell[ends[:-1] - 1]]), per_session)
    )

    # Buying sessions are placed so that their purchase event is the order; others start
    # at their drawn time, moved back if they would run past the end of the history.
    last_before = before[ends - 1] if n_sessions else np.zeros(0)
    start = np.concatenate([order_time[buy] - last_before[:n_buy], browse_start])
    limit = seasons.N_DAYS * 86400.0 - 1
    start = np.minimum(start, limit - last_before)
    start = np.maximum(start, 0.0)
    seconds = np.floor(start[sess] + before)

    # Number sessions in time order so session ids read chronologically.
    chrono = np.argsort(start, kind="stable")
    number = np.empty(n_sessions, dtype=np.int64)
    number[chrono] = np.arange(n_sessions)

    page = np.full(step.size, 2, dtype=np.int64)  # search
    is_pv = step == 0
    n_pv = int(is_pv.sum())
    landing = rng.random(n_pv)  # home page, promotion page or a category page
    category_page = 6 + rng.integers(0, CATEGORY_CODE.size, n_pv)
    page[is_pv] = np.where(landing < 0.5, 0, np.where(landing < 0.7, 1, category_page))
    is_prod = step == 2
    page[is_prod] = 6 + CATEGORY_CODE.size + rng.integers(0, catalog.size, int(is_prod.sum()))
    page[step == 3], page[step == 4], page[step == 5] = 3, 4, 5

    # Events are grouped by session in time order already; lay the sessions out
    # chronologically (a gather of whole blocks, cheaper than sorting every event).
    length = per_session[chrono]
    block_start = (ends - per_session)[chrono]
    offset = np.repeat(block_start - (np.cumsum(length) - length), length)
    order = offset + np.arange(int(length.sum()))
    # Narrow index types: at a million customers this table has ~30M rows.
    sess = sess[order].astype(np.int32)
    return Events(
        session=number.astype(np.int32)[sess],
        customer=customer.astype(np.int32)[sess],
        visitor=visitor.astype(np.int32)[sess],
        seconds=seconds[order],
        step=step[order].astype(np.int8),
        page=page[order].astype(np.int16),
        duration_s=dwell[order],
    )
