"""`clientlens settings`, `analyses` and `analyze --set`: derived from the declarations."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from clientlens import Workspace, cli
from clientlens.cli import main
from clientlens.config import all_settings, core_settings, parse_assignments

ANALYSIS_SETTINGS = [s for s in all_settings() if s not in core_settings()]


def _run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    # rich tables and help: no wrapping inside names (rich reads COLUMNS when its console
    # is made, at the CLI's first import, which may be another test's)
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.setattr(cli.console, "width", 400)
    monkeypatch.setattr(cli.err_console, "width", 400)
    monkeypatch.setattr(sys, "argv", ["clientlens", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out = capsys.readouterr()
    return int(exit_info.value.code or 0), out.out, out.err


@pytest.fixture
def shop(tmp_path):
    ws = Workspace.init(tmp_path / "ws", settings={"today": "2026-11-24"})
    ws.import_table(
        "orders",
        pd.DataFrame(
            {
                "order_id": [f"o{i}" for i in range(8)],
                "customer_id": [f"c{i}" for i in range(8)],
                "order_date": pd.to_datetime([f"2024-01-{d:02d}" for d in range(2, 10)]),
                "amount": [10.0 * (i + 1) for i in range(8)],
            }
        ),
    )
    ws.close()
    return tmp_path / "ws"


def test_settings_lists_the_analysis_settings_with_their_users(shop, monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, "--workspace", str(shop), "settings")
    assert code == 0
    cells = [line.split("│") for line in out.splitlines() if line.startswith("│")]
    rows = {c[1].strip(): "│".join(c) for c in cells if c[1].strip()}
    assert set(rows) == {s.name for s in all_settings()}
    assert "rfm_scores" in rows["rfm_bins"]
    assert "lifecycle_stages, lifecycle_transitions" in rows["lifecycle_at_risk_days"]
    assert "'18,25,35,45,55'" in rows["profile_age_bands"]


def test_analyses_lists_each_analysis_settings(monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, "analyses")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("│ rfm_scores "))
    assert "rfm_bins, rfm_frequency, rfm_monetary, rfm_threshold" in row


def test_analyze_help_offers_set_with_every_analysis_setting(monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, "analyze", "--help")
    assert code == 0
    assert "--set rfm_bins=4" in out
    assert parse_assignments(["rfm_bins=4"]) == {"rfm_bins": 4}  # the example stays valid
    for s in ANALYSIS_SETTINGS:
        assert s.name in out, s.name


def test_set_overrides_a_setting_for_the_run(shop, monkeypatch, capsys):
    code, _, err = _run(
        monkeypatch,
        capsys,
        "--workspace",
        str(shop),
        "analyze",
        "--only",
        "rfm_scores",
        "--set",
        "rfm_bins=4",
    )
    assert code == 0, err
    ws = Workspace(shop)
    try:
        scores = ws.table("rfm_scores").to_pandas()
    finally:
        ws.close()
    assert sorted(set(scores.r_score)) == [1, 2, 3, 4]


def test_only_takes_names_separated_by_commas(shop, monkeypatch, capsys):
    args = ["--workspace", str(shop), "analyze", "--only", "rfm_scores, customer_summary"]
    code, out, err = _run(monkeypatch, capsys, *args)
    assert code == 0, err
    ran = {line.split()[1] for line in out.splitlines() if line.startswith("│ ")}
    assert {"rfm_scores", "customer_summary"} <= ran
    assert "rfm_segments" not in ran


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            "rfm_bins=many",
            "--set rfm_bins=many: setting 'rfm_bins' must be of type int, got 'many'.",
        ),
        ("rfm_bin=4", "--set rfm_bin=4: Unknown setting 'rfm_bin' (did you mean 'rfm_bins'?)."),
        ("rfm_bins", "--set 'rfm_bins': write it as NAME=VALUE"),
        ("rfm_threshold=mode", "setting 'rfm_threshold' must be one of mean, median"),
    ],
)
def test_bad_set_is_one_line_and_exit_2(shop, monkeypatch, capsys, item, message):
    code, _, err = _run(monkeypatch, capsys, "--workspace", str(shop), "analyze", "--set", item)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_settings_show_the_connection_without_its_password(shop, monkeypatch, capsys):
    url = "postgresql://shop:pa55word@db.example:5432/sales?sslmode=require"
    monkeypatch.setenv("CLIENTLENS_CONNECTION", url)
    code, out, _ = _run(monkeypatch, capsys, "--workspace", str(shop), "settings")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("│ connection "))
    shown = row.split("│")[2].strip()
    assert shown == "'postgresql://shop:***@db.example:5432/sales?sslmode=require'"
    assert "pa55word" not in out
