"""The report as PDF through WeasyPrint: cover, contents with page numbers, running header
with the period, page numbers (CSS paged media in static/report.css)."""

from __future__ import annotations

from pathlib import Path

from clientlens.errors import require


def write_pdf(html: str, path: Path) -> Path:
    """Render the static HTML to ``path``. No URL is fetched: every asset is inline."""
    weasyprint = require("weasyprint", extra="report", feature="The PDF report")
    from weasyprint.urls import URLFetcher

    # Only data: URIs (the chart SVGs) may be read; a fetch of anything else fails loudly.
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(str(path))
    return path
