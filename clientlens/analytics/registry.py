"""The analyses ``clientlens analyze`` runs, in dependency order.

Analyses live in domain subpackages of :mod:`clientlens.analytics` (``customers``,
``segments``, ``value`` ...), each of which lists its own in a package-level
``ANALYSES``. Adding an analysis: one module in its domain and one entry in that
domain's ``ANALYSES``. Adding a domain: its subpackage and one name in :data:`DOMAINS`.

Each analysis declares the settings it reads (``Analysis(settings=...)``). Analyses
that read the same setting share one :class:`~clientlens.config.Setting` object,
declared once beside the logic it tunes; two different declarations of one name fail
registration (:func:`declared_settings`).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from clientlens.analytics.base import Analysis, Column
from clientlens.config import Setting
from clientlens.errors import ConfigError

DOMAINS: tuple[str, ...] = (
    "customers",
    "value",
    "segments",
    "lifecycle",
    "purchase",
    "kpis",
    "churn",
    "forecast",
    "satisfaction",
    "audiences",
    "quality",
    "feedback",
)


def all_analyses() -> list[Analysis]:
    """Every registered analysis, each after the analyses whose results it requires."""
    found: list[Analysis] = []
    for domain in DOMAINS:
        found.extend(importlib.import_module(f"clientlens.analytics.{domain}").ANALYSES)
    declared_settings(found)
    return topological(found)


def declared_columns() -> dict[str, dict[str, Column]]:
    """The result contract: every result table's declared columns, in order.

    ``{result name: {column: Column}}`` for every registered analysis, read from the
    declarations alone (no workspace, no query), so a reader can check what it needs
    (the report's sections, the dashboard) before anything has run.

    Examples
    --------
    >>> col = declared_columns()["rfm_scores"]["recency_days"]
    >>> col.type, col.unit
    ('int64', 'days')
    """
    return {a.name: dict(a.columns) for a in all_analyses()}


def declared_settings(
    analyses: Iterable[Analysis], *, core: Iterable[Setting] = ()
) -> dict[str, tuple[Setting, tuple[str, ...]]]:
    """Every setting by name, with the analyses that declare it: ``core`` first.

    Raises :class:`ConfigError` when one name is declared twice differently (another
    type, default, help or choices), or a declared default is not a valid value of
    its own declaration.
    """
    found: dict[str, Setting] = {}
    owner: dict[str, str] = {}
    users: dict[str, list[str]] = {}

    def add(s: Setting, who: str, analysis: str | None) -> None:
        known = found.get(s.name)
        if known is None:
            if s.parse(s.default, f"{who}: default") != s.default:
                raise ConfigError(
                    f"{who}: the default {s.default!r} of setting {s.name!r} is not a "
                    f"{s.type.__name__}."
                )
            found[s.name], owner[s.name], users[s.name] = s, who, []
        elif known != s:
            first, second = _describe(known), _describe(s)
            if first == second:
                first, second = f"help {known.help!r}", f"help {s.help!r}"
            raise ConfigError(
                f"Setting {s.name!r} is declared twice, differently: by {owner[s.name]} "
                f"({first}) and by {who} ({second}). Declare it once and give every "
                "analysis that reads it the same Setting."
            )
        if analysis is not None and analysis not in users[s.name]:
            users[s.name].append(analysis)

    for s in core:
        add(s, "the core settings", None)
    for a in analyses:
        for s in a.settings:
            add(s, f"analysis {a.name!r}", a.name)
    return {name: (s, tuple(users[name])) for name, s in found.items()}


def _describe(s: Setting) -> str:
    choices = f", one of {', '.join(map(str, s.choices))}" if s.choices else ""
    return f"{s.type.__name__}, default {s.default!r}{choices}"


def topological(analyses: list[Analysis]) -> list[Analysis]:
    by_name = {a.name: a for a in analyses}
    if len(by_name) != len(analyses):
        raise ConfigError("Two analyses share a result name.")
    ordered: list[Analysis] = []
    state: dict[str, int] = {}

    def visit(a: Analysis, path: tuple[str, ...]) -> None:
        if state.get(a.name) == 2:
            return
        if state.get(a.name) == 1:
            raise ConfigError(f"Analyses depend on each other in a cycle: {' -> '.join(path)}")
        state[a.name] = 1
        for dep in (*a.requires, *a.optional):
            if dep in by_name:
                visit(by_name[dep], (*path, dep))
        state[a.name] = 2
        ordered.append(a)

    for a in analyses:
        visit(a, (a.name,))
    return ordered
