"""ClientLens: customer analytics and customer operations on DuckDB or Spark.

>>> import clientlens as cl
>>> ws = cl.Workspace.init("shop")
>>> ws.import_table("orders", "orders.csv").rows_loaded
6
>>> s = cl.rfm_summary(ws.table("orders")).order_by("customer_id").to_pandas()
>>> s[["customer_id", "frequency", "recency", "T", "monetary_value"]].values.tolist()
[['a', 2.0, 148.0, 148.0, 100.0], ['b', 1.0, 109.0, 121.0, 20.0], ['c', 0.0, 0.0, 183.0, 0.0]]
"""

from typing import Any as _Any

from clientlens.analytics.customers.rfm import rfm_summary
from clientlens.config import Config, load_config
from clientlens.config import Setting as _Setting
from clientlens.errors import (
    ClientLensError,
    ConfigError,
    DataContractError,
    ImportValidationError,
    Problem,
    WorkspaceError,
)
from clientlens.ingest.database import DatabaseSource
from clientlens.report import build_report
from clientlens.workspace import Workspace

__version__ = "0.1.0"

SETTINGS: tuple[_Setting, ...]
"""Every setting (:data:`clientlens.config.SETTINGS`), gathered on first use."""


def __getattr__(name: str) -> _Any:
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
    "DatabaseSource",
    "ImportValidationError",
    "Problem",
    "Workspace",
    "WorkspaceError",
    "build_report",
    "load_config",
    "rfm_summary",
]
