"""Where the workspace is: `init` and the other commands agree, and a path may name the
workspace's clientlens.duckdb instead of its folder."""

from __future__ import annotations

import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.errors import WorkspaceError


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
