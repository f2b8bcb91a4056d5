"""Published result runs: readers see one complete run, never half of one, and never
fight a writer over the workspace file."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.analytics.base import Analysis, Column
from clientlens.analytics.registry import all_analyses
from clientlens.analytics.runner import run_analyses
from clientlens.errors import ConfigError, TableNotFoundError, WorkspaceError
from clientlens.results import RESULTS_DIR, publish_tables
from tests.fixtures_parity import parity_tables

REPO = Path(__file__).resolve().parents[1]
ONE = {"customer_id": Column("string", "Customer.", "客户。")}


def _filled(path: Path, *, kinds: tuple[str, ...] | None = None) -> Workspace:
    ws = Workspace.init(path, settings={"today": "2026-11-24"})
    for kind, frame in parity_tables().items():
        if kinds is None or kind in kinds:
            ws.import_table(kind, frame)
    return ws


@pytest.fixture
def analysed(tmp_path):
    ws = _filled(tmp_path / "ws")
    ws.analyze(as_of="2024-06-30", only=["customer_summary", "rfm_scores", "rfm_segments"])
    yield ws
    ws.close()


def test_no_results_before_the_first_analyze(tmp_path):
    ws = _filled(tmp_path / "ws", kinds=("orders",))
    assert not ws.results.exists
    with pytest.raises(TableNotFoundError, match="Run `clientlens analyze` first"):
        ws.results.table("rfm_scores")
    with pytest.raises(WorkspaceError, match="clientlens analyze"):
        ws.results.catalog()


def test_a_run_is_one_file_with_its_catalog(analysed):
    ws = analysed
    res = ws.results
    assert res.run_id == 1
    files = sorted(p.name for p in (ws.path / RESULTS_DIR).iterdir())
    assert files == ["LATEST", "run-000001.duckdb"]
    cat = res.catalog().set_index("name")
    assert list(cat.index) == ["customer_summary", "rfm_scores", "rfm_segments"]
    assert set(cat["status"]) == {"ok"}
    assert (cat["computed_in_run"] == 1).all()
    for name, row in cat.iterrows():
        assert res.row_count(str(name)) == row["rows"] > 0
    inputs = json.loads(cat.loc["rfm_scores", "inputs"])
    runs = ws.runs()
    imported = runs[(runs["kind"] == "import") & (runs["name"] == "orders")]
    assert inputs["orders"] == imported["checksum"].iloc[-1]
    assert str(res.observation_end) == "2024-06-30"
    assert res.runs()["run_id"].tolist() == [1]


def test_only_reuses_the_latest_run_and_keeps_a_view_pinned(analysed):
    ws = analysed
    reader = Workspace(ws.path)
    pinned = reader.results
    assert pinned.run_id == 1
    scores_before = pinned.table("rfm_scores").count().execute()

    result = ws.analyze(as_of="2024-06-30", only=["rfm_segments"])
    assert [o.name for o in result.outcomes] == ["rfm_segments"]
    assert result.run_id == 2
    cat = ws.results.catalog().set_index("name")
    assert cat.loc["rfm_segments", "status"] == "ok"
    assert cat.loc["rfm_segments", "computed_in_run"] == 2
    assert cat.loc["rfm_scores", "status"] == "reused"
    assert cat.loc["rfm_scores", "computed_in_run"] == 1
    assert ws.results.row_count("rfm_scores") == scores_before

    # the reader's view stays on run 1 until it asks for the latest
    assert pinned.run_id == 1
    assert pinned.table("rfm_scores").count().execute() == scores_before
    assert pinned.refresh() is True
    assert pinned.run_id == 2
    assert pinned.refresh() is False
    reader.close()


def test_only_computes_missing_requirements_but_not_optional_inputs(tmp_path):
    ws = _filled(tmp_path / "ws", kinds=("orders",))
    result = ws.analyze(as_of="2024-06-30", only=["rfm_segments"])
    # rfm_segments requires rfm_scores (computed for it) and may use clv (left out)
    assert [o.name for o in result.outcomes] == ["rfm_scores", "rfm_segments"]
    assert ws.results.names() == ["rfm_scores", "rfm_segments"]
    ws.close()


def test_only_refuses_results_for_another_date(analysed):
    with pytest.raises(ConfigError, match="end on 2024-06-30, but --as-of 2024-05-31"):
        analysed.analyze(as_of="2024-05-31", only=["rfm_segments"])
    assert analysed.results.run_id == 1


def test_unknown_only_is_a_clear_error(analysed):
    with pytest.raises(ConfigError, match="Unknown analyses: nope"):
        analysed.analyze(only=["nope"])


def test_an_interrupted_run_leaves_the_previous_one(analysed):
    ws = analysed

    def boom(inputs, ctx):
        raise KeyboardInterrupt

    victim = Analysis(name="rfm_segments", requires=("rfm_scores",), build=boom, columns=ONE)
    others = [a for a in all_analyses() if a.name in {"customer_summary", "rfm_scores"}]
    with pytest.raises(KeyboardInterrupt):
        run_analyses(ws, as_of="2024-06-30", analyses=[*others, victim])
    files = sorted(p.name for p in (ws.path / RESULTS_DIR).iterdir())
    assert files == ["LATEST", "run-000001.duckdb"]
    assert ws.results.run_id == 1
    assert ws.results.catalog()["status"].eq("ok").all()
    # the next run takes a new id, and publishes
    ws.analyze(as_of="2024-06-30", only=["rfm_scores"])
    assert ws.results.run_id == 3


def test_a_failed_analysis_is_in_the_catalog_with_its_reason(analysed):
    ws = analysed

    def broken(inputs, ctx):
        raise ValueError("no good")

    bad = Analysis(name="broken_one", requires=("orders",), build=broken, columns=ONE)
    result = run_analyses(ws, as_of="2024-06-30", analyses=[bad])
    assert [o.status for o in result.outcomes] == ["failed"]
    row = ws.results.catalog().set_index("name").loc["broken_one"]
    assert row["status"] == "failed"
    assert row["reason"] == "ValueError: no good"
    with pytest.raises(TableNotFoundError, match="it failed in that run"):
        ws.results.table("broken_one")


def test_old_runs_are_pruned(analysed):
    ws = analysed
    for _ in range(4):
        ws.analyze(as_of="2024-06-30", only=["rfm_segments"])
    kept = sorted(p.name for p in (ws.path / RESULTS_DIR).glob("run-*"))
    assert kept == ["run-000003.duckdb", "run-000004.duckdb", "run-000005.duckdb"]
    assert ws.results.runs()["run_id"].tolist() == [3, 4, 5]


def test_publish_tables_replaces_one_result(analysed):
    ws = analysed
    frame = pd.DataFrame({"segment": ["x"], "customers": [7]})
    run = publish_tables(ws, {"rfm_segments": frame})
    assert run == 2
    assert ws.results.table("rfm_segments").to_pandas().to_dict("list") == {
        "segment": ["x"],
        "customers": [7],
    }
    assert ws.results.row_count("customer_summary") > 0


def test_ws_table_reads_results_through_the_published_run(analysed):
    ws = analysed
    assert ws.table("rfm_scores").count().execute() == ws.results.row_count("rfm_scores")
    assert "rfm_scores" not in ws.con.list_tables()  # not in the workspace file


# -- another process reading while analyze or an import writes ---------------------------

READER = textwrap.dedent(
    """
    import sys, time, json
    from clientlens import Workspace

    path, seconds = sys.argv[1], float(sys.argv[2])
    ws = Workspace(path)
    seen, reads = set(), 0
    deadline = time.monotonic() + seconds
    stop = __import__("pathlib").Path(path) / "STOP_READER"
    while time.monotonic() < deadline and not stop.exists():
        res = ws.results
        res.refresh()
        cat = res.catalog()
        done = cat[cat["status"].isin(["ok", "reused"])]
        for row in done.itertuples():
            n = res.table(row.name).count().execute()
            if n != row.rows:
                print(json.dumps({"error": f"{row.name}: {n} rows, catalog says {row.rows}"}))
                sys.exit(1)
        if set(res.names()) != set(done["name"]):
            print(json.dumps({"error": "tables and catalog disagree"}))
            sys.exit(1)
        seen.add(res.run_id)
        reads += 1
    print(json.dumps({"runs": sorted(seen), "reads": reads}))
    """
)


def _reader(path: Path, seconds: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", READER, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def _cli(*args: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clientlens.cli", "--workspace", str(path), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )


def _finish(reader: subprocess.Popen[str], path: Path) -> dict[str, object]:
    (path / "STOP_READER").touch()
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, (out, err)
    assert "Error" not in err and "lock" not in err.lower(), err
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_reader_runs_while_analyze_publishes(tmp_path):
    path = tmp_path / "ws"
    ws = _filled(path)
    ws.analyze(as_of="2024-06-30")
    ws.close()
    reader = _reader(path, seconds=300)
    time.sleep(2)  # the reader is reading run 1
    for _ in range(2):
        done = _cli("analyze", "--as-of", "2024-06-30", path=path)
        assert done.returncode == 0, done.stdout + done.stderr
    time.sleep(1.5)  # and reads run 3 a few times
    summary = _finish(reader, path)
    assert 1 in summary["runs"] and 3 in summary["runs"], summary
    assert int(summary["reads"]) >= 5, summary


@pytest.mark.slow
def test_a_reader_runs_while_an_import_writes(tmp_path):
    path = tmp_path / "ws"
    ws = _filled(path)
    ws.analyze(as_of="2024-06-30")
    orders = ws.table("orders").to_pandas()
    ws.close()
    more = orders.assign(order_id=orders["order_id"].astype(str) + "-b")
    csv = tmp_path / "more_orders.csv"
    more.to_csv(csv, index=False)
    reader = _reader(path, seconds=300)
    time.sleep(2)
    done = _cli("import", "orders", str(csv), path=path)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = _finish(reader, path)
    assert summary["runs"] == [1], summary
    assert int(summary["reads"]) >= 3, summary
    after = Workspace(path)
    assert after.row_count("orders") == 2 * len(orders)
    after.close()
