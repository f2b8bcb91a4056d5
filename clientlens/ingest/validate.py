"""Turning raw values into typed canonical columns, collecting every problem on the way.

Validation runs as queries in the import's DuckDB connection, over the table
:mod:`clientlens.ingest.read` made: every rule is one query, all of its failing rows
are counted, and only the first few thousand problems are fetched into Python. It
never stops at the first bad value: it checks every column of every row, so a user
fixes a file once. Each problem names the file, the row number in the file, the column
(as the file calls it), the value and the reason.

Numbers: currency signs and spaces are removed; the decimal separator is the setting
``decimal`` (``.`` or ``,``), or, with ``auto``, what the file's own numbers show
(``12,50`` and ``1.234,50`` say ``,``; ``12.50`` and ``1,234.50`` say ``.``). A number
that could be read either way (``1.234``) when the file does not say, or one that
contradicts the separator in force, is a problem, never a guess. ``inf``, ``nan`` and
magnitudes beyond :data:`MAX_MAGNITUDE` are rejected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from clientlens.errors import DataContractError, Problem
from clientlens.ingest.read import RawTable, scalar
from clientlens.ingest.rules import Rules
from clientlens.ingest.values import (
    CURRENCY_SIGNS,
    DATE_FORMATS,
    DATE_REASON,
    MAX_MAGNITUDE,
    MONEY_JUNK,
    date_sql,
    literal,
    number_sql,
    plain_shape_sql,
    quoted,
    shape_sql,
    text_sql,
)
from clientlens.ingest.vocab import vocabulary
from clientlens.schema import TableSpec, resolve_columns, table_spec

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Options:
    """How values are read: the settings an import's validation depends on."""

    decimal: str = "auto"
    """'.', ',' or 'auto' (what the file's numbers show)."""
    timezone: str = "UTC"
    """Times that carry a zone are converted to this zone; others are taken as they are."""
    currency: str = "CNY"
    today: dt.date | None = None
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Column → {source value: code}: extra spellings (config ``[values.*]``, ``--values``)."""


@dataclass
class Validated:
    """The outcome of validating one source."""

    raw: RawTable
    clean: str | None
    """Table (in ``raw.con``) of the rows to load: ``_row`` (the row number in the source),
    then the canonical columns, typed; None when the source lacks a required column."""
    columns: list[str]
    problems: list[Problem]
    """Errors then warnings, at most :data:`~clientlens.ingest.rules.PROBLEMS_FETCHED` of each, by row."""
    error_count: int = 0
    warning_count: int = 0
    rejected_count: int = 0
    ignored_headers: list[str] = field(default_factory=list)
    column_map: dict[str, str] = field(default_factory=dict)
    merged_duplicates: int = 0
    decimal: str | None = None
    problems_table: str | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def rows(self) -> int:
        if self.clean is None:
            return 0
        return int(scalar(self.raw.con, f'SELECT count(*) FROM "{self.clean}"'))

    def frame(self, *, with_rows: bool = False) -> pd.DataFrame:
        """The rows to load as a pandas frame (for engines other than DuckDB); with
        ``with_rows``, their row numbers in the source as a first column ``_row``."""
        import pandas as pd

        cols = (["_row"] if with_rows else []) + self.columns
        if self.clean is None:
            return pd.DataFrame(columns=cols)
        listed = ", ".join(quoted(c) for c in cols)
        return self.raw.con.execute(f'SELECT {listed} FROM "{self.clean}" ORDER BY _row').df()

    def rejects(self) -> pd.DataFrame:
        """Every error as (source, row, column_name, value, reason), for the rejects table."""
        import pandas as pd

        cols = ["source", "row", "column_name", "value", "reason"]
        if self.problems_table is None:
            return pd.DataFrame(columns=cols)
        return self.raw.con.execute(
            f"""SELECT ? AS source, _row AS "row", column_name, value, reason
            FROM "{self.problems_table}" WHERE severity = 'error' ORDER BY _row, column_name""",
            [self.raw.label],
        ).df()


def _column_types(raw: RawTable) -> dict[str, str]:
    rows = raw.con.execute(f"DESCRIBE SELECT * FROM {quoted(raw.table)}").fetchall()
    return {r[0]: str(r[1]).upper() for r in rows}


def _decide_decimal(raw: RawTable, table: str, shapes: list[str], setting: str) -> str | None:
    """The decimal separator in force: the setting, or what the file's numbers show."""
    if setting in {".", ","}:
        return setting
    if not shapes:
        return None
    counts = raw.con.execute(
        "SELECT "
        + ", ".join(
            f"count(*) FILTER (WHERE {s} = 'dot'), count(*) FILTER (WHERE {s} = 'comma')"
            for s in shapes
        )
        + f" FROM {quoted(table)}"
    ).fetchone() or (0, 0)
    dots = sum(counts[0::2])
    commas = sum(counts[1::2])
    if dots and not commas:
        return "."
    if commas and not dots:
        return ","
    if dots == commas:
        return None
    return "." if dots > commas else ","


def _separator_needs_counting(raw: RawTable, number_texts: list[str], setting: str) -> bool:
    """Whether the decimal separator must be decided from the counted shapes before any
    value is read: only when it is not set and some number of the file holds a comma.
    Otherwise ``'.'`` (or the setting) reads every number as the counted shapes would."""
    if setting in {".", ","} or not number_texts:
        return False
    where = " OR ".join(f"contains({c}, ',')" for c in number_texts)
    return bool(scalar(raw.con, f"SELECT count(*) FROM {quoted(raw.table)} WHERE {where}"))


def _unread_ambiguous(raw: RawTable, table: str, shapes: list[str], present: list[Any]) -> None:
    """Ambiguous numbers have no value when the file shows no decimal separator."""
    for col in present:
        s, v = quoted("s_" + col.name), quoted("v_" + col.name)
        if s in shapes:
            raw.con.execute(f"UPDATE {quoted(table)} SET {v} = NULL WHERE {s} = 'ambiguous'")


def _value_columns(
    present: list[Any],
    position: dict[str, int],
    source_names: dict[str, str],
    types: dict[str, str],
    decimal: str | None,
    timezone: str,
) -> list[str]:
    """The typed table's columns: each column's text, a number's shape and every value."""
    values: list[str] = ["_row"]
    for col in present:
        t, r, m, s_ = (quoted(p + col.name) for p in ("t_", "r_", "m_", "s_"))
        sql_type = types.get(f"c{position[source_names[col.name]]}", "VARCHAR")
        values.append(t)
        if col.type == "string":
            continue  # its value is its text: a view names it, without a copy
        if col.type in {"float", "int"}:
            if sql_type == "VARCHAR":
                expr = number_sql(m, s_, decimal)
                values.append(s_)
            else:
                expr = f"TRY_CAST({r} AS DOUBLE)"
        else:
            expr = date_sql(t if sql_type == "VARCHAR" else r, sql_type, timezone)
        values.append(f"{expr} AS {quoted('v_' + col.name)}")
    return values


def validate(
    kind: str,
    raw: RawTable,
    *,
    prefix: str,
    mapping: dict[str, str] | None = None,
    options: Options | None = None,
    spec: TableSpec | None = None,
) -> Validated:
    """Check every row of ``raw`` against the contract of table ``kind``.

    Parameters
    ----------
    kind
        Canonical table name (``orders``, ``customers``, ...).
    raw
        What :func:`clientlens.ingest.read.read_source` made.
    prefix
        Prefix of the temporary tables this validation creates in ``raw.con``.
    mapping
        Source header → canonical column, beating the built-in synonyms.
    options
        Decimal separator, time zone, currency, today, extra vocabulary.
    spec
        A contract to check instead of the one of ``kind`` (an import that derives a
        column, such as orders whose amount comes from their items).
    """
    spec = spec or table_spec(kind)
    options = options or Options()
    today = options.today or dt.date.today()
    headers = raw.headers
    _check_headers(raw)
    named = [h for h in headers if h]
    colmap = resolve_columns(kind, named, mapping, spec=spec)
    source_names = {v: k for k, v in colmap.items()}
    ignored = [h for h in named if h not in colmap]
    position = {h: i for i, h in enumerate(headers) if h}

    missing = [c for c in spec.required if c not in colmap.values()]
    if missing:
        sheets = (
            f"; the workbook's sheets are {', '.join(map(repr, raw.sheets))} — "
            f"choose the one with the data with --sheet NAME"
            if len(raw.sheets) > 1
            else ""
        )
        problems = [
            Problem(
                raw.label,
                None,
                col,
                None,
                f"required column of {kind} is missing; the "
                + (f"sheet {raw.sheet!r} has" if raw.sheet else "file has")
                + f" the headers {', '.join(map(repr, named)) or '(none)'} — rename one or use "
                f"--map SOURCE={col}{sheets}",
            )
            for col in missing
        ]
        return Validated(raw, None, [], problems, len(problems), 0, 0, ignored, colmap)

    rules = Rules(raw, prefix, source_names)
    width = len(headers)
    ragged = f"_fields <> {width}"
    delimiter = raw.delimiter if raw.delimiter and raw.delimiter != " " else ","
    types = _column_types(raw)
    cells = ", ".join(c for c in types if c.startswith("c"))  # the header's and the spare ones
    line = f"concat_ws({literal(delimiter)}, {cells})"
    rules.add(
        raw.table,
        ragged,
        None,
        line,
        "",
        reason_sql=(
            f"'the row has ' || _fields || ' fields but the header has {width}' || "
            f"CASE WHEN _fields > {width} THEN ' (a stray delimiter or an unquoted value "
            f"holding one?); the row was not read' ELSE ' (a missing delimiter or a line "
            f"break inside a value?); the row was not read' END"
        ),
    )

    if not rules.count("error"):
        raw.drop_spare_fields()

    present = [c for c in spec.columns if c.name in colmap.values()]
    # Two passes, each stored once: the text (trimmed, nulls), the money text (currency
    # signs removed) and the shape of each number, in one statement; then the typed
    # values, once the file's numbers have decided the decimal separator.
    texts: list[str] = ["_row"]  # the text of every column
    plains: list[str] = []  # the shape of a plain number, read off its text
    monies: list[str] = []  # the text without currency signs, for the other numbers
    shaped: list[str] = ["_row"]  # what is stored
    shapes: list[str] = []
    number_texts: list[str] = []  # the source columns of numbers written as text
    for col in present:
        src = f"c{position[source_names[col.name]]}"
        sql_type = types.get(src, "VARCHAR")
        id_like = col.name.endswith("_id") or col.name in spec.key
        t = quoted("t_" + col.name)
        texts.append(f"{text_sql(src, sql_type, id_like=id_like)} AS {t}")
        shaped.append(t)
        if sql_type != "VARCHAR" and col.type != "string":
            texts.append(f"{src} AS {quoted('r_' + col.name)}")
            shaped.append(quoted("r_" + col.name))
        if col.type in {"float", "int"} and sql_type == "VARCHAR":
            p, m, shape = (quoted(x + col.name) for x in ("p_", "m_", "s_"))
            plains.append(f"{plain_shape_sql(t)} AS {p}")
            monies.append(
                f"CASE WHEN {p} IS NOT NULL THEN {t} "
                f"ELSE regexp_replace({t}, {literal(MONEY_JUNK)}, '', 'g') END AS {m}"
            )
            shaped += [m, f"coalesce({p}, {shape_sql(m)}) AS {shape}"]
            shapes.append(shape)
            number_texts.append(src)
    # one statement; each level's columns are computed once, however often the next reads them
    query = f"SELECT {', '.join(texts)} FROM {quoted(raw.table)} WHERE NOT ({ragged})"
    for level in (plains, monies):
        query = f"SELECT *{''.join(', ' + x for x in level)} FROM ({query})"
    typed = f"{prefix}_typed"
    data = typed + "_data"
    if _separator_needs_counting(raw, number_texts, options.decimal):
        # the file's numbers decide the separator: store their shapes, count them, then
        # read the values
        shape_table = f"{prefix}_shaped"
        raw.con.execute(
            f"CREATE TEMP TABLE {quoted(shape_table)} AS SELECT {', '.join(shaped)} FROM ({query})"
        )
        rules.flush()
        raw.drop()
        decimal = _decide_decimal(raw, shape_table, shapes, options.decimal)
        _check_decimal_evidence(rules, shape_table, shapes, present, options.decimal, decimal)
        values = _value_columns(present, position, source_names, types, decimal, options.timezone)
        raw.con.execute(
            f"CREATE TEMP TABLE {quoted(data)} AS SELECT {', '.join(values)} "
            f"FROM {quoted(shape_table)}"
        )
        rules.flush()
        raw.con.execute(f"DROP TABLE {quoted(shape_table)}")
    else:
        # shapes and values in the one stored pass, then the separator the shapes show
        read_as = options.decimal if options.decimal in {".", ","} else "."
        values = _value_columns(present, position, source_names, types, read_as, options.timezone)
        raw.con.execute(
            f"CREATE TEMP TABLE {quoted(data)} AS SELECT {', '.join(values)} "
            f"FROM (SELECT {', '.join(shaped)} FROM ({query}))"
        )
        rules.flush()
        raw.drop()
        decimal = _decide_decimal(raw, data, shapes, options.decimal)
        if decimal is None:
            _unread_ambiguous(raw, data, shapes, present)
        _check_decimal_evidence(rules, data, shapes, present, options.decimal, decimal)
    strings = [
        f"{quoted('t_' + c.name)} AS {quoted('v_' + c.name)}" for c in present if c.type == "string"
    ]
    raw.con.execute(
        f"CREATE TEMP VIEW {quoted(typed)} AS SELECT *{''.join(', ' + x for x in strings)} "
        f"FROM {quoted(data)}"
    )

    for col in present:
        t, v = quoted("t_" + col.name), quoted("v_" + col.name)
        if col.required:
            rules.add(typed, f"{t} IS NULL", col.name, f"coalesce({t}, '')", f"{col.name} is empty")
        if col.type in {"float", "int"}:
            s = quoted("s_" + col.name)
            has_shape = s in shapes
            if has_shape:
                rules.add(
                    typed,
                    f"{s} = 'nonfinite'",
                    col.name,
                    t,
                    "not a finite number (inf and nan are not amounts)",
                )
                rules.add(typed, f"{s} = 'bad'", col.name, t, "not a number")
            else:
                rules.add(typed, f"{t} IS NOT NULL AND {v} IS NULL", col.name, t, "not a number")
            rules.add(
                typed,
                f"{v} IS NOT NULL AND (isinf({v}) OR isnan({v}))",
                col.name,
                t,
                "not a finite number (inf and nan are not amounts)",
            )
            rules.add(
                typed,
                f"{v} IS NOT NULL AND NOT isinf({v}) AND abs({v}) > {MAX_MAGNITUDE}",
                col.name,
                t,
                f"implausibly large number (beyond ±{MAX_MAGNITUDE:,.0f})",
            )
            if col.nonnegative:
                rules.add(typed, f"{v} < 0", col.name, t, "negative value")
            if col.type == "int":
                rules.add(
                    typed,
                    f"{v} IS NOT NULL AND NOT isinf({v}) AND {v} <> round({v})",
                    col.name,
                    t,
                    "not a whole number",
                )
        elif col.type in {"date", "timestamp"}:
            rules.add(typed, f"{t} IS NOT NULL AND {v} IS NULL", col.name, t, DATE_REASON)
            rules.add(
                typed,
                f"CAST({v} AS DATE) > DATE {literal(today.isoformat())}",
                col.name,
                t,
                f"date is in the future (after {today})",
            )

    codes = _vocabularies(kind, typed, present, rules, options)
    _currency_warnings(typed, present, rules, options.currency)
    _cross_column_rules(kind, typed, present, rules)
    merged = _check_duplicates(spec, typed, present, rules)
    clean = f"{prefix}_clean"
    out_cols = []
    for col in present:
        v = quoted("v_" + col.name)
        if col.name in codes:
            v = codes[col.name]
        if col.type == "int":
            v = f"CAST(round({v}) AS BIGINT)"
        elif col.type == "date":
            v = f"CAST({v} AS DATE)"
        elif col.type == "timestamp":
            v = f"CAST({v} AS TIMESTAMP)"
        out_cols.append(f"{v} AS {quoted(col.name)}")
    rules.flush()
    dropped = scalar(
        raw.con,
        f"SELECT (SELECT count(*) FROM {quoted(rules.problems)} WHERE severity = 'error' "
        f"AND _row IS NOT NULL) + (SELECT count(*) FROM {quoted(merged)})",
    )
    if dropped:
        raw.con.execute(
            f"""CREATE TEMP TABLE {quoted(clean)} AS SELECT _row, {", ".join(out_cols)} FROM {quoted(typed)}
            WHERE _row NOT IN (SELECT _row FROM {quoted(rules.problems)}
                               WHERE severity = 'error' AND _row IS NOT NULL)
              AND _row NOT IN (SELECT _row FROM {quoted(merged)})
            ORDER BY _row"""
        )
        raw.con.execute(f"DROP VIEW {quoted(typed)}")
        raw.con.execute(f"DROP TABLE {quoted(data)}")
    else:
        # every row is loaded: the typed rows in file order through a view, not a copy of
        # them (the stage drops both at its end)
        raw.con.execute(
            f"CREATE TEMP VIEW {quoted(clean)} AS SELECT _row, {', '.join(out_cols)} "
            f"FROM {quoted(typed)}"
        )
    rejected = int(
        scalar(
            raw.con,
            f"SELECT count(DISTINCT _row) FROM {quoted(rules.problems)} WHERE severity = 'error'",
        )
    )
    n_merged = int(scalar(raw.con, f"SELECT count(*) FROM {quoted(merged)}"))
    return Validated(
        raw,
        clean,
        [c.name for c in present],
        rules.fetch(),
        rules.count("error"),
        rules.count("warning"),
        rejected,
        ignored,
        colmap,
        n_merged,
        decimal,
        rules.problems,
    )


def _check_headers(raw: RawTable) -> None:
    """Duplicate header names are an error: which of the two columns is meant is a guess."""
    seen: dict[str, int] = {}
    for i, header in enumerate(raw.headers, start=1):
        if not header:
            continue
        if header in seen:
            raise DataContractError(
                f"{raw.label}: the header names {header!r} twice (columns {seen[header]} and "
                f"{i}); rename one of them, nothing was imported."
            )
        seen[header] = i


def _check_decimal_evidence(
    rules: Rules,
    table: str,
    shapes: list[str],
    present: list[Any],
    setting: str,
    decimal: str | None,
) -> None:
    """Numbers that contradict the separator in force, or that could be read two ways."""
    for col in present:
        s = quoted("s_" + col.name)
        if s not in shapes:
            continue
        t = quoted("t_" + col.name)
        if decimal is None:
            rules.add(
                table,
                f"{s} = 'ambiguous'",
                col.name,
                t,
                "ambiguous number: the file does not show whether ',' or '.' is its decimal "
                "separator; set decimal = '.' or ',' (clientlens.toml, or --decimal)",
            )
            if setting == "auto":
                rules.add(
                    table,
                    f"{s} IN ('dot', 'comma')",
                    col.name,
                    t,
                    "the file's numbers use both ',' and '.' as decimal separators, as many "
                    "of each; set decimal = '.' or ','",
                )
            continue
        wrong, sep = ("comma", ",") if decimal == "." else ("dot", ".")
        why = (
            f"the decimal setting is '{decimal}'"
            if setting in {".", ","}
            else f"the other numbers of this file use '{decimal}'"
        )
        rules.add(
            table,
            f"{s} = '{wrong}'",
            col.name,
            t,
            f"number written with '{sep}' as decimal separator, but {why}",
        )


def _vocabularies(
    kind: str, typed: str, present: list[Any], rules: Rules, options: Options
) -> dict[str, str]:
    """Coded columns mapped onto ClientLens codes; returns column → SQL of the code."""
    out: dict[str, str] = {}
    names = {c.name for c in present}
    for column in names:
        spellings = vocabulary(kind, column, options.values.get(column))
        if spellings is None:
            continue
        t = quoted("t_" + column)
        cases = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in spellings.items())
        code = f"(CASE lower({t}) {cases} END)"
        codes = sorted(set(spellings.values()))
        unknown = f"{t} IS NOT NULL AND {code} IS NULL"
        if kind == "feedback" and column == "kind":
            rules.add(
                typed,
                unknown,
                column,
                t,
                "unknown feedback kind; expected nps, csat, ces or review",
            )
            out[column] = code
        elif kind == "orders" and column == "status":
            for value, count in rules.con.execute(
                f"SELECT {t}, count(*) FROM {quoted(typed)} WHERE {unknown} GROUP BY 1 ORDER BY 2 DESC, 1"
            ).fetchall():
                rules.add_one(
                    column,
                    value,
                    f"unknown order status in {count:,} row(s); kept as {str(value).lower()!r}, "
                    f"which analyses do not count as completed; map it with --values "
                    f"status:{value}=CODE (codes: {', '.join(codes)})",
                    "warning",
                )
            out[column] = f"coalesce({code}, lower({t}))"
        else:
            out[column] = f"coalesce({code}, {t})"
    if kind == "feedback" and {"kind", "score"} <= names:
        for k, (lo, hi) in {"nps": (0, 10), "csat": (1, 5)}.items():
            rules.add(
                typed,
                f"{out['kind']} = '{k}' AND (v_score < {lo} OR v_score > {hi})",
                "score",
                "t_score",
                f"{k} score outside {lo}–{hi}",
            )
    return out


def _currency_warnings(typed: str, present: list[Any], rules: Rules, currency: str) -> None:
    """Amounts written with another currency's sign than the workspace's: a warning each."""
    money = [c.name for c in present if c.type == "float"]
    others = {k: v for k, v in CURRENCY_SIGNS.items() if k != currency.upper()}
    for name in money:
        t = quoted("t_" + name)
        signed = f"regexp_matches({t}, '[^0-9.,+ eE-]')"  # anything but a plain number
        found = (
            rules.con.execute(
                "SELECT "
                + ", ".join(
                    f"count(*) FILTER (WHERE regexp_matches({t}, {literal(p)})), "
                    f"min({t}) FILTER (WHERE regexp_matches({t}, {literal(p)}))"
                    for p in others.values()
                )
                + f" FROM {quoted(typed)} WHERE {signed}"
            ).fetchone()
            or ()
        )
        for i, code in enumerate(others):
            hit = found[2 * i : 2 * i + 2]
            if hit and hit[0]:
                rules.add_one(
                    name,
                    hit[1],
                    f"{hit[0]:,} value(s) carry the sign of {code}, but the workspace's currency "
                    f"is {currency}; amounts are loaded as numbers, not converted (set currency "
                    "in clientlens.toml if the workspace is in another currency)",
                    "warning",
                )


def _cross_column_rules(kind: str, typed: str, present: list[Any], rules: Rules) -> None:
    names = {c.name for c in present}
    if kind == "tickets" and {"opened_at", "closed_at"} <= names:
        rules.add(
            typed,
            "v_closed_at < v_opened_at",
            "closed_at",
            "t_closed_at",
            "closed before it was opened",
        )
    if kind == "tickets" and {"opened_at", "first_response_at"} <= names:
        rules.add(
            typed,
            "v_first_response_at < v_opened_at",
            "first_response_at",
            "t_first_response_at",
            "first response before the ticket was opened",
        )


def _check_duplicates(spec: TableSpec, typed: str, present: list[Any], rules: Rules) -> str:
    """Exact duplicate rows are merged (warning); same key, other values is an error.

    Returns the name of a table of the ``_row`` s dropped as exact duplicates. With a key,
    only the rows whose key occurs more than once can be either, so the (costly) windows
    run over those rows alone: none, for a file whose keys are unique.
    """
    con = rules.con
    merged = f"{rules.problems}_merged"
    values = ", ".join(quoted("v_" + c.name) for c in present)
    key = [k for k in spec.key if k in {c.name for c in present}]
    candidates = quoted(typed)
    if key:
        cols = ", ".join(quoted("v_" + k) for k in key)
        not_null = " AND ".join(f"{quoted('v_' + k)} IS NOT NULL" for k in key)
        repeated = f"{rules.problems}_repeated"
        con.execute(
            f"CREATE TEMP TABLE {quoted(repeated)} AS SELECT {cols} FROM {quoted(typed)} "
            f"WHERE {not_null} GROUP BY {cols} HAVING count(*) > 1"
        )
        if not scalar(con, f"SELECT count(*) FROM {quoted(repeated)}"):
            con.execute(f"CREATE TEMP TABLE {quoted(merged)} (_row BIGINT)")
            return merged
        candidates = f"(SELECT * FROM {quoted(typed)} SEMI JOIN {quoted(repeated)} USING ({cols}))"
    con.execute(
        f"""CREATE TEMP TABLE {quoted(merged)} AS SELECT _row FROM (
            SELECT _row, row_number() OVER (PARTITION BY {values} ORDER BY _row) AS k
            FROM {candidates}) WHERE k > 1"""
    )
    rules.add(
        merged, "true", None, None, "exact duplicate of an earlier row (merged)", severity="warning"
    )
    if not key:
        return merged
    label = "+".join(key)
    firsts = f"{rules.problems}_firsts"
    con.execute(
        f"""CREATE TEMP TABLE {quoted(firsts)} AS SELECT _row, first_row, {quoted("t_" + key[0])} AS t
        FROM (SELECT _row, {quoted("t_" + key[0])}, min(_row) OVER (PARTITION BY {cols}) AS first_row
              FROM {candidates} WHERE _row NOT IN (SELECT _row FROM {quoted(merged)}))
        WHERE _row <> first_row"""
    )
    rules.add(
        firsts,
        "true",
        key[0],
        "t",
        "",
        reason_sql=f"'duplicate {label} with different values (first seen on row ' || first_row || ')'",
    )
    return merged


__all__ = ["DATE_FORMATS", "DataContractError", "Options", "Validated", "validate"]
