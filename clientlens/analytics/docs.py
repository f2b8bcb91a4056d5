"""The result-table reference (docs/analyses.md), derived from the declared analyses."""

from __future__ import annotations

from clientlens.analytics.base import meaning
from clientlens.analytics.registry import all_analyses


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
    ]
    for a in all_analyses():
        lines += [f"## `{a.name}`", "", a.description, ""]
        needs = ", ".join(f"`{r}`" for r in a.requires)
        lines.append(f"Needs: {needs}." if needs else "Needs nothing.")
        if a.optional:
            lines.append("Uses when present: " + ", ".join(f"`{r}`" for r in a.optional) + ".")
        lines += ["", "| column | meaning |", "|---|---|"]
        lines += [f"| `{col}` | {meaning(declared)} |" for col, declared in a.columns.items()]
        lines.append("")
    return "\n".join(lines)
