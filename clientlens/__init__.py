"""ClientLens: customer analytics and customer operations on DuckDB or Spark.

>>> import clientlens as cl
>>> ws = cl.Workspace.init("shop")                       # doctest: +SKIP
>>> ws.import_table("orders", "orders.csv")              # doctest: +SKIP
>>> cl.rfm_summary(ws.table("orders")).to_pandas()       # doctest: +SKIP
"""

from typing import Any

from clientlens.analytics.customers.rfm import rfm_summary
from clientlens.config import Config, Setting, load_config
from clientlens.errors import (
    ClientLensError,
    ConfigError,
    DataContractError,
    ImportValidationError,
    Problem,
    WorkspaceError,
)
from clientlens.report import build_report
from clientlens.workspace import Workspace

__version__ = "0.1.0"

SETTINGS: tuple[Setting, ...]
"""Every setting (:data:`clientlens.config.SETTINGS`), gathered on first use."""


def __getattr__(name: str) -> Any:
    # SETTINGS includes every analysis's declarations: importing clientlens should not
    # import every analysis for it
    if name == "SETTINGS":
        from clientlens.config import all_settings

        return all_settings()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "SETTINGS",
    "ClientLensError",
    "Config",
    "ConfigError",
    "DataContractError",
    "ImportValidationError",
    "Problem",
    "Workspace",
    "WorkspaceError",
    "__version__",
    "build_report",
    "load_config",
    "rfm_summary",
]
