"""The same analyses give the same results on DuckDB and on PySpark (local mode).

Both workspaces are filled through the public import path, so the generic (non-DuckDB)
upsert is exercised too; then every registered analysis runs on each engine and the
sorted results must agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clientlens import Workspace
from clientlens.analytics.registry import all_analyses
from tests.fixtures_parity import parity_tables

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
            frame[col] = frame[col].dt.tz_localize(None)
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].astype("datetime64[ns]")
    keys = [c for c in frame.columns if not pd.api.types.is_float_dtype(frame[c])]
    return frame.sort_values(keys or list(frame.columns)).reset_index(drop=True)


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory):
    root = tmp_path_factory.mktemp("parity")
    duck = Workspace.init(root / "duck", settings={"today": "2026-11-24"})
    spark = Workspace.init(root / "spark", settings={"engine": "pyspark", "today": "2026-11-24"})
    for kind, frame in parity_tables().items():
        duck.import_table(kind, frame)
        spark.import_table(kind, frame)
    yield duck, spark
    duck.close()


def test_imports_agree(both_engines):
    duck, spark = both_engines
    for kind in parity_tables():
        a = _sorted(duck.table(kind).execute())
        b = _sorted(spark.table(kind).execute())
        pd.testing.assert_frame_equal(a, b, check_dtype=False)


@pytest.fixture(scope="module")
def analysed(both_engines):
    duck, spark = both_engines
    return duck.analyze(as_of="2024-06-30"), spark.analyze(as_of="2024-06-30")


def test_every_analysis_agrees(both_engines, analysed):
    duck, spark = both_engines
    rd, rs = analysed
    assert [o.status for o in rd.outcomes] == [o.status for o in rs.outcomes]
    assert not rd.failed, [(o.name, o.reason) for o in rd.failed]
    assert not rs.failed, [(o.name, o.reason) for o in rs.failed]
    names = [a.name for a in all_analyses()]
    assert {o.name for o in rd.ran} == set(names)
    for name in names:
        a = _sorted(duck.table(name).execute())
        b = _sorted(spark.table(name).execute())
        assert list(a.columns) == list(b.columns), name
        assert len(a) == len(b) > 0, name
        for col in a.columns:
            if pd.api.types.is_float_dtype(a[col]):
                np.testing.assert_allclose(
                    a[col].astype(float),
                    b[col].astype(float),
                    rtol=1e-9,
                    atol=1e-9,
                    err_msg=f"{name}.{col}",
                )
            else:
                assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), f"{name}.{col}"


def test_every_result_has_its_declared_types_on_both_engines(both_engines, analysed):
    duck, spark = both_engines
    rd, rs = analysed
    assert not rd.failed and not rs.failed
    problems = {
        engine: [p for a in all_analyses() for p in a.schema_problems(ws.table(a.name).schema())]
        for engine, ws in (("duckdb", duck), ("pyspark", spark))
    }
    assert problems == {"duckdb": [], "pyspark": []}
