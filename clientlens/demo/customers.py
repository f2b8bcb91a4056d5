"""Who the demo customers are: hidden segment, acquisition, demographics and the
parameters of their buy-till-you-die process.

Each customer belongs to one hidden segment. The segment sets the distributions of the
customer's purchase rate λ (gamma across customers, as in Pareto/NBD, Schmittlein,
Morrison & Colombo 1987) and dropout rate μ (gamma; lifetime ~ exponential(μ)), how
strongly festivals pull their purchases, what they buy, and correlates with their age,
income and satisfaction. The acquisition channel sets the segment mix, so channels
differ in the value of the customers they bring.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientlens.demo import geo, seasons
from clientlens.demo.catalog import CATEGORY_SHARE


@dataclass(frozen=True)
class Segment:
    code: str
    purchase_rate_per_day: float
    """Mean λ within the segment (0: one purchase only)."""
    rate_shape: float
    lifetime_days: float
    """Mean lifetime 1/μ within the segment."""
    promo_strength: float
    extra_items: float
    """Mean number of items per order beyond the first."""
    price_exponent: float
    income_factor: float
    age_mean: float
    satisfaction: float


SEGMENTS: tuple[Segment, ...] = (
    Segment("vip", 1 / 8, 3.0, 1500, 1.0, 0.8, 0.5, 1.6, 38, 1.0),
    Segment("regular", 1 / 25, 2.5, 650, 1.0, 0.5, 0.1, 1.15, 34, 0.5),
    Segment("occasional", 1 / 70, 2.0, 320, 1.6, 0.3, -0.5, 0.9, 28, 0.0),
    Segment("one_off", 0.0, 1.0, 0.0, 1.2, 0.3, -0.3, 0.95, 31, -0.4),
)
SEGMENT_CODES = np.array([s.code for s in SEGMENTS], dtype=object)

# code, zh, en, share of sign-ups, segment mix (vip, regular, occasional, one_off), CAC CNY
CHANNELS: list[tuple[str, str, str, float, tuple[float, ...], float]] = [
    ("organic", "自然流量", "Organic", 0.22, (0.08, 0.30, 0.37, 0.25), 8.0),
    ("search_ads", "搜索广告", "Search ads", 0.15, (0.06, 0.25, 0.40, 0.29), 85.0),
    ("feed_ads", "信息流广告", "Feed ads", 0.18, (0.03, 0.17, 0.40, 0.40), 60.0),
    ("kol", "小红书种草", "Xiaohongshu KOL", 0.10, (0.05, 0.25, 0.42, 0.28), 110.0),
    ("live", "直播带货", "Live streaming", 0.15, (0.02, 0.13, 0.40, 0.45), 45.0),
    ("referral", "老带新", "Referral", 0.10, (0.10, 0.35, 0.35, 0.20), 30.0),
    ("wechat", "微信私域", "WeChat community", 0.10, (0.09, 0.33, 0.38, 0.20), 20.0),
]
CHANNEL_ZH = np.array([c[1] for c in CHANNELS], dtype=object)
CHANNEL_EN = np.array([c[2] for c in CHANNELS], dtype=object)

# zh, en, median monthly income CNY, share
OCCUPATIONS: list[tuple[str, str, float, float]] = [
    ("企业职员", "Office worker", 8000, 0.26),
    ("IT工程师", "IT engineer", 15000, 0.08),
    ("管理人员", "Manager", 18000, 0.06),
    ("教师", "Teacher", 7500, 0.06),
    ("医护人员", "Healthcare worker", 9000, 0.05),
    ("公务员", "Civil servant", 8500, 0.05),
    ("销售", "Sales", 7000, 0.09),
    ("个体经营", "Self-employed", 9500, 0.09),
    ("自由职业", "Freelancer", 7000, 0.07),
    ("工人", "Factory worker", 5500, 0.09),
    ("学生", "Student", 1800, 0.06),
    ("退休", "Retired", 4500, 0.04),
]
OCCUPATION_ZH = np.array([o[0] for o in OCCUPATIONS], dtype=object)
OCCUPATION_EN = np.array([o[1] for o in OCCUPATIONS], dtype=object)
_STUDENT, _RETIRED = 10, 11


@dataclass
class Population:
    """One entry per customer; indices into the lookup tables above."""

    segment: np.ndarray
    channel: np.ndarray
    signup_day: np.ndarray
    """Day index (0 = seasons.START) of sign-up, which is also the first order's day."""
    first_order_seconds: np.ndarray
    age: np.ndarray
    female: np.ndarray
    occupation: np.ndarray
    income: np.ndarray
    city: np.ndarray
    purchase_rate: np.ndarray
    dropout_rate: np.ndarray
    satisfaction: np.ndarray
    favourite_category: np.ndarray
    order_channel: np.ndarray

    @property
    def size(self) -> int:
        return int(self.segment.size)


def _signup_days(rng: np.random.Generator, n: int) -> np.ndarray:
    """Sign-up days: the business grows (2.2× the daily sign-ups by the end) and
    acquires most around festivals (seasonality to the power 0.6)."""
    t = np.arange(seasons.N_DAYS) / seasons.N_DAYS
    density = (1 + 1.2 * t) * seasons.season_multiplier() ** 0.6
    cum = seasons.cumulative(density)
    return seasons.invert(cum, rng.random(n) * cum[-1])


def draw_population(rng: np.random.Generator, n: int) -> Population:
    """Draw ``n`` customers (all random draws here, none depend on the locale)."""
    share = np.array([c[3] for c in CHANNELS])
    channel = rng.choice(len(CHANNELS), size=n, p=share / share.sum())
    mix = np.cumsum(np.array([c[4] for c in CHANNELS]), axis=1)
    mix /= mix[:, -1:]
    segment = (rng.random(n)[:, None] > mix[channel]).sum(axis=1)

    signup_day = _signup_days(rng, n)
    first_seconds = seasons.draw_seconds_of_day(rng, signup_day)

    seg = SEGMENTS
    age_mean = np.array([s.age_mean for s in seg])[segment]
    age = np.clip(np.rint(rng.normal(age_mean, 8.5)), 18, 72).astype(np.int64)
    female = rng.random(n) < 0.62  # beauty and baby categories draw more women

    occ_share = np.array([o[3] for o in OCCUPATIONS])
    occupation = rng.choice(len(OCCUPATIONS), size=n, p=occ_share / occ_share.sum())
    occupation[(age <= 22) & (rng.random(n) < 0.7)] = _STUDENT
    occupation[(age >= 60) & (rng.random(n) < 0.75)] = _RETIRED
    occupation[(age < 55) & (occupation == _RETIRED)] = 0
    occupation[(age > 30) & (occupation == _STUDENT)] = 0

    city = geo.draw_cities(rng, n)
    base = np.array([o[2] for o in OCCUPATIONS])[occupation]
    factor = np.array([s.income_factor for s in seg])[segment]
    tier = np.where(geo.CITY_IS_TIER_1[city], 1.4, 1.0)
    income = np.round(base * factor * tier * rng.lognormal(0.0, 0.35, n), -2)

    rate_mean = np.array([s.purchase_rate_per_day for s in seg])[segment]
    shape = np.array([s.rate_shape for s in seg])[segment]
    purchase_rate = rng.gamma(shape, 1.0, n) * rate_mean / shape

    satisfaction = np.array([s.satisfaction for s in seg])[segment] + rng.normal(0, 0.8, n)
    lifetime = np.array([s.lifetime_days for s in seg])[segment]
    # Happier customers stay longer: μ scales by exp(-0.25 × satisfaction).
    with np.errstate(divide="ignore"):
        mean_mu = np.where(lifetime > 0, 1.0 / np.maximum(lifetime, 1.0), np.inf)
    dropout_rate = rng.gamma(3.0, 1.0, n) * mean_mu / 3.0 * np.exp(-0.25 * satisfaction)

    favourite = rng.choice(CATEGORY_SHARE.size, size=n, p=CATEGORY_SHARE / CATEGORY_SHARE.sum())
    order_channel = rng.choice(3, size=n, p=[0.55, 0.3, 0.15])
    return Population(
        segment=segment,
        channel=channel,
        signup_day=signup_day,
        first_order_seconds=first_seconds,
        age=age,
        female=female,
        occupation=occupation,
        income=income,
        city=city,
        purchase_rate=purchase_rate,
        dropout_rate=dropout_rate,
        satisfaction=satisfaction,
        favourite_category=favourite,
        order_channel=order_channel,
    )
