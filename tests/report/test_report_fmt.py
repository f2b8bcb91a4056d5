"""Locale number formatting and the two catalogs, checked by hand."""

from __future__ import annotations

import string

import pytest

from clientlens.report.fmt import Formatter
from clientlens.text import LANGUAGES, catalog

CATALOGS = {lang: catalog(lang) for lang in LANGUAGES}


@pytest.mark.parametrize(
    ("lang", "currency", "value", "expected"),
    [
        ("zh", "CNY", 1234, "¥1,234"),
        ("zh", "CNY", 12_345, "¥1.23万"),
        ("zh", "CNY", 560_000, "¥56万"),
        ("zh", "CNY", 345_000_000, "¥3.45亿"),
        ("zh", "USD", 12_345, "$1.23万"),
        ("en", "CNY", 1234, "¥1,234"),
        ("en", "USD", 12_345, "$12.3K"),
        ("en", "USD", 1_234_567, "$1.23M"),
        ("en", "EUR", -2_500_000_000, "-€2.5B"),
        ("en", "CHF", 99.5, "CHF 99.5"),
    ],
)
def test_money(lang, currency, value, expected):
    assert Formatter(lang, currency).money(value) == expected


def test_counts_percentages_and_points():
    zh, en = Formatter("zh"), Formatter("en")
    assert zh.count(98_765) == "98,765"
    assert zh.count(1_234_567) == "123万"
    assert en.count(1_234_567) == "1.23M"
    assert en.pct(0.1234) == "12.3%"
    assert en.pct(0.0045) == "0.45%"
    assert en.pct(1.5) == "150%"
    assert zh.pp(-0.0123) == "1.2个百分点"
    assert en.pp(0.05) == "5.0 pp"
    assert zh.month("2024-06") == "2024年6月"
    assert en.month("2024-06") == "June 2024"


def test_catalogs_have_the_same_keys_and_fields():
    zh, en = CATALOGS["zh"], CATALOGS["en"]
    assert set(zh) == set(en)

    def fields(template: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(template) if f}

    different = [k for k in zh if fields(zh[k]) != fields(en[k])]
    assert different == []
