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

Every tunable is a keyword argument of the pure function, whose default is the
declared setting's; the analysis declares the setting (``settings=(Setting(...),)``)
and its ``build`` wrapper reads the value with ``context.setting(name)``, parsed to
the declared type, the declared default when the workspace does not set it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast

from clientlens import config
from clientlens.config import Setting
from clientlens.errors import ConfigError
from clientlens.lazy import dtypes, ibis, ir, ops, pd

if TYPE_CHECKING:
    from clientlens.models.store import ModelStore


@dataclass(frozen=True)
class AnalysisContext:
    """What an analysis may know besides its input tables."""

    observation_end: dt.date
    """Last day of data used (the ``--as-of`` date, or the last order date)."""
    settings: Mapping[str, Any] = field(default_factory=dict)
    """Setting values in force by name (the workspace's config values)."""
    declared: Mapping[str, Setting] | None = None
    """The settings :meth:`setting` may be asked for; None: every declared setting.
    :meth:`for_analysis` narrows it to one analysis's own and the core settings."""
    analysis: str = ""
    """The analysis this context was made for (by :meth:`for_analysis`), for messages."""
    models: ModelStore | None = None
    """The workspace's trained-model store (``clientlens analyze`` sets it): the analysis
    that trains a model stores it there, and the scoring analysis reads it back."""

    def for_analysis(self, analysis: Analysis) -> AnalysisContext:
        """This context for ``analysis``: it may read its declared settings and the core ones."""
        declared = {s.name: s for s in (*config.CORE_SETTINGS, *analysis.settings)}
        return replace(self, declared=declared, analysis=analysis.name)

    def setting(self, name: str) -> Any:
        """The value of setting ``name``, parsed to its declared type.

        The declared default when :attr:`settings` does not give it. Asking for a
        setting the analysis does not declare is a :class:`ConfigError`: every setting
        an analysis reads is in its declaration, so the docs and ``--set`` know it.
        """
        if self.declared is None:
            declared = config.setting(name)
        elif name in self.declared:
            declared = self.declared[name]
        else:
            raise ConfigError(
                f"Analysis {self.analysis!r} reads setting {name!r} but does not declare it: "
                "add it to the analysis's settings=(...)."
            )
        if name not in self.settings:
            return declared.default
        return declared.parse(self.settings[name], "analysis settings")


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
    "change": "a relative change, (this − that) / that: 环比 (mom), 同比 (yoy)",
    "points": "a difference in percentage points (rates) or in score points (NPS)",
    "percent": "a percentage: 100 × a share or a relative change (the name ends in _pct)",
    "per_row": "the unit differs by row; the row's unit or metric column says which",
}
"""Units a result column may declare."""


CANONICAL_TYPES = frozenset(
    {"string", "int64", "int32", "float64", "boolean", "date", "timestamp", "timestamp(6)"}
)
"""Column types in Ibis's own spelling, accepted without asking Ibis: declaring the
analyses (``clientlens analyses``, ``settings``) must not import it. A test checks each
against Ibis."""


@dataclass(frozen=True)
class Column:
    """The declaration of one result column: the contract readers rely on.

    Parameters
    ----------
    type
        Ibis data type of the stored column, as ``ws.table(name).schema()`` prints it
        (``"string"``, ``"int64"``, ``"float64"``, ``"boolean"``, ``"date"``,
        ``"timestamp(6)"``); whether it may be null is not part of the contract. A test
        checks every materialised result against it, on DuckDB and on PySpark.
    en, zh
        What the column means, in a business user's words, in English and Chinese.
    unit
        One of :data:`UNITS`.
    pii
        True when the column holds personal data (names, phones, emails, addresses):
        the dashboard masks it for viewers and pseudonymised exports hash or mask it.

    :meth:`Analysis.__post_init__` validates every declaration (see :meth:`problems`), so
    the message can name the analysis and the column.
    """

    type: str
    en: str
    zh: str
    unit: str = ""
    pii: bool = False

    @property
    def dtype(self) -> dtypes.DataType:
        """The declared type as an Ibis data type (nullable, as stored results are)."""
        return dtypes.dtype(self.type).copy(nullable=True)

    def matches(self, stored: dtypes.DataType) -> bool:
        """Whether a stored column's type is the declared one, ignoring nullability.

        A timestamp declared without a precision matches one of any precision: DuckDB
        reports ``timestamp(6)`` where Spark reports ``timestamp`` for the same values.
        """
        declared = self.dtype
        have = stored.copy(nullable=True)
        if declared.is_timestamp() and have.is_timestamp() and declared.scale is None:
            return declared.timezone == have.timezone
        return have == declared

    def problems(self) -> list[str]:
        """What is wrong with this declaration, in words; empty when it is valid."""
        found = []
        if self.type not in CANONICAL_TYPES:  # Ibis judges the rarer spellings
            try:
                parsed = dtypes.dtype(self.type).copy(nullable=True)
            except (TypeError, RuntimeError):  # a bad spelling raises parsy's ParseError
                found.append(
                    f"type {self.type!r} is not an Ibis data type (e.g. 'int64', 'string')"
                )
            else:
                if str(parsed) != self.type:  # one spelling, so docs and readers compare strings
                    found.append(f"type {self.type!r} should be written {str(parsed)!r}")
        if not isinstance(self.en, str) or not self.en.strip():
            found.append("the English meaning (en) is empty")
        if not isinstance(self.zh, str) or not self.zh.strip():
            found.append("the Chinese meaning (zh) is empty")
        if self.unit not in UNITS:
            found.append(f"unit {self.unit!r} is not one of {', '.join(map(repr, UNITS))}")
        return found


Builder = Callable[[Mapping[str, "ir.Table"], AnalysisContext], "ir.Table | pd.DataFrame"]
"""Returns an Ibis expression (run in the engine), or a pandas frame for Python-side
steps such as model fitting, which work on small per-customer summaries."""


SUBSET_RULES = ("recompute", "members", "whole")
"""What a subset run does with a result (:attr:`Analysis.subset`)."""


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
    settings
        The settings ``build`` reads (:class:`~clientlens.config.Setting`). Analyses
        that read the same setting share one declaration; the settings reference
        (docs/settings.md) and ``clientlens analyze --set`` derive from these.
    optional
        Inputs used when present (``inputs`` then contains them) and ignored otherwise.
    description
        One line for ``clientlens analyze`` and the docs.
    columns
        The result's columns, in order, each declared as a :class:`Column` (type, unit,
        meaning in English and Chinese, personal-data flag). docs/analyses.md is
        generated from this (``clientlens analyses --markdown``) and a test checks every
        materialised result's names and types against it.
    subset
        What a run of a subset of customers (:mod:`clientlens.subsets`) does with this
        result: ``"recompute"`` it on the subset's data (the default); keep the base
        run's rows of the subset's ``"members"`` (a customer's own scores, on the scale
        of all customers: RFM scores, CLV, model scores); or keep the base run's
        ``"whole"`` result (a trained model's validation, drivers and rules: models are
        trained on all customers only).

    Raises
    ------
    ConfigError
        When a column is not a :class:`Column` or its declaration is invalid (unknown
        type or unit, empty meaning); every problem of the analysis is listed at once.
    """

    name: str
    requires: tuple[str, ...]
    build: Builder
    settings: tuple[Setting, ...] = ()
    optional: tuple[str, ...] = ()
    description: str = ""
    columns: Mapping[str, Column] = field(default_factory=dict)
    min_history_days: int = 0
    """Days the completed orders must span, first order to observation end, for the
    result to mean anything (recency, repeat purchase and models need time between
    purchases); with fewer the analysis is skipped and the reason says so."""
    subset: str = "recompute"

    def __post_init__(self) -> None:
        found = [] if self.columns else ["it declares no columns"]
        if self.subset not in SUBSET_RULES:
            found.append(f"subset={self.subset!r}: one of {', '.join(SUBSET_RULES)}")
        elif self.subset == "members" and "customer_id" not in self.columns:
            found.append("subset='members' keeps rows by customer_id, which it does not declare")
        for name, col in self.columns.items():
            if not isinstance(col, Column):
                found.append(
                    f"column {name!r}: declare it as Column(type, en, zh, unit), not {col!r}"
                )
                continue
            found += [f"column {name!r}: {p}" for p in col.problems()]
        if found:
            raise ConfigError(
                f"Analysis {self.name!r} is declared wrongly: " + "; ".join(found) + "."
            )

    def schema(self) -> ibis.Schema:
        """The declared columns as an Ibis schema, in the declared order."""
        return ibis.schema({name: col.dtype for name, col in self.columns.items()})

    def schema_problems(self, schema: Mapping[str, dtypes.DataType]) -> list[str]:
        """How a stored result's schema differs from :attr:`columns`; empty when it matches.

        ``schema`` is ``ws.table(self.name).schema()``: names must be the declared ones
        in the declared order, and each type must match (:meth:`Column.matches`).
        """
        found = []
        if list(schema) != list(self.columns):
            found.append(f"{self.name}: columns {list(schema)}, declared {list(self.columns)}")
        for name, col in self.columns.items():
            if name in schema and not col.matches(schema[name]):
                found.append(f"{self.name}.{name}: stored as {schema[name]}, declared {col.type}")
        return found


def as_table(data: Any) -> ir.Table:
    """Accept an Ibis table or a pandas / polars / pyarrow frame and return an Ibis table."""
    if isinstance(data, ir.Table):
        return data
    return ibis.memtable(data)


def as_int64(value: ir.IntegerValue) -> ir.IntegerValue:
    """``value`` stored as a 64-bit integer on every engine.

    ``value.cast("int64")`` is dropped by Ibis when it already types the value int64, but
    engines differ from its typing: Spark computes ``row_number()`` and ``rank()`` as
    32-bit integers that Ibis calls int64, and stores them so. This cast is always written.
    """
    return cast(ir.IntegerValue, ops.Cast(value, to=dtypes.int64).to_expr())


def float64_literal(value: float) -> ir.FloatingValue:
    """``value`` as a 64-bit float constant on every engine.

    Ibis writes a float literal as a bare number, which Spark reads as a decimal
    (``0.3`` is ``decimal(1, 1)``) and stores so; this cast is always written.
    """
    return cast(ir.FloatingValue, ops.Cast(ibis.literal(float(value)), to=dtypes.float64).to_expr())


def to_date(value: Any) -> dt.date:
    """Turn a date-like value (date, datetime, pandas Timestamp, ISO string) into a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    return dt.date.fromisoformat(str(value)[:10])
