"""Turning the generator's index arrays into the canonical tables of clientlens.schema.

All random draws happen before this step; here only the locale chooses the words, so
both locales of one seed hold the same numbers. Repeated strings are taken from small
object arrays by index, so a million rows share a handful of str objects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clientlens.demo import geo, people, seasons, text
from clientlens.demo.basket import STATUSES, Baskets
from clientlens.demo.catalog import Catalog
from clientlens.demo.customers import (
    CHANNEL_EN,
    CHANNEL_ZH,
    OCCUPATION_EN,
    OCCUPATION_ZH,
    SEGMENT_CODES,
    Population,
)
from clientlens.demo.process import History
from clientlens.demo.service import SEVERITIES, Feedback, Tickets
from clientlens.demo.web import STEPS, Events, pages

_EPOCH = np.datetime64(seasons.START.date(), "s")


def timestamps(seconds: np.ndarray) -> np.ndarray:
    """datetime64[ns] from seconds since seasons.START (NaN -> NaT)."""
    whole = np.where(np.isnan(seconds), 0, seconds).astype(np.int64)
    out = (_EPOCH + whole.astype("timedelta64[s]")).astype("datetime64[ns]")
    out[np.isnan(seconds)] = np.datetime64("NaT")
    return out


def dates(day: np.ndarray) -> np.ndarray:
    """datetime64[ns] at midnight from day indices."""
    return timestamps(np.asarray(day, dtype=float) * 86400)


def _with_none(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """values[index], None where index is -1."""
    padded = np.empty(values.size + 1, dtype=object)
    padded[:-1] = values
    return padded[np.where(index < 0, values.size, index)]


def customers_frame(
    pop: Population, names: dict[str, np.ndarray], phone: np.ndarray, email: np.ndarray,
    birth_day: np.ndarray, ids: np.ndarray, locale: str,
) -> pd.DataFrame:  # fmt: skip
    zh = locale == "zh"
    return pd.DataFrame(
        {
            "customer_id": ids,
            "name": people.render_names(names, locale),
            "gender": np.where(pop.female, "female", "male").astype(object),
            "birth_date": birth_day,
            "age": pop.age,
            "occupation": (OCCUPATION_ZH if zh else OCCUPATION_EN)[pop.occupation],
            "income": pop.income,
            "province": (geo.PROVINCE_ZH if zh else geo.PROVINCE_EN)[geo.CITY_PROVINCE[pop.city]],
            "city": (geo.CITY_ZH if zh else geo.CITY_EN)[pop.city],
            "signup_date": dates(pop.signup_day),
            "acquisition_channel": (CHANNEL_ZH if zh else CHANNEL_EN)[pop.channel],
            "phone": phone,
            "email": email,
        }
    )


def orders_frame(
    hist: History, bask: Baskets, order_ids: np.ndarray, customer_ids: np.ndarray, locale: str
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": order_ids,
            "customer_id": customer_ids[hist.order_customer],
            "order_date": timestamps(hist.order_day * 86400.0 + hist.order_seconds),
            "amount": bask.order_amount,
            "status": STATUSES[bask.order_status],
            "channel": text.ORDER_CHANNELS[locale][bask.order_channel],
            "cost": bask.order_cost,
        }
    )


def items_frame(bask: Baskets, order_ids: np.ndarray, catalog: Catalog) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": order_ids[bask.item_order],
            "product_id": catalog.product_id[bask.item_product],
            "quantity": bask.item_quantity,
            "unit_price": bask.item_unit_price,
        }
    )


def events_frame(ev: Events, customer_ids: np.ndarray, catalog: Catalog) -> pd.DataFrame:
    width = people.id_width(int(ev.session.max()) + 1 if ev.session.size else 1)
    session_ids = people.codes(
        "S", np.arange(int(ev.session.max()) + 1 if ev.session.size else 0) + 1, width
    )
    n_visitors = int(ev.visitor.max()) + 1 if ev.visitor.size else 0
    visitor_ids = people.codes("V", np.arange(n_visitors) + 1, people.id_width(n_visitors))
    return pd.DataFrame(
        {
            "customer_id": _with_none(customer_ids, ev.customer),
            "anonymous_id": _with_none(visitor_ids, ev.visitor),
            "timestamp": timestamps(ev.seconds),
            "event": STEPS[ev.step],
            "session_id": session_ids[ev.session],
            "page": pages(catalog)[ev.page],
            "duration_s": ev.duration_s,
        }
    )


def feedback_frame(fb: Feedback, customer_ids: np.ndarray, locale: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": customer_ids[fb.customer],
            "date": dates(fb.day),
            "kind": fb.kind_codes(),
            "score": fb.score.astype(float),
            "comment": _with_none(text.COMMENTS[locale], fb.comment),
            "channel": text.FEEDBACK_CHANNELS[locale][fb.channel],
        }
    )


def tickets_frame(
    hist: History, tk: Tickets, customer_ids: np.ndarray, locale: str
) -> pd.DataFrame:
    n = hist.ticket_opened.size
    order = np.argsort(hist.ticket_opened, kind="stable")
    is_open = np.isnan(tk.closed)
    frame = pd.DataFrame(
        {
            "ticket_id": people.codes("T", np.arange(n) + 1, people.id_width(n)),
            "customer_id": customer_ids[hist.order_customer[hist.ticket_order]][order],
            "opened_at": timestamps(np.floor(hist.ticket_opened * 86400))[order],
            "closed_at": timestamps(np.floor(tk.closed * 86400))[order],
            "first_response_at": timestamps(np.floor(tk.first_response * 86400))[order],
            "category": text.TICKET_LABELS[locale][hist.ticket_category][order],
            "severity": SEVERITIES[hist.ticket_severity][order],
            "status": np.where(is_open, "open", "closed").astype(object)[order],
            "channel": text.TICKET_CHANNELS[locale][tk.channel][order],
            "description": text.DESCRIPTIONS[locale][tk.description][order],
        }
    )
    return frame


def spend_frame(channel: np.ndarray, spend: np.ndarray, locale: str) -> pd.DataFrame:
    n_channels = int(channel.max()) + 1
    labels = CHANNEL_ZH if locale == "zh" else CHANNEL_EN
    return pd.DataFrame(
        {
            "date": np.repeat(dates(np.arange(seasons.N_DAYS)), n_channels),
            "channel": labels[channel],
            "spend": spend,
        }
    )


def truth_frame(pop: Population, hist: History, customer_ids: np.ndarray) -> pd.DataFrame:
    """The hidden truth behind the data, one row per customer."""
    alive = hist.dropout_day >= seasons.N_DAYS
    dropout = dates(np.where(alive, 0, hist.dropout_day))
    dropout[alive] = np.datetime64("NaT")
    return pd.DataFrame(
        {
            "customer_id": customer_ids,
            "segment": SEGMENT_CODES[pop.segment],
            "purchase_rate_per_day": pop.purchase_rate,
            "dropout_rate_per_day": np.where(
                np.isfinite(pop.dropout_rate), pop.dropout_rate, np.nan
            ),
            "first_order_date": timestamps(pop.signup_day * 86400.0 + pop.first_order_seconds),
            "dropout_date": dropout,
            "alive_at_end": alive,
            "complained": ~np.isnan(hist.first_ticket),
            "first_complaint_at": timestamps(np.floor(hist.first_ticket * 86400)),
            "satisfaction": pop.satisfaction,
        }
    )
