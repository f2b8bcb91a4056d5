"""One subset run for the dashboard, in its own process (:mod:`clientlens.web.subsets`).

``python -m clientlens.web.subset_job WORKSPACE SUBSET_JSON SETTINGS_JSON STATUS_FILE``
analyses the subset and writes its progress, then its outcome, to ``STATUS_FILE`` as JSON
(``status``: building, ready, empty or failed; ``step``, ``fraction``, ``error``, ``customers``),
each time replaced whole so the server never reads half of it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def _write(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    from clientlens.errors import ClientLensError, EmptySubsetError

    workspace, subset_json, settings_json, status_file = argv
    status = Path(status_file)
    _write(status, {"status": "building", "step": "starting", "fraction": 0.0})
    try:
        from clientlens.results import Results
        from clientlens.subsets import MEMBERS, Subset
        from clientlens.workspace import Workspace

        subset = Subset(**json.loads(subset_json))
        ws = Workspace(workspace, settings=json.loads(settings_json))

        def progress(step: str, fraction: float) -> None:
            _write(status, {"status": "building", "step": step, "fraction": fraction})

        try:
            result = ws.analyze(subset=subset, progress=progress)
            published = Results(ws, subset=result.subset)
            customers = published.row_count(MEMBERS)
            published.close()
        finally:
            ws.close()
    except EmptySubsetError as exc:  # not a failure: the page says nobody matches
        _write(status, {"status": "empty", "error": str(exc)})
        return 0
    except ClientLensError as exc:
        _write(status, {"status": "failed", "error": str(exc)})
        return 1
    except Exception as exc:  # one line for the page; the process's stderr has the rest
        _write(status, {"status": "failed", "error": f"{type(exc).__name__}: {exc}"})
        raise
    _write(status, {"status": "ready", "fraction": 1.0, "customers": customers})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
