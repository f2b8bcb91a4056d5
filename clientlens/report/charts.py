"""Vega-Lite chart specs (built with Altair) and their static SVG for the PDF.

Every chart takes a small, already aggregated frame: sections hand over the rows of a
summary result (tens of rows), never a customer table. Specs carry their data inline, so
the HTML needs no network; the SVG is rendered by vl-convert with the Noto CJK fonts
registered, so Chinese labels render as glyphs, not boxes.

>>> import pandas as pd
>>> from clientlens.report.charts import bar
>>> spec = bar(pd.DataFrame({"k": ["a", "b"], "v": [1, 2]}), "k", "v", "", "count", lang="en")
>>> spec["mark"]["type"]
'bar'
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from clientlens.errors import require
from clientlens.report.fmt import UNITS

FONT = "Noto Sans CJK SC"
FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/truetype/noto"))
WIDTH = 560
HEIGHT = 240
PALETTE = ["#2f5d8a", "#e07b39", "#5b9a68", "#c44e52", "#8172b2", "#937860", "#64b5cd", "#999"]


def _alt() -> Any:
    return require("altair", extra="report", feature="Report charts")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))


def money_label_expr(lang: str, symbol: str = "") -> str:
    """Axis labels in 万/亿 (zh) or K/M/B (en) — d3's SI prefixes are wrong for money."""
    steps = []
    for size, unit in UNITS[lang]:
        power = f"1e{round(math.log10(size))}"
        steps.append(
            f"abs(datum.value) >= {power} ? '{symbol}' + format(datum.value / {power}, "
            f"',.4~r') + '{unit}' : "
        )
    return "".join(steps) + f"'{symbol}' + format(datum.value, ',')"


def _axis(kind: str, title: str, lang: str, symbol: str = "") -> Any:
    alt = _alt()
    if kind == "money":
        return alt.Axis(title=title, labelExpr=money_label_expr(lang, symbol))
    if kind == "rate":
        return alt.Axis(title=title, format=".0%")
    return alt.Axis(title=title, format=",~r" if kind == "count" else "~r")


def _finish(chart: Any, height: int = HEIGHT) -> dict[str, Any]:
    spec: dict[str, Any] = chart.properties(width=WIDTH, height=height).to_dict()
    spec.pop("$schema", None)  # a URL the report never fetches; keep output URL-free
    spec["config"] = {
        "font": FONT,
        "axis": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 11},
        "legend": {"labelFont": FONT, "titleFont": FONT},
        "title": {"font": FONT},
        "view": {"stroke": None},
        "range": {"category": PALETTE},
    }
    return spec


def bar(
    frame: pd.DataFrame,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    *,
    lang: str,
    kind: str = "count",
    symbol: str = "",
    horizontal: bool = False,
    sort: list[str] | None = None,
    color: str | None = None,
    colors: list[str] | None = None,
    label_angle: int = 0,
) -> dict[str, Any]:
    """Bars of ``y`` by category ``x`` (in ``sort`` order, else as given); ``colors`` gives
    one colour per category of ``color`` in ``sort`` order (risk bands: red to green)."""
    alt = _alt()
    order = sort if sort is not None else list(frame[x].astype(str))
    cat = alt.X(
        f"{x}:N", title=x_title, sort=order, axis=alt.Axis(labelAngle=label_angle, labelLimit=140)
    )
    val = alt.Y(f"{y}:Q", axis=_axis(kind, y_title, lang, symbol))
    if horizontal:
        cat = alt.Y(f"{x}:N", title=x_title, sort=order, axis=alt.Axis(labelLimit=180))
        val = alt.X(f"{y}:Q", axis=_axis(kind, y_title, lang, symbol))
    enc: dict[str, Any] = {"tooltip": [f"{x}:N", alt.Tooltip(f"{y}:Q", format=",.4~r")]}
    if color:
        scale = alt.Scale(domain=order, range=colors) if colors else alt.Scale(range=PALETTE)
        enc["color"] = alt.Color(f"{color}:N", legend=None, scale=scale)
    chart = (
        alt.Chart(alt.Data(values=_records(frame)))
        .mark_bar(color=PALETTE[0])
        .encode(
            **({"y": cat, "x": val} if horizontal else {"x": cat, "y": val}),
            **enc,
        )
    )
    height = max(HEIGHT, 22 * len(frame)) if horizontal else HEIGHT
    return _finish(chart, height)


def line(
    frame: pd.DataFrame,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    *,
    lang: str,
    kind: str = "count",
    symbol: str = "",
    color: str | None = None,
    color_title: str = "",
    x_type: str = "O",
) -> dict[str, Any]:
    """A trend of ``y`` over ``x`` (months as ordinal labels), one line per ``color``."""
    alt = _alt()
    enc: dict[str, Any] = {
        "x": alt.X(f"{x}:{x_type}", title=x_title, axis=alt.Axis(labelAngle=-45)),
        "y": alt.Y(f"{y}:Q", axis=_axis(kind, y_title, lang, symbol)),
        "tooltip": [f"{x}:{x_type}", alt.Tooltip(f"{y}:Q", format=",.4~r")],
    }
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=color_title, legend=alt.Legend(orient="top"))
    chart = alt.Chart(alt.Data(values=_records(frame))).mark_line(point=True).encode(**enc)
    return _finish(chart)


def heatmap(
    frame: pd.DataFrame,
    x: str,
    y: str,
    value: str,
    x_title: str,
    y_title: str,
    value_title: str,
    *,
    kind: str = "rate",
    labels: bool = True,
    y_sort: list[str] | None = None,
) -> dict[str, Any]:
    """A grid (cohort × month index) coloured by ``value``, the value written in the cells
    unless ``labels`` is false (dense grids such as weekday × hour)."""
    alt = _alt()
    fmt = ".0%" if kind == "rate" else ",.0f"
    base = alt.Chart(alt.Data(values=_records(frame))).encode(
        x=alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:O", title=y_title, sort=y_sort, axis=alt.Axis(labelLimit=200)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            f"{value}:Q", title=value_title, scale=alt.Scale(scheme="blues"), legend=None
        ),
        tooltip=[f"{y}:O", f"{x}:O", alt.Tooltip(f"{value}:Q", format=fmt)],
    )
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text(f"{value}:Q", format=fmt),
        color=alt.condition(f"datum.{value} > 0.5", alt.value("white"), alt.value("#333")),
    )
    rows = frame[y].nunique()
    layers = alt.layer(cells, text) if labels else cells
    return _finish(layers, height=max(160, 24 * rows))


def pareto(
    frame: pd.DataFrame, x: str, y: str, x_title: str, y_title: str, *, marks: pd.DataFrame
) -> dict[str, Any]:
    """The cumulative share curve with the equality line and marked points (top 20% …)."""
    alt = _alt()
    curve = (
        alt.Chart(alt.Data(values=_records(frame)))
        .mark_line(color=PALETTE[0])
        .encode(
            x=alt.X(f"{x}:Q", title=x_title, axis=alt.Axis(format=".0%")),
            y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=".0%")),
        )
    )
    diagonal = (
        alt.Chart(alt.Data(values=[{x: 0, y: 0}, {x: 1, y: 1}]))
        .mark_line(color="#aaa", strokeDash=[4, 4])
        .encode(x=f"{x}:Q", y=f"{y}:Q")
    )
    points = alt.Chart(alt.Data(values=_records(marks))).encode(x=f"{x}:Q", y=f"{y}:Q")
    dots = points.mark_point(color=PALETTE[1], filled=True, size=50)
    text = points.mark_text(align="left", dx=6, dy=8, fontSize=10).encode(text="label:N")
    return _finish(alt.layer(curve, diagonal, dots, text))


@cache
def _register_fonts() -> None:
    vlc = require("vl_convert", extra="report", feature="Static report charts")
    for directory in FONT_DIRS:
        if directory.is_dir():
            vlc.register_font_directory(str(directory))


def to_svg(spec: dict[str, Any]) -> str:
    """The chart as a static SVG string (for the PDF)."""
    vlc = require("vl_convert", extra="report", feature="Static report charts")
    _register_fonts()
    return str(vlc.vegalite_to_svg(spec))


@cache
def javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one script, inlined into the HTML (no CDN)."""
    vlc = require("vl_convert", extra="report", feature="The HTML report")
    return str(vlc.javascript_bundle())


def grouped_bar(
    frame: pd.DataFrame,
    category: str,
    value: str,
    group: str,
    category_title: str,
    value_title: str,
    *,
    sort: list[str],
    kind: str = "rate",
) -> dict[str, Any]:
    """Horizontal bars per ``category``, one bar per ``group`` side by side (share vs share)."""
    alt = _alt()
    chart = (
        alt.Chart(alt.Data(values=_records(frame)))
        .mark_bar()
        .encode(
            y=alt.Y(
                f"{category}:N", title=category_title, sort=sort, axis=alt.Axis(labelLimit=180)
            ),
            x=alt.X(f"{value}:Q", axis=_axis(kind, value_title, "en")),
            yOffset=alt.YOffset(f"{group}:N"),
            color=alt.Color(f"{group}:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[f"{category}:N", f"{group}:N", alt.Tooltip(f"{value}:Q", format=".1%")],
        )
    )
    return _finish(chart, height=max(HEIGHT, 30 * frame[category].nunique()))


def stacked_bar(
    frame: pd.DataFrame,
    x: str,
    y: str,
    stack: str,
    x_title: str,
    y_title: str,
    *,
    order: list[str],
) -> dict[str, Any]:
    """Bars over ``x`` (months) stacked by ``stack`` in ``order`` (lifecycle stages)."""
    alt = _alt()
    chart = (
        alt.Chart(alt.Data(values=_records(frame)))
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y(f"{y}:Q", title=y_title, stack="zero", axis=alt.Axis(format=",~r")),
            color=alt.Color(f"{stack}:N", title=None, sort=order, legend=alt.Legend(orient="top")),
            order=alt.Order("stage_order:Q"),
            tooltip=[f"{x}:O", f"{stack}:N", alt.Tooltip(f"{y}:Q", format=",")],
        )
    )
    return _finish(chart)


def interval_line(
    frame: pd.DataFrame,
    x: str,
    y: str,
    low: str,
    high: str,
    x_title: str,
    y_title: str,
    *,
    lang: str,
    kind: str = "number",
    marked: str | None = None,
) -> dict[str, Any]:
    """A trend of ``y`` with its interval ``low``..``high`` as a band; rows where the
    boolean column ``marked`` is true (a significant change) get a filled dot."""
    alt = _alt()
    base = alt.Chart(alt.Data(values=_records(frame))).encode(
        x=alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=-45))
    )
    band = base.mark_area(opacity=0.18, color=PALETTE[0]).encode(
        y=alt.Y(f"{low}:Q", axis=_axis(kind, y_title, lang)), y2=f"{high}:Q"
    )
    trend = base.mark_line(point=True, color=PALETTE[0]).encode(
        y=f"{y}:Q", tooltip=[f"{x}:O", alt.Tooltip(f"{y}:Q", format=",.4~r")]
    )
    layers = [band, trend]
    if marked:
        dots = base.transform_filter(f"datum.{marked}").mark_point(
            filled=True, size=90, color=PALETTE[1]
        )
        layers.append(dots.encode(y=f"{y}:Q"))
    return _finish(alt.layer(*layers))


def share_bars(
    frame: pd.DataFrame,
    x: str,
    share: str,
    part: str,
    x_title: str,
    y_title: str,
    *,
    order: list[str],
    colors: list[str],
) -> dict[str, Any]:
    """Bars over ``x`` (months) splitting 100% into ``part`` (promoters, passives,
    detractors) in ``order``, each part its colour; ``part_order`` gives the stacking."""
    alt = _alt()
    chart = (
        alt.Chart(alt.Data(values=_records(frame)))
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y(f"{share}:Q", title=y_title, stack="zero", axis=alt.Axis(format=".0%")),
            color=alt.Color(
                f"{part}:N",
                title=None,
                sort=order,
                scale=alt.Scale(domain=order, range=colors),
                legend=alt.Legend(orient="top"),
            ),
            order=alt.Order("part_order:Q"),
            tooltip=[f"{x}:O", f"{part}:N", alt.Tooltip(f"{share}:Q", format=".1%")],
        )
    )
    return _finish(chart)
