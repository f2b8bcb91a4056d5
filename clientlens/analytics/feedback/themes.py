"""``feedback_themes``: each theme's volume, sentiment, trend, keywords and quotes.

One row per theme found in ``feedback_scored`` (dictionary themes, custom themes, the
data-driven topics, and ``other`` for comments none claims), largest first. A comment
naming two themes counts in both, so shares can sum to more than 1.

* ``volume`` and ``share``: comments naming the theme, and their share of all comments;
* sentiment: the mean ``p_positive`` and the shares labelled positive and negative;
* trend: the theme's share of the comments of the last three complete months against
  the three before (``share_change_pp``, percentage points), and the negative share of
  the same two windows; month by month in ``feedback_theme_months``;
* ``keywords``: the theme's most distinctive words (class-based TF-IDF,
  :func:`clientlens.nlp.themes.theme_keywords`);
* quotes: the most representative negative, positive and neutral comment (the one
  holding most of the theme's keywords, then the most repeated), with personal data
  masked — phones, emails and introduced names in the comment already, and the
  writer's own name (``customers.name``) here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column
from clientlens.analytics.feedback.scored import FEEDBACK_THEME_KEYWORDS
from clientlens.analytics.periods import last_complete_month_index, python_month_index
from clientlens.lazy import ir, np, pd
from clientlens.nlp import themes as nlp_themes
from clientlens.privacy import mask_text

KEYWORD_SAMPLE = 20_000
"""Distinct comments per theme its keywords are computed from (a seeded sample)."""
QUOTE_CANDIDATES = 300
"""Most repeated distinct comments per theme and label a quote is chosen among."""
QUOTE_LENGTH = (4, 140)
"""Characters a quote may have: shorter says nothing, longer is not a quote."""
WINDOW_MONTHS = 3


def explode_themes(scored: pd.DataFrame) -> pd.DataFrame:
    """``scored`` with one row per comment and theme (column ``theme``), in the order of
    ``scored`` and of each comment's themes.

    The theme lists are split once per distinct list (a few hundred at most), not once
    per comment: at a million comments ``str.split`` and ``explode`` took seconds.
    """
    codes, lists = pd.factorize(scored["themes"], use_na_sentinel=False)
    parts = [v.split(",") if isinstance(v, str) else [np.nan] for v in lists]
    lengths = np.array([len(p) for p in parts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    flat = np.array([t for p in parts for t in p], dtype=object)
    per_row = lengths[codes]
    rows = np.repeat(np.arange(len(scored)), per_row)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    out = scored.iloc[rows].reset_index(drop=True)
    out["theme"] = flat[starts[codes][rows] + within]
    return out


def theme_source(code: str, custom: Mapping[str, Any]) -> str:
    """dictionary, custom, discovered or none."""
    if code in custom:
        return "custom"
    if code in nlp_themes.THEMES:
        return "dictionary"
    if code.startswith(nlp_themes.DISCOVERED_PREFIX):
        return "discovered"
    return "none"


def _windows(observation_end: dt.date) -> tuple[int, int]:
    last = last_complete_month_index(observation_end)
    return last - WINDOW_MONTHS + 1, last


def _quote(group: pd.DataFrame, keywords: list[str]) -> tuple[str, str] | None:
    """The group's representative comment and the customer who wrote it (unmasked)."""
    lengths = group["comment"].str.len()
    group = group[(lengths >= QUOTE_LENGTH[0]) & (lengths <= QUOTE_LENGTH[1])]
    if group.empty:
        return None
    counts = group.groupby("comment", sort=False).agg(
        n=("customer_id", "size"), customer_id=("customer_id", "first")
    )
    counts = counts.nlargest(QUOTE_CANDIDATES, "n")
    lower = counts.index.str.lower()
    held = sum(lower.str.contains(k, regex=False).astype(int) for k in keywords) if keywords else 0
    rank = pd.DataFrame({"held": held, "n": counts["n"].to_numpy()}, index=counts.index)
    best = rank.sort_values(["held", "n"], ascending=False, kind="stable").index[0]
    return str(best), str(counts.loc[best, "customer_id"])


def feedback_themes(
    scored: pd.DataFrame,
    *,
    observation_end: dt.date,
    custom_keywords: str = "",
    names: Mapping[str, str] | Callable[[list[str]], Mapping[str, str]] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """The theme table of a ``feedback_scored`` frame (see the module docstring).

    ``names``: customer_id → name, masked wherever it occurs in a quote; or a function
    that gives that mapping for the ids of the quotes' authors (asked once, for the few
    customers quoted).
    """
    custom = nlp_themes.ThemeKeywords(custom_keywords).themes()
    long = explode_themes(scored)
    total = len(scored)
    month = pd.to_datetime(long["date"])
    long["_m"] = month.dt.year * 12 + month.dt.month - 1
    all_m = pd.to_datetime(scored["date"])
    all_index = (all_m.dt.year * 12 + all_m.dt.month - 1).to_numpy()
    first_recent, last = _windows(observation_end)
    recent_total = int(((all_index >= first_recent) & (all_index <= last)).sum())
    prior_total = int(
        ((all_index >= first_recent - WINDOW_MONTHS) & (all_index < first_recent)).sum()
    )
    rng = np.random.default_rng(seed)
    groups: dict[str, list[str]] = {}
    weights: dict[str, list[int]] = {}
    for key, g in long.groupby("theme", sort=True):
        theme = str(key)
        counts = g["comment"].value_counts()
        if len(counts) > KEYWORD_SAMPLE:
            counts = counts.iloc[np.sort(rng.choice(len(counts), KEYWORD_SAMPLE, replace=False))]
        groups[theme], weights[theme] = list(counts.index), counts.to_list()
    keywords = nlp_themes.theme_keywords(groups, weights)
    rows: list[dict[str, Any]] = []
    picked: list[dict[str, tuple[str, str] | None]] = []  # each row's quotes and their authors
    for key, g in long.groupby("theme", sort=True):
        theme = str(key)
        recent = g[(g["_m"] >= first_recent) & (g["_m"] <= last)]
        prior = g[(g["_m"] >= first_recent - WINDOW_MONTHS) & (g["_m"] < first_recent)]
        share_recent = len(recent) / recent_total if recent_total else math.nan
        share_prior = len(prior) / prior_total if prior_total else math.nan
        words = keywords.get(theme, [])
        rows.append(
            {
                "theme": theme,
                "source": theme_source(theme, custom),
                "keywords": ", ".join(words),
                "volume": len(g),
                "share": len(g) / total,
                "customers": g["customer_id"].nunique(),
                "p_positive": float(g["p_positive"].mean()),
                "positive_share": float((g["label"] == "positive").mean()),
                "negative_share": float((g["label"] == "negative").mean()),
                "share_recent_3m": share_recent,
                "share_prior_3m": share_prior,
                "share_change_pp": 100 * (share_recent - share_prior),
                "negative_share_recent_3m": float((recent["label"] == "negative").mean())
                if len(recent)
                else math.nan,
                "negative_share_prior_3m": float((prior["label"] == "negative").mean())
                if len(prior)
                else math.nan,
            }
        )
        picked.append(
            {
                f"quote_{label}": _quote(g[g["label"] == label], words)
                for label in ("negative", "positive", "neutral")
            }
        )
    quoted = sorted({q[1] for p in picked for q in p.values() if q})
    known = names(quoted) if callable(names) else (names or {})
    for row, quotes in zip(rows, picked, strict=True):
        for column, q in quotes.items():
            name = known.get(q[1]) if q else None
            row[column] = mask_text(q[0], names=[name] if name else []) if q else None
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out = out.sort_values(["volume", "theme"], ascending=[False, True], kind="stable")
    for col, c in COLUMNS.items():
        if c.type == "int64":
            out[col] = out[col].astype("int64")
        elif c.type == "string":  # typed even when every quote is missing
            out[col] = out[col].astype("string")
    return out.reset_index(drop=True)


def _names(inputs: Mapping[str, ir.Table], ids: list[str]) -> dict[str, str]:
    """The names of the customers ``ids`` (the quotes' authors), read in one query."""
    customers = inputs.get("customers")
    if customers is None or "name" not in customers.columns or not ids:
        return {}
    named = customers.filter(customers.name.notnull() & customers.customer_id.isin(ids))
    frame = named.select("customer_id", "name").to_pandas()
    return dict(zip(frame["customer_id"].astype(str), frame["name"].astype(str), strict=True))


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    scored = inputs["feedback_scored"].to_pandas()
    return feedback_themes(
        scored,
        observation_end=ctx.observation_end,
        custom_keywords=ctx.setting("feedback_theme_keywords"),
        names=lambda ids: _names(inputs, ids),
    )


_ = python_month_index  # the month index of periods.py, which _m above spells in pandas

COLUMNS = {
    "theme": Column("string", "Theme code (logistics, quality …, a custom code, topic_1 …, other).", "主题代码（logistics、quality …、自定义代码、topic_1 …、other）。"),
    "source": Column("string", "Where the theme comes from: dictionary, custom, discovered (data-driven topic) or none (other).", "主题来源：dictionary（内置词典）、custom（自定义）、discovered（数据发现）或 none（其他）。"),
    "keywords": Column("string", "The theme's most distinctive words, comma-separated.", "该主题最具代表性的词，逗号分隔。"),
    "volume": Column("int64", "Comments naming the theme.", "提及该主题的评论数。", unit="count"),
    "share": Column("float64", "Share of all comments naming the theme.", "提及该主题的评论占全部评论的比例。", unit="share"),
    "customers": Column("int64", "Customers whose comments name the theme.", "评论提及该主题的客户数。", unit="count"),
    "p_positive": Column("float64", "Mean probability that a comment of the theme is positive.", "该主题评论为正面的平均概率。", unit="probability"),
    "positive_share": Column("float64", "Share of the theme's comments labelled positive.", "该主题评论中正面的比例。", unit="share"),
    "negative_share": Column("float64", "Share of the theme's comments labelled negative.", "该主题评论中负面的比例。", unit="share"),
    "share_recent_3m": Column("float64", "The theme's share of the comments of the last three complete months.", "最近三个完整月评论中该主题的占比。", unit="share"),
    "share_prior_3m": Column("float64", "The theme's share of the comments of the three months before those.", "再往前三个月评论中该主题的占比。", unit="share"),
    "share_change_pp": Column("float64", "share_recent_3m − share_prior_3m, in percentage points.", "最近三个月占比减去之前三个月占比（百分点）。", unit="points"),
    "negative_share_recent_3m": Column("float64", "Share of the theme's comments of the last three complete months labelled negative.", "最近三个完整月该主题评论中负面的比例。", unit="share"),
    "negative_share_prior_3m": Column("float64", "Share of the theme's comments of the three months before labelled negative.", "之前三个月该主题评论中负面的比例。", unit="share"),
    "quote_negative": Column("string", "A representative negative comment, personal data masked.", "有代表性的负面评论（个人信息已打码）。", pii=True),
    "quote_positive": Column("string", "A representative positive comment, personal data masked.", "有代表性的正面评论（个人信息已打码）。", pii=True),
    "quote_neutral": Column("string", "A representative neutral comment, personal data masked.", "有代表性的中性评论（个人信息已打码）。", pii=True),
}  # fmt: skip

ANALYSES = [
    Analysis(
        "feedback_themes",
        requires=("feedback_scored",),
        optional=("customers",),
        build=_build,
        settings=(FEEDBACK_THEME_KEYWORDS,),
        description="Each feedback theme's volume, sentiment, three-month trend, keywords and quotes.",
        columns=COLUMNS,
    )
]
