"""Where the workspace is: `init` and the other commands agree, and a path may name the
workspace's clientlens.duckdb instead of its folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.errors import WorkspaceError
from tests.conftest import REPO

ORDERS = "order_id,customer_id,order_date,amount\nO1,C1,2024-01-05,100\nO2,C2,2024-02-03,80\n"


def _clientlens(*args: str, cwd: Path, workspace: str | None = None):
    env = {"COLUMNS": "400", "PATH": "", "PYTHONPATH": str(REPO)}
    if workspace is not None:
        env["CLIENTLENS_WORKSPACE"] = workspace
    return subprocess.run(
        [sys.executable, "-m", "clientlens", "--lang", "en", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


def test_a_path_to_the_duckdb_file_opens_its_folder(tmp_path, monkeypatch):
    ws = Workspace.init(tmp_path / "shop")
    ws.import_table(
        "orders",
        pd.DataFrame(
            {"order_id": ["1"], "customer_id": ["C1"], "order_date": ["2024-01-01"], "amount": [5]}
        ),
    )
    ws.close()
    db = tmp_path / "shop" / "clientlens.duckdb"
    with Workspace(db) as again:
        assert again.path == tmp_path / "shop"
        assert again.row_count("orders") == 1
    monkeypatch.setenv("CLIENTLENS_WORKSPACE", str(db))
    with Workspace() as from_env:
        assert from_env.path == tmp_path / "shop"
        assert from_env.row_count("orders") == 1
    # init given the file it will create makes the folder, not a directory named *.duckdb
    made = Workspace.init(tmp_path / "new" / "clientlens.duckdb")
    assert made.path == tmp_path / "new"
    assert made.list_tables() == ["_clientlens_columns", "_clientlens_rejects", "_clientlens_runs"]
    made.close()
    assert (tmp_path / "new" / "clientlens.duckdb").is_file()
    assert (tmp_path / "new" / "clientlens.toml").is_file()


def test_a_path_to_another_file_is_a_clear_error(tmp_path, monkeypatch):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a workspace")
    with pytest.raises(WorkspaceError, match=r"notes\.txt is a file, not a workspace directory"):
        Workspace(notes)
    monkeypatch.setenv("CLIENTLENS_WORKSPACE", str(notes))
    with pytest.raises(WorkspaceError, match="CLIENTLENS_WORKSPACE"):
        Workspace()
    with pytest.raises(WorkspaceError, match=r"Cannot create a workspace at .*notes\.txt"):
        Workspace.init(notes / "shop")
    assert notes.read_text() == "not a workspace"


def test_cli_init_creates_the_workspace_where_import_looks(tmp_path):
    here = tmp_path / "here"
    here.mkdir()
    (here / "orders.csv").write_text(ORDERS)
    shop = tmp_path / "shop"
    made = _clientlens("init", cwd=here, workspace=str(shop))
    assert made.returncode == 0, made.stderr
    # a subprocess has no terminal: the currency is not asked, and the default is said
    assert made.stdout.splitlines() == [
        f"Workspace ready at {shop.resolve()}",
        "Currency: CNY (change it with `clientlens settings --set currency=USD`)",
    ]
    assert sorted(p.name for p in shop.iterdir()) == ["clientlens.duckdb", "clientlens.toml"]
    assert sorted(p.name for p in here.iterdir()) == ["orders.csv"]

    loaded = _clientlens("import", "orders", "orders.csv", cwd=here, workspace=str(shop))
    assert loaded.returncode == 0, loaded.stderr
    assert "2 new, 0 updated, 0 unchanged, 0 rejected" in loaded.stdout
    with Workspace(shop) as ws:
        assert ws.table("orders").order_by("order_id").order_id.execute().tolist() == ["O1", "O2"]


def test_cli_init_without_path_or_variable_uses_the_current_directory(tmp_path):
    made = _clientlens("init", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines() == [
        f"Workspace ready at {tmp_path.resolve()}",
        "Currency: CNY (change it with `clientlens settings --set currency=USD`)",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clientlens.duckdb", "clientlens.toml"]


def test_cli_takes_the_duckdb_file_as_workspace_and_rejects_other_files(tmp_path):
    shop = tmp_path / "shop"
    made = _clientlens("init", str(shop / "clientlens.duckdb"), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    # a subprocess has no terminal: the currency is not asked, and the default is said
    assert made.stdout.splitlines() == [
        f"Workspace ready at {shop.resolve()}",
        "Currency: CNY (change it with `clientlens settings --set currency=USD`)",
    ]
    (tmp_path / "orders.csv").write_text(ORDERS)
    loaded = _clientlens(
        "--workspace", "shop/clientlens.duckdb", "import", "orders", "orders.csv", cwd=tmp_path
    )
    assert loaded.returncode == 0, loaded.stderr
    with Workspace(shop) as ws:
        assert ws.row_count("orders") == 2

    wrong = _clientlens("tables", cwd=tmp_path, workspace="orders.csv")
    assert wrong.returncode == 2
    assert "orders.csv is a file, not a workspace directory" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    wrong_init = _clientlens("init", "orders.csv/shop", cwd=tmp_path)
    assert wrong_init.returncode == 2
    assert "Cannot create a workspace at orders.csv/shop" in wrong_init.stderr
    assert "Traceback" not in wrong_init.stderr
