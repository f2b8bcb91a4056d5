"""Masking personal data in values and in free text, in Python.

The formats are those of the engine-side export mask (``mask_pii`` in
:mod:`clientlens.ingest.export`), so a phone, an email or a name looks the same masked
whether a reader sees it in an exported file, a dashboard cell or a quoted comment:

>>> mask_phone("13812345678"), mask_email("wang@example.com"), mask_name("张三")
('138****5678', 'w***@example.com', '张*')

:func:`mask_text` finds them inside free text (feedback comments, ticket descriptions),
which is what a representative quote shown to every dashboard viewer needs:

>>> mask_text("我是王小明，电话13812345678，邮箱 wang@example.com")
'我是王**，电话138****5678，邮箱 w***@example.com'

Names are masked only where the text says it is a name (我是 / 我叫 / 姓名 / 联系人 …
before a common surname, "my name is", "Mr/Ms …"), or when the caller passes the
customer's known names:
a Chinese text has no capital letters to tell a name from a word, and masking every
two-character word would destroy the quote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["mask_email", "mask_name", "mask_phone", "mask_text"]

# A mainland mobile (1 + 10 digits), optionally +86 / 86 and spaced or dashed; a
# landline with its area code (010-12345678); an international number written with +.
# Not any long digit run: dates (2024-01-15) and order numbers are not personal data.
# Bounded by ASCII only: in 电话13812345678 the Han character before is a word character.
_PHONE = re.compile(
    r"(?<![0-9A-Za-z*+])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z*+])0\d{2,3}-?\d{7,8}(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z*])\+\d{1,3}[ -]?\d[\d -]{5,}\d(?![0-9A-Za-z])"
)
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# A name that the text introduces as one: the cue, then a common surname and one or two
# Han characters (a Chinese name), or one or two capitalised words (a Latin-script name).
# The surname keeps 我是老顾客 and 客服很耐心 unmasked.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
"""Common Chinese surnames (the first hundred or so by population), a name's first character."""
_ZH_NAME = re.compile(
    r"(?P<cue>我是|我叫|本人|姓名[:：]?\s*|联系人[:：]?\s*|收件人[:：]?\s*|收货人[:：]?\s*)"
    rf"(?P<name>(?:欧阳|司马|诸葛|上官|[{SURNAMES}])[\u4e00-\u9fff]{{1,2}})(?=[，,。.！!？?\s、；;：:]|$)"
)
_EN_NAME = re.compile(
    r"(?P<cue>\b(?:[Mm]y name is|I am|I'm|[Nn]ame:|Mr\.?|Mrs\.?|Ms\.?|Miss|Dr\.?)\s+)"
    r"(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
)


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``: the first three and last four digits kept.

    Separators and a country code are dropped first; a number of fewer than seven
    digits keeps its first character only (``123`` → ``1***``), as the export does.
    """
    digits = re.sub(r"[^\d]", "", str(phone))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return str(phone)[:1] + "***"


def mask_email(email: str) -> str:
    """``wang@example.com`` → ``w***@example.com``: the first character and the domain kept."""
    text = str(email)
    at = text.find("@")
    if at > 0:
        return text[0] + "***" + text[at:]
    return "***"


def mask_name(name: str) -> str:
    """``张三`` → ``张*``, ``王小明`` → ``王**``, ``Alice Smith`` → ``A**********``.

    The first character kept and every other one starred (at least one star), as the
    export masks the ``name`` column.
    """
    text = str(name)
    return text[:1] + "*" * max(len(text) - 1, 1)


def mask_text(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with the phone numbers, emails and recognisable names in it masked.

    Parameters
    ----------
    text
        Free text: a comment, a ticket description.
    names
        Names known to belong to the writer or others (the customer's name from the
        ``customers`` table): masked wherever they occur, besides the names the text
        introduces itself.

    Examples
    --------
    >>> mask_text("Call me on +86 138-1234-5678 or mail li.na@shop.cn, my name is Li Na")
    'Call me on 138****5678 or mail l***@shop.cn, my name is L****'
    >>> mask_text("李雷说快递很慢", names=["李雷"])
    '李*说快递很慢'
    """
    out = _EMAIL.sub(lambda m: mask_email(m.group()), str(text))
    out = _PHONE.sub(lambda m: mask_phone(m.group()), out)
    out = _ZH_NAME.sub(lambda m: m.group("cue") + mask_name(m.group("name")), out)
    out = _EN_NAME.sub(lambda m: m.group("cue") + mask_name(m.group("name")), out)
    for name in sorted({str(n) for n in names if n and str(n).strip()}, key=len, reverse=True):
        out = out.replace(name, mask_name(name))
    return out
