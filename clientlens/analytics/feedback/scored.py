"""``feedback_scored``: every feedback comment with its language, sentiment and themes.

One row per ``feedback`` row whose comment holds text (rows without a comment have no
text to score; the satisfaction scores of every row are the KPIs' business). The
comment is stored with phone numbers, emails and introduced names masked
(:func:`clientlens.privacy.mask_text`). ``themes`` lists the comment's dictionary
themes, comma-separated (``logistics,price``); a comment no theme claims gets its
data-driven topic (``topic_2``) or ``other``.

Scoring runs in Python (jieba, the shipped Chinese model, VADER) on the distinct
comments only: they are read out of the engine with their counts, scored, and joined
back to the feedback rows in the engine, so the rows themselves never leave it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column
from clientlens.config import Setting
from clientlens.errors import NotEnoughDataError
from clientlens.lazy import ibis, ir, np, pd
from clientlens.nlp import themes as nlp_themes
from clientlens.nlp.sentiment import score_distinct
from clientlens.privacy import mask_text

FEEDBACK_THEME_KEYWORDS = Setting(
    "feedback_theme_keywords",
    nlp_themes.ThemeKeywords,
    "",
    "Feedback themes added to the built-in dictionary (logistics, quality, price, service, "
    "packaging, size), or built-in themes' keywords replaced: 'code: keyword, keyword; "
    "code: …', e.g. 'battery: 电池, 充电, battery'. Chinese keywords match anywhere in a "
    "comment, English ones at a word start.",
)
FEEDBACK_TOPICS = Setting(
    "feedback_topics",
    int,
    5,
    "Data-driven topics sought among comments no dictionary theme claims (NMF of their "
    "words); 0 = none. Fewer are found when the comments cannot fill them.",
)
TOPIC_SAMPLE = 20_000
"""Distinct unclaimed comments the topics are fitted on (a seeded sample); every
unclaimed comment is then assigned to its nearest topic."""
_MAYBE_PERSONAL = (
    r"\d{7}|\d[ -]\d|@|我是|我叫|本人|姓名|联系人|收件人|收货人|[Nn]ame|I am|I'm|Mr|Ms|Mrs|Miss|Dr"
)
"""A cheap test for comments that may hold a phone, an email or a name: only those go
through :func:`~clientlens.privacy.mask_text`."""


_SCORED = ("comment", "language", "p_positive", "label", "themes")
"""What :func:`score_comments` gives each distinct comment, beside its ``_text``."""


def score_comments(
    comments: pd.Series,
    counts: Any,
    *,
    theme_keywords: str = "",
    n_topics: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """Distinct comments, each occurring ``counts`` times, scored.

    Returns one row per comment, in the order given: ``_text`` (the comment as given),
    ``comment`` (masked), ``language``, ``p_positive``, ``label`` and ``themes``.
    """
    distinct = pd.Series(comments, dtype=object).reset_index(drop=True)
    counts = np.asarray(counts)
    scored = score_distinct(list(distinct))
    themes = nlp_themes.dictionary(theme_keywords)
    hits = nlp_themes.match_themes(distinct, themes)
    names = np.array(list(themes), dtype=object)
    matrix = hits.to_numpy()
    labels = np.array([",".join(names[row]) for row in matrix], dtype=object)
    unclaimed = np.flatnonzero(~matrix.any(axis=1))
    labels[unclaimed] = nlp_themes.OTHER
    if n_topics > 0 and unclaimed.size:
        topic = nlp_themes.assign_topics(
            [distinct[i] for i in unclaimed],
            counts[unclaimed],
            n_topics,
            sample=TOPIC_SAMPLE,
            seed=seed,
        )
        found = topic >= 0
        labels[unclaimed[found]] = [f"{nlp_themes.DISCOVERED_PREFIX}{t + 1}" for t in topic[found]]

    personal = distinct.str.contains(_MAYBE_PERSONAL, regex=True).to_numpy()
    masked = distinct.to_numpy(copy=True)
    masked[personal] = [mask_text(t) for t in masked[personal]]
    return pd.DataFrame(
        {
            "_text": distinct.to_numpy(),
            "comment": masked,
            "language": scored["language"].to_numpy(),
            "p_positive": scored["p_positive"].to_numpy(dtype="float64"),
            "label": scored["label"].to_numpy(),
            "themes": labels,
        }
    )


def score_feedback(
    feedback: pd.DataFrame, *, theme_keywords: str = "", n_topics: int = 5, seed: int = 0
) -> pd.DataFrame:
    """The comments of ``feedback`` scored: language, p_positive, label, themes.

    ``feedback`` has ``customer_id``, ``date``, ``kind``, ``score`` and ``comment``;
    rows whose comment is empty or missing are left out. Each distinct comment is scored
    once (:func:`score_comments`).

    Examples
    --------
    >>> fb = pd.DataFrame({"customer_id": ["a", "b", "c"], "date": ["2024-01-02"] * 3,
    ...     "kind": "review", "score": [5.0, 1.0, 3.0],
    ...     "comment": ["物流很快，包装很好", "Broke after a day, call me on 13812345678", None]})
    >>> out = score_feedback(fb, n_topics=0)
    >>> out[["customer_id", "comment", "label", "themes"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['a', '物流很快，包装很好', 'positive', 'logistics,packaging'],
     ['b', 'Broke after a day, call me on 138****5678', 'negative', 'quality']]
    """
    text = feedback["comment"]
    has_text = text.notna() & (text.astype("string").str.strip() != "")
    frame = feedback.loc[has_text, ["customer_id", "date", "kind", "score", "comment"]]
    frame = frame.reset_index(drop=True)
    codes, distinct_values = pd.factorize(frame["comment"].astype(str))
    counts = np.bincount(codes, minlength=len(distinct_values))
    scored = score_comments(
        pd.Series(distinct_values, dtype=object),
        counts,
        theme_keywords=theme_keywords,
        n_topics=n_topics,
        seed=seed,
    )
    return pd.DataFrame(
        {
            "customer_id": frame["customer_id"].astype(str).to_numpy(),
            "date": pd.to_datetime(frame["date"]).dt.date.to_numpy(),
            "kind": frame["kind"].to_numpy(),
            "score": frame["score"].astype(float).to_numpy(),
            **{c: scored[c].to_numpy()[codes] for c in _SCORED},
        }
    )


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    """Only the distinct comments leave the engine (sorted, so the topics' seeded sample
    is the same on every engine); their scores are joined back to the rows in it."""
    fb = inputs["feedback"]
    if "comment" not in fb.columns:
        raise NotEnoughDataError("the feedback table has no comment column")
    fb = fb.filter(fb.comment.notnull() & (fb.comment.strip() != ""))
    distinct = fb.group_by("comment").agg(_n=fb.count()).to_pandas()
    if distinct.empty:
        raise NotEnoughDataError("no feedback row has a comment")
    distinct = distinct.sort_values("comment", kind="stable", ignore_index=True)
    scored = score_comments(
        distinct["comment"].astype(str),
        distinct["_n"].to_numpy(),
        theme_keywords=ctx.setting("feedback_theme_keywords"),
        n_topics=ctx.setting("feedback_topics"),
    )
    s = ibis.memtable(scored.rename(columns={c: "_s_" + c for c in _SCORED}))
    j = fb.inner_join(s, fb.comment == s._text)
    return j.select(
        customer_id=j.customer_id.cast("string"),
        date=j.date.cast("date"),
        kind=j.kind.cast("string"),
        score=j.score.cast("float64"),
        **{c: j["_s_" + c].cast("float64" if c == "p_positive" else "string") for c in _SCORED},
    )


COLUMNS = {
    "customer_id": Column("string", "Customer who gave the feedback.", "反馈的客户。"),
    "date": Column("date", "Date of the feedback.", "反馈日期。"),
    "kind": Column("string", "Kind of feedback: nps, csat, ces or review.", "反馈类型：nps、csat、ces 或 review。"),
    "score": Column("float64", "The score given, on the kind's scale.", "所给分数（按该类型的量表）。", unit="score"),
    "comment": Column(
        "string",
        "The comment, with phone numbers, emails and introduced names masked.",
        "评论原文，电话、邮箱和自称姓名已打码。",
        pii=True,
    ),
    "language": Column(
        "string",
        "Language of the comment: zh, en, another ISO 639-1 code, or unknown (no letters).",
        "评论语言：zh、en、其他 ISO 639-1 代码，或 unknown（无文字）。",
    ),
    "p_positive": Column(
        "float64",
        "Probability the comment is positive (Chinese: the shipped model; English: VADER's "
        "compound score on 0-1; other languages 0.5).",
        "评论为正面的概率（中文：内置模型；英文：VADER 综合分映射到 0-1；其他语言为 0.5）。",
        unit="probability",
    ),
    "label": Column("string", "Sentiment: positive, negative or neutral.", "情感倾向：positive、negative 或 neutral。"),
    "themes": Column(
        "string",
        "Themes of the comment, comma-separated codes (logistics,price); a data-driven "
        "topic (topic_1 …) or other when no dictionary theme matches.",
        "评论涉及的主题代码，逗号分隔（logistics,price）；未命中词典主题时为数据发现的话题（topic_1 …）或 other。",
    ),
}  # fmt: skip

ANALYSES = [
    Analysis(
        "feedback_scored",
        subset="members",
        requires=("feedback",),
        build=_build,
        settings=(FEEDBACK_THEME_KEYWORDS, FEEDBACK_TOPICS),
        description="Each feedback comment's language, sentiment (p_positive, label) and themes.",
        columns=COLUMNS,
    )
]
