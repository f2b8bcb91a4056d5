"""The data-contract reference (docs/data.md), derived from :data:`clientlens.schema.TABLES`.

``clientlens contract --markdown > docs/data.md`` writes it; a test checks that the
file in the repository is what this module generates, so the reference cannot drift
from the contract the importer enforces.
"""

from __future__ import annotations

from clientlens.schema import TABLES, Column, TableSpec

_TYPE_MEANING = {
    "string": "text",
    "int": "whole number",
    "float": "number",
    "date": "calendar date",
    "timestamp": "date and time",
}


def _code(names: list[str] | tuple[str, ...]) -> str:
    return ", ".join(f"`{n}`" for n in names) if names else "—"


def _flags(col: Column) -> str:
    flags = []
    if col.required:
        flags.append("**required**")
    if col.nonnegative:
        flags.append("≥ 0")
    if col.pii:
        flags.append("PII")
    return ", ".join(flags)


def _overview(specs: list[TableSpec]) -> list[str]:
    lines = [
        "| table | required columns | key (de-duplication) | PII columns |",
        "|---|---|---|---|",
    ]
    for spec in specs:
        pii = [c.name for c in spec.columns if c.pii]
        key = _code(spec.key) if spec.key else "none (rows are appended)"
        lines.append(
            f"| [`{spec.name}`](#{spec.name}) | {_code(spec.required)} | {key} | {_code(pii)} |"
        )
    return lines


def _table_section(spec: TableSpec) -> list[str]:
    lines = [f"## `{spec.name}`", ""]
    if spec.description:
        lines += [spec.description, ""]
    if spec.key:
        lines.append(
            f"Key: {_code(spec.key)}. A row whose key is already in the workspace updates "
            "the stored row on re-import, column by column: columns the file lacks and its "
            "empty cells leave the stored values as they are (unless `--blank-overwrites`); "
            "two rows of one file with the same key and different values are an error."
        )
    else:
        lines.append(
            "Key: none. Every import appends its rows; only exact duplicate rows within one "
            "file are merged."
        )
    if spec.references:
        refs = ", ".join(f"`{col}` → `{table}`" for col, table in spec.references.items())
        lines.append(
            f"References: {refs}. An import warns, with a count and the first values, "
            "about ids not found there once that table holds rows; the rows load anyway."
        )
    lines += [
        "",
        "| column | type | Ibis type | flags | recognised headers |",
        "|---|---|---|---|---|",
    ]
    for col in spec.columns:
        synonyms = " · ".join(col.synonyms) if col.synonyms else "—"
        meaning = f" — {col.description}" if col.description else ""
        lines.append(
            f"| `{col.name}`{meaning} | {_TYPE_MEANING[col.type]} | {col.ibis_type} | "
            f"{_flags(col)} | {synonyms} |"
        )
    lines.append("")
    return lines


def data_contract_markdown() -> str:
    """Every canonical table: columns, types, required, key, PII and header synonyms."""
    specs = list(TABLES.values())
    lines = [
        "# Data contract: the canonical tables",
        "",
        "Generated from `clientlens/schema.py` by `clientlens contract --markdown`; a test",
        "checks that this file matches the code. How to import files (encodings, formats,",
        "mappings, validation, re-import) is in [importing.md](importing.md).",
        "",
        "Only `orders` is required. Every other table enriches the analysis; an analysis or",
        "report section whose table is missing is skipped with a note.",
        "",
        *_overview(specs),
        "",
        "Flags: **required** — the column must be present and non-empty in every row;",
        "≥ 0 — negative values are rejected; PII — personal data, masked by",
        "`clientlens export` unless `--unmasked` is given.",
        "",
        "Recognised headers: a source header matches a column when it equals the column",
        "name or one of these synonyms after folding case, spaces, `-`, `_`, `.`, `/` and",
        "full-width brackets and colons (so `Customer ID`, `customer-id` and `CustomerID`",
        "all match `customer_id`). An explicit mapping (`--map`, `[mapping.<kind>]`) wins",
        "over the exact column name, which wins over a synonym.",
        "",
    ]
    for spec in specs:
        lines += _table_section(spec)
    return "\n".join(lines)
