"""``feedback_theme_months``: each theme's comments and sentiment month by month.

One row per month with comments and per theme of ``feedback_scored`` (a theme with no
comment in a month has a row with volume 0), for the trend charts. ``share`` is of the
month's comments; ``is_complete`` is false for the month the observation end falls
inside, as in the KPI pack.
"""

from __future__ import annotations

from collections.abc import Mapping

from clientlens.analytics.base import Analysis, AnalysisContext, Column
from clientlens.analytics.feedback.themes import explode_themes
from clientlens.analytics.periods import last_complete_month_index
from clientlens.lazy import ir, np, pd


def feedback_theme_months(scored: pd.DataFrame, *, observation_end: object) -> pd.DataFrame:
    """The month-by-theme table of a ``feedback_scored`` frame."""
    import datetime as dt

    end = (
        observation_end
        if isinstance(observation_end, dt.date)
        else dt.date.fromisoformat(str(observation_end))
    )
    long = explode_themes(scored)
    date = pd.to_datetime(long["date"])
    long["_m"] = date.dt.year * 12 + date.dt.month - 1
    all_date = pd.to_datetime(scored["date"])
    totals = (all_date.dt.year * 12 + all_date.dt.month - 1).value_counts().sort_index()
    long["_negative"] = long["label"] == "negative"
    g = long.groupby(["_m", "theme"]).agg(
        volume=("customer_id", "size"),
        p_positive=("p_positive", "mean"),
        negative=("_negative", "mean"),
    )
    grid = pd.MultiIndex.from_product(
        [totals.index, sorted(long["theme"].unique())], names=["_m", "theme"]
    )
    g = g.reindex(grid).reset_index()
    g["volume"] = g["volume"].fillna(0).astype("int64")
    m = g["_m"].to_numpy()
    out = pd.DataFrame(
        {
            "month": [dt.date(int(i) // 12, int(i) % 12 + 1, 1) for i in m],
            "period_label": [f"{int(i) // 12:04d}-{int(i) % 12 + 1:02d}" for i in m],
            "is_complete": m <= last_complete_month_index(end),
            "theme": g["theme"].astype(str),
            "volume": g["volume"],
            "share": g["volume"] / totals.reindex(m).to_numpy(),
            "p_positive": g["p_positive"].astype(float),
            "negative_share": g["negative"].astype(float),
        }
    )
    return out.sort_values(["month", "theme"], kind="stable").reset_index(drop=True)


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> pd.DataFrame:
    t = inputs["feedback_scored"]
    frame = t.select("customer_id", "date", "p_positive", "label", "themes").to_pandas()
    return feedback_theme_months(frame, observation_end=ctx.observation_end)


_ = np

COLUMNS = {
    "month": Column("date", "First day of the month.", "月份第一天。"),
    "period_label": Column("string", "The month as YYYY-MM.", "月份，格式 YYYY-MM。"),
    "is_complete": Column("boolean", "Whether the month ended by the observation end.", "该月是否在观察截止日前结束。"),
    "theme": Column("string", "Theme code, as in feedback_themes.", "主题代码，同 feedback_themes。"),
    "volume": Column("int64", "Comments of the month naming the theme.", "当月提及该主题的评论数。", unit="count"),
    "share": Column("float64", "Share of the month's comments naming the theme.", "当月评论中提及该主题的比例。", unit="share"),
    "p_positive": Column("float64", "Mean probability positive of the month's comments of the theme; empty when none.", "当月该主题评论为正面的平均概率；无评论时为空。", unit="probability"),
    "negative_share": Column("float64", "Share of the month's comments of the theme labelled negative; empty when none.", "当月该主题评论中负面的比例；无评论时为空。", unit="share"),
}  # fmt: skip

ANALYSES = [
    Analysis(
        "feedback_theme_months",
        requires=("feedback_scored",),
        build=_build,
        description="Each feedback theme's comments, share and sentiment month by month.",
        columns=COLUMNS,
    )
]
