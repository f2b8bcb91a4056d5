"""Reading a source into a DuckDB table of raw values, remembering where each row came from.

Every source lands as one table in an import's DuckDB connection (see
:class:`clientlens.ingest.load.Stage`): a column ``_row`` with the row number in the
source (the header is row 1, blank lines are not counted), a column ``_fields`` with
the number of fields the row had, and one column ``c0``, ``c1``, … per header. CSV and
text files are read by DuckDB's own reader, so memory is bounded by the engine, not by
the file; every value of a text file is read as text so that validation, not the
reader, decides what is a number or a date and can report the original value.

Encodings: UTF-8 (with or without BOM), UTF-16 with a BOM (what Excel's "Unicode text"
export writes) or without one, and GB18030 (a superset of GBK, what Chinese Excel CSV
exports usually are). Files that are not UTF-8 are converted to a temporary UTF-8 copy
first. The delimiter is sniffed among comma, tab, semicolon and pipe; a file whose
header has none of them but runs of spaces is read as whitespace-delimited text (the
raw CDNOW log, for instance).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientlens.errors import DataContractError

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

_DELIMITERS = ",\t;|"
_CHUNK = 1 << 22
_SPARE_FIELDS = 8
"""Columns read beyond the header's, so that a row with a few extra fields is reported
as such instead of stopping the reader."""
_NULL_SENTINEL = "\x01\x02clientlens-null\x02\x01"
"""DuckDB's ``nullstr``: no cell holds it, so an empty field reads as '' and only a field
the row does not have (padding) reads as NULL; that is how ragged rows are told apart."""


@dataclass
class RawTable:
    """A source as read: a DuckDB table of raw values plus what is needed to point into it."""

    con: duckdb.DuckDBPyConnection
    table: str
    """Columns ``_row``, ``_fields`` and ``c0 … c{n-1}`` (text for CSV, typed for Parquet)."""
    headers: list[str]
    """The source's header of each ``c{i}``."""
    label: str
    """How problems name the source: the file path, or '<DataFrame>'."""
    checksum: str
    encoding: str | None = None
    row_word: str = "row"
    delimiter: str | None = None
    sheets: list[str] = field(default_factory=list)
    """The workbook's sheet names, for an Excel source."""
    sheet: str | None = None
    typed: bool = False
    """True when the columns keep their source types (Parquet, data frames, Excel)."""
    first_row: int = 2
    """The row number of the first data row (1 where there is no header line)."""

    rows: int | None = None
    """The number of rows, once counted (the table may be dropped after validation)."""
    spare: int = 0
    """Columns read beyond the header's (``c{len(headers)}`` on), to catch ragged rows."""

    @property
    def n_rows(self) -> int:
        if self.rows is None:
            self.rows = int(scalar(self.con, f'SELECT count(*) FROM "{self.table}"'))
        return self.rows

    def drop_spare_fields(self) -> None:
        """Free the columns read beyond the header's, once no row has turned out ragged:
        they hold only NULLs, yet at millions of rows take hundreds of MB."""
        if not self.spare:
            return
        width = len(self.headers)
        self.con.execute(f'DROP VIEW "{self.table}"')
        for i in range(width, width + self.spare):
            self.con.execute(f'ALTER TABLE "{self.table}_read" DROP COLUMN c{i}')
        _numbered_view(self.con, self.table, width)
        self.spare = 0

    def drop(self) -> None:
        """Free the raw values (validation has its own copy): the row count stays known."""
        _ = self.n_rows
        drop_temporary(self.con, [self.table, f"{self.table}_read"])


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The one value a query returns."""
    row = con.execute(sql, params or []).fetchone()
    if row is None:
        raise RuntimeError(f"query returned no row: {sql[:80]}")
    return row[0]


def drop_temporary(
    con: duckdb.DuckDBPyConnection, names: list[str] | None = None, *, prefix: str = ""
) -> None:
    """Drop the temporary views, then tables, named ``names`` or starting with ``prefix``."""
    found = con.execute(
        """SELECT 'VIEW', view_name AS name FROM duckdb_views() WHERE temporary
           UNION ALL SELECT 'TABLE', table_name FROM duckdb_tables() WHERE temporary"""
    ).fetchall()
    for kind, name in sorted(found, key=lambda row: row[0] != "VIEW"):
        if (names is not None and name in names) or (prefix and name.startswith(prefix)):
            con.execute(f'DROP {kind} IF EXISTS temp."{name}"')


def file_checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- bytes: checksum, encoding -------------------------------------------------------


def _checksum_and_utf8(path: Path) -> tuple[str, bool, bytes]:
    """SHA-256 of the file, whether it is valid UTF-8, and its first bytes, in one pass."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    head = b""
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            if not head:
                head = chunk[:4096]
            digest.update(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return digest.hexdigest(), utf8, head


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the bytes look like UTF-16 text without a BOM."""
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 4:
        return None
    even_zero = sum(1 for b in sample[0::2] if b == 0) / (len(sample) / 2)
    odd_zero = sum(1 for b in sample[1::2] if b == 0) / (len(sample) / 2)
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def _first_failure(path: Path, encoding: str) -> str | None:
    """Where ``encoding`` first fails on the file, as 'enc (byte N: b'..')', or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                at = offset + exc.start
                return f"{encoding} (byte {at}: {chunk[exc.start : exc.start + 4]!r})"
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return f"{encoding} (byte {offset}: truncated character at the end)"
    return None


def _transcode(path: Path, encoding: str, workdir: Path) -> Path:
    """A UTF-8 copy of the file, written chunk by chunk (memory stays bounded)."""
    out = workdir / "utf8.csv"
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(_CHUNK):
            dst.write(decoder.decode(chunk))
        dst.write(decoder.decode(b"", final=True))
    return out


def _undecodable(label: str, errors: list[str]) -> str:
    return (
        f"{label}: cannot decode the file as text; tried {', '.join(errors)}. "
        "Save it as UTF-8, UTF-16 or GBK CSV."
    )


# --- text: delimiter ------------------------------------------------------------------


def _sniff_delimiter(sample: str) -> str:
    """The delimiter among , tab ; | — or ' ' for whitespace-delimited text."""
    lines = [ln for ln in sample.splitlines() if ln.strip()]
    first = lines[0] if lines else ""
    if first and not any(d in first for d in _DELIMITERS) and re.search(r"\S\s+\S", first):
        return " "
    try:
        return csv.Sniffer().sniff("\n".join(lines[:200]), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _text_sample(path: Path, size: int = 1 << 16) -> str:
    with path.open("rb") as fh:
        data = fh.read(size)
    text = data.decode("utf-8", errors="ignore")
    return text.lstrip("\ufeff")


# --- the readers ------------------------------------------------------------------------


def _header_fields(sample: str, delimiter: str) -> list[str]:
    """The header row's fields (quotes honoured), or [] for an empty file."""
    if delimiter == " ":
        first = next((ln for ln in sample.splitlines() if ln.strip()), "")
        return first.split()
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                return row
    except csv.Error:  # a header cut by the sample's end, or stray quotes: read it plainly
        first = next((ln for ln in sample.splitlines() if ln.strip()), "")
        return first.split(delimiter)
    return []


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _numbered_view(con: duckdb.DuckDBPyConnection, table: str, width: int) -> None:
    """``table`` as the view the validation reads: row numbers, field counts, no header.

    The rows of ``{table}_read`` are in file order (DuckDB keeps insertion order), so
    ``rowid + 1`` is the row number with the header as row 1.
    """
    present = " + ".join(f"(c{i} IS NOT NULL)::INTEGER" for i in range(width))
    cols = ", ".join(f"c{i}" for i in range(width))
    con.execute(
        f'''CREATE TEMP VIEW "{table}" AS
        SELECT (rowid + 1)::BIGINT AS _row, ({present})::INTEGER AS _fields, {cols}
        FROM "{table}_read" WHERE rowid > 0'''
    )


def _duckdb_csv(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, delimiter: str, width: int
) -> None:
    """DuckDB's reader: every value as text, in file order, ragged rows kept (padded)."""
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    con.execute(
        f"""CREATE TEMP TABLE "{table}_read" AS
        SELECT * FROM read_csv({_sql_string(str(path))}, header = false,
             delim = {_sql_string(delimiter)}, quote = '"', escape = '"',
             columns = {{{cols}}}, auto_detect = false, null_padding = true,
             nullstr = {_sql_string(_NULL_SENTINEL)}, strict_mode = true,
             parallel = true, max_line_size = 16777216)"""
    )
    _numbered_view(con, table, width)


_PYTHON_READS = (
    "quoted new lines",  # line breaks inside quoted values
    "state machine reached an invalid state",  # mixed line endings (LF header, CRLF rows)
)
"""DuckDB's errors for files Python's csv module reads exactly (:func:`_python_csv`)."""


def _python_csv(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, delimiter: str, width: int, label: str
) -> None:
    """Python's csv module, for the files DuckDB's parallel reader declines (quoted line
    breaks inside values): exact, record by record, loaded into DuckDB in batches."""
    import pyarrow as pa

    names = [f"c{i}" for i in range(width)]
    schema = pa.schema([(n, pa.string()) for n in names])
    con.execute(
        f'CREATE TEMP TABLE "{table}_read" (' + ", ".join(f"{n} VARCHAR" for n in names) + ")"
    )

    def flush(rows: list[list[str | None]]) -> None:
        batch = pa.Table.from_arrays(
            [pa.array(col, pa.string()) for col in zip(*rows, strict=True)], schema=schema
        )
        con.register("_clientlens_batch", batch)
        con.execute(f'INSERT INTO "{table}_read" SELECT * FROM _clientlens_batch')
        con.unregister("_clientlens_batch")

    rows: list[list[str | None]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        try:
            for record in reader:
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue  # a blank line
                if len(record) > width:
                    raise DataContractError(
                        f"{label}: cannot read as CSV at line {reader.line_num}: the row has "
                        f"far more fields than the header ({len(record)}); nothing was imported."
                    )
                rows.append(record + [None] * (width - len(record)))
                if len(rows) >= 100_000:
                    flush(rows)
                    rows = []
        except csv.Error as exc:
            raise DataContractError(
                f"{label}: cannot read as CSV at line {reader.line_num}: {exc}; "
                "nothing was imported."
            ) from None
    if rows:
        flush(rows)
    _numbered_view(con, table, width)


def _whitespace_text(con: duckdb.DuckDBPyConnection, table: str, path: Path, width: int) -> None:
    """Whitespace-delimited text: each line split on runs of spaces and tabs."""
    con.execute(
        f"""CREATE TEMP TABLE "{table}_lines" AS
        SELECT trim(line, ' \t\r') AS line
        FROM read_csv({_sql_string(str(path))}, header = false, delim = '\x1f',
             quote = '', escape = '', columns = {{'line': 'VARCHAR'}}, auto_detect = false,
             strict_mode = false, null_padding = true, parallel = true)"""
    )
    cols = ", ".join(
        f"CASE WHEN len(parts) > {i} THEN parts[{i + 1}] END AS c{i}" for i in range(width)
    )
    con.execute(
        f"""CREATE TEMP TABLE "{table}_read" AS
        SELECT {cols} FROM (
            SELECT regexp_split_to_array(line, '[ \t]+') AS parts
            FROM "{table}_lines" WHERE line IS NOT NULL AND line <> '' ORDER BY rowid)"""
    )
    con.execute(f'DROP TABLE "{table}_lines"')
    _numbered_view(con, table, width)


def _duckdb_error(label: str, exc: Exception) -> DataContractError:
    """DuckDB's CSV error as one line: where, and what."""
    message = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", message)
    where = f" at row {line.group(1)}" if line else ""
    if "unterminated quote" in message:
        what = "a quoted value is never closed (unterminated quote)"
    elif "Expected Number of Columns" in message:
        found = re.search(r"Found: (\d+)", message)
        what = (
            f"the row has far more fields than the header ({found.group(1) if found else 'many'}+)"
        )
    elif "Invalid unicode" in message or "UTF-8" in message:
        what = "invalid UTF-8 bytes"
    else:
        what = next((ln.strip() for ln in message.splitlines() if ln.strip()), message)[:200]
    return DataContractError(f"{label}: cannot read as CSV{where}: {what}; nothing was imported.")


def read_text_file(con: duckdb.DuckDBPyConnection, table: str, path: Path, label: str) -> RawTable:
    """A CSV/TSV/TXT file into ``table``: encoding, delimiter, header, then the rows."""
    checksum, utf8, head = _checksum_and_utf8(path)
    if not head:
        raise DataContractError(f"{label}: the file is empty; nothing was imported.")
    with tempfile.TemporaryDirectory(prefix="clientlens-import-") as tmp:
        source = path
        if head.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8-sig"
            if not utf8:
                raise DataContractError(
                    _undecodable(label, [_first_failure(path, "utf-8-sig") or "utf-8-sig"])
                )
        elif head.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(head):
            encoding = (
                "utf-16"
                if head.startswith((b"\xff\xfe", b"\xfe\xff"))
                else str(_utf16_without_bom(head))
            )
            failure = _first_failure(path, encoding)
            if failure:
                raise DataContractError(_undecodable(label, [failure]))
            source = _transcode(path, encoding, Path(tmp))
        elif utf8:
            encoding = "utf-8"
        else:
            failure = _first_failure(path, "gb18030")
            if failure:
                raise DataContractError(
                    _undecodable(label, [_first_failure(path, "utf-8") or "utf-8", failure])
                )
            encoding = "gb18030"
            source = _transcode(path, encoding, Path(tmp))
        sample = _text_sample(source)
        if "\x00" in sample:
            raise DataContractError(
                f"{label}: the file holds NUL bytes, so it is not a text file; nothing was imported."
            )
        delimiter = _sniff_delimiter(sample)
        header = _header_fields(sample, delimiter)
        if not any(h.strip() for h in header):
            raise DataContractError(f"{label}: the file has no header row; nothing was imported.")
        width = len(header) + _SPARE_FIELDS
        try:
            if delimiter == " ":
                _whitespace_text(con, table, source, width)
            else:
                try:
                    _duckdb_csv(con, table, source, delimiter, width)
                except Exception as exc:  # duckdb.Error subclasses; some are re-raised below
                    if not any(m in str(exc) for m in _PYTHON_READS):
                        raise
                    con.execute(f'DROP TABLE IF EXISTS "{table}"')
                    _python_csv(con, table, source, delimiter, width, label)
        except DataContractError:
            raise
        except Exception as exc:  # the engine's parse errors, reworded
            raise _duckdb_error(label, exc) from None
    headers = _header_row(con, table, len(header))
    return RawTable(
        con,
        table,
        headers,
        label,
        checksum,
        encoding=encoding,
        delimiter=delimiter,
        spare=width - len(headers),
    )


def _header_row(con: duckdb.DuckDBPyConnection, table: str, n: int) -> list[str]:
    cols = ", ".join(f"c{i}" for i in range(n))
    row = con.execute(f'SELECT {cols} FROM "{table}_read" WHERE rowid = 0').fetchone()
    return ["" if v is None else str(v).strip().lstrip("\ufeff") for v in (row or [])]


def read_parquet_file(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, label: str
) -> RawTable:
    checksum, _utf8, _head = _checksum_and_utf8(path)
    try:
        names = [
            r[0]
            for r in con.execute(
                f"DESCRIBE SELECT * FROM read_parquet({_sql_string(str(path))})"
            ).fetchall()
        ]
        cols = ", ".join(f'"{n}" AS c{i}' for i, n in enumerate(names))
        con.execute(
            f"""CREATE TEMP TABLE "{table}" AS
            SELECT (file_row_number + 1)::BIGINT AS _row, {len(names)}::INTEGER AS _fields, {cols}
            FROM read_parquet({_sql_string(str(path))}, file_row_number = true)"""
        )
    except Exception as exc:  # duckdb raises several unrelated types here
        first = str(exc).splitlines()[0][:200]
        raise DataContractError(f"{label}: not a readable Parquet file: {first}") from None
    return RawTable(
        con, table, list(map(str, names)), label, checksum, row_word="record", typed=True
    )


def read_excel_file(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, label: str, sheet: str | int | None
) -> RawTable:
    import openpyxl
    import pandas as pd

    data = path.read_bytes()
    checksum = file_checksum(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/ValueError variants
        raise DataContractError(f"{label}: not a readable .xlsx workbook: {exc}") from None
    sheets = list(book.sheetnames)
    book.close()
    listed = ", ".join(map(repr, sheets))
    if sheet is None:
        chosen: str = sheets[0]
    elif isinstance(sheet, int) or (
        isinstance(sheet, str) and sheet.isdigit() and sheet not in sheets
    ):
        index = int(sheet)
        if not 0 <= index < len(sheets):
            raise DataContractError(f"{label}: no sheet number {index}; the sheets are {listed}.")
        chosen = sheets[index]
    elif sheet in sheets:
        chosen = sheet
    else:
        raise DataContractError(f"{label}: no sheet {sheet!r}; the sheets are {listed}.")
    frame = pd.read_excel(io.BytesIO(data), sheet_name=chosen, dtype=object, engine="openpyxl")
    frame = frame.dropna(how="all")
    if frame.columns.empty:
        more = f" The sheets are {listed}; choose one with --sheet NAME." if len(sheets) > 1 else ""
        raise DataContractError(f"{label}: sheet {chosen!r} is empty.{more}")
    raw = register_frame(con, table, frame, label, checksum, first_row=2, as_text=True)
    raw.sheets, raw.sheet, raw.row_word = sheets, chosen, "row"
    return raw


def _cell_text(value: object) -> str | None:
    """An Excel/object cell as the text a CSV export would show."""
    import datetime as dt

    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def register_frame(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pd.DataFrame,
    label: str,
    checksum: str,
    *,
    first_row: int,
    as_text: bool = False,
) -> RawTable:
    """A pandas frame into ``table``; object columns as text, typed columns as they are."""
    import pandas as pd

    headers = [str(c) for c in frame.columns]
    out = pd.DataFrame(index=range(len(frame)))
    positions = frame.index.to_numpy() if as_text else range(len(frame))
    out["_row"] = pd.array([int(p) + first_row for p in positions], dtype="int64")
    out["_fields"] = len(headers)
    for i in range(len(headers)):
        col = frame.iloc[:, i]
        if (col.dtype == object or isinstance(col.dtype, pd.StringDtype)) and (
            pd.api.types.infer_dtype(col, skipna=True) in {"string", "empty"}
        ):  # text already: handed over as it is (a per-cell loop costs seconds per million)
            out[f"c{i}"] = col.to_numpy(dtype=object)
        elif as_text or col.dtype == object or isinstance(col.dtype, pd.StringDtype):
            out[f"c{i}"] = pd.Series([_cell_text(v) for v in col.tolist()], dtype=object)
        elif isinstance(col.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(col):
            out[f"c{i}"] = col.to_numpy()
        elif pd.api.types.is_bool_dtype(col):
            out[f"c{i}"] = (
                col.astype(object)
                .where(col.notna(), None)
                .map(lambda v: None if v is None else str(v).lower())
            )
        else:
            out[f"c{i}"] = col.to_numpy()
    con.register("_clientlens_frame", out)
    try:
        con.execute(f'CREATE TEMP TABLE "{table}" AS SELECT * FROM _clientlens_frame')
    finally:
        con.unregister("_clientlens_frame")
    return RawTable(
        con,
        table,
        headers,
        label,
        checksum,
        row_word="record",
        typed=not as_text,
        first_row=first_row,
    )


def read_source(
    con: duckdb.DuckDBPyConnection, table: str, source: Any, *, sheet: str | int | None = None
) -> RawTable:
    """Read a path (CSV/TSV/TXT, Parquet, Excel), an in-memory frame or a database source
    into ``table``.

    Parameters
    ----------
    con, table
        The import's DuckDB connection and the (temporary) table to create.
    source
        A path, a pandas / polars / pyarrow table, or a
        :class:`~clientlens.ingest.database.DatabaseSource` (read by that module).
    sheet
        Excel sheet name or index (default: the first sheet).
    """
    from clientlens.ingest.database import DatabaseSource, read_database

    if isinstance(source, DatabaseSource):
        return read_database(con, table, source)
    if isinstance(source, str | Path):
        path = Path(source)
        label = str(source)
        if path.is_dir():
            raise DataContractError(
                f"{label}: is a directory, not a file; give the path of one CSV, Parquet or "
                ".xlsx file."
            )
        if not path.is_file():
            raise DataContractError(f"{label}: no such file.")
        suffix = path.suffix.lower()
        if suffix in {".parquet", ".pq"}:
            return read_parquet_file(con, table, path, label)
        if suffix in {".xlsx", ".xlsm"}:
            return read_excel_file(con, table, path, label, sheet)
        if suffix == ".xls":
            raise DataContractError(
                f"{label}: the old .xls format is not supported; save it as .xlsx or CSV."
            )
        if sheet is not None:
            raise DataContractError(f"{label}: --sheet applies to .xlsx workbooks only.")
        return read_text_file(con, table, path, label)
    frame = _to_pandas(source)
    import pandas as pd

    buf = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    checksum = file_checksum(buf + ",".join(map(str, frame.columns)).encode())
    return register_frame(
        con, table, frame.reset_index(drop=True), "<DataFrame>", checksum, first_row=1
    )


def _to_pandas(source: Any) -> pd.DataFrame:
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        return source
    if hasattr(source, "to_pandas"):  # pyarrow.Table, polars.DataFrame
        return source.to_pandas()
    if hasattr(source, "execute"):  # an ibis table
        return source.execute()
    raise DataContractError(
        f"Cannot import an object of type {type(source).__name__}; pass a file path "
        "or a pandas/polars/pyarrow table."
    )
