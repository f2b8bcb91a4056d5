"""The server reads while `clientlens analyze` writes the same workspace: every request
answers (no lock error, no half-written run), and the pages move to the new run once it
is published."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.web.conftest import Client

pytestmark = pytest.mark.slow


def test_pages_answer_while_analyze_publishes_a_new_run(web_workspace, tmp_path):
    from clientlens.web.app import create_app

    ws = tmp_path / "ws"
    shutil.copytree(web_workspace, ws)
    app = create_app(ws)
    client = Client(app, "analyst")
    first = client.get("/api/v1/kpis").json()["run_id"]
    assert client.get("/api/v1/customers/a").json()["profile"]["name"] == "张伟"  # snapshot taken
    analyze = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clientlens",
            "-w",
            str(ws),
            "analyze",
            "--as-of",
            "2024-06-30",
            "--only",
            "rfm_scores",
            "--only",
            "rfm_segments",
        ],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    statuses, runs = [], set()
    while analyze.poll() is None:
        for url in ("/segments", "/api/v1/customers", "/api/v1/segments", "/customers/a"):
            r = client.get(url)
            statuses.append(r.status_code)
            if url == "/api/v1/segments":
                runs.add(r.json()["run_id"])
    _out, err = analyze.communicate()
    assert analyze.returncode == 0, err
    assert len(statuses) >= 8 and set(statuses) == {200}
    after = client.get("/api/v1/segments").json()["run_id"]
    # the next run of all customers (subset runs of other tests may have taken ids)
    assert after > first and runs <= {first, after}
    assert client.get("/api/v1/customers").json()["total"] == 6
