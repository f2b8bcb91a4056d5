"""Reading a source file into a frame of raw values, remembering where each row came from.

CSV files are decoded as UTF-8 (with or without BOM) or, failing that, GB18030 (a
superset of GBK, which is what Chinese Excel exports usually are). The delimiter is
sniffed among comma, tab, semicolon and pipe. Every value is read as text so that
validation, not the reader, decides what is a number or a date and can report the
original value.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from clientlens.errors import DataContractError

ENCODINGS = ("utf-8", "gb18030")
_DELIMITERS = ",\t;|"


@dataclass
class RawFrame:
    """Values as read, plus what is needed to point at them in the source."""

    frame: pd.DataFrame
    label: str
    """How problems name the source: the file path, or '<DataFrame>'."""
    first_row: int
    """Row number of the first data row in the source (2 for a file with a header line)."""
    checksum: str
    encoding: str | None = None
    row_word: str = "row"

    def row_number(self, index: int) -> int:
        return self.first_row + index


def file_checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes, label: str) -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM allowed) or GB18030; name both when neither fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    errors = []
    for enc in ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            errors.append(f"{enc} (byte {exc.start}: {data[exc.start : exc.start + 4]!r})")
    raise DataContractError(
        f"{label}: cannot decode the file as text; tried {', '.join(errors)}. "
        "Save it as UTF-8 or GBK CSV."
    )


def _sniff_delimiter(text: str) -> str:
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_csv_text(text: str, label: str, checksum: str, encoding: str) -> RawFrame:
    delimiter = _sniff_delimiter(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataContractError(f"{label}: cannot read as CSV: {exc}") from None
    return RawFrame(frame, label, first_row=2, checksum=checksum, encoding=encoding)


def read_source(source: Any, *, sheet: str | int | None = None) -> RawFrame:
    """Read a path (CSV/TSV/TXT, Parquet, Excel), an in-memory frame or a database source.

    Parameters
    ----------
    source
        A path, a pandas / polars / pyarrow table, or a
        :class:`~clientlens.ingest.database.DatabaseSource` (read by that module).
    sheet
        Excel sheet name or index (default: the first sheet).
    """
    from clientlens.ingest.database import DatabaseSource, read_database

    if isinstance(source, DatabaseSource):
        return read_database(source)
    if isinstance(source, str | Path):
        path = Path(source)
        label = str(source)
        if not path.is_file():
            raise DataContractError(f"{label}: no such file.")
        data = path.read_bytes()
        checksum = file_checksum(data)
        suffix = path.suffix.lower()
        if suffix in {".parquet", ".pq"}:
            import pyarrow.parquet as pq

            try:
                frame = pq.read_table(io.BytesIO(data)).to_pandas()
            except Exception as exc:  # pyarrow raises several unrelated types here
                raise DataContractError(f"{label}: not a readable Parquet file: {exc}") from None
            return RawFrame(frame, label, first_row=1, checksum=checksum, row_word="record")
        if suffix in {".xlsx", ".xlsm"}:
            try:
                frame = pd.read_excel(
                    io.BytesIO(data), sheet_name=sheet or 0, dtype=object, engine="openpyxl"
                )
            except Exception as exc:  # openpyxl raises zipfile/KeyError/ValueError variants
                raise DataContractError(f"{label}: not a readable .xlsx workbook: {exc}") from None
            frame = frame.dropna(how="all")
            return RawFrame(frame, label, first_row=2, checksum=checksum)
        if suffix == ".xls":
            raise DataContractError(
                f"{label}: the old .xls format is not supported; save it as .xlsx or CSV."
            )
        text, encoding = decode(data, label)
        return read_csv_text(text, label, checksum, encoding)
    frame = _to_pandas(source)
    buf = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    return RawFrame(
        frame.reset_index(drop=True),
        "<DataFrame>",
        first_row=1,
        checksum=file_checksum(buf + ",".join(map(str, frame.columns)).encode()),
        row_word="record",
    )


def _to_pandas(source: Any) -> pd.DataFrame:
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
