"""The shape every analysis shares.

An analysis is a pure function from Ibis tables to one Ibis table. It is declared
once as an :class:`Analysis` so that ``clientlens analyze`` can find it, know which
inputs it needs, skip it with a reason when they are missing, and materialise its
result under a stable name. Nothing here executes a query: the workspace does that
at the edge.

Inputs handed to ``build``:

* canonical tables by name (``"orders"``, ``"customers"``, ...), already cut to the
  ``as_of`` date; ``"orders"`` holds completed orders only (refunded and cancelled
  orders are left out, as revenue is defined in the glossary);
* earlier analyses' results by their result names, so one analysis can build on
  another (``requires=("orders", "rfm_scores")``).

Every tunable is a keyword argument of the pure function with a default; the
``build`` wrapper reads it from :class:`AnalysisContext.settings`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd


@dataclass(frozen=True)
class AnalysisContext:
    """What an analysis may know besides its input tables."""

    observation_end: dt.date
    """Last day of data used (the ``--as-of`` date, or the last order date)."""
    settings: Mapping[str, Any] = field(default_factory=dict)

    def setting(self, name: str, default: Any) -> Any:
        return self.settings.get(name, default)


UNITS: Mapping[str, str] = {
    "": "no unit (identifiers, codes, names, flags)",
    "currency": "an amount in the workspace currency",
    "days": "a number of days",
    "hours": "a number of hours",
    "years": "a number of years",
    "count": "a number of customers, orders or other things",
    "share": "a share or rate between 0 and 1",
    "score": "a score on a stated scale (RFM score, NPS points)",
    "ratio": "a ratio of two amounts (CLV:CAC, lift)",
    "probability": "a probability between 0 and 1",
}
"""Units a result column may declare."""


@dataclass(frozen=True)
class Column:
    """The declaration of one result column: the contract readers rely on.

    Parameters
    ----------
    type
        Ibis data type of the stored column (``"string"``, ``"int64"``, ``"float64"``,
        ``"boolean"``, ``"date"``, ``"timestamp"``); a test checks every materialised
        result against it.
    en, zh
        What the column means, in a business user's words, in English and Chinese.
    unit
        One of :data:`UNITS`.
    pii
        True when the column holds personal data (names, phones, emails, addresses):
        the dashboard masks it for viewers and pseudonymised exports hash or mask it.
    """

    type: str
    en: str
    zh: str
    unit: str = ""
    pii: bool = False


Builder = Callable[[Mapping[str, ir.Table], AnalysisContext], "ir.Table | pd.DataFrame"]
"""Returns an Ibis expression (run in the engine), or a pandas frame for Python-side
steps such as model fitting, which work on small per-customer summaries."""


@dataclass(frozen=True)
class Analysis:
    """One result table and how to build it.

    Parameters
    ----------
    name
        Name of the result table (``rfm_segments``); stable, documented in docs/analyses.md.
    requires
        Canonical tables or earlier results that must exist; when one is missing the
        analysis is skipped and the reason is reported.
    build
        ``build(inputs, context) -> ibis.Table``.
    optional
        Inputs used when present (``inputs`` then contains them) and ignored otherwise.
    description
        One line for ``clientlens analyze`` and the docs.
    columns
        The result's columns, in order, each with its meaning in a business user's
        words. docs/analyses.md is generated from this (``clientlens analyses
        --markdown``) and a test checks every materialised result against it. Plain
        strings are the older form of a meaning; new analyses declare :class:`Column`.
    """

    name: str
    requires: tuple[str, ...]
    build: Builder
    optional: tuple[str, ...] = ()
    description: str = ""
    columns: Mapping[str, str | Column] = field(default_factory=dict)


def meaning(column: str | Column) -> str:
    """The English meaning of a declared column, whichever form it was declared in."""
    return column.en if isinstance(column, Column) else column


def as_table(data: Any) -> ir.Table:
    """Accept an Ibis table or a pandas / polars / pyarrow frame and return an Ibis table."""
    if isinstance(data, ir.Table):
        return data
    return ibis.memtable(data)


def to_date(value: Any) -> dt.date:
    """Turn a date-like value (date, datetime, pandas Timestamp, ISO string) into a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    return dt.date.fromisoformat(str(value)[:10])
