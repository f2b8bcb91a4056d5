"""ClientLens: customer analytics and customer operations on DuckDB or Spark.

>>> import clientlens as cl
>>> ws = cl.Workspace.init("shop")
>>> ws.import_table("orders", "orders.csv").rows_loaded
6
>>> s = cl.rfm_summary(ws.table("orders")).order_by("customer_id").to_pandas()
>>> s[["customer_id", "frequency", "recency", "T", "monetary_value"]].values.tolist()
[['a', 2.0, 148.0, 148.0, 100.0], ['b', 1.0, 109.0, 121.0, 20.0], ['c', 0.0, 0.0, 183.0, 0.0]]
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from clientlens.errors import (
    ClientLensError,
    ConfigError,
    DataContractError,
    ImportValidationError,
    Problem,
    WorkspaceError,
)

if _TYPE_CHECKING:
    from clientlens.analytics.customers.rfm import rfm_summary
    from clientlens.config import Config, load_config
    from clientlens.config import Setting as _Setting
    from clientlens.ingest.database import DatabaseSource
    from clientlens.nlp.sentiment import sentiment
    from clientlens.report import build_report
    from clientlens.workspace import Workspace

__version__ = "0.1.0"

SETTINGS: "tuple[_Setting, ...]"
"""Every setting (:data:`clientlens.config.SETTINGS`), gathered on first use."""

# The public names of other modules, each imported when first read: the package itself
# imports only the errors, so `clientlens --help` and `import clientlens.errors` do not
# pay for the report's renderers or for gathering every analysis's settings.
_LAZY = {
    "Config": "clientlens.config",
    "DatabaseSource": "clientlens.ingest.database",
    "SETTINGS": "clientlens.config",
    "Workspace": "clientlens.workspace",
    "build_report": "clientlens.report",
    "load_config": "clientlens.config",
    "rfm_summary": "clientlens.analytics.customers.rfm",
    "sentiment": "clientlens.nlp.sentiment",
}


def __getattr__(name: str) -> _Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
    "sentiment",
]
