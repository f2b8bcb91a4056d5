"""Putting the demo business into a workspace, with its ground truth beside the data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clientlens.errors import WorkspaceError
from clientlens.schema import TABLE_NAMES

if TYPE_CHECKING:
    from clientlens.demo.generate import DemoData
    from clientlens.workspace import Progress, Workspace

TRUTH_FILE = "demo_truth.parquet"


def load_demo(ws: Workspace, data: DemoData, *, progress: Progress | None = None) -> dict[str, Any]:
    """Import every demo table into ``ws`` and write ``demo_truth.parquet`` beside it.

    The workspace must hold no data yet: tables without a key (events, feedback) would
    otherwise gain a second copy, and truth and data would no longer match.

    Returns
    -------
    dict
        Table name → :class:`clientlens.ingest.load.ImportResult`.

    Examples
    --------
    >>> import clientlens as cl
    >>> from clientlens.demo import generate, load_demo
    >>> ws = cl.Workspace.init("demo_ws")
    >>> results = load_demo(ws, generate(500))
    >>> results["orders"].rows_rejected, ws.row_count("customers")
    (0, 500)
    """
    filled = {name: ws.row_count(name) for name in TABLE_NAMES if ws.has_table(name)}
    filled = {name: rows for name, rows in filled.items() if rows}
    if filled:
        held = ", ".join(f"{name} ({rows:,} rows)" for name, rows in filled.items())
        raise WorkspaceError(
            f"The workspace at {ws.path} already holds data: {held}. The demo needs an "
            "empty workspace: use a new directory (`clientlens demo NEW_DIR`, or "
            "`clientlens init NEW_DIR` then `demo-data`), or delete this one."
        )
    step = progress or (lambda _msg, _frac: None)
    tables = data.tables()
    total = sum(len(frame) for frame in tables.values()) or 1
    done = 0
    results: dict[str, Any] = {}
    for name, frame in tables.items():
        share = len(frame) / total

        def sub(
            msg: str, frac: float, _name: str = name, _done: int = done, _share: float = share
        ) -> None:
            step(f"{_name}: {msg}", _done / total + frac * _share)

        results[name] = ws.import_table(name, frame, on_error="report", progress=sub)
        done += len(frame)
    data.truth.to_parquet(ws.path / TRUTH_FILE, index=False)
    step("done", 1.0)
    return results
