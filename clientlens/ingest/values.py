"""How a cell's text becomes a value: the SQL expressions an import's validation runs.

Null tokens and ids (``text_sql``), the shape of a number and its value under a decimal
separator (``shape_sql``, ``number_sql``), and dates and times with or without a zone
(``date_sql``), with the patterns and formats they use. :mod:`.validate` turns them into
typed columns and problems.
"""

from __future__ import annotations

DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y.%m.%d",
)
ZONED_FORMATS = (
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%d %H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M%z",
)
_FORMATS_TEXT = ", ".join(
    f.replace("%", "") for f in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y.%m.%d")
)
DATE_REASON = (
    f"unparseable date; formats tried: {_FORMATS_TEXT} (with optional time HH:MM[:SS[.ffffff]] "
    "and time zone, e.g. 2024-01-03T10:15:00+08:00)"
)
MAX_MAGNITUDE = 1e12
"""The largest absolute value a number column accepts; beyond it a value is a typo or a
unit mix-up (an id in the amount column), and summed it would swamp every total."""

_NULL_TOKENS = ("", "nan", "NaN", "None", "NULL", "null", "<NA>", "NaT", "N/A", "n/a")
_NULL_TOKEN_BYTES = max(len(t.encode()) for t in _NULL_TOKENS)
MONEY_JUNK = r"[¥￥$€£₩₹元\s\x{00A0}'’]|RMB|CNY|USD|EUR|GBP|BRL|R\$|US\$|HK\$"
CURRENCY_SIGNS = {
    "CNY": r"[¥￥元]|RMB|CNY",
    "USD": r"US\$|USD|(^|[^A-Z])\$",
    "EUR": r"€|EUR",
    "GBP": r"£|GBP",
    "BRL": r"R\$|BRL",
    "HKD": r"HK\$",
    "INR": r"₹",
    "KRW": r"₩",
}
# Number shapes, matched in order on the value with currency signs and spaces removed.
_INT = r"[+-]?[0-9]+"
_AMBIGUOUS = r"[+-]?[0-9]{1,3}[.,][0-9]{3}"
_DOT = (
    r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?[0-9]+[eE][+-]?[0-9]+"
    r"|[+-]?[0-9]{1,3}(,[0-9]{3})+\.[0-9]*|[+-]?[0-9]{1,3}(,[0-9]{3}){2,}"
)
_COMMA = (
    r"[+-]?([0-9]+,[0-9]*|,[0-9]+)"
    r"|[+-]?[0-9]{1,3}(\.[0-9]{3})+,[0-9]*|[+-]?[0-9]{1,3}(\.[0-9]{3}){2,}"
)
_NONFINITE = r"[+-]?(inf|infinity|nan)"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def text_sql(col: str, sql_type: str, *, id_like: bool) -> str:
    """A source column as trimmed text, NULL for an empty cell or a null token.

    Written for speed on millions of cells, because DuckDB inlines each use of a
    sub-expression: ``trim`` (which strips Unicode spaces, not tabs) runs only on a value
    that starts or ends with a space or holds a non-ASCII character, and the null tokens,
    all at most four bytes, are looked up only in values that short (a literal ``IN``
    list becomes a join).
    """
    if sql_type.startswith(("DOUBLE", "FLOAT", "REAL", "DECIMAL")):
        base = (
            f"CASE WHEN {col} = round({col}) AND abs({col}) < 1e15 "
            f"THEN CAST(CAST({col} AS BIGINT) AS VARCHAR) ELSE CAST({col} AS VARCHAR) END"
        )
    elif sql_type == "VARCHAR":
        base = (
            f"CASE WHEN prefix({col}, ' ') OR suffix({col}, ' ') OR strlen({col}) <> length({col}) "
            f"THEN trim({col}) ELSE {col} END"
        )
    else:
        base = f"CAST({col} AS VARCHAR)"
    tokens = ", ".join(literal(t) for t in _NULL_TOKENS)
    text = (
        f"CASE WHEN strlen({base}) <= {_NULL_TOKEN_BYTES} AND list_contains([{tokens}], {base}) "
        f"THEN NULL ELSE {base} END"
    )
    if id_like:  # CSV exports of Excel sheets write the id 123 as 123.0
        text = (
            f"CASE WHEN contains({base}, '.') THEN regexp_replace({text}, '^([0-9]+)\\.0+$', "
            f"'\\1') ELSE {text} END"
        )
    return text


def shape_sql(money: str) -> str:
    """The shape of a number: int, ambiguous, dot, comma, nonfinite or bad.

    The patterns are tried in that order; a value without ``.`` or ``,`` can only be an
    int, a dot number with an exponent, nonfinite or bad, and only a value of at most
    eight bytes can be ambiguous, so most values meet one or two patterns, not four.
    """
    nonfinite = f"WHEN regexp_full_match(lower({money}), {literal(_NONFINITE)}) THEN 'nonfinite' "
    return (
        f"CASE WHEN {money} IS NULL THEN NULL "
        f"WHEN NOT contains({money}, '.') AND NOT contains({money}, ',') THEN (CASE "
        f"WHEN regexp_full_match({money}, {literal(_INT)}) THEN 'int' "
        f"WHEN regexp_full_match({money}, {literal(_DOT)}) THEN 'dot' "
        f"{nonfinite}ELSE 'bad' END) "
        f"WHEN strlen({money}) <= 8 AND regexp_full_match({money}, {literal(_AMBIGUOUS)}) THEN 'ambiguous' "
        f"WHEN regexp_full_match({money}, {literal(_DOT)}) THEN 'dot' "
        f"WHEN regexp_full_match({money}, {literal(_COMMA)}) THEN 'comma' "
        f"{nonfinite}ELSE 'bad' END"
    )


_PLAIN = r"[+-]?[0-9]+(\.[0-9]{1,2})?"
"""Most amounts and counts: no sign of a currency, no thousands separator, at most two
decimals (so never ambiguous)."""


def plain_shape_sql(text: str) -> str:
    """The shape of a plain number (int or dot), read off the text with one pattern; NULL
    for any other value, whose shape :func:`shape_sql` finds after the currency signs are
    removed."""
    return (
        f"CASE WHEN regexp_full_match({text}, {literal(_PLAIN)}) "
        f"THEN (CASE WHEN contains({text}, '.') THEN 'dot' ELSE 'int' END) END"
    )


def number_sql(money: str, shape: str, decimal: str | None) -> str:
    """The value of a number of a known shape under the decimal separator in force."""
    dot = f"TRY_CAST(replace({money}, ',', '') AS DOUBLE)"
    comma = f"TRY_CAST(replace(replace({money}, '.', ''), ',', '.') AS DOUBLE)"
    if decimal == ".":
        ok = "('int', 'dot', 'ambiguous')"
        return f"CASE WHEN {shape} IN {ok} THEN {dot} END"
    if decimal == ",":
        ok = "('int', 'comma', 'ambiguous')"
        return f"CASE WHEN {shape} IN {ok} THEN {comma} END"
    return f"CASE WHEN {shape} = 'int' THEN {dot} WHEN {shape} = 'dot' THEN {dot} WHEN {shape} = 'comma' THEN {comma} END"


def date_sql(text: str, sql_type: str, timezone: str) -> str:
    """A timestamp from a source column: typed as it is, text through the formats."""
    zone = literal(timezone)
    if sql_type.startswith("TIMESTAMP WITH TIME ZONE") or sql_type == "TIMESTAMPTZ":
        return f"CAST(timezone({zone}, {text}) AS TIMESTAMP)"
    if sql_type.startswith(("TIMESTAMP", "DATE")):
        return f"CAST({text} AS TIMESTAMP)"
    plain = ", ".join(literal(f) for f in DATE_FORMATS)
    # ISO dates and times (most files) through DuckDB's own cast, far cheaper than trying
    # each format; the cast is only trusted on the shapes it shares with DATE_FORMATS
    # (YYYY-MM-DD[ HH:MM[:SS[.f{1,6}]]]). LIKE checks the shape, far cheaper than a regular
    # expression; a letter where a digit belongs fails the cast, and the formats then.
    shapes = " OR ".join(
        f"{text} LIKE '{shape}'"
        for shape in ("____-__-__", "____-__-__ __:__", "____-__-__ __:__:__")
    )
    iso = (
        f"CASE WHEN ascii({text}) BETWEEN 48 AND 57 AND ({shapes} OR ({text} LIKE "
        f"'____-__-__ __:__:__._%' AND strlen({text}) <= 26)) "
        f"THEN TRY_CAST({text} AS TIMESTAMP) END"
    )
    zoned = ", ".join(literal(f) for f in ZONED_FORMATS)
    cut = f"regexp_replace({text}, '(\\.[0-9]{{6}})[0-9]+', '\\1')"
    with_zone = f"regexp_replace({cut}, 'Z$', '+00:00')"
    return (
        f"CASE WHEN regexp_matches({text}, '[0-9](Z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)$') "
        f"AND regexp_matches({text}, '[0-9][T ][0-9]') "
        f"THEN CAST(timezone({zone}, TRY_CAST(try_strptime({with_zone}, [{zoned}]) AS TIMESTAMPTZ)) AS TIMESTAMP) "
        f"ELSE coalesce({iso}, CAST(try_strptime({cut}, [{plain}]) AS TIMESTAMP)) END"
    )
