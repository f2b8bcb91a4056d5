"""Vega-Lite charts (Altair) of the BTYD models and their holdout validation.

Four charts, each built from a small frame (tens to a few thousand rows) so that the
spec carries its data inline and renders the same in a notebook, the web page and,
as static SVG, the PDF report:

* :func:`p_alive_matrix`: P(alive) over frequency × recency for customers of one age
  (:func:`p_alive_grid` makes the frame from a fitted model);
* :func:`calibration_vs_holdout`: mean holdout purchases per calibration-frequency
  bucket, actual vs predicted (``HoldoutEvaluation.buckets``);
* :func:`cumulative_tracking_chart`: cumulative repeat purchases over calendar time
  (:func:`clientlens.models.validation.cumulative_tracking`);
* :func:`repeat_purchase_distribution`: customers by number of repeat purchases,
  actual vs expected (:func:`clientlens.models.validation.repeat_purchase_counts`).

Titles and axis labels are in Chinese or English (``lang``), from the ``chart.*`` texts of
:mod:`clientlens.text`. Altair is in the
``report`` extra and imported only when a chart is built.

>>> import pandas as pd
>>> buckets = pd.DataFrame({"frequency_bucket": [0, 1], "bucket_label": ["0", "1+"],
...                         "actual_mean": [0.2, 1.5], "predicted_mean": [0.25, 1.4]})
>>> spec = calibration_vs_holdout(buckets, lang="en").to_dict()
>>> spec["encoding"]["x"]["field"], len(spec["data"]["values"])
('bucket_label', 4)
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from clientlens.errors import ConfigError, DataContractError, require
from clientlens.text import text


def _alt() -> Any:
    return require("altair", extra="report", feature="CLV model charts")


def _t(key: str, lang: str, **values: Any) -> str:
    """The chart text ``chart.<key>`` of the catalog; an unsupported ``lang`` is a ConfigError."""
    return text(lang, f"chart.{key}", **values)


def _values(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready records (dates as ISO strings), inlined in the spec."""
    return list(json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False)))


def _need(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataContractError(
            f"{what} needs the columns {missing}; the frame has {list(frame.columns)}."
        )


def p_alive_grid(
    model: Any,
    *,
    T: float,
    max_frequency: int = 20,
    recency_steps: int = 40,
) -> pd.DataFrame:
    """P(alive) for customers of age ``T`` over a grid of frequency and recency.

    Only possible histories are included: a customer with no repeat purchase has
    recency 0, and ``frequency`` repeat purchase days need a recency of at least
    ``frequency`` (summaries counted in days).

    Parameters
    ----------
    model
        A fitted model with ``probability_alive(data)`` (BG/NBD, Pareto/NBD, MBG/NBD).
    T
        Age of the customers, in the model's data unit (days for ClientLens summaries).
    max_frequency
        Highest frequency row of the grid.
    recency_steps
        Number of recency cells from 0 to ``T``.

    Returns
    -------
    pandas.DataFrame
        ``frequency, recency, recency_end, p_alive`` (a cell spans recency..recency_end).
    """
    if T <= 0 or max_frequency < 0 or recency_steps < 1:
        raise ConfigError(
            "p_alive_grid needs T > 0, max_frequency >= 0 and recency_steps >= 1; got "
            f"T={T}, max_frequency={max_frequency}, recency_steps={recency_steps}."
        )
    edges = np.linspace(0.0, float(T), recency_steps + 1)
    width = edges[1] - edges[0]
    rows = [(0.0, 0.0)]
    for f in range(1, max_frequency + 1):
        rows.extend((float(f), float(r)) for r in edges if r >= f)
    grid = pd.DataFrame(rows, columns=["frequency", "recency"])
    grid.insert(0, "customer_id", np.arange(len(grid)))
    grid["T"] = float(T)
    alive = model.probability_alive(grid[["customer_id", "frequency", "recency", "T"]])
    grid["p_alive"] = alive.set_index("customer_id")["p_alive"].reindex(grid["customer_id"]).values
    grid["recency_end"] = np.minimum(grid["recency"] + width, float(T))
    # A one-time buyer's cell spans the first recency step so it stays visible.
    grid.loc[grid["frequency"] == 0, "recency_end"] = width
    return grid[["frequency", "recency", "recency_end", "p_alive"]]


def p_alive_matrix(grid: pd.DataFrame, *, T: float, lang: str = "en") -> Any:
    """Heat map of P(alive): frequency (rows, highest on top) × recency (columns).

    ``grid`` is :func:`p_alive_grid`'s frame; ``T`` the customers' age in days.
    """
    _need(grid, ["frequency", "recency", "recency_end", "p_alive"], "p_alive_matrix")
    alt = _alt()
    return (
        alt.Chart(alt.Data(values=_values(grid)), title=_t("p_alive_title", lang, age=T))
        .mark_rect()
        .encode(
            x=alt.X("recency:Q", title=_t("recency", lang)),
            x2="recency_end:Q",
            y=alt.Y("frequency:O", title=_t("frequency", lang), sort="descending"),
            color=alt.Color(
                "p_alive:Q",
                title=_t("p_alive", lang),
                scale=alt.Scale(domain=[0, 1], scheme="redyellowgreen"),
            ),
            tooltip=[
                alt.Tooltip("frequency:O", title=_t("frequency", lang)),
                alt.Tooltip("recency:Q", title=_t("recency", lang), format=".0f"),
                alt.Tooltip("p_alive:Q", title=_t("p_alive", lang), format=".1%"),
            ],
        )
    )


def _long(frame: pd.DataFrame, keys: list[str], series: dict[str, str], lang: str) -> pd.DataFrame:
    """Wide columns → (series code, localised label, value) rows, one per key and series."""
    parts = []
    for column, code in series.items():
        part = frame[keys].copy()
        part["series"] = code
        part["series_label"] = _t(code, lang)
        part["value"] = frame[column].astype(float)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def calibration_vs_holdout(buckets: pd.DataFrame, *, lang: str = "en") -> Any:
    """Lines of actual and predicted mean holdout purchases per calibration-frequency bucket.

    ``buckets`` is ``evaluate_holdout(...).buckets`` (``frequency_bucket, bucket_label,
    actual_mean, predicted_mean``); Fader, Hardie & Lee (2005), figure 4.
    """
    _need(
        buckets,
        ["frequency_bucket", "bucket_label", "actual_mean", "predicted_mean"],
        "calibration_vs_holdout",
    )
    alt = _alt()
    ordered = buckets.sort_values("frequency_bucket")
    long = _long(
        ordered,
        ["frequency_bucket", "bucket_label"],
        {"actual_mean": "actual", "predicted_mean": "predicted"},
        lang,
    )
    return (
        alt.Chart(alt.Data(values=_values(long)), title=_t("holdout_title", lang))
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "bucket_label:O",
                title=_t("calibration_frequency", lang),
                sort=ordered["bucket_label"].tolist(),
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("value:Q", title=_t("holdout_purchases", lang)),
            color=alt.Color("series_label:N", title=_t("series", lang)),
            strokeDash=alt.StrokeDash("series_label:N", title=_t("series", lang)),
            tooltip=["bucket_label:O", "series_label:N", alt.Tooltip("value:Q", format=".3f")],
        )
    )


def cumulative_tracking_chart(
    track: pd.DataFrame, *, lang: str = "en", calibration_end: Any = None
) -> Any:
    """Actual and predicted cumulative repeat purchases by period end date.

    ``track`` is :func:`clientlens.models.validation.cumulative_tracking`'s frame. With
    ``calibration_end``, a vertical rule marks where the holdout begins.
    """
    _need(track, ["period_end", "actual", "predicted"], "cumulative_tracking_chart")
    alt = _alt()
    long = _long(
        track.assign(period_end=pd.to_datetime(track["period_end"]).dt.strftime("%Y-%m-%d")),
        ["period_end"],
        {"actual": "actual", "predicted": "predicted"},
        lang,
    )
    lines = (
        alt.Chart(alt.Data(values=_values(long)), title=_t("tracking_title", lang))
        .mark_line()
        .encode(
            x=alt.X("period_end:T", title=_t("date", lang)),
            y=alt.Y("value:Q", title=_t("cumulative", lang)),
            color=alt.Color("series_label:N", title=_t("series", lang)),
            strokeDash=alt.StrokeDash("series_label:N", title=_t("series", lang)),
            tooltip=["period_end:T", "series_label:N", alt.Tooltip("value:Q", format=",.1f")],
        )
    )
    if calibration_end is None:
        return lines
    end = pd.Timestamp(calibration_end).strftime("%Y-%m-%d")
    rule = (
        alt.Chart(alt.Data(values=[{"date": end, "label": _t("calibration_end", lang)}]))
        .mark_rule(strokeDash=[4, 4], color="#777")
        .encode(x="date:T", tooltip=["label:N"])
    )
    return alt.layer(lines, rule)


def repeat_purchase_distribution(counts: pd.DataFrame, *, lang: str = "en") -> Any:
    """Grouped bars: customers by number of repeat purchases, actual vs model-expected.

    ``counts`` has ``frequency_bucket, bucket_label, actual, expected`` (customers), as
    :func:`clientlens.models.validation.repeat_purchase_counts` returns.
    """
    _need(
        counts,
        ["frequency_bucket", "bucket_label", "actual", "expected"],
        "repeat_purchase_distribution",
    )
    alt = _alt()
    ordered = counts.sort_values("frequency_bucket")
    long = _long(
        ordered,
        ["frequency_bucket", "bucket_label"],
        {"actual": "actual", "expected": "expected"},
        lang,
    )
    return (
        alt.Chart(alt.Data(values=_values(long)), title=_t("distribution_title", lang))
        .mark_bar()
        .encode(
            x=alt.X(
                "bucket_label:O",
                title=_t("frequency", lang),
                sort=ordered["bucket_label"].tolist(),
                axis=alt.Axis(labelAngle=0),
            ),
            xOffset=alt.XOffset("series_label:N"),
            y=alt.Y("value:Q", title=_t("customers", lang)),
            color=alt.Color("series_label:N", title=_t("series", lang)),
            tooltip=["bucket_label:O", "series_label:N", alt.Tooltip("value:Q", format=",.1f")],
        )
    )
