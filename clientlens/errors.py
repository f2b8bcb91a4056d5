"""Every error ClientLens raises on purpose.

Each class is also the built-in exception a Python user would expect, so
``except ValueError`` still works around library calls::

    ClientLensError (Exception)
    ├── ConfigError (ValueError)            bad setting, unknown engine, bad clientlens.toml
    ├── WorkspaceError (RuntimeError)       no workspace, unknown table, engine failure
    │   └── TableNotFoundError (KeyError)   a table the call needs is not in the workspace
    ├── DataContractError (ValueError)      input violates the data contract
    │   ├── ImportValidationError           an import found bad rows; carries every problem
    │   └── NotEnoughDataError              too little data for an honest answer (an analysis
    │                                       raising it is skipped with its message as reason)
    ├── AnalysisDisabled                 an analysis a setting turns off (skipped, the
    │                                       reason saying which setting)
    ├── ModelError (RuntimeError)
    │   ├── ModelInputError (ValueError)    impossible rows for a model (recency > T, ...)
    │   ├── NotFittedError (AttributeError) predict before fit
    │   └── ConvergenceError                the optimiser did not converge
    └── MissingDependencyError (ImportError) an optional extra is not installed

The CLI turns any ClientLensError into a one-line message and exit code 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class ClientLensError(Exception):
    """Base class of every error ClientLens raises on purpose."""


class ConfigError(ClientLensError, ValueError):
    """A setting is invalid or a configuration file cannot be read."""


class WorkspaceError(ClientLensError, RuntimeError):
    """The workspace cannot be opened or an engine operation failed."""


class TableNotFoundError(WorkspaceError, KeyError):
    """A table the call needs does not exist in the workspace."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DataContractError(ClientLensError, ValueError):
    """Input data violates the data contract (missing column, wrong type, ...)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or one column, when ``row`` is None)."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    severity: str = "error"  # "error" rejects the row; "warning" is reported only

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        value = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.reason}{value}"


class ImportValidationError(DataContractError):
    """An import found bad rows.

    ``problems`` lists them (all of them, up to the first ten thousand); ``count`` says
    how many there are in all.
    """

    def __init__(self, message: str, problems: Sequence[Problem], *, count: int | None = None):
        super().__init__(message)
        self.problems = list(problems)
        self.count = len(self.problems) if count is None else count


class NotEnoughDataError(DataContractError):
    """The data are valid but cannot support the answer asked for: a CLV model that no
    customer's repeat purchase identifies, a history of one day. ``analyze`` records an
    analysis that raises it as skipped, with the message as the reason."""


class InsufficientDataError(DataContractError):
    """The data are valid but too few for an analysis (a history shorter than a trained
    model's cutoffs need). ``clientlens analyze`` skips that analysis with this reason."""


class EmptySubsetError(DataContractError):
    """No customer of the latest run is in the subset asked for (``analyze --region``
    with a value no customer has): nothing is published."""


class AnalysisDisabled(ClientLensError):
    """An analysis that a setting turns off. ``analyze`` records it as skipped, with the
    message (which names the setting) as the reason."""


class ModelError(ClientLensError, RuntimeError):
    """A model could not be fitted or used."""


class ModelInputError(ModelError, ValueError):
    """Rows a model cannot accept, such as recency greater than T."""


class NotFittedError(ModelError, AttributeError):
    """A prediction was asked of a model that has not been fitted."""


class ConvergenceError(ModelError):
    """The optimiser stopped without reaching a maximum of the likelihood."""


class MissingDependencyError(ClientLensError, ImportError):
    """An optional extra is needed and not installed."""

    def __init__(self, package: str, extra: str, feature: str):
        super().__init__(
            f"{feature} needs the '{package}' package, which is not installed. "
            f"Install it with: pip install 'clientlens[{extra}]'"
        )
        self.package = package
        self.extra = extra


def require(module: str, *, extra: str, feature: str) -> Any:
    """Import an optional dependency or raise MissingDependencyError with an install hint."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(module.split(".")[0], extra, feature) from exc
