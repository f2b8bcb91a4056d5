"""The demo business's calendar: the history it covers and when Chinese shoppers buy.

Daily intensity multipliers model the real Chinese e-commerce year: the Double 11
(双十一) shopping festival around 11 November, the 618 festival around 18 June, Double
12, the pre-holiday 年货节 rush before Spring Festival and the dip while couriers and
warehouses stop over the holiday itself, plus a weekly rhythm. Hours follow the
late-morning and evening peaks of mobile shopping, with the midnight rush of 11 November.

The multipliers are normalised to average 1 over the history, so a customer's
``purchase_rate_per_day`` in the ground truth is their mean daily rate over the year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

START = pd.Timestamp("2023-01-01")
"""First day of the demo history."""
END = pd.Timestamp("2025-12-31")
"""Last day of the demo history (fixed, so output does not depend on today's date)."""
N_DAYS = int((END - START).days) + 1

# Lunar New Year's Day (春节, 正月初一) for the years the history covers.
SPRING_FESTIVAL = {
    2023: pd.Timestamp("2023-01-22"),
    2024: pd.Timestamp("2024-02-10"),
    2025: pd.Timestamp("2025-01-29"),
}

# Relative order volume by weekday, Monday first: a little more at the weekend.
_WEEKDAY = np.array([0.96, 0.95, 0.96, 0.98, 1.0, 1.07, 1.08])

# Share of a normal day's orders in each hour (0..23): late morning and evening peaks.
_HOURS = np.array(
    [1.6, 0.8, 0.4, 0.2, 0.2, 0.3, 0.8, 1.8, 3.0, 4.2, 5.4, 5.8,
     5.2, 4.8, 4.9, 4.8, 4.6, 4.4, 4.6, 5.8, 7.4, 8.6, 8.4, 5.9]
)  # fmt: skip
# 11 November: the midnight opening of Double 11 and a strong evening.
_HOURS_DOUBLE_11 = _HOURS.copy()
_HOURS_DOUBLE_11[:2] = [22.0, 9.0]
_HOURS_DOUBLE_11[20:] *= 1.5


def days() -> pd.DatetimeIndex:
    """Every day of the history."""
    return pd.date_range(START, END, freq="D")


def season_multiplier(promo_strength: float = 1.0) -> np.ndarray:
    """Daily order intensity over the history, mean 1.

    Parameters
    ----------
    promo_strength
        Exponent on the festival peaks: above 1 for bargain hunters, who buy more of
        their year on festival days; 1 for everyone else.
    """
    d = days()
    month, day = d.month.to_numpy(), d.day.to_numpy()
    promo = np.ones(N_DAYS)
    # Double 11: pre-sales from 1 November, the day itself, and a quiet week after.
    promo[(month == 11) & (day <= 10)] = 1.6
    promo[(month == 11) & (day == 11)] = 6.0
    promo[(month == 11) & (day == 12)] = 1.6
    promo[(month == 11) & (day >= 13) & (day <= 20)] = 0.85
    # 618: June build-up and the day itself.
    promo[(month == 6) & (day <= 17)] = 1.35
    promo[(month == 6) & (day == 18)] = 4.0
    promo[(month == 12) & (day == 12)] = 2.2
    promo = promo**promo_strength
    for new_year in SPRING_FESTIVAL.values():
        offset = (d - new_year).days.to_numpy()
        promo[(offset >= -24) & (offset <= -10)] *= 1.3  # 年货节 shopping before the holiday
        promo[(offset >= -7) & (offset <= 7)] *= 0.45  # couriers stop over the holiday
    weekly = _WEEKDAY[d.dayofweek.to_numpy()]
    out = promo * weekly
    return out / out.mean()


def price_factor() -> np.ndarray:
    """Share of list price paid on each day: festival discounts."""
    d = days()
    month, day = d.month.to_numpy(), d.day.to_numpy()
    factor = np.ones(N_DAYS)
    factor[(month == 11) & (day <= 12)] = 0.85
    factor[(month == 11) & (day == 11)] = 0.78
    factor[(month == 6) & (day <= 18)] = 0.9
    factor[(month == 12) & (day == 12)] = 0.88
    return factor


def draw_seconds_of_day(rng: np.random.Generator, day_index: np.ndarray) -> np.ndarray:
    """A time of day (seconds) for events on the given days, by the hourly pattern."""
    d = days()
    is_d11 = np.asarray((d.month == 11) & (d.day == 11))[day_index]
    hour = rng.choice(24, size=day_index.size, p=_HOURS / _HOURS.sum())
    n11 = int(is_d11.sum())
    if n11:
        hour[is_d11] = rng.choice(24, size=n11, p=_HOURS_DOUBLE_11 / _HOURS_DOUBLE_11.sum())
    return hour * 3600 + rng.integers(0, 3600, size=day_index.size)


def cumulative(multiplier: np.ndarray) -> np.ndarray:
    """Integrated intensity at the start of each day (length N_DAYS + 1)."""
    return np.concatenate([[0.0], np.cumsum(multiplier)])


def integrate(cum: np.ndarray, start_days: np.ndarray, end_days: np.ndarray) -> np.ndarray:
    """Integrated intensity between fractional day offsets (piecewise-constant per day)."""
    grid = np.arange(cum.size, dtype=float)
    return np.interp(end_days, grid, cum) - np.interp(start_days, grid, cum)


def invert(cum: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """The day index at which the integrated intensity reaches each level."""
    day = np.searchsorted(cum, levels, side="right") - 1
    return np.clip(day, 0, cum.size - 2)
