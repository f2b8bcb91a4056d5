"""Messages: long values cut, interrupts, counts of all problems (trustworthy import, part 7)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from clientlens import ImportValidationError, Workspace
from tests.ingest.conftest import state

HEADER = "order_id,customer_id,order_date,amount\n"


def test_a_huge_value_is_cut_to_a_readable_length_with_its_size(seeded, write):
    ws, before = seeded
    huge = "9" * 1_000_000 + "x"
    path = write("o.csv", HEADER + f"A,C1,2024-01-02,{huge}\n")
    with pytest.raises(ImportValidationError) as info:
        ws.import_table("orders", path)
    assert state(ws) == before
    (problem,) = info.value.problems
    assert problem.value == "9" * 60 + "… (1,000,001 characters)"
    assert problem.reason == "not a number"


def _cli(ws_path, *args: str, patch: str = "") -> subprocess.CompletedProcess[str]:
    script = (
        "import sys\n" + patch + "\nfrom clientlens.cli import main\n"
        f"sys.argv = ['clientlens', '--lang', 'en', '--workspace', {str(ws_path)!r}, *{list(args)!r}]\n"
        "main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": "", "PYTHONPATH": sys.path[0] if sys.path[0] else "."},
        check=False,
    )


@pytest.mark.parametrize(
    "patch",
    [
        # while validating, before anything is written
        "import clientlens.ingest.load as m\n"
        "def stop(*a, **k): raise KeyboardInterrupt\n"
        "m.validate = stop",
        # inside the write's transaction, after the rows went in and before the run record
        "import clientlens.upsert as m\ndef stop(*a, **k): raise KeyboardInterrupt\nm._run = stop",
    ],
    ids=["validating", "writing"],
)
def test_an_interrupt_says_nothing_was_imported_exits_130_and_changes_nothing(seeded, write, patch):
    ws, before = seeded
    ws.close()
    path = write("more.csv", HEADER + "A,C1,2024-01-02,1\nB,C2,2024-01-03,2\n")
    proc = _cli(ws.path, "import", "orders", path, patch=patch)
    assert proc.returncode == 130, proc.stderr
    assert "Interrupted; nothing was imported." in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert state(Workspace(ws.path)) == before


def test_the_cli_counts_every_problem_and_shows_the_first_fifty(workspace, write):
    rows = "".join(f"R{i},C1,2024-01-02,bad{i}\n" for i in range(120))
    path = write("o.csv", HEADER + rows)
    workspace.close()
    proc = _cli(workspace.path, "import", "orders", path)
    assert proc.returncode == 2
    assert "120 problem(s); showing the first 50. Nothing was imported." in proc.stderr
    assert "Traceback" not in proc.stderr
    error_lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("Error:")]
    assert len(error_lines) == 1
