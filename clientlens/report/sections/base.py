"""The contract of a report section: its data needs, and the blocks it hands the renderers.

A section is a small self-contained unit: it declares the result tables and columns it
reads, and its ``build`` turns them into findings, paragraphs, charts, tables, target
lists and recommendations. When a needed table or column is missing the report leaves
the section out and the data section lists it, with what it needs. Adding a section is
one module with a :class:`Section` and one line in :data:`clientlens.report.sections.SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from clientlens.report.context import ReportContext
from clientlens.report.insights import Finding


@dataclass
class Chart:
    """A Vega-Lite spec (dict) with its title and a one-line reading of it."""

    key: str
    title: str
    spec: dict[str, Any]
    caption: str = ""


@dataclass
class TableBlock:
    """A small display table; ``frame`` holds formatted strings, headers localised."""

    title: str
    frame: pd.DataFrame


@dataclass
class Sheet:
    """A result table laid out for the Excel workbook (and a target list's CSV).

    ``frame`` keeps the result's column names (codes); the section has already put the
    codes in its cells into words. Each column's header and number format come from
    ``table``'s declared columns (:func:`clientlens.analytics.registry.declared_columns`:
    the unit) and the text catalog (``column.<table>.<name>``, else ``column.<name>``:
    the header), so no writer decides per sheet how a column reads.
    """

    table: str
    frame: pd.DataFrame
    headers: Mapping[str, str] = field(default_factory=dict)
    """Headers of columns the catalog does not name (the KPI sheet's months), or that the
    section words itself (the win-back list's ``winback.col.*``)."""
    units: Mapping[str, str] = field(default_factory=dict)
    """Units of columns ``table`` does not declare; ``per_row``: each row's unit is in the
    column :attr:`row_unit` names."""
    row_unit: str | None = None
    """The column holding each row's unit (the KPI sheet's), used for the formats of the
    ``per_row`` columns and not written itself."""


@dataclass
class TargetList:
    """Customers a recommendation acts on; written to Excel and to CSV beside the report.

    ``frame`` holds the list's columns by their names in ``table`` (the result the list
    is read from); headers and number formats follow as for a :class:`Sheet`.
    """

    key: str
    title: str
    frame: pd.DataFrame
    table: str
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def sheet(self) -> Sheet:
        return Sheet(self.table, self.frame, self.headers)


@dataclass
class Recommendation:
    """What to do, for whom (segment, size, value), what it should bring, and the plan."""

    key: str
    text: str
    segment: str
    customers: int
    value: float
    expected_impact: float
    assumption: str
    target_list: str
    owner: str
    when: str
    kpi: str
    cost: float | None = None
    """What acting costs (customers × offer cost), when known."""
    economics: str = ""
    """Cost and ROI in words, beside the expected impact."""
    left_out: str = ""
    """Who meets the rule but is not on the list, and why, in words."""


@dataclass
class SectionResult:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[TableBlock] = field(default_factory=list)
    target_lists: list[TargetList] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    """Points listed in the section (its findings are added here when rendered)."""
    methods: list[str] = field(default_factory=list)
    """Method notes and validation figures for the appendix."""
    appendix_tables: list[TableBlock] = field(default_factory=list)
    sheets: dict[str, Sheet] = field(default_factory=dict)
    """Key result tables for the Excel workbook, by sheet name."""


@dataclass(frozen=True)
class Section:
    """One section of the report.

    Parameters
    ----------
    key
        Stable id; its title is the locale text ``section.<key>``.
    needs
        Result table → columns the section reads; all must exist or the section is left out.
    build
        ``build(ctx) -> SectionResult | None``; None when the data hold nothing to say
        (for example no feedback in the report month), which also leaves the section out.
    """

    key: str
    needs: Mapping[str, Sequence[str]]
    build: Callable[[ReportContext], SectionResult | None]
    alternatives: Sequence[Mapping[str, Sequence[str]]] = ()
    """Other sets of needs that also suffice (the section reads what is there)."""

    def unmet(self, ctx: ReportContext) -> list[str]:
        """What is missing, or an empty list when the section can be built."""
        first = ctx.missing(self.needs)
        if not first:
            return []
        for needs in self.alternatives:
            if not ctx.missing(needs):
                return []
        return first
