"""Helpers for the import tests: write a file, import it, and compare workspace states."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from clientlens import Workspace


def state(ws: Workspace) -> dict[str, str]:
    """A digest of every table's rows: equal digests mean nothing changed."""
    out = {}
    for name in ws.list_tables():
        frame = ws.con.table(name).execute()
        frame = frame.sort_values(list(frame.columns)).reset_index(drop=True)
        digest = pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()
        out[name] = hashlib.sha256(digest.tobytes() + str(list(frame.columns)).encode()).hexdigest()
    return out


@pytest.fixture
def write(tmp_path):
    """write(name, text or bytes) -> path of a file in tmp_path."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> str:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode(encoding))
        return str(path)

    return _write


@pytest.fixture
def seeded(workspace, write):
    """A workspace holding one good orders import, and its state digest."""
    workspace.import_table(
        "orders",
        write("seed.csv", "order_id,customer_id,order_date,amount\nS1,C1,2024-01-01,5\n"),
    )
    return workspace, state(workspace)
