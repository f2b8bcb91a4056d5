"""Customer service and the voice of the customer: ticket handling and survey answers.

Scores come from each customer's latent satisfaction (set by their segment, see
:mod:`clientlens.demo.customers`) minus what went wrong: a complaint before an NPS
survey lowers the score, and a CSAT answer after a ticket is lower for severe tickets
and slow resolutions. Comments agree with their score: NPS 9–10 and CSAT/review 4–5 are
positive, NPS 7–8 and 3 neutral, the rest negative; complaints colour the theme.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientlens.demo import seasons, text
from clientlens.demo.customers import Population
from clientlens.demo.process import History

SEVERITIES = np.array(["low", "medium", "high"], dtype=object)
_RESOLUTION_MEDIAN_HOURS = np.array([40.0, 20.0, 6.0])
_FIRST_RESPONSE_MEDIAN_HOURS = np.array([3.0, 1.5, 0.5])
_UNANSWERED_OPEN_SHARE = 0.3
"""Of the tickets still open at the end of the history, the share nobody has answered."""
# ticket category (process.TICKET_CATEGORIES) -> comment theme (text.THEMES)
_TICKET_THEME = np.array([0, 1, 3, 3, 4, 2])
_THEME_SHARE = np.array([0.3, 0.3, 0.15, 0.1, 0.15])
_KINDS = np.array(["nps", "csat", "review"], dtype=object)


@dataclass
class Tickets:
    closed: np.ndarray
    """Fractional day of closing; NaN when still open at the end of the history."""
    first_response: np.ndarray
    """Fractional day of the first reply, at or before closing; NaN when none was given
    by the end of the history."""
    channel: np.ndarray
    description: np.ndarray
    """Index into text.DESCRIPTIONS[locale]."""


@dataclass
class Feedback:
    customer: np.ndarray
    day: np.ndarray
    kind: np.ndarray
    """Index into _KINDS."""
    score: np.ndarray
    comment: np.ndarray
    """Index into text.COMMENTS[locale]; -1 when the respondent left no comment."""
    channel: np.ndarray

    def kind_codes(self) -> np.ndarray:
        return _KINDS[self.kind]


def handle_tickets(rng: np.random.Generator, hist: History) -> Tickets:
    n = hist.ticket_opened.size
    hours = _RESOLUTION_MEDIAN_HOURS[hist.ticket_severity] * rng.lognormal(0.0, 0.8, n)
    closed = hist.ticket_opened + hours / 24
    closed[closed >= seasons.N_DAYS] = np.nan
    channel = rng.choice(3, size=n, p=[0.6, 0.25, 0.15])
    description = hist.ticket_category * text.N_DESCRIPTIONS + rng.integers(
        0, text.N_DESCRIPTIONS, n
    )
    return Tickets(
        closed, _first_responses(rng.spawn(1)[0], hist, hours, closed), channel, description
    )


def _first_responses(
    rng: np.random.Generator, hist: History, hours: np.ndarray, closed: np.ndarray
) -> np.ndarray:
    """A first reply some hours after opening (sooner for severe tickets), never after the
    resolution; a share of the tickets still open were never answered.

    ``rng`` is a child of the generator's (spawning does not advance it), so the rest of
    the demo draws what it drew before tickets had first responses.
    """
    n = hist.ticket_opened.size
    response_hours = _FIRST_RESPONSE_MEDIAN_HOURS[hist.ticket_severity] * rng.lognormal(0.0, 0.9, n)
    first = hist.ticket_opened + np.minimum(response_hours, hours) / 24
    still_open = np.isnan(closed)
    first[still_open & (rng.random(n) < _UNANSWERED_OPEN_SHARE)] = np.nan
    first[first >= seasons.N_DAYS] = np.nan
    return first


def _sentiment(kind: np.ndarray, score: np.ndarray) -> np.ndarray:
    """0 negative, 1 neutral, 2 positive, by the score bands of the glossary."""
    nps = kind == 0
    positive = np.where(nps, score >= 9, score >= 4)
    neutral = np.where(nps, (score >= 7) & (score <= 8), score == 3)
    return np.where(positive, 2, np.where(neutral, 1, 0))


def collect_feedback(
    rng: np.random.Generator,
    pop: Population,
    hist: History,
    completed: np.ndarray,
    tickets: Tickets,
) -> Feedback:
    """NPS surveys and product reviews after completed orders; CSAT after closed tickets."""
    order_time = hist.order_day + hist.order_seconds / 86400
    done = np.flatnonzero(completed)

    nps_orders = done[rng.random(done.size) < 0.05]
    nps_day = np.floor(order_time[nps_orders] + rng.uniform(3, 10, nps_orders.size))
    nps_cust = hist.order_customer[nps_orders]
    hurt = np.nan_to_num(hist.first_ticket[nps_cust], nan=np.inf) < nps_day
    z = pop.satisfaction[nps_cust] - 1.5 * hurt + rng.normal(0, 0.9, nps_cust.size)
    nps = np.clip(np.rint(7.3 + 1.5 * z), 0, 10)

    rev_orders = done[rng.random(done.size) < 0.12]
    rev_day = np.floor(order_time[rev_orders] + rng.uniform(2, 15, rev_orders.size))
    rev_cust = hist.order_customer[rev_orders]
    z = pop.satisfaction[rev_cust] + rng.normal(0, 1.0, rev_cust.size)
    review = np.clip(np.rint(4.1 + 0.8 * z), 1, 5)

    answered = np.flatnonzero(~np.isnan(tickets.closed) & (rng.random(tickets.closed.size) < 0.6))
    csat_cust = hist.order_customer[hist.ticket_order[answered]]
    csat_day = np.floor(tickets.closed[answered])
    slow = np.log1p(tickets.closed[answered] - hist.ticket_opened[answered])  # days to resolve
    z = (
        pop.satisfaction[csat_cust]
        - 0.6
        - 0.5 * hist.ticket_severity[answered]
        - 0.4 * slow
        + rng.normal(0, 0.9, answered.size)
    )
    csat = np.clip(np.rint(3.6 + 0.9 * z), 1, 5)

    customer = np.concatenate([nps_cust, csat_cust, rev_cust])
    day = np.concatenate([nps_day, csat_day, rev_day]).astype(np.int64)
    kind = np.repeat([0, 1, 2], [nps_cust.size, csat_cust.size, rev_cust.size])
    score = np.concatenate([nps, csat, review])
    channel = np.repeat([0, 1, 2], [nps_cust.size, csat_cust.size, rev_cust.size])
    channel[kind == 0] = rng.choice(2, size=nps_cust.size)

    # Themes: a complaint names the theme of the ticket; otherwise by theme share.
    theme = rng.choice(len(text.THEMES), size=customer.size, p=_THEME_SHARE)
    ticket_theme = _TICKET_THEME[hist.ticket_category[answered]]
    theme[nps_cust.size : nps_cust.size + csat_cust.size] = ticket_theme
    sentiment = _sentiment(kind, score)
    comment = text.comment_index(rng, theme, sentiment)
    comment[rng.random(customer.size) < 0.25] = -1

    # One answer per customer, day and kind (a second one would be an exact duplicate).
    key = (customer * seasons.N_DAYS + day) * len(_KINDS) + kind
    keep = np.zeros(customer.size, dtype=bool)
    keep[np.unique(key, return_index=True)[1]] = True
    keep &= day < seasons.N_DAYS
    order = np.lexsort((customer[keep], day[keep]))
    return Feedback(
        customer[keep][order],
        day[keep][order],
        kind[keep][order],
        score[keep][order],
        comment[keep][order],
        channel[keep][order],
    )
