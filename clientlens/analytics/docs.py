"""The result-table reference (docs/analyses.md), derived from the declared analyses."""

from __future__ import annotations

from clientlens.analytics.base import UNITS
from clientlens.analytics.registry import all_analyses
from clientlens.config import Setting, shown


def analyses_markdown() -> str:
    """Every registered analysis: what it needs, what it means, and its columns."""
    lines = [
        "# Analyses and their result tables",
        "",
        "Generated from the declarations in `clientlens/analytics/` by",
        "`clientlens analyses --markdown`; a test checks every result table against it.",
        "`clientlens analyze` writes each table into the workspace; the report, the dashboard",
        "and the API read them by these names. An analysis whose inputs are missing is skipped",
        "and `clientlens analyze` says why.",
        "",
        "Each column is declared with its stored type (Ibis; whether it may be empty is not",
        "part of the contract), its unit, its meaning in English and Chinese, and whether it",
        "holds personal data (masked for viewers and in pseudonymised exports). Units:",
        "",
        *[f"- {f'`{unit}`' if unit else '– (none)'}: {what}" for unit, what in UNITS.items()],
        "",
    ]
    for a in all_analyses():
        lines += [f"## `{a.name}`", "", a.description, ""]
        needs = ", ".join(f"`{r}`" for r in a.requires)
        lines.append(f"Needs: {needs}." if needs else "Needs nothing.")
        if a.optional:
            lines.append("Uses when present: " + ", ".join(f"`{r}`" for r in a.optional) + ".")
        if a.settings:
            listed = ", ".join(_setting(s) for s in a.settings)
            lines.append(f"Settings ([reference](settings.md)): {listed}.")
        if a.subset != "recompute":
            lines.append(SUBSET_NOTES[a.subset])
        lines += [
            "",
            "| column | type | unit | meaning | 含义 | personal data |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| `{name}` | `{c.type}` | {c.unit or '–'} | {_cell(c.en)} | {_cell(c.zh)} | "
            f"{'yes' if c.pii else ''} |"
            for name, c in a.columns.items()
        ]
        lines.append("")
    return "\n".join(lines)


SUBSET_NOTES = {
    "members": "In a subset run (`analyze --segment/--region/--channel`): the rows of the "
    "subset's customers from the run of all customers, so each keeps the score it has "
    "among all customers.",
    "whole": "In a subset run: kept whole from the run of all customers (models are "
    "trained on all customers only).",
}
"""What a subset run does with a result that it does not compute again
(:attr:`~clientlens.analytics.base.Analysis.subset`; architecture.md, Subset runs)."""


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _setting(s: Setting) -> str:
    return f"`{s.name}` ({s.type_name}, default `{shown(s.default)}`)"
