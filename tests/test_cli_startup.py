"""The command line starts without the heavy libraries (issue 11: a CLI that starts instantly).

Each check runs in a fresh interpreter, since this test process has imported everything
already, and reads ``sys.modules`` there. bench/bench_cli.py measures the times.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.analytics.base import CANONICAL_TYPES
from clientlens.workspace import duckdb_row_counts, read_duckdb
from tests.conftest import REPO

# Libraries and packages of ours that take from a tenth of a second to seconds to import.
HEAVY = (
    "pandas",
    "numpy",
    "ibis",
    "sqlglot",
    "pyarrow",
    "scipy",
    "sklearn",
    "clientlens.report",
    "jinja2",
    "altair",
    "vl_convert",
    "weasyprint",
    "openpyxl",
    "jieba",
    "vaderSentiment",
    "langid",
)


def _loaded_after(code: str) -> list[str]:
    """The heavy modules in ``sys.modules`` of a new interpreter once ``code`` has run
    (also when ``code`` exits, as the CLI's main() always does)."""
    report = (
        "import atexit, json, sys\n"
        f"atexit.register(lambda: print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]),"
        " file=sys.stderr))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", report + code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "", "COLUMNS": "200"},
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return list(json.loads(proc.stderr.strip().splitlines()[-1]))


def _command(*args: str) -> str:
    argv = ["clientlens", "--lang", "en", *args]
    return f"import sys\nsys.argv = {argv!r}\nfrom clientlens.cli import main\nmain()\n"


@pytest.fixture(scope="module")
def analysed(tmp_path_factory) -> Workspace:
    """A small analysed workspace: canonical, metadata and result tables."""
    ws = Workspace.init(
        tmp_path_factory.mktemp("startup") / "shop", settings={"today": "2026-11-24"}
    )
    ws.import_table(
        "orders",
        pd.DataFrame(
            {
                "order_id": [f"o{i}" for i in range(12)],
                "customer_id": [f"c{i % 5}" for i in range(12)],
                "order_date": pd.to_datetime(
                    [f"2024-{1 + i % 6:02d}-{2 + i:02d}" for i in range(12)]
                ),
                "amount": [10.0 * (i + 1) for i in range(12)],
            }
        ),
    )
    ws.import_table("customers", pd.DataFrame({"customer_id": [f"c{i}" for i in range(6)]}))
    ws.analyze()
    ws.close()
    return ws


def test_importing_the_cli_loads_no_heavy_library():
    assert _loaded_after("import clientlens.cli") == []


def test_importing_clientlens_loads_no_heavy_library():
    assert _loaded_after("import clientlens, clientlens.errors, clientlens.config") == []


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("analyses",),
        ("analyses", "--markdown"),
        ("analyze", "--help"),
        ("settings", "--markdown"),
        ("contract",),
    ],
)
def test_listing_commands_load_no_heavy_library(args):
    assert _loaded_after(_command(*args)) == []


@pytest.mark.parametrize("command", ["settings", "tables"])
def test_workspace_listings_load_no_heavy_library(analysed, command):
    assert _loaded_after(_command("--workspace", str(analysed.path), command)) == []


def test_gathering_every_declaration_loads_no_heavy_library():
    code = (
        "from clientlens.analytics.registry import all_analyses, declared_columns\n"
        "from clientlens.config import all_settings\n"
        "assert len(all_analyses()) > 30 and len(all_settings()) > 20 and declared_columns()\n"
    )
    assert _loaded_after(code) == []


def test_a_lazy_name_imports_its_module_on_first_use():
    code = (
        "import sys\n"
        "from clientlens.lazy import ibis, pd\n"
        "assert 'pandas' not in sys.modules\n"
        "assert pd.DataFrame({'a': [1, 2]})['a'].sum() == 3\n"
    )
    loaded = _loaded_after(code)
    assert "pandas" in loaded
    assert "ibis" not in loaded  # bound, never used


def test_the_common_column_types_are_ibis_own_spellings():
    import ibis.expr.datatypes as dt

    assert {t: str(dt.dtype(t).copy(nullable=True)) for t in CANONICAL_TYPES} == {
        t: t for t in CANONICAL_TYPES
    }


def _tables_listed(ws: Workspace) -> dict[str, tuple[str, int]]:
    proc = subprocess.run(
        [sys.executable, "-m", "clientlens", "--lang", "en", "-w", str(ws.path), "tables"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "", "COLUMNS": "200"},
        check=True,
    )
    cells = [line.split("│")[1:4] for line in proc.stdout.splitlines() if line.startswith("│")]
    return {name.strip(): (kind.strip(), int(rows.replace(",", ""))) for name, kind, rows in cells}


def test_tables_counts_what_the_workspace_and_the_results_hold(analysed):
    """`tables` reads the DuckDB files without Ibis; its counts are the Ibis counts."""
    ws = Workspace(analysed.path)
    expected = {
        "orders": ("data", 12),
        "customers": ("data", 6),
        "_clientlens_columns": ("metadata", ws.row_count("_clientlens_columns")),
        "_clientlens_rejects": ("metadata", 0),
        "_clientlens_runs": ("metadata", ws.row_count("_clientlens_runs")),
    }
    results = ws.results
    expected.update({name: ("result", results.row_count(name)) for name in results.names()})
    ws.close()
    listed = _tables_listed(analysed)
    assert listed == expected
    assert listed["rfm_scores"] == ("result", 5)
    assert listed["customer_summary"] == ("result", 5)


def test_row_counts_read_directly_equal_those_through_ibis(analysed):
    ws = Workspace(analysed.path)
    direct = ws.row_counts()  # no connection open yet: DuckDB read directly
    ws.con  # noqa: B018 - open the Ibis connection
    assert ws.row_counts() == direct
    assert direct == {name: ws.row_count(name) for name in ws.list_tables()}
    assert direct["orders"] == 12
    ws.close()


def test_a_workspace_file_another_process_writes_is_a_one_line_error(analysed):
    """While an import holds the DuckDB file, `tables` says so in one line, exit code 2."""
    hold = (
        "import duckdb, sys\n"
        f"con = duckdb.connect({str(analysed.path / 'clientlens.duckdb')!r})\n"
        "print('holding', flush=True)\n"
        "sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", hold], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "clientlens",
                "--lang",
                "en",
                "-w",
                str(analysed.path),
                "tables",
            ],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(REPO), "PATH": "", "COLUMNS": "400"},
            check=False,
        )
    finally:
        holder.communicate("")
    assert proc.returncode == 2
    assert proc.stdout == ""
    [line] = proc.stderr.splitlines()
    assert line.startswith(f"Error: Cannot read {analysed.path / 'clientlens.duckdb'}: ")
    assert line.endswith("If an import or analyze is running, try again when it has finished.")


def test_duckdb_row_counts_counts_the_tables_asked_for(analysed):
    with read_duckdb(analysed.path / "clientlens.duckdb") as con:
        assert duckdb_row_counts(con, ["orders", "customers"]) == {"orders": 12, "customers": 6}
