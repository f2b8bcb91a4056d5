"""Daily marketing spend by acquisition channel.

Spend follows the channel's acquisitions (a 14-day moving average of its daily sign-ups)
times the channel's cost per acquisition (CHANNELS in :mod:`clientlens.demo.customers`:
organic ¥8 of content work, WeChat community ¥20, referral rewards ¥30, live streaming
¥45, feed ads ¥60, search ads ¥85, KOL seeding ¥110), with day-to-day noise. So CAC
differs by channel as designed, and CLV:CAC differs more because channels also differ
in the segment mix they bring.
"""

from __future__ import annotations

import numpy as np

from clientlens.demo import seasons
from clientlens.demo.customers import CHANNELS, Population

_WINDOW_DAYS = 14


def daily_spend(rng: np.random.Generator, pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """(channel index, spend) per (day, channel), day-major: row = day × channels + channel."""
    n_ch = len(CHANNELS)
    signups = np.bincount(
        pop.channel * seasons.N_DAYS + pop.signup_day, minlength=n_ch * seasons.N_DAYS
    ).reshape(n_ch, seasons.N_DAYS)
    kernel = np.ones(_WINDOW_DAYS) / _WINDOW_DAYS
    smooth = np.array([np.convolve(row, kernel, mode="same") for row in signups])
    cac = np.array([c[5] for c in CHANNELS])[:, None]
    spend = cac * smooth * rng.lognormal(0.0, 0.2, smooth.shape)
    spend = np.round(spend.T, 2)  # days × channels
    channel = np.tile(np.arange(n_ch), seasons.N_DAYS)
    return channel, spend.ravel()
