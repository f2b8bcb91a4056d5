"""The test harness itself: a required feature fails instead of skipping; a clean environment.

The pytester tests run pytest in-process on a small test file whose conftest takes the
hooks and fixtures of tests/conftest.py.
"""

from __future__ import annotations

import os
import re
import stat

import pytest

from tests import conftest
from tests.conftest import FEATURES, REQUIRE_ENV, Feature, RequiredFeatureMissing, require

NO_JAVA = "Java 17 or later (no java on PATH): install it with scripts/system-deps"

HARNESS_CONFTEST = """
from tests.conftest import (
    isolated_environment,
    no_developer_settings,
    pytest_configure,
    pytest_runtest_makereport,
    pytest_runtest_setup,
)
"""


def _run(pytester, *args):
    # Without hypothesis's plugin: its end-of-run summary imports hypothesis afresh each
    # time (pytester restores sys.modules after a run), several seconds per run.
    return pytester.runpytest("-p", "no:hypothesispytest", *args)


def _spark_without_java(monkeypatch):
    monkeypatch.setitem(FEATURES, "spark", Feature("spark", "pyspark and Java", lambda: [NO_JAVA]))


def test_a_missing_feature_that_is_required_fails_saying_what_to_install(monkeypatch):
    _spark_without_java(monkeypatch)
    monkeypatch.setenv(REQUIRE_ENV, "pdf, spark")
    with pytest.raises(RequiredFeatureMissing) as failure:
        require("spark")
    assert isinstance(failure.value, pytest.fail.Exception)
    assert str(failure.value) == (
        f"CLIENTLENS_REQUIRE requires 'spark' (pyspark and Java); missing:\n  - {NO_JAVA}"
    )


@pytest.mark.parametrize("listed", [None, "", "pdf,charts"])
def test_a_missing_feature_that_is_not_required_skips(monkeypatch, listed):
    _spark_without_java(monkeypatch)
    if listed is None:
        monkeypatch.delenv(REQUIRE_ENV, raising=False)
    else:
        monkeypatch.setenv(REQUIRE_ENV, listed)
    with pytest.raises(
        pytest.skip.Exception,
        match=re.escape(f"spark (pyspark and Java) is not installed: {NO_JAVA}"),
    ):
        require("spark")


def test_an_installed_feature_neither_skips_nor_fails(monkeypatch):
    monkeypatch.setitem(FEATURES, "spark", Feature("spark", "pyspark and Java", lambda: []))
    monkeypatch.setenv(REQUIRE_ENV, "spark")
    assert require("spark") is None


PARITY_LIKE = """
import pytest

started = []

@pytest.fixture(scope="module")
def engine():
    started.append("spark")
    raise RuntimeError("py4j: Java gateway process exited")

@pytest.mark.spark
def test_one(engine):
    pass

@pytest.mark.spark
def test_two(engine):
    pass

def test_the_fixture_never_started():
    assert started == []
"""


@pytest.mark.parametrize(
    ("listed", "outcomes", "lines"),
    [
        (
            "spark",
            {"failed": 2, "passed": 1},
            [
                "*_ test_one _*",
                "CLIENTLENS_REQUIRE requires 'spark' (pyspark and Java); missing:",
                f"  - {NO_JAVA}",
                "*_ test_two _*",
                "FAILED test_parity_like.py::test_one - RequiredFeatureMissing*",
                "FAILED test_parity_like.py::test_two - RequiredFeatureMissing*",
            ],
        ),
        (
            None,
            {"skipped": 2, "passed": 1},
            [f"SKIPPED [[]2] *: spark (pyspark and Java) is not installed: {NO_JAVA}"],
        ),
    ],
)
def test_a_marked_test_fails_or_skips_before_its_fixtures(
    pytester, monkeypatch, listed, outcomes, lines
):
    _spark_without_java(monkeypatch)
    if listed is None:
        monkeypatch.delenv(REQUIRE_ENV, raising=False)
    else:
        monkeypatch.setenv(REQUIRE_ENV, listed)
    pytester.makeconftest(HARNESS_CONFTEST)
    pytester.makepyfile(test_parity_like=PARITY_LIKE)
    result = _run(pytester, "-ra")
    # Failures of the test, not errors of its setup, and nothing from py4j.
    result.assert_outcomes(**outcomes)
    result.stdout.fnmatch_lines(lines)
    result.stdout.no_fnmatch_line("*py4j*")


def test_an_unknown_feature_name_is_a_usage_error(pytester, monkeypatch):
    monkeypatch.setenv(REQUIRE_ENV, "spark,sprak")
    pytester.makeconftest(HARNESS_CONFTEST)
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = _run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*CLIENTLENS_REQUIRE='spark,sprak' names no feature sprak; the features are spark, pdf, charts, browser, postgres."
        ]
    )


ENVIRONMENT = """
import os
import pytest

@pytest.fixture(scope="module")
def seen_by_a_module_fixture():
    return os.environ.get("CLIENTLENS_CURRENCY")

def test_starts_without_the_shell_settings(seen_by_a_module_fixture):
    assert seen_by_a_module_fixture is None
    assert "CLIENTLENS_CURRENCY" not in os.environ
    assert os.environ["CLIENTLENS_REQUIRE"] == "charts"
    os.environ["CLIENTLENS_LANGUAGE"] = "en"
    os.environ["HARNESS_MARK"] = "changed"
    del os.environ["HARNESS_KEPT"]

def test_starts_without_the_changes_of_the_test_before():
    assert "CLIENTLENS_LANGUAGE" not in os.environ
    assert "HARNESS_MARK" not in os.environ
    assert os.environ["HARNESS_KEPT"] == "yes"
"""


def test_every_test_starts_from_a_clean_environment(pytester, monkeypatch):
    monkeypatch.setenv("CLIENTLENS_CURRENCY", "EUR")
    monkeypatch.setenv(REQUIRE_ENV, "charts")
    monkeypatch.setenv("HARNESS_KEPT", "yes")
    monkeypatch.delenv("HARNESS_MARK", raising=False)
    pytester.makeconftest(HARNESS_CONFTEST)
    pytester.makepyfile(test_environment=ENVIRONMENT)
    result = _run(pytester)
    result.assert_outcomes(passed=2)
    # The shell's settings are back once the session is over.
    assert os.environ["CLIENTLENS_CURRENCY"] == "EUR"


def _fake_java(tmp_path, version: str):
    java = tmp_path / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{version}\" 2021-01-19' >&2\n")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    return tmp_path


@pytest.mark.parametrize(
    ("version", "complaint"),
    [("11.0.10", "is Java 11)"), ("1.8.0_292", "is Java 8)"), ("17.0.15", None), ("21", None)],
)
def test_spark_needs_java_17_where_spark_class_looks(tmp_path, monkeypatch, version, complaint):
    monkeypatch.setenv("JAVA_HOME", str(_fake_java(tmp_path, version)))
    java = [m for m in conftest._spark_missing.__wrapped__() if m.startswith("Java")]
    if complaint is None:
        assert java == []
    else:
        assert len(java) == 1 and f"{tmp_path}/bin/java {complaint}" in java[0]
        assert "apt-get install openjdk-17-jre-headless" in java[0]


def test_spark_reports_a_java_home_without_java(tmp_path, monkeypatch):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    java = [m for m in conftest._spark_missing.__wrapped__() if m.startswith("Java")]
    assert java == [
        f"Java 17 or later (JAVA_HOME={tmp_path} has no bin/java): install it with "
        "scripts/system-deps (apt-get install openjdk-17-jre-headless), or point JAVA_HOME "
        "at a Java 17 installation"
    ]


def test_spark_without_java_home_looks_on_path(tmp_path, monkeypatch):
    monkeypatch.setenv("JAVA_HOME", "")  # empty counts as unset, as in spark-class
    monkeypatch.setenv("PATH", str(tmp_path))
    java = [m for m in conftest._spark_missing.__wrapped__() if m.startswith("Java")]
    assert len(java) == 1 and "no java on PATH and JAVA_HOME is not set" in java[0]
    monkeypatch.setenv("PATH", str(_fake_java(tmp_path, "17.0.1") / "bin"))
    assert [m for m in conftest._spark_missing.__wrapped__() if m.startswith("Java")] == []
