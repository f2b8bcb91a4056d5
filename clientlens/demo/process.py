"""The buy-till-you-die process behind the demo orders, with complaints that hasten churn.

Every customer's first order is on their sign-up day. After it, repeat orders follow a
Poisson process with rate λ × s(t), where s is the festival/weekday multiplier of
:mod:`clientlens.demo.seasons` (mean 1), until the customer drops out after an
exponential lifetime with rate μ — the Pareto/NBD story (Schmittlein, Morrison &
Colombo 1987). Times are drawn exactly by inverting the integrated intensity, one array
operation for all customers.

Complaints compete with that lifetime: each order may lead to a ticket, and from a
customer's first ticket on an extra exponential hazard applies (stronger for severe
tickets), so customers who complain drop out earlier. Orders after the final dropout
day, and tickets about them, are removed; the remaining orders are exactly a Poisson
process stopped at the dropout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientlens.demo import seasons
from clientlens.demo.customers import SEGMENTS, Population

COMPLAINT_RATE = 0.03
"""Chance that an order leads to a ticket (doubled in the Double 11 delivery crunch)."""
POST_COMPLAINT_LIFETIME_DAYS = 60.0
"""Mean of the extra lifetime a first ticket starts, before the severity factor."""
SEVERITY_HAZARD = np.array([1.0, 1.6, 2.6])  # low, medium, high
SEVERITY_SHARE = np.array([0.55, 0.33, 0.12])
TICKET_CATEGORIES = ("logistics", "quality", "returns", "service", "packaging", "price")
_CATEGORY_SHARE = np.array([0.28, 0.24, 0.16, 0.13, 0.11, 0.08])
_CATEGORY_SHARE_CRUNCH = np.array([0.50, 0.16, 0.12, 0.08, 0.10, 0.04])


@dataclass
class History:
    """Orders (sorted by time) and tickets after the process has run."""

    order_customer: np.ndarray
    order_day: np.ndarray
    order_seconds: np.ndarray
    dropout_day: np.ndarray
    """Per customer: first day without orders for good (≥ N_DAYS: alive at the end)."""
    ticket_order: np.ndarray
    """Per ticket: position of the order it is about."""
    ticket_opened: np.ndarray
    """Per ticket: fractional day index of opening."""
    ticket_category: np.ndarray
    ticket_severity: np.ndarray
    first_ticket: np.ndarray
    """Per customer: fractional day of the first ticket, NaN when none."""


def _repeat_orders(rng: np.random.Generator, pop: Population, stop_day: np.ndarray):
    """Repeat-order days of every customer from the day after sign-up up to ``stop_day``."""
    customers, order_days = [], []
    start = pop.signup_day + 1.0
    stop = np.minimum(stop_day, seasons.N_DAYS).astype(float)
    for s, seg in enumerate(SEGMENTS):
        idx = np.flatnonzero((pop.segment == s) & (stop > start) & (pop.purchase_rate > 0))
        if not idx.size:
            continue
        cum = seasons.cumulative(seasons.season_multiplier(seg.promo_strength))
        lo = np.interp(start[idx], np.arange(cum.size), cum)
        hi = np.interp(stop[idx], np.arange(cum.size), cum)
        counts = rng.poisson(pop.purchase_rate[idx] * (hi - lo))
        who = np.repeat(idx, counts)
        level = np.repeat(lo, counts) + rng.random(who.size) * np.repeat(hi - lo, counts)
        customers.append(who)
        order_days.append(seasons.invert(cum, level))
    if not customers:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    return np.concatenate(customers), np.concatenate(order_days)


def run_process(rng: np.random.Generator, pop: Population) -> History:
    """Draw lifetimes, orders and tickets for the whole population."""
    with np.errstate(divide="ignore"):
        scale = np.where(np.isfinite(pop.dropout_rate), 1.0 / pop.dropout_rate, 0.0)
    lifetime = rng.exponential(1.0, pop.size) * scale
    dropout0 = pop.signup_day + 1 + np.floor(lifetime).astype(np.int64)

    rep_cust, rep_day = _repeat_orders(rng, pop, dropout0)
    cust = np.concatenate([np.arange(pop.size), rep_cust])
    day = np.concatenate([pop.signup_day, rep_day])
    seconds = np.concatenate([pop.first_order_seconds, seasons.draw_seconds_of_day(rng, rep_day)])

    # Candidate tickets on every order; the Double 11 delivery crunch doubles them.
    d = seasons.days()
    crunch_days = np.asarray((d.month == 11) & (d.day >= 10) & (d.day <= 20))
    crunch = crunch_days[day]
    has_ticket = rng.random(day.size) < COMPLAINT_RATE * np.where(crunch, 2.0, 1.0)
    t_order = np.flatnonzero(has_ticket)
    t_open = day[t_order] + seconds[t_order] / 86400 + 0.05 + rng.exponential(2.5, t_order.size)
    t_sev = rng.choice(3, size=t_order.size, p=SEVERITY_SHARE)
    n_cat = len(TICKET_CATEGORIES)
    t_cat = np.where(
        crunch[t_order],
        rng.choice(n_cat, size=t_order.size, p=_CATEGORY_SHARE_CRUNCH),
        rng.choice(n_cat, size=t_order.size, p=_CATEGORY_SHARE),
    )

    # The first ticket of each customer starts the extra hazard.
    first = np.full(pop.size, np.inf)
    np.minimum.at(first, cust[t_order], t_open)
    first_sev = np.zeros(pop.size, dtype=np.int64)
    is_first = t_open == first[cust[t_order]]
    first_sev[cust[t_order][is_first]] = t_sev[is_first]
    extra = rng.exponential(POST_COMPLAINT_LIFETIME_DAYS, pop.size) / SEVERITY_HAZARD[first_sev]
    complained = np.isfinite(first)
    after = np.where(
        complained,
        np.maximum(np.floor(np.where(complained, first, 0)) + 1, np.floor(first + extra)),
        np.inf,
    )
    dropout = np.minimum(dropout0, after).astype(np.int64)

    keep = day < dropout[cust]
    order_pos = np.cumsum(keep) - 1  # old position -> new position among kept orders
    t_keep = keep[t_order] & (t_open < seasons.N_DAYS)
    cust, day, seconds = cust[keep], day[keep], seconds[keep]
    ticket_order = order_pos[t_order[t_keep]]

    order = np.lexsort((cust, seconds, day))  # time order; ties broken by customer
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    first_kept = np.full(pop.size, np.nan)
    seen = first < seasons.N_DAYS  # a ticket opened after the history is not seen
    first_kept[seen] = first[seen]
    return History(
        order_customer=cust[order],
        order_day=day[order],
        order_seconds=seconds[order],
        dropout_day=dropout,
        ticket_order=rank[ticket_order],
        ticket_opened=t_open[t_keep],
        ticket_category=t_cat[t_keep],
        ticket_severity=t_sev[t_keep],
        first_ticket=first_kept,
    )
