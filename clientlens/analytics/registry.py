"""The analyses ``clientlens analyze`` runs, in dependency order.

Adding an analysis: write its module with a module-level ``ANALYSES`` list and add
the module's name to :data:`MODULES`.
"""

from __future__ import annotations

import importlib

from clientlens.analytics.base import Analysis
from clientlens.errors import ConfigError

MODULES: tuple[str, ...] = (
    "clientlens.analytics.summary",
    "clientlens.analytics.clv",
    "clientlens.analytics.profile",
    "clientlens.analytics.rfm_segments",
    "clientlens.analytics.value",
    "clientlens.analytics.cohorts",
    "clientlens.analytics.lifecycle",
    "clientlens.analytics.behaviour",
    "clientlens.analytics.trends",
    "clientlens.analytics.category_mix",
    "clientlens.analytics.kpis",
    "clientlens.analytics.kpi_cac",
)


def all_analyses() -> list[Analysis]:
    """Every registered analysis, each after the analyses whose results it requires."""
    found: list[Analysis] = []
    for name in MODULES:
        found.extend(importlib.import_module(name).ANALYSES)
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
