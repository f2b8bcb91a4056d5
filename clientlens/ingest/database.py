"""Reading a database table or query into the raw frame a CSV file gives.

A business whose orders live in a database imports them without exporting a file::

    clientlens import orders --from postgresql://shop@db.example/sales --table orders
    clientlens import orders --from postgresql://shop@db.example/sales \\
        --query "SELECT * FROM orders WHERE order_date >= '2025-01-01' ORDER BY order_id"

or, in Python, ``ws.import_table("orders", DatabaseSource(url, table="orders"))``. The rows
then go through the same header mapping and validation as a file's: the reader converts
every value to text in the database (numbers as the database writes them, dates as
``YYYY-MM-DD``, times as ``YYYY-MM-DD HH:MM:SS``, times with a time zone in UTC) and a
null to an empty cell, as a CSV file has it, so validation, not the reader, decides what
is a number or a date and can report the value as it was.

Problems name the source by its URL without the password plus the table (or ``query``),
and the row by its position in the result, counted from 1; a table's rows come in the
order the database returns them, so a query with ``ORDER BY`` gives numbers one can find
again. Any database Ibis connects to by URL can be read; PostgreSQL needs the
``postgres`` extra (``pip install 'clientlens[postgres]'``).

>>> DatabaseSource("postgresql://shop:s3cret@db.example:5432/sales", table="orders").label
'postgresql://shop:***@db.example:5432/sales table orders'
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis.common.exceptions import TableNotFound

from clientlens.errors import DataContractError, MissingDependencyError
from clientlens.ingest.read import RawTable, file_checksum, register_frame
from clientlens.urls import mask_url, scrub

if TYPE_CHECKING:
    import duckdb

CONNECT_TIMEOUT_S = 30
"""How long a PostgreSQL source may take to answer, unless the URL says
(``?connect_timeout=...``)."""
_QUERY_SHOWN = 60
"""Characters of a query that the source's label shows."""
_DRIVERS = {"postgres": ("psycopg", "postgres"), "postgresql": ("psycopg", "postgres")}
"""URL scheme → (the module its Ibis backend imports, the extra that installs it)."""


@dataclass(frozen=True)
class DatabaseSource:
    """A table or a query of a database, to import like a file.

    Parameters
    ----------
    url
        An Ibis connection URL, e.g. ``postgresql://user:password@host:5432/db``. The
        password never appears in a message, a log or the run record; without one in
        the URL, PostgreSQL's client library takes it from ``PGPASSWORD`` or ``~/.pgpass``.
    table
        A table (or view) name, optionally ``schema.table``.
    query
        A ``SELECT`` statement, instead of ``table``.
    """

    url: str = field(repr=False)
    table: str | None = None
    query: str | None = None

    def __post_init__(self) -> None:
        if "://" not in self.url:  # not echoed: a libpq "key=value" string may hold a password
            raise DataContractError(
                "The database to import from is not a URL; write it as "
                "postgresql://user@host:5432/database."
            )
        if (self.table is None) == (self.query is None):
            raise DataContractError(
                f"{mask_url(self.url)}: name either a table (--table) or a query (--query) "
                "to import from, not both and not neither."
            )

    @property
    def label(self) -> str:
        """How problems, the run record and messages name this source."""
        if self.table is not None:
            return f"{mask_url(self.url)} table {self.table}"
        query = " ".join(str(self.query).split())
        if len(query) > _QUERY_SHOWN:
            query = query[: _QUERY_SHOWN - 1] + "…"
        return f"{mask_url(self.url)} query {query!r}"

    def __repr__(self) -> str:
        return f"DatabaseSource({self.label!r})"

    __str__ = __repr__


def read_database(stage: duckdb.DuckDBPyConnection, table: str, source: DatabaseSource) -> RawTable:
    """Every row of ``source`` as text, into ``table`` of the import's DuckDB ``stage``, as
    the reader puts a CSV file there (row numbers count result rows from 1).

    Raises
    ------
    DataContractError
        When the database cannot be reached, the table does not exist or the query fails;
        the message names the source (without its password) and the database's reason.
    MissingDependencyError
        When the database's driver is not installed.
    """
    label = source.label
    con = _connect(source)
    try:
        try:
            relation = _relation(con, source)
            frame = _as_text(relation).to_pandas()
        except TableNotFound:
            raise DataContractError(f"{label}: {_no_table(con, source)}") from None
        except Exception as exc:  # the driver's own errors: bad SQL, permissions ...
            what = f"cannot read table {source.table!r}" if source.table else "the query failed"
            raise DataContractError(f"{label}: {what}: {_reason(exc, source.url)}") from None
    finally:
        con.disconnect()
    frame = frame.reset_index(drop=True)
    digest = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    raw = register_frame(
        stage,
        table,
        frame,
        label,
        file_checksum(digest + "\x1f".join(map(str, frame.columns)).encode()),
        first_row=1,
        as_text=True,
    )
    raw.row_word = "result row"
    return raw


def _connect(source: DatabaseSource) -> Any:
    scheme = urllib.parse.urlsplit(source.url).scheme.lower()
    if scheme in _DRIVERS:
        module, extra = _DRIVERS[scheme]
        try:
            __import__(module)
        except ImportError as exc:
            raise MissingDependencyError(module, extra, "Importing from PostgreSQL") from exc
    given = {k.lower() for k, _ in urllib.parse.parse_qsl(urllib.parse.urlsplit(source.url).query)}
    # libpq waits for an unreachable host forever unless told otherwise
    options = {"connect_timeout": CONNECT_TIMEOUT_S} if scheme in _DRIVERS else {}
    options = {k: v for k, v in options.items() if k not in given}
    try:
        return ibis.connect(source.url, **options)
    except Exception as exc:  # each backend raises its own connection errors
        raise DataContractError(
            f"{mask_url(source.url)}: cannot connect: {_reason(exc, source.url)}"
        ) from None


def _relation(con: Any, source: DatabaseSource) -> ir.Table:
    if source.query is not None:
        return con.sql(source.query)
    schema, _, name = str(source.table).rpartition(".")
    return con.table(name, database=schema) if schema else con.table(name)


def _no_table(con: Any, source: DatabaseSource) -> str:
    schema, _, _name = str(source.table).rpartition(".")
    try:
        names = sorted(con.list_tables(database=schema) if schema else con.list_tables())
    except Exception:  # listing is only a hint
        names = []
    shown = ", ".join(names[:20]) + (", …" if len(names) > 20 else "")
    there = f"; it has {shown}" if names else ""
    return f"no table {source.table!r} in that database{there}."


def _as_text(t: ir.Table) -> ir.Table:
    """Each column as the text a CSV export would hold; nulls as empty cells."""
    out = {}
    for name, dtype in t.schema().items():
        col = t[name]
        if dtype.is_timestamp():
            if dtype.timezone is not None:
                col = col.cast(ibis.dtype("timestamp"))
            text = col.strftime("%Y-%m-%d %H:%M:%S")
        elif dtype.is_date():
            text = col.strftime("%Y-%m-%d")
        elif dtype.is_string():
            text = col
        else:
            text = col.cast("string")
        out[name] = text.fill_null("")
    return t.select(**out)


def _reason(exc: BaseException, url: str) -> str:
    """The first line of the database's message, with no secret of ``url`` in it."""
    text = str(exc).strip().splitlines()
    return scrub(text[0] if text else type(exc).__name__, url)
