"""A mistake on the command line is one line on stderr and exit code 2, never a traceback.

Typer (0.26 and later) vendors Click: its usage errors are ``typer.TyperException``s, not
``click.ClickException``s, and went uncaught as tracebacks until the CLI caught them.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO


def _clientlens(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clientlens", *args],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "", "COLUMNS": "400"},
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("--lang", "en", "nosuch"),
            "Error: No such command 'nosuch'. (`python -m clientlens --help` shows the usage)",
        ),
        (
            ("--lang", "en", "import"),
            "Error: Missing argument 'kind'. (`python -m clientlens import --help` shows the usage)",
        ),
        (
            ("--lang", "en", "demo", "--customers", "0"),
            "Error: Invalid value for '--customers': Input should be greater than or equal to 1 "
            "(`python -m clientlens demo --help` shows the usage)",
        ),
        (
            ("--lang", "zh", "export", "orders", "--colour"),
            "错误: No such option: --colour （`python -m clientlens export --help` 查看用法）",
        ),
    ],
)
def test_a_usage_error_is_one_line_and_exit_code_2(args, line):
    proc = _clientlens(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [line]
