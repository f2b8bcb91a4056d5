"""Numbers, money, percentages and dates formatted the way a reader of each language expects.

Chinese counts large amounts in 万 (10⁴) and 亿 (10⁸); English in K, M and B. The
currency symbol comes from the ``currency`` setting, the units from the language:

>>> from clientlens.report.fmt import Formatter
>>> Formatter("zh").money(12_345)
'¥1.23万'
>>> Formatter("zh").money(345_000_000)
'¥3.45亿'
>>> Formatter("en", currency="USD").money(1_234_567)
'$1.23M'
>>> Formatter("zh").money(0.0000000117)  # a customer the model writes off
'¥0'
>>> Formatter("en").pct(0.1234)
'12.3%'
>>> Formatter("zh").pp(0.0123)
'1.2个百分点'
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from clientlens.text import text

SYMBOLS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}

UNITS: dict[str, tuple[tuple[float, str], ...]] = {
    "zh": ((1e8, "亿"), (1e4, "万")),
    "en": ((1e9, "B"), (1e6, "M"), (1e3, "K")),
}
"""How each language groups digits of large numbers: 万/亿 (10⁴, 10⁸) or K/M/B."""


def _sig(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` significant figures, trailing zeros dropped (1.20 → 1.2)."""
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True)
class Formatter:
    """Locale formatting for one report.

    Parameters
    ----------
    lang
        ``"zh"`` or ``"en"``.
    currency
        ISO code of amounts (the ``currency`` setting); its symbol prefixes money.
    """

    lang: str
    currency: str = "CNY"

    @property
    def symbol(self) -> str:
        code = self.currency.upper()
        return SYMBOLS.get(code, code + " ")

    def _scaled(self, value: float, *, small_limit: float) -> str:
        """Plain with separators below ``small_limit``, else in 万/亿 or K/M/B."""
        if abs(value) < small_limit:
            if abs(value) >= 100:
                return f"{value:,.0f}"
            if abs(value) < 1:  # cents at most: ¥0.46, ¥0.5, ¥0 (never ¥0.0000000117)
                return f"{value:.2f}".rstrip("0").rstrip(".")
            return _sig(value)
        for size, unit in UNITS[self.lang]:
            if abs(value) >= size:
                return _sig(value / size) + unit
        return f"{value:,.0f}"

    def money(self, value: float) -> str:
        """An amount: ¥1,234 / ¥1.23万 / ¥3.45亿 in zh, $1,234 / $12.3K / $1.23M in en."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        sign = "-" if value < 0 else ""
        return sign + self.symbol + self._scaled(abs(value), small_limit=1e4)

    def count(self, value: float) -> str:
        """A number of customers or orders: 12,345 up to 100,000, then 12.3万 / 123K."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        if abs(value) < 1e5:
            return f"{value:,.0f}"
        return self._scaled(value, small_limit=1e5)

    def number(self, value: float, digits: int = 3) -> str:
        """A plain quantity (a ratio, a mean) to ``digits`` significant figures."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        if abs(value) >= 10**digits:
            return f"{value:,.0f}"
        return _sig(value, digits)

    def fixed(self, value: float, decimals: int = 1) -> str:
        """A measured quantity (hours, days) with ``decimals`` decimals whatever its size,
        so a table column reads alike on every row (0.6, 26.0, 112.3)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        return f"{value:,.{decimals}f}"

    def pct(self, share: float, decimals: int | None = None) -> str:
        """A share as a percentage: one decimal, two below 1%, none from 100% up."""
        if share is None or (isinstance(share, float) and math.isnan(share)):
            return "—"
        p = share * 100
        if decimals is None:
            decimals = 0 if abs(p) >= 100 else 2 if 0 < abs(p) < 1 else 1
        return f"{p:,.{decimals}f}%"

    def pp(self, delta: float) -> str:
        """A difference of two shares in percentage points (always positive; words say the sign)."""
        return text(self.lang, "format.pp", points=f"{abs(delta) * 100:.1f}")

    def days(self, value: float) -> str:
        return text(self.lang, "format.days", days=f"{value:,.0f}")

    def score(self, value: float) -> str:
        """A score such as NPS (−100..100), to one decimal."""
        return f"{value:.1f}"

    def month(self, period: str) -> str:
        """``"2024-06"`` → ``2024年6月`` / ``June 2024``."""
        year, month = (int(x) for x in period.split("-")[:2])
        return text(self.lang, "format.month", year=year, month_name=self._month_name(month))

    def date(self, day: dt.date) -> str:
        name = self._month_name(day.month)
        return text(self.lang, "format.date", year=day.year, month_name=name, day=day.day)

    def _month_name(self, month: int) -> str:
        return text(self.lang, f"month.{month}")

    def value(self, value: float, kind: str) -> str:
        """Format by the kind of a fact: money, count, rate, score, days or number."""
        if kind == "money":
            return self.money(value)
        if kind == "count":
            return self.count(value)
        if kind == "rate":
            return self.pct(value)
        if kind == "score":
            return self.score(value)
        if kind == "days":
            return self.days(value)
        return self.number(value)
