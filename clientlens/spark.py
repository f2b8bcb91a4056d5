"""The Spark session of a ``engine = "pyspark"`` workspace.

Two things make a pyspark workspace behave like a DuckDB one from the command line:

* **A catalog that outlives the process.** Spark's default catalog lives in the driver's
  memory and is gone when the process ends, while the table files stay in the
  warehouse; the next command then cannot create or find its tables. A workspace's
  session therefore uses Spark's Hive catalog with an embedded Derby metastore in the
  workspace folder (``spark-metastore/``), next to the table files (``spark-warehouse/``,
  or ``spark_warehouse`` on a cluster). Every CLI command and every library session of
  the workspace sees the same tables. Embedded Derby admits one process at a time: a
  second process gets a one-line error naming the lock, not Derby's traceback.
* **Spark's own log stays out of the terminal.** The JVM is started with its stdout and
  stderr sent to ``logs/spark.log`` in the workspace (log4j's console, the JVM's
  banners, stage progress bars), unless ``spark_log_stderr`` is on (``clientlens --debug``
  turns it on).

A session that clientlens did not start (a notebook's, a cluster's) is used as it is,
with its own catalog: the process's Spark configuration belongs to its owner.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientlens.errors import WorkspaceError, require

if TYPE_CHECKING:
    from clientlens.config import Config

METASTORE_DIR = "spark-metastore"
WAREHOUSE_DIR = "spark-warehouse"
LOG_FILE = Path("logs") / "spark.log"
DERBY_LOG = Path("logs") / "derby.log"
OWNER_CONF = "spark.clientlens.workspace"
"""Set on the sessions clientlens starts: the workspace directory they serve."""


def metastore_in_use(path: Path) -> bool:
    """True when another process has the workspace's Derby metastore booted.

    Derby holds an exclusive lock on ``dbex.lck`` while a JVM has the database open
    (Java's file locks are POSIX locks on Linux, so this process can test it).
    """
    lock = path / METASTORE_DIR / "dbex.lck"
    if not lock.is_file():
        return False
    with lock.open("rb+") as fh:
        try:
            fcntl.lockf(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(fh, fcntl.LOCK_UN)
    return False


def spark_conf(path: Path, config: Config) -> dict[str, str]:
    """The Spark configuration of the session for the workspace at ``path``."""
    path = path.resolve()
    warehouse = str(config.spark_warehouse) or str(path / WAREHOUSE_DIR)
    metastore = path / METASTORE_DIR
    conf = {
        "spark.app.name": f"clientlens {path.name}",
        OWNER_CONF: str(path),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.warehouse.dir": warehouse,
        "spark.sql.catalogImplementation": "hive",
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={metastore};create=true"
        ),
        # derby.log with Spark's log instead of in the current directory
        "spark.driver.extraJavaOptions": f"-Dderby.stream.error.file={path / DERBY_LOG}",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }
    if config.spark_master:
        conf["spark.master"] = str(config.spark_master)
    if config.spark_driver_memory:
        conf["spark.driver.memory"] = str(config.spark_driver_memory)
    return conf


def spark_session(path: Path, config: Config) -> Any:
    """The SparkSession for the workspace at ``path``: the process's active one when
    clientlens did not start it or started it for this workspace, else a new one."""
    require("pyspark", extra="spark", feature="The pyspark engine")
    from pyspark import SparkConf, SparkContext
    from pyspark.sql import SparkSession

    path = path.resolve()
    active = SparkSession.getActiveSession()
    if active is not None:
        owner = active.sparkContext.getConf().get(OWNER_CONF)
        if owner is None or owner == str(path):
            return active
        # Spark's catalog and warehouse are fixed for the life of a SparkContext
        raise WorkspaceError(
            f"This Python process already runs Spark for the workspace {owner}; Spark "
            f"serves one workspace per process. Close that one (ws.close()) before opening "
            f"{path}."
        )
    # (this process's own JVM may hold the lock from an earlier session: Derby lets it in)
    if SparkContext._gateway is None and metastore_in_use(path):
        raise WorkspaceError(
            f"The pyspark workspace {path} is in use by another process (its Spark catalog, "
            f"{path / METASTORE_DIR}, admits one process at a time). Wait for that command "
            "to finish, or close the notebook that has the workspace open."
        )
    conf = SparkConf(loadDefaults=True)
    for key, value in spark_conf(path, config).items():
        if key == "spark.driver.extraJavaOptions" and conf.get(key):
            value = f"{conf.get(key)} {value}"  # keep the installation's own options
        conf.set(key, value)
    if SparkContext._gateway is None:  # the JVM starts once per Python process
        _launch_jvm(path, conf, to_stderr=bool(config.spark_log_stderr))
    if str(conf.get("spark.master", "local")).startswith("local"):
        # Spark's Python workers (a frame turned into a table is checked there) run
        # PYSPARK_PYTHON, else ``python3`` from PATH, which need not be this environment
        # and may lack pandas; on a cluster the executors' Python is the cluster's own.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = SparkSession(SparkContext(conf=conf, gateway=SparkContext._gateway))
    _check_catalog(session, path)
    return session


def _launch_jvm(path: Path, conf: Any, *, to_stderr: bool) -> None:
    from pyspark import SparkContext
    from pyspark.java_gateway import launch_gateway

    log = path / LOG_FILE
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        popen = {} if to_stderr else {"stdout": out, "stderr": out}
        try:
            gateway = launch_gateway(conf, popen_kwargs=popen)
        except Exception as exc:  # pyspark's own error when java is missing or fails
            raise WorkspaceError(
                f"Spark did not start for the workspace {path}: {exc}. Spark needs Java 17 "
                f"(scripts/system-deps installs it); its log is {log}: {_last_line(log)}"
            ) from None
    SparkContext._gateway = gateway
    SparkContext._jvm = gateway.jvm


def _check_catalog(session: Any, path: Path) -> None:
    """Open the metastore now, so that a lock lost to a race is a clear error here."""
    try:
        session.catalog.listDatabases()
    except Exception as exc:  # Spark's AnalysisException around Hive's and Derby's
        session.stop()
        if "Another instance of Derby" in str(exc):
            raise WorkspaceError(
                f"The pyspark workspace {path} is in use by another process (its Spark "
                f"catalog, {path / METASTORE_DIR}, admits one process at a time)."
            ) from None
        raise WorkspaceError(
            f"Spark cannot open the catalog of the workspace {path} "
            f"({path / METASTORE_DIR}): {str(exc).splitlines()[0]}. "
            f"Spark's log: {path / LOG_FILE}."
        ) from None


def _last_line(log: Path) -> str:
    with contextlib.suppress(OSError):
        lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
        if lines:
            return lines[-1]
    return "(empty)"
