"""`clientlens demo-data` and `clientlens demo` (through the real entry point)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clientlens", "--lang", "en", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "CLIENTLENS_TODAY": "2026-11-24"},
    )


@pytest.mark.slow
def test_demo_data_imports_into_the_current_workspace(tmp_path):
    assert _cli("init", "ws", cwd=tmp_path).returncode == 0
    run = _cli("-w", "ws", "demo-data", "--customers", "300", "--seed", "3", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "300 customers" in run.stdout
    assert "demo_truth.parquet" in run.stdout
    truth = pd.read_parquet(tmp_path / "ws" / "demo_truth.parquet")
    assert len(truth) == 300
    again = _cli("-w", "ws", "demo-data", "--customers", "300", cwd=tmp_path)
    assert again.returncode == 2
    assert "already holds data" in again.stderr
    assert "Traceback" not in again.stderr


def test_bad_locale_is_one_readable_error(tmp_path):
    run = _cli("demo", "d", "--locale", "fr", cwd=tmp_path)
    assert run.returncode == 2
    assert "locale must be 'zh' or 'en'" in run.stderr
    assert not (tmp_path / "d").exists()


@pytest.mark.slow
def test_demo_creates_analyses_and_guides(tmp_path):
    run = _cli("demo", "--customers", "400", "--locale", "en", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 failed" in run.stdout
    assert "clientlens -w demo_workspace tables" in run.stdout
    assert (tmp_path / "demo_workspace" / "clientlens.duckdb").is_file()
