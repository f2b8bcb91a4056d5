"""The analyses ``clientlens analyze`` runs, in dependency order.

Analyses live in domain subpackages of :mod:`clientlens.analytics` (``customers``,
``segments``, ``value`` ...), each of which lists its own in a package-level
``ANALYSES``. Adding an analysis: one module in its domain and one entry in that
domain's ``ANALYSES``. Adding a domain: its subpackage and one name in :data:`DOMAINS`.
"""

from __future__ import annotations

import importlib

from clientlens.analytics.base import Analysis
from clientlens.errors import ConfigError

DOMAINS: tuple[str, ...] = (
    "customers",
    "value",
    "segments",
    "lifecycle",
    "purchase",
    "kpis",
    "churn",
    "audiences",
    "quality",
)


def all_analyses() -> list[Analysis]:
    """Every registered analysis, each after the analyses whose results it requires."""
    found: list[Analysis] = []
    for domain in DOMAINS:
        found.extend(importlib.import_module(f"clientlens.analytics.{domain}").ANALYSES)
    return topological(found)


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
