"""What every report section may read: the result tables of the latest published run
(``ws.results``), the period, the language, the number formatter and the significance rules.

The report is consistent with one ``clientlens analyze``: its observation end is that
run's, and the report month (``--period YYYY-MM``) defaults to the latest month with
data: the last complete month on or before it when orders reach into it, else the month
of the last order (one order on 15 March gives a March report, not a February one
without data). The order dates come from ``data_quality`` (``first_order_date``,
``last_order_date``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from clientlens.analytics.base import to_date
from clientlens.errors import ConfigError, WorkspaceError
from clientlens.report.fmt import Formatter
from clientlens.report.insights import DEFAULT_RULES
from clientlens.text import catalog, text, value_text

if TYPE_CHECKING:
    from clientlens.workspace import Workspace

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def month_end(period: str) -> dt.date:
    year, month = (int(x) for x in period.split("-"))
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def month_start(period: str) -> dt.date:
    return dt.date(int(period[:4]), int(period[5:7]), 1)


def previous_period(period: str, months: int = 1) -> str:
    year, month = (int(x) for x in period.split("-"))
    index = year * 12 + month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


QUALITY = "data_quality"
ORDERS_SPAN = ("orders", "first_order_date", "last_order_date")


def observation_end_of(ws: Workspace) -> dt.date:
    """Observation end of the latest published results run.

    Raises :class:`WorkspaceError` when there is no run, or when the run had no orders to
    analyse (an empty orders import): a report of nothing but omitted sections helps no one.
    """
    if not ws.results.exists:
        raise WorkspaceError(
            "No analysis results in the workspace. Run `clientlens analyze` before the report."
        )
    if not ws.results.has(QUALITY):
        catalog = ws.results.catalog().set_index("name")
        reason = catalog["reason"].get(QUALITY) if QUALITY in catalog.index else None
        if isinstance(reason, str) and reason.startswith("needs orders"):
            raise WorkspaceError(
                f"No report: the latest `clientlens analyze` had no orders to analyse "
                f"({reason.removeprefix('needs orders: ')}). Import orders with "
                "`clientlens import orders FILE`, run `clientlens analyze`, then the report."
            )
    return to_date(ws.results.observation_end)


def orders_span_of(ws: Workspace) -> tuple[dt.date, dt.date] | None:
    """First and last completed order date of the latest run (``data_quality``), if known."""
    results = ws.results
    if not results.has(QUALITY) or not set(ORDERS_SPAN) <= set(results.columns(QUALITY)):
        return None
    row = results.table(QUALITY).select(*ORDERS_SPAN).to_pandas()
    if row.empty or not int(row["orders"].iloc[0]) or pd.isna(row["last_order_date"].iloc[0]):
        return None
    return to_date(row["first_order_date"].iloc[0]), to_date(row["last_order_date"].iloc[0])


def resolve_period(
    period: str | None,
    observation_end: dt.date,
    orders_span: tuple[dt.date, dt.date] | None = None,
) -> str:
    """The report month: ``period`` if valid and not after the data, else the latest month
    with data (see the module docstring); ``orders_span`` is (first, last) order date."""
    if period is None:
        last = observation_end.strftime("%Y-%m")
        complete = last if month_end(last) == observation_end else previous_period(last)
        if orders_span is None:
            return complete
        first, last_order = (d.strftime("%Y-%m") for d in orders_span)
        return complete if first <= complete <= last_order else last_order
    if not _PERIOD.match(period):
        raise ConfigError(f"--period {period!r}: write the report month as YYYY-MM, e.g. 2024-06.")
    if dt.date(int(period[:4]), int(period[5:]), 1) > observation_end:
        raise ConfigError(
            f"--period {period}: the results end on {observation_end.isoformat()} "
            f"(the last `clientlens analyze`). Pick a month up to "
            f"{observation_end.strftime('%Y-%m')}, or import newer data and run analyze again."
        )
    return period


@dataclass
class ReportContext:
    """Read access to result tables for the sections, plus locale helpers.

    Parameters
    ----------
    ws
        The workspace after ``analyze``.
    lang
        ``"zh"`` or ``"en"``.
    period
        Report month ``YYYY-MM``.
    observation_end
        Last day of data in the results.
    """

    ws: Workspace
    lang: str
    period: str
    observation_end: dt.date
    settings: Mapping[str, Any] = field(default_factory=dict)
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def fmt(self) -> Formatter:
        return Formatter(self.lang, str(self.settings.get("currency", "CNY")))

    @property
    def rules(self) -> dict[str, Any]:
        return {k: self.settings.get(k, v) for k, v in DEFAULT_RULES.items()}

    @property
    def partial_period(self) -> bool:
        return month_end(self.period) > self.observation_end

    def missing(self, needs: Mapping[str, Sequence[str]]) -> list[str]:
        """Each needed table or column that is absent, as ``table`` or ``table.column``."""
        out = []
        for name, columns in needs.items():
            if not self.ws.results.has(name):
                out.append(name)
                continue
            have = set(self.ws.results.columns(name))
            out += [f"{name}.{c}" for c in columns if c not in have]
        return out

    def has(self, name: str, *columns: str) -> bool:
        return not self.missing({name: columns})

    def frame(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A result table as pandas (cached), only the named columns when given."""
        key = f"{name}:{','.join(columns or ())}"
        if key not in self._cache:
            table = self.ws.results.table(name)
            if columns:
                table = table.select(*columns)
            self._cache[key] = table.to_pandas()
        return self._cache[key]

    def query(self, name: str) -> Any:
        """The Ibis table of a result, for reading rows of a large one in the engine (sections
        never aggregate: every figure they state is a column of some result)."""
        return self.ws.results.table(name)

    @property
    def history_days(self) -> float | None:
        """Days from the first order to the observation end (``customer_base.history_days``),
        None when unknown."""
        if not self.has("customer_base", "history_days"):
            return None
        days = self.frame("customer_base", ("history_days",))["history_days"]
        return None if days.empty or pd.isna(days.iloc[0]) else float(days.iloc[0])

    @property
    def one_day_history(self) -> bool:
        """Every order falls on the observation end's day: nobody can have come back, lapsed
        or been retained yet, so no section claims a repeat, retention or churn rate."""
        days = self.history_days
        return days is not None and days < 1

    @property
    def history_years(self) -> float:
        """Years of order history (``customer_base.history_years``: the oldest customer's
        age, at least 1), or 1 without it: turns revenue to date into revenue per year
        when findings are ranked."""
        if not self.has("customer_base", "history_years"):
            return 1.0
        years = self.frame("customer_base", ("history_years",))["history_years"]
        return 1.0 if years.empty or pd.isna(years.iloc[0]) else float(years.iloc[0])

    def failed_analyses(self) -> list[tuple[str, str]]:
        """Analyses that failed in the results run the report reads, with the reason, from
        the run's catalog (an analysis cannot know what fails after it, so no result table
        holds this)."""
        catalog = self.ws.results.catalog()
        failed = catalog[catalog["status"] == "failed"]
        return [
            (str(name), "" if pd.isna(reason) else str(reason))
            for name, reason in zip(failed["name"], failed["reason"], strict=True)
        ]

    def t(self, key: str, **params: Any) -> str:
        """Localised text from the catalog (:mod:`clientlens.text`); ``(value, kind)``
        parameters are formatted per locale."""
        values = {
            k: self.fmt.value(v[0], v[1]) if isinstance(v, tuple) else v for k, v in params.items()
        }
        return text(self.lang, key, **values)

    def name(self, area: str, code: Any) -> str:
        """The words for a code a result table carries (``name("stage", "at_risk")``)."""
        return catalog(self.lang).name(area, code)

    def data_value(self, value: Any, kind: str | None = None) -> Any:
        """A data value (province, channel, category ...) as this report's reader sees it:
        English for known Chinese values in an English report, else unchanged."""
        return value_text(self.lang, value, kind=kind)
