"""``import clientlens``: the public names, each documented, and nothing else public."""

from __future__ import annotations

import inspect
import subprocess
import sys
import tomllib

import clientlens
from tests.conftest import REPO

# The public API. Removing a name breaks users' code: change this list on purpose only.
PUBLIC_API = [
    "SETTINGS",
    "ClientLensError",
    "Config",
    "ConfigError",
    "DataContractError",
    "DatabaseSource",
    "ImportValidationError",
    "Problem",
    "Workspace",
    "WorkspaceError",
    "build_report",
    "load_config",
    "rfm_summary",
    "sentiment",
]

# Public names that are data, not classes or functions: documented where they are declared.
DATA = {"SETTINGS": tuple}


def test_all_lists_exactly_the_public_api():
    assert clientlens.__all__ == PUBLIC_API


def test_every_public_name_imports_and_is_documented():
    namespace: dict[str, object] = {}
    exec("from clientlens import *", namespace)
    assert sorted(n for n in namespace if n != "__builtins__") == sorted(PUBLIC_API)
    for name in PUBLIC_API:
        assert not name.startswith("_"), name
        obj = getattr(clientlens, name)
        if name in DATA:
            assert isinstance(obj, DATA[name]), name
            continue
        assert inspect.isclass(obj) or inspect.isfunction(obj), name
        doc = obj.__doc__ or ""
        # A dataclass without a docstring gets its signature as __doc__; that is not one.
        assert doc.strip() and not doc.startswith(f"{name}("), f"{name} has no docstring"


def test_the_settings_are_documented_one_by_one():
    assert [s.name for s in clientlens.SETTINGS if not s.help.strip()] == []


def test_nothing_else_public_but_submodules():
    extra = {n for n in dir(clientlens) if not n.startswith("_")} - set(clientlens.__all__)
    assert {n: type(getattr(clientlens, n)).__name__ for n in extra} == dict.fromkeys(
        extra, "module"
    )


def test_the_version_is_the_package_version():
    with (REPO / "pyproject.toml").open("rb") as f:
        assert clientlens.__version__ == tomllib.load(f)["project"]["version"]


def test_importing_clientlens_leaves_the_optional_extras_unloaded():
    """Spark, the PDF and chart libraries load when first used, not on ``import clientlens``."""
    heavy = ["pyspark", "weasyprint", "altair", "vl_convert", "jinja2", "fastapi"]
    code = f"import sys, clientlens; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip() == "[]"
