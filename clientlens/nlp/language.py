"""Which language a feedback text is in: a script test first, langid for the rest.

Feedback comes in Chinese and English, often mixed (质量很好, good value) and often a
few words long, where a statistical identifier is unreliable: langid (which ships its
model) calls "Even during Double 11 it shipped quickly, great." French with 98%
confidence, and does a hundred or so texts a second on this machine. So:

1. no letters at all (empty, digits, emoji, punctuation): ``unknown``;
2. Han characters making at least :data:`HAN_SHARE` of the letters: ``zh``;
   kana: ``ja``; Hangul: ``ko``;
3. Latin words, half or more of which (:data:`ENGLISH_SHARE`) are common English words
   (stop words, VADER's sentiment lexicon, shop words): ``en``;
4. anything else: langid's answer, over its 97 languages.

Step 3 decides nearly every English comment without langid; step 4 catches French,
Spanish, German … and English without a single common word, which langid then judges.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import cache
from typing import Any

from clientlens.nlp.tokens import HAN, LATIN_WORD, han_share

UNKNOWN = "unknown"
"""The language of a text with no letters (empty, numbers, emoji)."""
HAN_SHARE = 0.3
"""Han characters among letters from which a text counts as Chinese (中文 with a few
English words: 这个 app 很好用)."""
ENGLISH_SHARE = 0.5
"""Latin words that must be common English words for a text to be English without langid."""


def _words(text: str) -> frozenset[str]:
    """The space-separated words of ``text`` (long word lists read better as one string)."""
    return frozenset(text.split())


SHOP_WORDS = _words(
    "delivery delivered deliver parcel package packaging packed box order ordered item items "
    "product products price priced quality size sizes fit refund return returned returns "
    "exchange courier seller shop store customer service support staff agent tracking "
    "shipping shipped dispatch colour color fabric material battery screen charger app "
    "website discount coupon voucher warranty replacement"
)
"""Shop words counted as English beside the stop words and the sentiment lexicon."""

_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_LETTER = re.compile(r"[^\W\d_]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_lock = threading.Lock()


@cache
def _english_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from clientlens.nlp.english import lexicon

    return frozenset(ENGLISH_STOP_WORDS) | frozenset(lexicon()) | SHOP_WORDS


@cache
def _identifier() -> Any:
    from langid.langid import LanguageIdentifier, model

    return LanguageIdentifier.from_modelstring(model, norm_probs=True)


def language_of(text: str) -> str:
    """The language code of one text (``zh``, ``en``, another ISO 639-1 code, or ``unknown``).

    >>> language_of("物流很快"), language_of("Fast delivery, well packed"), language_of("👍 10/10")
    ('zh', 'en', 'unknown')
    >>> language_of("Livraison très rapide, produit conforme à la description")
    'fr'
    """
    if not _ASCII_LETTER.search(text) and HAN.search(text):  # the common case, decided fast
        return "ja" if _KANA.search(text) else "zh"
    if not _LETTER.search(text):
        return UNKNOWN
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    if han_share(text) >= HAN_SHARE:
        return "zh"
    words = LATIN_WORD.findall(text.lower())
    if words:
        known = _english_words()
        if sum(w in known for w in words) >= ENGLISH_SHARE * len(words):
            return "en"
    with _lock:  # langid's identifier keeps per-call state
        return str(_identifier().classify(text)[0])


def languages_of(texts: Sequence[str]) -> list[str]:
    """:func:`language_of` of each text (each distinct text judged once)."""
    seen: dict[str, str] = {}
    out = []
    for t in texts:
        lang = seen.get(t)
        if lang is None:
            lang = seen[t] = language_of(t)
        out.append(lang)
    return out
