"""Input side of the model contract: accept any table, validate it, merge identical rows.

Validation collects every impossible row before raising one :class:`ModelInputError`
that names the row, customer, column and value of (up to) the first ten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from clientlens.errors import ModelInputError

MAX_PROBLEMS_SHOWN = 10


def to_pandas(data: Any) -> pd.DataFrame:
    """Accept pandas, pyarrow, polars or an Ibis table (executed) and return pandas."""
    if isinstance(data, pd.DataFrame):
        return data
    if hasattr(data, "to_pandas"):  # pyarrow.Table, polars.DataFrame, ibis.Table
        return data.to_pandas()
    if isinstance(data, dict):
        return pd.DataFrame(data)
    raise ModelInputError(
        f"Model input must be a pandas, pyarrow, polars or Ibis table; got {type(data).__name__}."
    )


@dataclass
class ModelData:
    """Validated numeric columns, customer ids and weights of one input table."""

    columns: dict[str, np.ndarray]
    customer_id: pd.Series
    weights: np.ndarray

    def compressed(self) -> ModelData:
        """Identical rows merged; weights summed."""
        unique, inverse = distinct_rows(self.columns)
        weights = np.bincount(
            inverse, weights=self.weights, minlength=len(unique[0]) if unique else 0
        )
        keep = weights > 0
        return ModelData(
            {c: values[keep] for c, values in zip(self.columns, unique, strict=True)},
            pd.Series(np.arange(int(keep.sum()))),
            weights[keep],
        )


def distinct_rows(columns: dict[str, np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of equal-length columns (sorted) and each row's index among them.

    Each column is factorised (a hash, with its distinct values sorted) and the codes are
    combined into one integer key per row in lexicographic order, so the rows' order is
    the sorted order of their values; factorising that key (one more hash) numbers the
    distinct rows. ``np.unique(axis=0)`` sorts rows as opaque byte strings and takes ~15 s
    on a million rows, a multi-column pandas group-by ~0.3 s; this takes ~0.1 s.
    """
    names = list(columns)
    n = len(next(iter(columns.values()))) if columns else 0
    if n == 0:
        return [np.zeros(0) for _ in names], np.zeros(0, dtype=np.int64)
    key = np.zeros(n, dtype=np.int64)
    span = 1
    distinct_values = []
    for name in names:
        codes, values = pd.factorize(columns[name], sort=True)
        span *= max(len(values), 1)
        if span >= 2**62:  # the combined key would overflow: group by the columns instead
            return _distinct_rows_grouped(columns)
        key = key * len(values) + codes
        distinct_values.append(np.asarray(values))
    inverse, distinct_keys = pd.factorize(key, sort=True)
    # decode each distinct key back into its columns' codes, last column first
    rest = distinct_keys.astype(np.int64)
    decoded = []
    for values in reversed(distinct_values):
        decoded.append(values[rest % len(values)])
        rest = rest // len(values)
    return decoded[::-1], inverse.astype(np.int64)


def _distinct_rows_grouped(columns: dict[str, np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    frame = pd.DataFrame(columns)
    codes = frame.groupby(list(frame.columns), sort=True).ngroup().to_numpy()
    _, first = np.unique(codes, return_index=True)
    return [frame[c].to_numpy()[first] for c in frame.columns], codes


class Problems:
    """Collects every impossible row before one error is raised."""

    def __init__(self, model: str, customer_id: pd.Series):
        self.model = model
        self.customer_id = customer_id
        self.items: list[str] = []
        self.count = 0

    def check(self, bad: np.ndarray, column: str, values: np.ndarray, reason: str) -> None:
        rows = np.flatnonzero(bad)
        self.count += len(rows)
        for row in rows[: MAX_PROBLEMS_SHOWN - len(self.items)]:
            customer, value = self.customer_id.iloc[row], values[row]
            customer = customer.item() if isinstance(customer, np.generic) else customer
            value = value.item() if isinstance(value, np.generic) else value
            self.items.append(
                f"row {row} (customer_id {customer!r}), column {column!r}: {reason} (value {value!r})"
            )

    def raise_if_any(self) -> None:
        if self.count:
            shown = "\n  ".join(self.items)
            raise ModelInputError(
                f"{self.model}: {self.count} impossible value(s) in the input; fix them or drop "
                f"those customers. First {len(self.items)}:\n  {shown}"
            )
