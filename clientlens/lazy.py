"""The heavy libraries, bound now and imported on first use.

Ibis, pandas and numpy take seconds to import. The modules that declare things other
code lists without running anything — the analyses (their settings and result columns),
the workspace and the canonical schema — bind these names from here instead of
importing the libraries::

    from clientlens.lazy import ibis, ir, pd

Each name stands for its module and imports it on first attribute access
(``ibis.literal``, ``ir.Table``, ``pd.DataFrame``), so ``clientlens settings``,
``clientlens analyses`` and ``clientlens --help`` gather every declaration without
importing Ibis at all, and ``analyze`` pays for it once, when the first expression is
built. Type checkers see the real modules.

A module that binds a name here uses it only inside functions (and in annotations,
which ``from __future__ import annotations`` leaves unevaluated): a use at module level
imports the library at once. tests/test_cli_startup.py checks that listing the
declarations imports none of them.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

__all__ = ["dtypes", "ibis", "ir", "np", "ops", "pd", "sch"]


class LazyModule(ModuleType):
    """Stands for module ``name``; the first attribute read imports it."""

    def __getattr__(self, attribute: str) -> Any:
        # only called for attributes the stand-in lacks, which is all but its name and doc
        return getattr(importlib.import_module(self.__name__), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self.__name__!r}>"


if TYPE_CHECKING:
    import ibis
    import ibis.expr.datatypes as dtypes
    import ibis.expr.operations as ops
    import ibis.expr.schema as sch
    import ibis.expr.types as ir
    import numpy as np
    import pandas as pd
else:
    ibis = LazyModule("ibis")
    dtypes = LazyModule("ibis.expr.datatypes")
    ops = LazyModule("ibis.expr.operations")
    sch = LazyModule("ibis.expr.schema")
    ir = LazyModule("ibis.expr.types")
    np = LazyModule("numpy")
    pd = LazyModule("pandas")
