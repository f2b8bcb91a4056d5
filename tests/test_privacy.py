"""clientlens.privacy: the masks of the export, for values and inside free text."""

from __future__ import annotations

import ibis
import pytest

from clientlens.ingest.export import mask_pii
from clientlens.privacy import mask_email, mask_name, mask_phone, mask_text


def test_the_masks_are_the_exports_masks():
    """The same value masked in Python and by the engine-side export looks the same."""
    rows = {
        "customer_id": ["a", "b", "c"],
        "name": ["张三", "王小明", "Alice"],
        "phone": ["13812345678", "02112345678", "123"],
        "email": ["wang@example.com", "li.na@shop.cn", "nobody"],
    }
    engine = mask_pii(ibis.memtable(rows), "customers").to_pandas()
    assert engine["name"].tolist() == [mask_name(v) for v in rows["name"]]
    assert engine["phone"].tolist() == [mask_phone(v) for v in rows["phone"]]
    assert engine["email"].tolist() == [mask_email(v) for v in rows["email"]]
    assert [mask_name(v) for v in rows["name"]] == ["张*", "王**", "A****"]
    assert mask_phone("13812345678") == "138****5678"
    assert mask_email("wang@example.com") == "w***@example.com"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话13812345678，尽快联系", "电话138****5678，尽快联系"),
        ("call +86 138 1234 5678 now", "call 138****5678 now"),
        ("座机 010-87654321", "座机 010****4321"),
        ("mail me: Tom.Lee+shop@mail.example.org", "mail me: T***@mail.example.org"),
        ("收货人：李娜，地址不对", "收货人：李*，地址不对"),
        ("我叫欧阳娜娜", "我叫欧***"),
        ("Hi, my name is Sarah Connor and the box was damaged", "Hi, my name is S***********"
         " and the box was damaged"),
        ("Ms. Jones asked for a refund", "Ms. J**** asked for a refund"),
    ],
)  # fmt: skip
def test_mask_text_finds_phones_emails_and_introduced_names(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "客服很耐心，问题很快解决了",  # 客服 is no name cue; 很 is no surname
        "我是老顾客，一直在这家买",
        "订单 20240115，2024-01-15 下单，共 3 件",  # dates and order numbers are not phones
        "I am very happy with the Quality",
        "Order 1234567 arrived",
    ],
)
def test_mask_text_leaves_ordinary_comments_alone(text):
    assert mask_text(text) == text


def test_known_names_are_masked_wherever_they_occur():
    assert (
        mask_text("李雷说快递很慢，李雷很生气", names=["李雷", None, ""])
        == "李*说快递很慢，李*很生气"
    )
