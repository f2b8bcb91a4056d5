"""What an import does to the rows already stored: the merge rule, as Ibis expressions.

A file's row whose key is already stored updates that row column by column:

* a column the file does not have is left as it is stored;
* an empty cell leaves the stored value, unless ``blank_overwrites`` is asked for;
* any other cell replaces the stored value.

A row whose key is not stored is new. A stored row that the rule leaves exactly as it
was is *unchanged*, and is not written at all.

The rule is written once, here, over two tables in the engine: the stored table and the
file's validated rows registered beside it. Both upsert paths run these expressions
(:mod:`clientlens.upsert`): DuckDB compiles them into the statements of its transaction
(an ``UPDATE`` from the changed rows, an ``INSERT`` of the new ones), PySpark builds the
table's new contents from them and swaps it in. So the two engines cannot disagree about
what a re-import does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

_NEW = "_clientlens_new__"
_MATCHED = "_clientlens_matched"


@dataclass(frozen=True)
class MergeCounts:
    """What the merge does: rows new, updated and unchanged, and the columns it changes."""

    new: int
    updated: int
    unchanged: int
    columns_updated: tuple[str, ...]
    """Columns in which at least one stored value changes, in the table's order."""


@dataclass(frozen=True)
class Merge:
    """The file's rows ``incoming`` merged into the stored table ``stored`` by ``key``.

    ``incoming`` has the key and the columns the file filled (a subset of ``stored``'s,
    of the same types).

    Examples
    --------
    >>> import ibis
    >>> stored = ibis.memtable({"id": ["a", "b"], "city": ["杭州", "上海"], "age": [30, 41]})
    >>> incoming = ibis.memtable({"id": ["b", "c"], "age": [None, 25]}, schema={"id": "string", "age": "int64"})
    >>> merge = Merge(stored, incoming, key=("id",))
    >>> merge.counts(merge.count_expr().to_pandas())
    MergeCounts(new=1, updated=0, unchanged=1, columns_updated=())
    >>> merge.table().order_by("id").to_pandas().values.tolist()
    [['a', '杭州', 30], ['b', '上海', 41], ['c', None, 25]]
    """

    stored: ir.Table
    incoming: ir.Table
    key: Sequence[str]
    blank_overwrites: bool = False

    @property
    def columns(self) -> list[str]:
        """The non-key columns the file has: the only ones the merge may change."""
        return [c for c in self.stored.columns if c in self.incoming.columns and c not in self.key]

    def _renamed(self) -> ir.Table:
        inc = self.incoming
        return inc.select(
            **{_NEW + c: inc[c] for c in inc.columns}, **{_MATCHED: ibis.literal(True)}
        )

    def _joined(self, how: str) -> ir.Table:
        new = self._renamed()
        on = [self.stored[k] == new[_NEW + k] for k in self.key]
        return self.stored.join(new, on, how=how)

    def _merged(self, joined: ir.Table, column: str) -> ir.Value:
        stored, given = joined[column], joined[_NEW + column]
        if self.blank_overwrites:
            return ibis.ifelse(joined[_MATCHED].notnull(), given, stored)
        return ibis.coalesce(given, stored)

    def _changes(self, joined: ir.Table, column: str) -> ir.BooleanValue:
        return ~self._merged(joined, column).identical_to(joined[column])

    def count_expr(self) -> ir.Table:
        """One row: ``new``, ``matched``, ``updated`` and ``changed__<column>`` counts."""
        both = self._joined("inner")
        changes = {f"changed__{c}": self._changes(both, c) for c in self.columns}
        if changes:  # with the key alone, a stored row cannot change: no "updated"
            changes["updated"] = ibis.or_(*changes.values())
        matched = both.aggregate(
            matched=both.count(),
            # ifelse, not cast: PostgreSQL cannot cast a boolean to bigint
            **{name: ibis.ifelse(ch, 1, 0).sum() for name, ch in changes.items()},
        )
        new = self.new_rows()
        return matched.cross_join(new.aggregate(new=new.count()))

    def counts(self, row: object) -> MergeCounts:
        """:class:`MergeCounts` from the executed :meth:`count_expr` (a one-row frame)."""
        values = row.iloc[0].to_dict()  # type: ignore[attr-defined]

        def n(name: str) -> int:
            value = values.get(name)
            return 0 if value is None or value != value else int(value)  # NULL sum of no rows

        return MergeCounts(
            new=n("new"),
            updated=n("updated"),
            unchanged=n("matched") - n("updated"),
            columns_updated=tuple(c for c in self.columns if n(f"changed__{c}") > 0),
        )

    def changed_rows(self, columns: Sequence[str] | None = None) -> ir.Table:
        """The key and merged ``columns`` (default: all the file has) of the stored rows
        the merge changes; what an in-place ``UPDATE`` needs."""
        both = self._joined("inner")
        cols = self.columns if columns is None else list(columns)
        changes = [self._changes(both, c) for c in cols]
        if not changes:
            return both.select(*[both[k] for k in self.key]).limit(0)
        return both.filter(ibis.or_(*changes)).select(
            *[both[k] for k in self.key], **{c: self._merged(both, c) for c in cols}
        )

    def new_rows(self) -> ir.Table:
        """The file's rows whose key is not stored, with the stored table's every column
        (those the file lacks as nulls of the stored type)."""
        fresh = self.incoming.anti_join(self.stored, list(self.key))
        return fresh.select(
            **{
                c: fresh[c] if c in self.incoming.columns else ibis.null(t)
                for c, t in self.stored.schema().items()
            }
        )

    def table(self) -> ir.Table:
        """The table's whole new contents: every stored row merged, then the new rows."""
        joined = self._joined("left")
        kept = joined.select(
            **{
                c: self._merged(joined, c) if c in self.columns else joined[c]
                for c in self.stored.columns
            }
        )
        return kept.union(self.new_rows())
