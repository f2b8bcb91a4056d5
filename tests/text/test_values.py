"""The value dictionary: Chinese data vocabulary shown in English in an English report."""

from __future__ import annotations

import numpy as np
import pytest

from clientlens.demo import catalog as demo_catalog
from clientlens.demo import customers as demo_customers
from clientlens.demo import geo
from clientlens.demo import text as demo_text
from clientlens.text.values import PROVINCES, english, value_text


def test_the_34_provincial_regions_in_every_written_form():
    assert len(PROVINCES) == 34 and len({p[1] for p in PROVINCES}) == 34
    for form, expected in [
        ("广东", "Guangdong"),
        ("广东省", "Guangdong"),
        ("内蒙古", "Inner Mongolia"),
        ("内蒙古自治区", "Inner Mongolia"),
        ("广西壮族自治区", "Guangxi"),
        ("广西自治区", "Guangxi"),
        ("新疆维吾尔自治区", "Xinjiang"),
        ("北京市", "Beijing"),
        ("香港", "Hong Kong"),
        ("香港特别行政区", "Hong Kong"),
        ("澳门特区", "Macao"),
        ("台湾省", "Taiwan"),
        (" 陕西 ", "Shaanxi"),  # stray spaces around a value
    ]:
        assert value_text("en", form, kind="province") == expected, form
        assert value_text("en", form) == expected, form  # without a kind as well


def test_unknown_values_and_chinese_reports_pass_through():
    assert value_text("en", "某个新渠道") == "某个新渠道"
    assert value_text("en", "Guangdong") == "Guangdong"
    assert value_text("zh", "广东省") == "广东省"
    assert value_text("en", 42) == 42
    assert value_text("en", None) is None
    nan = float("nan")
    assert value_text("en", nan) is nan


def test_kind_picks_the_column_meaning():
    assert value_text("en", "吉林", kind="province") == "Jilin"
    assert value_text("en", "吉林", kind="city") == "Jilin City"
    assert value_text("en", "广州市", kind="city") == "Guangzhou"
    assert value_text("en", "女", kind="gender") == "Female"
    assert value_text("en", "服饰鞋包", kind="category") == "Apparel & bags"


def test_segment_names_follow_the_catalog():
    assert value_text("en", "冠军客户") == "Champions"
    assert value_text("en", "重要价值客户") == "High-value loyal"
    assert value_text("en", "不能失去的客户") == "Can't Lose Them"


def _pairs(zh: np.ndarray, en: np.ndarray) -> list[tuple[str, str]]:
    return list(zip(zh.tolist(), en.tolist(), strict=True))


@pytest.mark.parametrize(
    ("kind", "pairs"),
    [
        ("province", _pairs(geo.PROVINCE_ZH, geo.PROVINCE_EN)),
        ("city", _pairs(geo.CITY_ZH, geo.CITY_EN)),
        ("acquisition_channel", _pairs(demo_customers.CHANNEL_ZH, demo_customers.CHANNEL_EN)),
        ("occupation", _pairs(demo_customers.OCCUPATION_ZH, demo_customers.OCCUPATION_EN)),
        ("category", _pairs(demo_catalog.CATEGORY_ZH, demo_catalog.CATEGORY_EN)),
        ("channel", _pairs(*demo_text.ORDER_CHANNELS.values())),
        ("channel", _pairs(*demo_text.FEEDBACK_CHANNELS.values())),
        ("channel", _pairs(*demo_text.TICKET_CHANNELS.values())),
        ("ticket_category", _pairs(*demo_text.TICKET_LABELS.values())),
    ],
)
def test_the_demo_vocabulary_reads_as_the_english_demo_writes_it(kind, pairs):
    assert pairs  # the demo module still has this vocabulary
    wrong = [(zh, en, value_text("en", zh, kind=kind)) for zh, en in pairs]
    assert [w for w in wrong if w[1] != w[2]] == []


def test_every_entry_is_chinese_to_english():
    import re

    cjk = re.compile(r"[\u4e00-\u9fff]")
    table = english()
    assert len(table) > 150
    assert [en for en in table.values() if cjk.search(en)] == []
