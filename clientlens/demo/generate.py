"""The demo business: a Chinese e-commerce shop with three years of history and its truth.

>>> from clientlens.demo import generate
>>> demo = generate(n_customers=2_000, seed=7, locale="en")
>>> sorted(demo.tables())[:3]
['customers', 'events', 'feedback']
>>> bool((demo.truth.segment == "one_off").any())
True

Every table matches its contract in :mod:`clientlens.schema` and imports cleanly with
``ws.import_table``; :func:`load_demo` does that for a whole workspace and writes the
ground truth beside it. See the modules of :mod:`clientlens.demo` for each part of the
story: customers (segments, demographics), process (buy-till-you-die orders and
complaints), basket, service (tickets and surveys), web (funnel sessions), marketing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clientlens.demo import frames, people, seasons
from clientlens.demo.basket import fill_baskets
from clientlens.demo.catalog import build_catalog
from clientlens.demo.customers import draw_population
from clientlens.demo.marketing import daily_spend
from clientlens.demo.process import run_process
from clientlens.demo.service import collect_feedback, handle_tickets
from clientlens.demo.web import browse
from clientlens.errors import ConfigError

LOCALES = ("zh", "en")
TABLE_ORDER = (
    "customers",
    "products",
    "orders",
    "order_items",
    "events",
    "feedback",
    "tickets",
    "marketing_spend",
)
"""Import order: customers first, so the other tables' customer ids are known."""

Progress = Callable[[str, float], None]
WEB_DAYS = 92
"""Default window of web events: 1 October to 31 December 2025."""


@dataclass
class DemoData:
    """The canonical tables of the demo business and the truth behind them."""

    customers: pd.DataFrame
    products: pd.DataFrame
    orders: pd.DataFrame
    order_items: pd.DataFrame
    events: pd.DataFrame
    feedback: pd.DataFrame
    tickets: pd.DataFrame
    marketing_spend: pd.DataFrame
    truth: pd.DataFrame
    """Per customer: segment, purchase_rate_per_day, dropout_rate_per_day,
    first_order_date, dropout_date (NaT when alive at the end), alive_at_end,
    complained, first_complaint_at, satisfaction (latent, mean 0 for 'occasional')."""
    seed: int
    locale: str
    observation_end: pd.Timestamp = seasons.END

    def tables(self) -> dict[str, pd.DataFrame]:
        """The canonical tables by name, in import order."""
        return {name: getattr(self, name) for name in TABLE_ORDER}

    def row_counts(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.tables().items()}


def check_options(n_customers: int, locale: str, web_days: int = WEB_DAYS) -> None:
    """Raise ConfigError for arguments :func:`generate` cannot use."""
    if (
        isinstance(n_customers, bool)
        or not isinstance(n_customers, int | np.integer)
        or n_customers < 1
    ):
        raise ConfigError(f"n_customers must be a positive whole number, got {n_customers!r}.")
    if locale not in LOCALES:
        raise ConfigError(f"locale must be 'zh' or 'en', got {locale!r}.")
    if not 1 <= web_days <= seasons.N_DAYS:
        raise ConfigError(f"web_days must be between 1 and {seasons.N_DAYS}, got {web_days!r}.")


def generate(
    n_customers: int = 20_000,
    seed: int = 0,
    locale: str = "zh",
    *,
    web_days: int = WEB_DAYS,
    progress: Progress | None = None,
) -> DemoData:
    """Generate the demo business.

    Parameters
    ----------
    n_customers
        Customers to create; about 6 orders each over 2023-01-01..2025-12-31.
    seed
        Seed of every random draw: the same seed gives identical tables.
    locale
        ``"zh"`` (Chinese labels, names and comments) or ``"en"`` (English, pinyin names);
        the numbers are the same in both.
    web_days
        Days at the end of the history covered by web events (web analytics keep a
        limited window). The default, the last quarter, takes in Double 11 and Double
        12; the event table is still the largest, about 15 rows per customer.
    progress
        Called with (step, fraction done).
    """
    check_options(n_customers, locale, web_days)
    step = progress or (lambda _msg, _frac: None)
    rng = np.random.default_rng(seed)
    n = int(n_customers)

    step("customers", 0.0)
    pop = draw_population(rng, n)
    names = people.draw_names(rng, n)
    phone = people.draw_phones(rng, n)
    email = people.draw_emails(rng, names)
    birth_year = (seasons.END.year - pop.age - 1970).astype("datetime64[Y]")
    birth_day = birth_year.astype("datetime64[D]") + rng.integers(0, 365, n).astype(
        "timedelta64[D]"
    )
    birth = birth_day.astype("datetime64[ns]")

    step("orders", 0.15)
    hist = run_process(rng, pop)
    catalog = build_catalog()
    bask = fill_baskets(rng, pop, hist, catalog)
    step("service and feedback", 0.45)
    tickets = handle_tickets(rng, hist)
    feedback = collect_feedback(rng, pop, hist, bask.order_status == 0, tickets)
    step("web sessions", 0.55)
    events = browse(rng, pop, hist, catalog, web_days)
    spend_channel, spend = daily_spend(rng, pop)

    step("tables", 0.75)
    customer_ids = people.codes("C", np.arange(n) + 1, people.id_width(n))
    n_orders = hist.order_customer.size
    order_ids = people.codes("O", np.arange(n_orders) + 1, people.id_width(n_orders) + 1)
    data = DemoData(
        customers=frames.customers_frame(pop, names, phone, email, birth, customer_ids, locale),
        products=catalog.frame(locale),
        orders=frames.orders_frame(hist, bask, order_ids, customer_ids, locale),
        order_items=frames.items_frame(bask, order_ids, catalog),
        events=frames.events_frame(events, customer_ids, catalog),
        feedback=frames.feedback_frame(feedback, customer_ids, locale),
        tickets=frames.tickets_frame(hist, tickets, customer_ids, locale),
        marketing_spend=frames.spend_frame(spend_channel, spend, locale),
        truth=frames.truth_frame(pop, hist, customer_ids),
        seed=seed,
        locale=locale,
    )
    step("done", 1.0)
    return data
