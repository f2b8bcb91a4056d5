"""Words of a feedback text: jieba tokens for Chinese, lower-cased words for English.

jieba segments a run of Han characters in pure Python, a few thousand short texts a
second. Feedback repeats itself (物流很快, 好评, 质量不错 come back in every shop), so
each Han run is segmented once and remembered: :func:`tokens` splits a text into Han
runs and the rest, segments the runs through a bounded cache, and lower-cases Latin
words and numbers. jieba's dictionary is loaded on first use, quietly (it logs to
stderr otherwise), and never downloads anything: it ships with the package.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

HAN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
"""A run of Han characters (CJK unified ideographs, extension A, compatibility)."""
LATIN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_ASCII_LETTERS = re.compile(r"[A-Za-z]")

CACHE_SIZE = 500_000
"""Han runs remembered; when full the cache is cleared (cheaper than LRU bookkeeping)."""

_lock = threading.Lock()
_jieba: Any = None
_cache: dict[str, list[str]] = {}


def _tokenizer() -> Any:
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _jieba = tokenizer
    return _jieba


def han_tokens(run: str) -> list[str]:
    """jieba's words of one run of Han characters (no HMM: new words stay split into
    known words and characters, which is stable and faster)."""
    found = _cache.get(run)
    if found is None:
        if len(_cache) >= CACHE_SIZE:
            _cache.clear()
        found = _cache[run] = _tokenizer().lcut(run, HMM=False)
    return found


def tokens(text: str) -> list[str]:
    """The words of ``text``, in order: jieba words of its Chinese, lower-cased words of
    the rest; punctuation and spaces dropped.

    >>> tokens("物流很快，质量不错! Good value")
    ['物流', '很快', '质量', '不错', 'good', 'value']
    """
    out: list[str] = []
    for i, part in enumerate(HAN.split(text.lower())):
        if i % 2:
            out.extend(han_tokens(part))
        elif part:
            out.extend(LATIN_WORD.findall(part))
    return out


def han_share(text: str) -> float:
    """Han characters among the letters of ``text`` (Han plus Latin letters), 0 when none.

    >>> han_share("质量good"), han_share("ok"), han_share("123")
    (0.3333333333333333, 0.0, 0.0)
    """
    han = sum(map(len, HAN.findall(text)))
    latin = len(_ASCII_LETTERS.findall(text))
    return han / (han + latin) if han + latin else 0.0


def all_tokens(texts: Iterable[str]) -> list[list[str]]:
    """:func:`tokens` of each text."""
    return [tokens(t) for t in texts]
