"""The analysis sections of the report, in reading order.

Adding a section: write its module with a module-level ``SECTION`` and add the
module's name here. A section whose result tables are missing is left out and the
data section says what it needs.
"""

from __future__ import annotations

import importlib

from clientlens.report.sections.base import Section

MODULES: tuple[str, ...] = (
    "clientlens.report.sections.overview",
    "clientlens.report.sections.profile",
    "clientlens.report.sections.purchase",
    "clientlens.report.sections.value",
    "clientlens.report.sections.lifecycle",
    "clientlens.report.sections.churn",
    "clientlens.report.sections.satisfaction",
    "clientlens.report.sections.segments",
)


def all_sections() -> list[Section]:
    return [importlib.import_module(name).SECTION for name in MODULES]
