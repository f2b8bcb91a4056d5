"""Fake but well-formed personal data: ids, names, mobile numbers, e-mail addresses.

Everything is built with array operations (no Python loop per customer), so a million
customers take a second or two. Names are drawn from common Chinese surnames and given-
name characters; the English locale writes the same person in pinyin (given name first),
so both locales describe the same customers.
"""

from __future__ import annotations

import numpy as np

# Common surnames with rough frequency weights (the five biggest cover ~30% of people).
_SURNAMES = [
    ("王", "Wang", 7.1), ("李", "Li", 7.0), ("张", "Zhang", 6.7), ("刘", "Liu", 5.4), ("陈", "Chen", 4.5),
    ("杨", "Yang", 3.1), ("黄", "Huang", 2.5), ("赵", "Zhao", 2.3), ("吴", "Wu", 2.0), ("周", "Zhou", 1.9),
    ("徐", "Xu", 1.5), ("孙", "Sun", 1.5), ("马", "Ma", 1.4), ("朱", "Zhu", 1.3), ("胡", "Hu", 1.3),
    ("郭", "Guo", 1.2), ("何", "He", 1.2), ("林", "Lin", 1.1), ("高", "Gao", 1.1), ("罗", "Luo", 1.0),
    ("郑", "Zheng", 0.9), ("梁", "Liang", 0.9), ("谢", "Xie", 0.8), ("宋", "Song", 0.8), ("唐", "Tang", 0.8),
    ("许", "Xu", 0.7), ("韩", "Han", 0.7), ("冯", "Feng", 0.7), ("邓", "Deng", 0.7), ("曹", "Cao", 0.7),
]  # fmt: skip
_GIVEN = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"),
    ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"),
    ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"),
    ("婷", "ting"), ("浩", "hao"), ("宇", "yu"), ("欣", "xin"), ("子", "zi"), ("涵", "han"), ("思", "si"),
    ("梓", "zi"), ("雨", "yu"), ("晨", "chen"), ("嘉", "jia"), ("怡", "yi"), ("博", "bo"), ("文", "wen"),
    ("佳", "jia"), ("俊", "jun"), ("琳", "lin"), ("颖", "ying"), ("鑫", "xin"), ("悦", "yue"), ("轩", "xuan"),
]  # fmt: skip
_MOBILE_PREFIXES = np.array(
    [130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157,
     158, 159, 166, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189, 198, 199]
)  # fmt: skip
_MAIL_DOMAINS = np.array(["qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "outlook.com"])
_MAIL_WEIGHTS = np.array([0.45, 0.22, 0.1, 0.06, 0.09, 0.08])


def codes(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """``prefix`` + zero-padded ``numbers`` as an object array of str, e.g. C000042.

    Built as a byte matrix (one column per digit) so that millions of ids cost one
    array operation per digit, not one Python call per id.
    """
    n = np.asarray(numbers, dtype=np.int64).copy()
    digits = np.empty((n.size, width), dtype=np.uint8)
    for k in range(width - 1, -1, -1):
        digits[:, k] = 48 + n % 10
        n //= 10
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    buf = np.concatenate([np.broadcast_to(head, (digits.shape[0], head.size)), digits], axis=1)
    fixed = np.ascontiguousarray(buf).view(f"S{buf.shape[1]}").ravel()
    return fixed.astype(f"U{buf.shape[1]}").astype(object)


def id_width(n: int) -> int:
    """Digits needed to number ``n`` things (at least 6, so ids look like real ones)."""
    return max(6, len(str(max(n, 1))))


def draw_names(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Indices of surname and given-name characters (second may be -1: one-character name)."""
    w = np.array([s[2] for s in _SURNAMES])
    surname = rng.choice(len(_SURNAMES), size=n, p=w / w.sum())
    first = rng.integers(0, len(_GIVEN), size=n)
    second = np.where(rng.random(n) < 0.7, rng.integers(0, len(_GIVEN), size=n), -1)
    return {"surname": surname, "first": first, "second": second}


def render_names(parts: dict[str, np.ndarray], locale: str) -> np.ndarray:
    """Full names: 王芳 (zh) or Fang Wang (en, pinyin, given name first)."""
    if locale == "zh":
        sur = np.array([s[0] for s in _SURNAMES])
        giv = np.array([g[0] for g in _GIVEN] + [""])
        out = np.strings.add(
            np.strings.add(sur[parts["surname"]], giv[parts["first"]]), giv[parts["second"]]
        )
    else:
        sur = np.array([s[1] for s in _SURNAMES])
        cap = np.array([g[1].capitalize() for g in _GIVEN])
        low = np.array([g[1] for g in _GIVEN] + [""])
        given = np.strings.add(cap[parts["first"]], low[parts["second"]])
        out = np.strings.add(np.strings.add(given, " "), sur[parts["surname"]])
    return out.astype(object)


def draw_phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """Mainland mobile numbers (11 digits on real carrier prefixes)."""
    prefix = _MOBILE_PREFIXES[rng.integers(0, _MOBILE_PREFIXES.size, size=n)]
    return codes("", prefix * 10**8 + rng.integers(0, 10**8, size=n), 11)


def draw_emails(rng: np.random.Generator, parts: dict[str, np.ndarray]) -> np.ndarray:
    """Addresses like wangfang88@163.com, from the pinyin of the name (same in both locales)."""
    n = parts["surname"].size
    sur = np.array([s[1].lower() for s in _SURNAMES])
    giv = np.array([g[1] for g in _GIVEN] + [""])
    local = np.strings.add(sur[parts["surname"]], giv[parts["first"]])
    local = np.strings.add(local, giv[parts["second"]])
    number = codes("", rng.integers(0, 1000, size=n), 3).astype("U3")
    domain = _MAIL_DOMAINS[rng.choice(_MAIL_DOMAINS.size, size=n, p=_MAIL_WEIGHTS)]
    out = np.strings.add(np.strings.add(np.strings.add(local, number), "@"), domain)
    return out.astype(object)
