"""docs/data.md is generated from clientlens.schema.TABLES and says what the contract says."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from clientlens.cli import app
from clientlens.schema import TABLES
from clientlens.schema_docs import data_contract_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "data.md"


def test_docs_are_generated_from_the_contract():
    assert DOCS.read_text(encoding="utf-8") == data_contract_markdown(), (
        "docs/data.md is stale: run `clientlens contract --markdown > docs/data.md`"
    )


def test_cli_prints_the_same_markdown():
    result = CliRunner().invoke(app, ["contract", "--markdown"])
    assert result.exit_code == 0, result.output
    assert result.output == data_contract_markdown()


def test_rows_state_type_flags_and_synonyms():
    text = data_contract_markdown()
    lines = text.splitlines()
    amount = next(line for line in lines if line.startswith("| `amount` |"))
    assert amount.startswith("| `amount` | number | float64 | **required**, ≥ 0 | 金额 · 实付金额")
    phone = next(line for line in lines if line.startswith("| `phone` |"))
    assert "| PII |" in phone and "手机号" in phone and "**required**" not in phone
    assert (
        "| [`customers`](#customers) | `customer_id` | `customer_id` | "
        "`name`, `phone`, `email` |" in lines
    )
    assert "| [`events`](#events) | `timestamp`, `event` | none (rows are appended) | — |" in lines


def test_every_table_column_and_synonym_appears():
    text = data_contract_markdown()
    for spec in TABLES.values():
        section = text.split(f"## `{spec.name}`", 1)[1].split("\n## ", 1)[0]
        for col in spec.columns:
            row = next(line for line in section.splitlines() if line.startswith(f"| `{col.name}`"))
            assert all(syn in row for syn in col.synonyms), (spec.name, col.name)
            assert ("**required**" in row) == col.required, (spec.name, col.name)
