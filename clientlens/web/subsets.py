"""Subset runs for the dashboard's global filters: built in the background, one at a time.

A page asked for with a segment, region or channel shows the analyses of that subset of
customers (:mod:`clientlens.subsets`). When the subset's run of the latest results does
not exist yet, :class:`SubsetBuilds` starts ``clientlens analyze`` for it in a separate
process (``python -m clientlens.web.subset_job``), which writes its progress to
``web/subsets/<key>.json``; the page shows that progress until the run is published, then
its own figures. A separate process, because analysing writes the workspace database,
which the server's request threads never open for writing (an import or ``analyze`` from
the command line must be able to run beside the server); when one holds the workspace,
the build fails with that reason and is tried again after :data:`RETRY_SECONDS`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from clientlens.subsets import Subset
from clientlens.web.users import WEB_DIR

SUBSETS_DIR = "subsets"
RETRY_SECONDS = 30.0
MAX_QUEUED = 16


@dataclass
class Build:
    """Where one subset's run stands (``web/subsets/<key>.json`` while it is built)."""

    key: str
    status: str = "queued"  # queued, building, ready, empty (nobody matches), failed
    step: str = ""
    fraction: float = 0.0
    error: str = ""
    customers: int | None = None
    at: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "at"}


class SubsetBuilds:
    """The background builds of subset runs for one workspace (one worker thread)."""

    def __init__(self, workspace: Path, settings: dict[str, Any] | None = None):
        self.path = Path(workspace)
        self.dir = self.path / WEB_DIR / SUBSETS_DIR
        self.settings = dict(settings or {})
        self._builds: OrderedDict[str, Build] = OrderedDict()
        self._queue: OrderedDict[str, Subset] = OrderedDict()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._worker: threading.Thread | None = None

    def request(self, subset: Subset, key: str) -> Build:
        """The build of ``subset`` under ``key`` (its run not yet published): queued now,
        still running, or failed (queued again once :data:`RETRY_SECONDS` have passed)."""
        with self._lock:
            build = self._builds.get(key)
            if build is not None and build.status == "empty":
                return build  # until the next run of all customers (a new key)
            if build is not None and build.status == "failed":
                if time.monotonic() - build.at < RETRY_SECONDS:
                    return build
                build = None
            if build is not None and build.status in {"queued", "building"}:
                self._read_progress(build)
                return build
            if len(self._queue) >= MAX_QUEUED:
                return Build(key, "failed", error="busy", at=time.monotonic())
            build = Build(key, at=time.monotonic())
            self._builds[key] = build
            self._queue[key] = subset
            while len(self._builds) > 4 * MAX_QUEUED:
                self._builds.popitem(last=False)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._work, daemon=True, name="subset-builds"
                )
                self._worker.start()
        self._wake.set()
        return build

    def _read_progress(self, build: Build) -> None:
        try:
            state = json.loads((self.dir / f"{build.key}.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return
        build.step = str(state.get("step", ""))
        build.fraction = float(state.get("fraction", 0.0))

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._wake.clear()
                    item = None
                else:
                    item = self._queue.popitem(last=False)
            if item is None:
                if not self._wake.wait(timeout=60):
                    return
                continue
            key, subset = item
            build = self._builds.get(key) or Build(key)
            build.status = "building"
            self._run(build, subset)

    def _run(self, build: Build, subset: Subset) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        status = self.dir / f"{build.key}.json"
        status.unlink(missing_ok=True)
        args = [
            sys.executable,
            "-m",
            "clientlens.web.subset_job",
            str(self.path),
            json.dumps(subset.as_dict(), ensure_ascii=False),
            json.dumps(self.settings, ensure_ascii=False, default=str),
            str(status),
        ]
        env = dict(os.environ, PYTHONIOENCODING="utf-8")
        proc = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
        try:
            state = json.loads(status.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            last = (proc.stderr or "").strip().splitlines()[-1:] or ["no output"]
            state = {"status": "failed", "error": f"the analysis process stopped: {last[0]}"}
        with self._lock:
            build.status = str(state.get("status", "failed"))
            build.error = str(state.get("error", ""))
            build.customers = state.get("customers")
            build.fraction = 1.0 if build.status == "ready" else build.fraction
            build.at = time.monotonic()
        status.unlink(missing_ok=True)

    def wait(self, key: str, timeout: float = 120.0) -> Build | None:
        """Block until the build of ``key`` has ended (tests, scripts); its last state."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                build = self._builds.get(key)
                if build is None or build.status in {"ready", "empty", "failed"}:
                    return build
            time.sleep(0.1)
        return self._builds.get(key)
