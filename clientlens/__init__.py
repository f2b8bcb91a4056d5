"""ClientLens: customer analytics and customer operations on DuckDB or Spark.

>>> import clientlens as cl
>>> ws = cl.Workspace.init("shop")                       # doctest: +SKIP
>>> ws.import_table("orders", "orders.csv")              # doctest: +SKIP
>>> cl.rfm_summary(ws.table("orders")).to_pandas()       # doctest: +SKIP
"""

from clientlens.analytics.rfm import rfm_summary
from clientlens.config import SETTINGS, Config, load_config
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
    "build_report",
    "load_config",
    "rfm_summary",
]
