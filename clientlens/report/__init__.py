"""The customer analysis report (客户经营情况分析报告) from the result tables of ``analyze``.

>>> import clientlens as cl
>>> ws = cl.Workspace("shop")                    # an analysed workspace  # doctest: +SKIP
>>> paths = cl.build_report(ws, lang="zh", period="2024-06", formats=("html", "pdf", "xlsx"),
...                         out_dir="out")                                # doctest: +SKIP
>>> paths["html"], paths["pdf"]                                           # doctest: +SKIP
(PosixPath('out/report_2024-06_zh.html'), PosixPath('out/report_2024-06_zh.pdf'))

Layout: :mod:`~clientlens.report.context` (tables, period, locale), ``sections/`` (one
module per section), :mod:`~clientlens.report.insights` (facts and change rules),
:mod:`~clientlens.report.assemble` (the report's frame), and the renderers
:mod:`~clientlens.report.html`, :mod:`~clientlens.report.pdf`, :mod:`~clientlens.report.xlsx`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from clientlens.errors import ConfigError

if TYPE_CHECKING:
    from clientlens.report.assemble import Report
    from clientlens.report.context import ReportContext
    from clientlens.workspace import Workspace

FORMATS = ("html", "pdf", "xlsx")

__all__ = ["FORMATS", "build_report", "report_context"]


def report_context(
    ws: Workspace, *, lang: str | None = None, period: str | None = None
) -> ReportContext:
    """The context sections read from: results of the last analyze, the period, the language."""
    from clientlens.report.context import (
        ReportContext,
        observation_end_of,
        orders_span_of,
        resolve_period,
    )

    language = lang or str(ws.config.language)
    if language not in {"zh", "en"}:
        raise ConfigError(f"--lang {language!r}: the report is written in zh or en.")
    end = observation_end_of(ws)
    return ReportContext(
        ws=ws,
        lang=language,
        period=resolve_period(period, end, orders_span_of(ws)),
        observation_end=end,
        settings=dict(ws.config.values),
    )


def build_report(
    ws: Workspace,
    *,
    lang: str | None = None,
    period: str | None = None,
    formats: Sequence[str] = FORMATS,
    out_dir: str | os.PathLike[str] = ".",
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, Path]:
    """Write the report in ``formats`` (html, pdf, xlsx) and its target lists (CSV) to ``out_dir``.

    Returns the written files by format; each target list under ``list:<key>``.
    """
    from clientlens.report.assemble import assemble

    step = progress or (lambda _msg, _frac: None)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ConfigError(f"--format {','.join(formats)}: choose from {', '.join(FORMATS)}.")
    ctx = report_context(ws, lang=lang, period=period)
    step("sections", 0.05)
    report = assemble(ctx)
    return write_report(report, ctx, formats, Path(out_dir), step)


def write_report(
    report: Report,
    ctx: ReportContext,
    formats: Sequence[str],
    out: Path,
    step: Callable[[str, float], None],
) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    stem = f"report_{report.period}_{report.lang}"
    currency = str(ctx.settings.get("currency", "CNY"))
    paths: dict[str, Path] = {}
    list_files = {tl.key: f"{stem}_{tl.key}.csv" for tl in report.target_lists}
    step("target lists", 0.3)
    from clientlens.report.columns import as_read

    for tl in report.target_lists:
        path = out / list_files[tl.key]
        # headers in the report's language, money to the cent; -sig: Excel reads UTF-8
        as_read(tl.sheet, report.lang).to_csv(path, index=False, encoding="utf-8-sig")
        paths[f"list:{tl.key}"] = path
    if "html" in formats:
        from clientlens.report.html import render_html

        step("html", 0.4)
        path = out / f"{stem}.html"
        html = render_html(report, currency=currency, list_files=list_files)
        path.write_text(html, encoding="utf-8")
        paths["html"] = path
    if "pdf" in formats:
        from clientlens.report.html import render_html
        from clientlens.report.pdf import write_pdf

        step("pdf", 0.55)
        static = render_html(report, currency=currency, static=True, list_files=list_files)
        paths["pdf"] = write_pdf(static, out / f"{stem}.pdf")
    if "xlsx" in formats:
        from clientlens.report.xlsx import write_xlsx

        step("xlsx", 0.85)
        paths["xlsx"] = write_xlsx(report, out / f"{stem}.xlsx", currency=currency)
    step("done", 1.0)
    return paths
