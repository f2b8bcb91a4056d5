"""Drill maps: which customer-list filter a chart mark's text stands for.

Charts carry the words for codes (a segment's name, a risk band's label), so each map
goes from those words, in the page's language, to the filter that lists the customers
behind the mark. A label that starts with a band's fixed words (before its numbers)
matches too, for the maps that say so (``PREFIX`` in them): ``High risk (p_alive < 30%)``
→ ``risk_band=high``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clientlens.text import catalog, value_text

PREFIX = "_prefix"
"""In a map's filter: the words match a mark's text that starts with them."""
PROFILE_FILTERS = {"province": "region", "city": "region", "acquisition_channel": "channel"}


def segments(ctx: Any) -> dict[str, dict[str, str]]:
    from clientlens.analytics.segments.segments_catalog import SCHEMES

    c = catalog(ctx.lang)
    return {
        c.name(f"segment.{scheme}", s.code): {"segment": s.code}
        for scheme, members in SCHEMES.items()
        for s in members
    }


def risk_bands(ctx: Any) -> dict[str, dict[str, str]]:
    c = catalog(ctx.lang)
    out = {}
    for band in ("high", "medium", "low"):
        words = c.template(f"churn.band.{band}").split("{")[0].strip(" (（")
        out[words] = {"risk_band": band, PREFIX: "1"}
    return out


def profile_groups(ctx: Any) -> dict[str, dict[str, str]]:
    """Province, city and channel groups of ``profile_distribution``, as the charts write
    them (English names in English) → the region or channel filter with the stored value."""
    if not ctx.has("profile_distribution"):
        return {}
    t = ctx.results.table("profile_distribution")
    t = t.filter(t.dimension.isin(list(PROFILE_FILTERS))).select("dimension", "group")
    out: dict[str, dict[str, str]] = {}
    for dimension, group in t.to_pandas().itertuples(index=False):
        out[str(value_text(ctx.lang, group, kind=dimension))] = {
            PROFILE_FILTERS[dimension]: str(group)
        }
    return out


def combined(
    *makers: Callable[[Any], dict[str, dict[str, str]]],
) -> Callable[[Any], dict[str, dict[str, str]]]:
    def drill(ctx: Any) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for make in makers:
            out.update(make(ctx))
        return out

    return drill
