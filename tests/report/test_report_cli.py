"""`clientlens report`: files written, and a bad period is one readable line with exit 2."""

from __future__ import annotations

import sys

import pytest

from clientlens.cli import main
from tests.report.conftest import BASE_KPIS, set_kpis


def _run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["clientlens", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out = capsys.readouterr()
    return int(exit_info.value.code or 0), out.out, out.err


def test_report_command_writes_the_requested_formats(report_ws, tmp_path, monkeypatch, capsys):
    set_kpis(report_ws, BASE_KPIS)
    out_dir = tmp_path / "out"
    code, out, _ = _run(
        monkeypatch,
        capsys,
        "--workspace",
        str(report_ws.path),
        "report",
        "--lang",
        "en",
        "--format",
        "html,xlsx",
        "-o",
        str(out_dir),
    )
    assert code == 0
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "report_2024-06_en.html",
        "report_2024-06_en.xlsx",
        "report_2024-06_en_loyalty.csv",
        "report_2024-06_en_second_purchase.csv",
        "report_2024-06_en_win_back.csv",
    ]
    assert "report_2024-06_en.html" in out.replace("\n", "")  # rich wraps long paths


def test_a_period_after_the_results_is_one_line_and_exit_2(report_ws, monkeypatch, capsys):
    code, _, err = _run(
        monkeypatch, capsys, "--workspace", str(report_ws.path), "report", "--period", "2024-09"
    )
    assert code == 2
    assert "results end on 2024-06-30" in err
    assert "Traceback" not in err
