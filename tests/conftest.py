"""Shared test helpers: optional features, a clean environment, the public data, workspaces.

Optional features
-----------------
Tests of an optional feature carry its marker (``@pytest.mark.spark``, ``pdf``,
``charts``, ``postgres``, ``browser``) or call :func:`require`. On a developer's machine a test whose
feature is not installed is skipped, with what is missing and how to install it. When the
environment variable ``CLIENTLENS_REQUIRE`` lists the feature (``spark,pdf,charts,postgres,browser``,
as ``.ci/run`` sets it), the same test fails with that message instead: CI cannot pass by
skipping what it was meant to test.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import shutil
import subprocess
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytest_plugins = ["pytester"]  # tests/test_harness.py runs pytest on small test files

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

REQUIRE_ENV = "CLIENTLENS_REQUIRE"
SETTINGS_PREFIX = "CLIENTLENS_"

# The reference makers there import lifetimes, which is kept out of the project
# environment (see their docstrings); they are scripts, not tests or doctests.
collect_ignore = ["expected"]


# --- optional features ---------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    """An optional part of ClientLens whose tests need more than the core install."""

    name: str
    needs: str
    missing: Callable[[], list[str]]
    """What is absent on this machine, each item saying how to install it; [] when ready."""


def _module_missing(module: str, install: str) -> list[str]:
    try:
        importlib.import_module(module)
    except ImportError as exc:
        return [f"the Python package {module!r} ({exc}): {install}"]
    return []


def _java() -> str | None:
    """The java pyspark's launcher (spark-class) runs: $JAVA_HOME/bin/java, else java on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        return str(java) if os.access(java, os.X_OK) else None
    return shutil.which("java")


def _java_version(java: str) -> int | None:
    out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=120)
    found = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


@functools.cache
def _spark_missing() -> list[str]:
    missing = _module_missing("pyspark", "pip install 'clientlens[spark]'")
    install_java = (
        "install it with scripts/system-deps (apt-get install openjdk-17-jre-headless), "
        "or point JAVA_HOME at a Java 17 installation"
    )
    java = _java()
    if java is None:
        where = (
            f"JAVA_HOME={os.environ['JAVA_HOME']} has no bin/java"
            if os.environ.get("JAVA_HOME")
            else "no java on PATH and JAVA_HOME is not set"
        )
        missing.append(f"Java 17 or later ({where}): {install_java}")
    elif (version := _java_version(java)) is None or version < 17:
        missing.append(
            f"Java 17 or later ({java} is Java {version or 'of unknown version'}): {install_java}"
        )
    return missing


@functools.cache
def _pdf_missing() -> list[str]:
    missing = []
    try:
        # Without harfbuzz-subset WeasyPrint warns at import; that is reported below.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            importlib.import_module("weasyprint")
    except ImportError as exc:
        missing.append(f"the Python package 'weasyprint' ({exc}): pip install 'clientlens[report]'")
    except OSError as exc:  # its C libraries are loaded at import
        missing.append(
            f"WeasyPrint's libraries ({exc}): install pango with scripts/system-deps "
            "(apt-get install libpangoft2-1.0-0)"
        )
    else:
        if importlib.import_module("weasyprint.text.ffi").harfbuzz_subset is None:
            missing.append(
                "WeasyPrint's font subsetter libharfbuzz-subset: install it with "
                "scripts/system-deps (apt-get install libharfbuzz-subset0)"
            )
    for tool in ("pdftotext", "pdftoppm"):
        if shutil.which(tool) is None:
            missing.append(
                f"poppler's {tool} (not on PATH): install it with scripts/system-deps "
                "(apt-get install poppler-utils)"
            )
    return missing


@functools.cache
def _charts_missing() -> list[str]:
    return _module_missing("altair", "pip install 'clientlens[report]'")


CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium (scripts/system-deps installs it); Playwright drives it through
``executable_path``, so no browser is downloaded."""


@functools.cache
def _browser_missing() -> list[str]:
    missing = _module_missing("playwright", "pip install 'clientlens[dev]'")
    missing += _module_missing("fastapi", "pip install 'clientlens[web]'")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(
            f"Chromium ({CHROMIUM} is missing): install it with scripts/system-deps "
            "(apt-get install chromium)"
        )
    return missing


@functools.cache
def _postgres_missing() -> list[str]:
    from tests import postgres_server

    return postgres_server.missing()


FEATURES = {
    f.name: f
    for f in (
        Feature("spark", "pyspark and Java 17, for the pyspark engine", _spark_missing),
        Feature("pdf", "WeasyPrint's libraries and poppler, for the PDF report", _pdf_missing),
        Feature("charts", "altair, for the charts' Vega-Lite specs", _charts_missing),
        Feature(
            "browser",
            "Playwright and Debian's Chromium, for the dashboard's browser tests",
            _browser_missing,
        ),
        Feature(
            "postgres",
            "PostgreSQL's server (initdb, pg_ctl) and psycopg, for the postgres engine",
            _postgres_missing,
        ),
    )
}


class RequiredFeatureMissing(pytest.fail.Exception):
    """A feature listed in CLIENTLENS_REQUIRE is not installed."""

    __module__ = "builtins"  # reported by its bare name, as pytest reports its own Failed


def required_features() -> set[str]:
    return {name.strip() for name in os.environ.get(REQUIRE_ENV, "").split(",") if name.strip()}


def require(name: str) -> None:
    """Make sure the optional feature ``name`` is installed, or end the calling test.

    The test is skipped, saying what is missing and how to install it; it fails with that
    message when CLIENTLENS_REQUIRE lists ``name``.
    """
    feature = FEATURES[name]
    missing = feature.missing()
    if not missing:
        return
    if name in required_features():
        items = "".join(f"\n  - {item}" for item in missing)
        raise RequiredFeatureMissing(
            f"{REQUIRE_ENV} requires {name!r} ({feature.needs}); missing:{items}",
            pytrace=False,
        )
    pytest.skip(f"{name} ({feature.needs}) is not installed: {'; '.join(missing)}")


def pytest_configure(config: pytest.Config) -> None:
    for name, feature in FEATURES.items():
        config.addinivalue_line(
            "markers", f"{name}: needs {feature.needs}; required where {REQUIRE_ENV} lists {name}"
        )
    unknown = sorted(required_features() - FEATURES.keys())
    if unknown:
        raise pytest.UsageError(
            f"{REQUIRE_ENV}={os.environ[REQUIRE_ENV]!r} names no feature {', '.join(unknown)}; "
            f"the features are {', '.join(FEATURES)}."
        )


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before the test's fixtures, so that no fixture starts Spark without Java.
    for name in FEATURES:
        if item.get_closest_marker(name) is not None:
            require(name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    # pytest calls any failure before the test body an "error" of its setup; a required
    # feature that is missing is the test's own failure, wherever it was noticed.
    if (
        call.when == "setup"
        and call.excinfo is not None
        and call.excinfo.errisinstance(RequiredFeatureMissing)
    ):
        report.when = "call"
    return report


# --- a clean environment -------------------------------------------------------------


def developer_settings() -> list[str]:
    """The CLIENTLENS_* variables a developer's shell may set, which tests must not see."""
    return [n for n in os.environ if n.startswith(SETTINGS_PREFIX) and n != REQUIRE_ENV]


@pytest.fixture(scope="session", autouse=True)
def no_developer_settings() -> Iterator[None]:
    """Session-wide, so that module- and session-scoped fixtures do not see them either."""
    with pytest.MonkeyPatch.context() as mp:
        for name in developer_settings():
            mp.delenv(name)
        yield


@pytest.fixture(autouse=True)
def isolated_environment(no_developer_settings: None) -> Iterator[None]:
    """Every test starts from the same os.environ, whatever the tests before it changed."""
    saved = dict(os.environ)
    yield
    if dict(os.environ) != saved:
        os.environ.clear()
        os.environ.update(saved)


# --- the public data and small workspaces --------------------------------------------


def shared_data(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: ClientLens tests read ../shared/data beside the repo.")
    return path


def read_cdnow_master() -> pd.DataFrame:
    """CDNOW_master.txt as orders: customer_id (str), order_date, amount, n_cds."""
    raw = pd.read_csv(
        shared_data("CDNOW_master.txt"), sep=r"\s+", dtype={"customer_id": str, "date": str}
    )
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "order_date": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "amount": raw["dollar_value"].astype(float),
            "n_cds": raw["number_of_cds"],
        }
    )


@pytest.fixture(scope="session")
def cdnow_master() -> pd.DataFrame:
    return read_cdnow_master()


@pytest.fixture
def workspace(tmp_path):
    from clientlens import Workspace

    ws = Workspace.init(tmp_path / "ws", settings={"today": "2026-11-24"})
    yield ws
    ws.close()


# --- a PostgreSQL server for the postgres engine -------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """One throw-away PostgreSQL server on 127.0.0.1 for the session (tests/postgres_server.py)."""
    require("postgres")
    from tests import postgres_server as server_module

    server = server_module.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: Any) -> str:
    """The URL of a new, empty database on the session's server, for one test."""
    return str(postgres_server.url(postgres_server.create_database()))


@pytest.fixture
def postgres_workspace(tmp_path: Path, postgres_url: str) -> Iterator[Any]:
    from clientlens import Workspace

    ws = Workspace.init(
        tmp_path / "ws",
        settings={"engine": "postgres", "connection": postgres_url, "today": "2026-11-24"},
    )
    yield ws
    ws.close()
