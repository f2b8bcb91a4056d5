"""Random bytes and random CSV shapes never make the importer raise anything but a
ClientLensError (a one-line message, and a problem table for bad rows), and a rejected
file changes nothing. Bounded: a fixed number of examples, no deadline per example."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientlens import Workspace
from clientlens.errors import ClientLensError

pytestmark = pytest.mark.slow

HEADERS = ["order_id", "customer_id", "order_date", "amount", "status", "订单号", "金额", "", "x"]
CELLS = st.one_of(
    st.text(alphabet=string.printable + "¥￥,，.元已完成\u3000", max_size=12),
    st.sampled_from(
        [
            "inf",
            "-inf",
            "nan",
            "1e308",
            "1e400",
            "12,50",
            "1.234,5",
            "2024-02-30",
            "2024.01.03",
            "2024-01-03T10:15:00+08:00",
            '"',
            '""',
            "\r",
            "\n",
            ";",
            "\t",
            "NULL",
            "123.0",
        ]
    ),
)


@pytest.fixture(scope="module")
def fuzz_ws(tmp_path_factory):
    ws = Workspace.init(tmp_path_factory.mktemp("fuzz") / "ws", settings={"today": "2026-11-24"})
    yield ws
    ws.close()


def _counts(ws: Workspace) -> dict[str, int]:
    return {name: ws.row_count(name) for name in ws.list_tables()}


def _import(ws: Workspace, path, kind: str = "orders") -> None:
    before = _counts(ws)
    try:
        ws.import_table(kind, str(path), on_error="report")
    except ClientLensError as exc:
        assert len(str(exc).strip().splitlines()) == 1, str(exc)
        assert _counts(ws) == before, "a rejected import changed the workspace"


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=400))
def test_random_bytes(fuzz_ws, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "f.csv"
    path.write_bytes(data)
    _import(fuzz_ws, path)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6),
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=8), max_size=8),
    delimiter=st.sampled_from([",", ";", "\t", "|", " "]),
    quote=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
)
def test_random_csv_shapes(fuzz_ws, tmp_path_factory, header, rows, delimiter, quote, encoding):
    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if quote else v

    lines = [delimiter.join(header)] + [delimiter.join(cell(v) for v in row) for row in rows]
    text = "\n".join(lines) + "\n"
    path = tmp_path_factory.mktemp("csv") / "f.csv"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(text.encode("utf-8"))
    _import(fuzz_ws, path)
