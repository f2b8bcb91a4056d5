"""The PDF: cover, contents with page numbers, running header with the period (slow)."""

from __future__ import annotations

import re
import subprocess

import pytest

from clientlens.report import build_report
from tests.report.conftest import BASE_KPIS, set_kpis

pytestmark = [pytest.mark.slow, pytest.mark.pdf]


def _pages(path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")[:-1]


@pytest.mark.parametrize(
    ("lang", "header", "footer", "contents"),
    [
        ("en", "Customer Analysis Report · June 2024", "Page {n}", "Contents"),
        ("zh", "客户经营情况分析报告 · 2024年6月", "第 {n} 页", "目录"),
    ],
)
def test_pdf_pages(report_ws, tmp_path, lang, header, footer, contents):
    set_kpis(report_ws, BASE_KPIS)
    pdf = build_report(report_ws, lang=lang, formats=("pdf",), out_dir=tmp_path)["pdf"]
    pages = _pages(pdf)
    # cover, contents, summary, data, overview, purchase, conclusions, actions, appendix
    assert len(pages) >= 9
    assert header not in pages[0] and contents in pages[1]
    for n, page in enumerate(pages[1:], start=2):
        assert header in page and _squeeze(footer.format(n=n)) in _squeeze(page)
    # Every contents entry ends with the page its section starts on.
    entries = re.findall(r"^\s*\d+\.\s+(.+?)\s*\.{3,}\s*(\d+)\s*$", pages[1], flags=re.M)
    assert len(entries) >= 7
    for title, page_no in entries:
        assert _squeeze(title) in _squeeze(pages[int(page_no) - 1])


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_build_needs_no_network(report_ws, tmp_path, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network is unavailable in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    set_kpis(report_ws, BASE_KPIS)
    paths = build_report(report_ws, lang="zh", out_dir=tmp_path)
    assert {"html", "pdf", "xlsx"} <= set(paths)
    assert '销售额为 <span class="fig">¥1.2万</span>' in paths["html"].read_text(encoding="utf-8")
    assert "销售额为¥1.2万" in _squeeze("".join(_pages(paths["pdf"])))
