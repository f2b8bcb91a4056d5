"""Feedback themes: a keyword dictionary first, data-driven topics for what it misses.

A comment belongs to every dictionary theme one of whose keywords it contains (Chinese
keywords as substrings, English ones as word starts: ``deliver`` finds "delivered").
The built-in dictionary (:data:`THEMES`) names the themes of shop feedback: 物流
logistics, 质量 quality, 价格 price, 客服 service, 包装 packaging, 尺码 size. The
``feedback_theme_keywords`` setting adds themes or replaces a theme's keywords.

Comments no theme claims are grouped by :func:`assign_topics`: non-negative matrix
factorisation (NMF) of their TF-IDF word weights, each topic named by its strongest
words, so a shop's own recurring subject (电池, 屏幕, the hotel breakfast) shows up
without anyone writing its keywords first.

A theme's keywords (:func:`theme_keywords`) are its most distinctive words by class-based
TF-IDF: a word's frequency in the theme's comments times its rarity across themes.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from clientlens.errors import ConfigError
from clientlens.lazy import np, pd
from clientlens.nlp.tokens import tokens

THEMES: dict[str, tuple[str, ...]] = {
    "logistics": ("物流", "快递", "发货", "送货", "配送", "到货", "送达", "签收", "派送",
                  "快递员", "速度", "deliver", "shipping", "shipped", "dispatch", "courier",
                  "arrived", "tracking", "parcel", "postage", "late"),
    "quality": ("质量", "做工", "瑕疵", "正品", "次品", "坏了", "材质", "质感", "用料", "掉色",
                "起球", "quality", "broke", "broken", "defect", "faulty", "workmanship",
                "material", "stitching", "flimsy", "sturdy", "durable", "genuine", "fake"),
    "price": ("价格", "便宜", "贵", "性价比", "优惠", "降价", "划算", "实惠", "保价", "优惠券",
              "打折", "price", "expensive", "cheap", "value", "discount", "coupon", "bargain",
              "overpriced", "money"),
    "service": ("客服", "售后", "态度", "退货", "退款", "换货", "投诉", "回复", "商家", "卖家",
                "service", "support", "staff", "refund", "return", "complain", "reply",
                "replied", "agent", "seller", "after-sales", "aftersales"),
    "packaging": ("包装", "盒子", "外箱", "箱子", "破损", "压坏", "漏液", "密封", "泡沫",
                  "packaging", "packed", "package", "box", "wrapped", "wrapping", "sealed",
                  "crushed", "leaked"),
    "size": ("尺码", "尺寸", "大小", "偏大", "偏小", "码数", "合身", "大了", "小了", "size",
             "fit", "fits", "tight", "loose", "too big", "too small"),
}  # fmt: skip
"""Built-in themes: code → keywords (Chinese and English). Names in the text catalog
(``theme.<code>``)."""

DISCOVERED_PREFIX = "topic_"
"""Code of a data-driven topic: ``topic_1``, ``topic_2`` …"""
OTHER = "other"
TOPIC_WORDS = 10
"""A topic's strongest words, one of which a comment must hold to join it."""
"""Code of comments neither a theme nor a topic claims."""


def _words(text: str) -> frozenset[str]:
    """The space-separated words of ``text`` (long word lists read better as one string)."""
    return frozenset(text.split())


STOP_ZH = _words(
    "的 了 是 我 也 很 都 就 还 在 有 不 和 这 那 个 没有 买 东西 一个 非常 觉得 比较 感觉 还是 "
    "但是 不过 就是 可以 一下 已经 真的 这个 那个 什么 因为 所以 而且 然后 自己 我们 你们 他们 "
    "一次 时候 一点 有点 知道 希望 以后 今天 之前 第一次 特别 挺 太 吧 啊 呢 吗 哦 呀 么 给 "
    "说 会 要 能 让 被 把 对 与 及 等 又 再 才 最 更 好 不错 满意 喜欢 问题 商品 产品 宝贝"
)
"""Words too common in shop feedback to name a topic (besides single characters)."""


def _stop_en() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | {"item", "product", "good", "great", "bought", "order"}


class ThemeKeywords(str):
    """The ``feedback_theme_keywords`` setting: ``code: keyword, keyword; code: …``.

    A code of a built-in theme replaces its keywords; another code adds a theme. The
    codes are lower-case letters, digits and underscores (``battery``), or Chinese.

    >>> ThemeKeywords("battery: 电池, 充电, battery; size: 尺码").themes()["battery"]
    ('电池', '充电', 'battery')
    """

    label = "theme keywords"

    def __new__(cls, value: object) -> ThemeKeywords:
        self = super().__new__(cls, str(value))
        self.themes()  # refuse a malformed value where it is given
        return self

    def themes(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, tuple[str, ...]] = {}
        for part in filter(str.strip, str(self).split(";")):
            code, sep, words = part.partition(":")
            code = code.strip()
            keywords = tuple(w.strip().lower() for w in words.split(",") if w.strip())
            if not sep or not re.fullmatch(r"[a-z0-9_\u4e00-\u9fff]+", code) or not keywords:
                raise ConfigError(
                    f"theme keywords {part.strip()!r}: write 'code: keyword, keyword' "
                    "(a code of lower-case letters, digits, _ or Chinese), themes "
                    "separated by ';'."
                )
            if code == OTHER or code.startswith(DISCOVERED_PREFIX):
                raise ConfigError(f"theme keywords: the code {code!r} is reserved.")
            found[code] = keywords
        return found


def dictionary(extra: str = "") -> dict[str, tuple[str, ...]]:
    """The built-in themes with ``extra`` (a :class:`ThemeKeywords` value) applied."""
    themes = dict(THEMES)
    themes.update(ThemeKeywords(extra).themes())
    return themes


def _pattern(keywords: Sequence[str]) -> str:
    parts = []
    for k in sorted(set(keywords), key=len, reverse=True):
        escaped = re.escape(k.lower())
        parts.append(escaped if re.search(r"[^\x00-\x7f]", k) else rf"\b{escaped}")
    return "|".join(parts)


def match_themes(texts: pd.Series, themes: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """One boolean column per theme: whether each text names it.

    >>> s = pd.Series(["物流很快", "The box was crushed and delivery slow", "好"])
    >>> match_themes(s, {"logistics": THEMES["logistics"], "packaging": THEMES["packaging"]})
       logistics  packaging
    0       True      False
    1       True       True
    2      False      False
    """
    lower = texts.str.lower()
    return pd.DataFrame(
        {code: lower.str.contains(_pattern(words), regex=True) for code, words in themes.items()},
        index=texts.index,
    )


_MASKED_OR_LINK = re.compile(r"\S*@\S*|\S*\*\*\S*|https?://\S+|www\.\S+")
"""Masked emails and phones (b***@example.com, 138****5678) and links: not words."""


def topic_words(text: str) -> list[str]:
    """The words of ``text`` that may name a topic: no stop words, no single characters,
    nothing of a masked email or phone or of a link."""
    stop_en = _stop_en()
    return [
        w
        for w in tokens(_MASKED_OR_LINK.sub(" ", text))
        if len(w) > 1 and w not in STOP_ZH and w not in stop_en and not w.isdigit()
    ]


def assign_topics(
    texts: Sequence[str],
    weights: Any,
    n_topics: int,
    *,
    sample: int = 20_000,
    seed: int = 0,
) -> Any:
    """Each text's data-driven topic: 0-based, −1 when it has no word of any topic.

    ``texts`` are distinct, each occurring ``weights`` times. The topics are fitted on
    a seeded sample of at most ``sample`` texts (NMF of TF-IDF word weights), then each
    text is given its strongest topic if it holds one of that topic's
    :data:`TOPIC_WORDS` strongest words. Fewer topics than asked when the texts cannot
    fill them (fewer than 20 comments or 3 distinct texts per topic, or too few
    distinct words): an honest
    "no topic" beats a topic of noise.

    >>> texts = [f"电池{'不' * (i % 3)}耐用" for i in range(30)] + [
    ...     f"屏幕{'很' * (i % 3)}清晰" for i in range(30)]
    >>> topics = assign_topics(texts, [1] * 60, 2)
    >>> len(set(topics[:30])), len(set(topics[30:])), bool(topics[0] != topics[30])
    (1, 1, True)
    """
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    assigned = np.full(len(texts), -1)
    n_topics = min(n_topics, int(np.sum(weights)) // 20, len(texts) // 3)
    if n_topics < 1:
        return assigned
    rng = np.random.default_rng(seed)
    fit_rows = (
        np.sort(rng.choice(len(texts), size=sample, replace=False))
        if len(texts) > sample
        else np.arange(len(texts))
    )
    vectorizer = TfidfVectorizer(analyzer=topic_words, min_df=3, max_df=0.5, sublinear_tf=True)
    try:
        x = vectorizer.fit_transform([texts[i] for i in fit_rows])
    except ValueError:  # no word left after min_df / max_df
        return assigned
    n_topics = min(n_topics, x.shape[1] // 2)  # two words at least to name each
    if n_topics < 1:
        return assigned
    # NMF has no sample weights; a text repeated n times weighs sqrt(n) in each row, its
    # share of the squared loss.
    w = np.sqrt(np.asarray(weights, dtype=float)[fit_rows])
    model = NMF(n_components=n_topics, init="nndsvd", random_state=seed, max_iter=400)
    with warnings.catch_warnings():
        # Topics to group comments by need not be the loss's exact minimum.
        warnings.simplefilter("ignore", ConvergenceWarning)
        # sklearn's reconstruction error of an exact fit can round below zero (its sqrt
        # then warns); the factorisation itself is fine.
        warnings.filterwarnings("ignore", "invalid value encountered in sqrt", RuntimeWarning)
        model.fit(x.multiply(w[:, None]).tocsr())
    every = vectorizer.transform(texts) if len(fit_rows) < len(texts) else x
    strength = model.transform(every)
    best = strength.argmax(axis=1)
    # A text joins its strongest topic only if it holds one of the topic's own top words:
    # NMF gives nearly every text some weight somewhere, and without this one topic
    # swallows everything the others do not.
    top = np.zeros((model.components_.shape[1], n_topics))
    for k, row in enumerate(model.components_):
        top[np.argsort(-row)[:TOPIC_WORDS], k] = 1.0
    holds = np.asarray(every @ top)[np.arange(len(texts)), best] > 0
    return np.where(holds & (strength.max(axis=1) > 0), best, -1)


def theme_keywords(
    groups: Mapping[str, Sequence[str]], weights: Mapping[str, Sequence[int]], top: int = 5
) -> dict[str, list[str]]:
    """Each group's most distinctive words by class-based TF-IDF.

    ``score(w, g) = tf(w, g) / words(g) × log(1 + mean words per group / tf(w, all))``:
    frequent in the group, rare in the others (Grootendorst 2022, BERTopic's c-TF-IDF).

    >>> theme_keywords({"a": ["物流很快", "物流慢"], "b": ["质量好", "质量差"]},
    ...                {"a": [1, 1], "b": [1, 1]}, top=1)
    {'a': ['物流'], 'b': ['质量']}
    """
    counts: dict[str, Counter[str]] = {}
    for g, texts in groups.items():
        c: Counter[str] = Counter()
        for t, n in zip(texts, weights[g], strict=True):
            for w in topic_words(t):
                c[w] += n
        counts[g] = c
    total: Counter[str] = Counter()
    for c in counts.values():
        total.update(c)
    mean_words = sum(total.values()) / max(len(counts), 1)
    out = {}
    for g, c in counts.items():
        size = sum(c.values()) or 1
        scored = {w: n / size * math.log(1 + mean_words / total[w]) for w, n in c.items()}
        out[g] = sorted(scored, key=lambda w: (-scored[w], w))[:top]
    return out


def theme_name(code: str, lang: str, keywords: str = "") -> str:
    """What a reader calls theme ``code`` (from ``feedback_themes.theme``) in ``lang``.

    Built-in themes and ``other`` by the text catalog, a discovered topic by its
    number and keywords, a custom theme by its own code.

    >>> theme_name("logistics", "zh"), theme_name("topic_2", "en", "battery, charge")
    ('物流', 'Topic 2: battery, charge')
    >>> theme_name("电池", "en")
    '电池'
    """
    from clientlens.text import text

    if code in THEMES or code == OTHER:
        return text(lang, f"theme.{code}")
    if code.startswith(DISCOVERED_PREFIX) and code[len(DISCOVERED_PREFIX) :].isdigit():
        return text(lang, "theme.topic", n=code[len(DISCOVERED_PREFIX) :], keywords=keywords)
    return code
