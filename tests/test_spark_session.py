"""The Spark session a pyspark workspace asks for (clientlens.spark), without starting Spark."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from clientlens.config import load_config
from clientlens.spark import METASTORE_DIR, metastore_in_use, spark_conf
from tests.conftest import SETTINGS_PREFIX, require


def test_the_catalog_and_the_log_live_in_the_workspace(tmp_path):
    conf = spark_conf(tmp_path, load_config(tmp_path, {"engine": "pyspark"}))
    ws = tmp_path.resolve()
    assert conf["spark.sql.catalogImplementation"] == "hive"
    assert conf["spark.hadoop.javax.jdo.option.ConnectionURL"] == (
        f"jdbc:derby:;databaseName={ws / 'spark-metastore'};create=true"
    )
    assert conf["spark.sql.warehouse.dir"] == str(ws / "spark-warehouse")
    assert conf["spark.driver.extraJavaOptions"] == f"-Dderby.stream.error.file={ws}/logs/derby.log"
    assert conf["spark.clientlens.workspace"] == str(ws)
    # left to Spark's own configuration unless set
    assert "spark.master" not in conf and "spark.driver.memory" not in conf


def test_cluster_settings_reach_the_session(tmp_path):
    (tmp_path / "clientlens.toml").write_text(
        'engine = "pyspark"\nspark_master = "spark://head:7077"\n'
        'spark_warehouse = "hdfs:///clientlens/shop"\n'
    )
    config = load_config(tmp_path, {"spark_driver_memory": "8g"}, environ={})
    conf = spark_conf(tmp_path, config)
    assert (conf["spark.master"], conf["spark.driver.memory"]) == ("spark://head:7077", "8g")
    assert conf["spark.sql.warehouse.dir"] == "hdfs:///clientlens/shop"


def _hold_lock(lock: Path) -> subprocess.Popen[str]:
    """Another process holding the lock as Derby's JVM does (a POSIX lock on dbex.lck)."""
    code = (
        "import fcntl, sys\n"
        f"f = open({str(lock)!r}, 'rb+')\n"
        "fcntl.lockf(f, fcntl.LOCK_EX)\n"
        "print('locked', flush=True)\n"
        "sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline() == "locked\n"
    return proc


def test_a_second_process_gets_one_line_naming_the_lock(tmp_path):
    require("spark")  # in CI (CLIENTLENS_REQUIRE) a missing Spark fails, never skips
    ws = tmp_path / "shop"
    (ws / METASTORE_DIR).mkdir(parents=True)
    (ws / "clientlens.toml").write_text('engine = "pyspark"\n')
    lock = ws / METASTORE_DIR / "dbex.lck"
    lock.write_bytes(b"")
    assert not metastore_in_use(ws)
    holder = _hold_lock(lock)
    try:
        assert metastore_in_use(ws)
        env = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_PREFIX)}
        proc = subprocess.run(
            [sys.executable, "-m", "clientlens", "--lang", "en", "-w", str(ws), "tables"],
            capture_output=True,
            text=True,
            env=env | {"COLUMNS": "300"},
            check=False,
        )
    finally:
        holder.communicate("")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == (
        f"Error: The pyspark workspace {ws.resolve()} is in use by another process (its Spark "
        f"catalog, {ws.resolve() / METASTORE_DIR}, admits one process at a time). Wait for "
        "that command to finish, or close the notebook that has the workspace open."
    )
    assert not (ws / "logs").exists()  # refused before Spark started
    assert not metastore_in_use(ws)
