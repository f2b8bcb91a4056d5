"""The problems of one import: validation rules queued per table, run in one scan of each
table, and written into one table of problems, of which the first are fetched.

:mod:`clientlens.ingest.validate` adds the rules; a problem names the file, the row, the
column as the file calls it, the value and the reason.
"""

from __future__ import annotations

from clientlens.errors import Problem
from clientlens.ingest.read import RawTable, scalar
from clientlens.ingest.values import literal, quoted

PROBLEMS_FETCHED = 10_000
"""Problems of each severity fetched into Python; all of them are counted."""
VALUE_SHOWN = 80
"""Characters of a value shown in a problem; longer values are cut, their size stated."""


def _shown(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    if len(text) <= VALUE_SHOWN:
        return text
    return f"{text[: VALUE_SHOWN - 20]}… ({len(text):,} characters)"


class Rules:
    """The validation queries of one import, writing problems into one table."""

    def __init__(self, raw: RawTable, prefix: str, source_names: dict[str, str]):
        self.raw = raw
        self.con = raw.con
        self.problems = f"{prefix}_problems"
        self.source_names = source_names  # canonical -> header in the file
        self._pending: list[tuple[str, str, str]] = []  # (table, where, problem struct)
        self.con.execute(
            f"CREATE TEMP TABLE {quoted(self.problems)} (_row BIGINT, column_name VARCHAR, "
            "value VARCHAR, reason VARCHAR, severity VARCHAR)"
        )

    def add(
        self,
        table: str,
        where: str,
        column: str | None,
        value_sql: str | None,
        reason: str,
        severity: str = "error",
        reason_sql: str | None = None,
    ) -> None:
        """Every row of ``table`` matching ``where`` is a problem of ``column``.

        The rule runs at the next :meth:`flush`, with the other rules of its table.
        """
        name = None if column is None else self.source_names.get(column, column)
        fields = {
            "c": "NULL" if name is None else literal(name),
            "v": "NULL" if value_sql is None else value_sql,
            "r": reason_sql or literal(reason),
            "s": literal(severity),
        }
        problem = ", ".join(f"'{k}': CAST({v} AS VARCHAR)" for k, v in fields.items())
        self._pending.append((table, where, "{" + problem + "}"))

    def flush(self) -> None:
        """Run the pending rules: one scan of each table for all of its rules, however
        many, where a row's problems are the rules it fails, in the order they were added."""
        tables = dict.fromkeys(table for table, _, _ in self._pending)
        for table in tables:
            rules = [(where, problem) for t, where, problem in self._pending if t == table]
            cases = ", ".join(f"CASE WHEN {where} THEN {problem} END" for where, problem in rules)
            anyone = " OR ".join(f"({where})" for where, _ in rules)
            self.con.execute(
                f"INSERT INTO {quoted(self.problems)} SELECT _row, p.c, p.v, p.r, p.s FROM ("
                f"SELECT _row, unnest([{cases}]) AS p FROM {quoted(table)} WHERE {anyone}) "
                "WHERE p IS NOT NULL"
            )
        self._pending.clear()

    def add_one(self, column: str | None, value: str | None, reason: str, severity: str) -> None:
        name = None if column is None else self.source_names.get(column, column)
        self.con.execute(
            f"INSERT INTO {quoted(self.problems)} VALUES (NULL, ?, ?, ?, ?)",
            [name, value, reason, severity],
        )

    def count(self, severity: str) -> int:
        self.flush()
        return int(
            scalar(
                self.con,
                f"SELECT count(*) FROM {quoted(self.problems)} WHERE severity = ?",
                [severity],
            )
        )

    def fetch(self) -> list[Problem]:
        self.flush()
        out: list[Problem] = []
        for severity in ("error", "warning"):
            rows = self.con.execute(
                f"""SELECT _row, column_name, value, reason FROM {quoted(self.problems)}
                WHERE severity = ? ORDER BY _row NULLS FIRST, column_name LIMIT {PROBLEMS_FETCHED}""",
                [severity],
            ).fetchall()
            out += [
                Problem(
                    self.raw.label,
                    None if r is None else int(r),
                    col,
                    _shown(val),
                    reason,
                    severity,
                )
                for r, col, val, reason in rows
            ]
        out.sort(key=lambda p: (p.row or 0, p.column or ""))
        return out
