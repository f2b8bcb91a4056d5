"""The report as one self-contained HTML file (interactive charts) or as the PDF's source.

Interactive: Vega, Vega-Lite and vega-embed are inlined from vl-convert's bundle and
each chart's spec sits in the page, so the file opens with no network. Static (for
WeasyPrint): each chart is an SVG data URI rendered by vl-convert.
"""

from __future__ import annotations

import base64
import json
import re
from functools import cache
from importlib import resources
from typing import Any

from clientlens.errors import require
from clientlens.report import charts
from clientlens.report.assemble import Report
from clientlens.report.fmt import Formatter
from clientlens.text import text

_FIGURE = re.compile(r"[−+\-]?[¥$€£]?\d[\d,.]*(?:万|亿|[KMB%])?(?:个百分点| pp)?")
"""A figure in a sentence: −¥20.2万, +¥46.4K, 45.0%, 7.8 pp, 3,058."""


def figures(sentence: str) -> Any:
    """``sentence`` escaped, each figure in a span the stylesheet keeps on one line (a
    line must not break between −¥20.2 and 万, or between + and ¥46.4K)."""
    from markupsafe import Markup, escape

    parts: list[Any] = []
    last = 0
    for m in _FIGURE.finditer(sentence):
        parts += [escape(sentence[last : m.start()]), Markup('<span class="fig">')]
        parts += [escape(m.group()), Markup("</span>")]
        last = m.end()
    parts.append(escape(sentence[last:]))
    return Markup("").join(parts)


def breakable(name: Any) -> Any:
    """A file name escaped, with a line-break opportunity after each ``_`` and before the
    extension, so a narrow column wraps it between its parts (report_2025-12_en_ /
    second_purchase.csv), never inside one."""
    from markupsafe import Markup, escape

    if not isinstance(name, str):  # no file (the report rendered without its lists)
        return ""
    wbr = Markup("<wbr>")
    parts = [escape(p) for p in re.split(r"(?<=_)|(?=\.[A-Za-z0-9]+$)", name) if p]
    return wbr.join(parts)


@cache
def _environment() -> Any:
    jinja2 = require("jinja2", extra="report", feature="The report")
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("clientlens.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["figures"] = figures
    env.filters["breakable"] = breakable
    return env


def stylesheet() -> str:
    return resources.files("clientlens.report").joinpath("static/report.css").read_text("utf-8")


def _css_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _json_script(spec: dict[str, Any]) -> str:
    # "</" would end the <script> element early; JSON allows "<\/".
    return json.dumps(spec, ensure_ascii=False).replace("</", "<\\/")


def render_html(
    report: Report,
    *,
    currency: str = "CNY",
    static: bool = False,
    list_files: dict[str, str] | None = None,
) -> str:
    """The report as an HTML string; ``static=True`` gives the PDF's version."""
    fmt = Formatter(report.lang, currency)
    lang = report.lang

    def t(key: str, **values: Any) -> str:
        return text(lang, key, **values)

    all_charts = [c for s in report.sections for c in s.charts]
    specs: dict[str, str] = {}
    svgs: dict[str, str] = {}
    for c in all_charts:
        if static:
            svg = charts.to_svg(c.spec).encode("utf-8")
            svgs[c.key] = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
        else:
            specs[c.key] = _json_script(c.spec)
    toc = [{"id": "summary", "title": t("section.summary")}]
    toc += [{"id": s.key, "title": s.title} for s in (report.data, *report.sections)]
    toc.append({"id": "conclusions", "title": t("section.conclusions")})
    if report.recommendations:
        toc.append({"id": "actions", "title": t("section.actions")})
    toc.append({"id": "appendix", "title": report.appendix.title})
    period_label = fmt.month(report.period)
    page = t("report.page", page="\x00")
    return str(
        _environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            t=t,
            fmt=fmt,
            static=static,
            css=stylesheet(),
            js_bundle="" if static else charts.javascript_bundle(),
            specs=specs,
            svgs=svgs,
            toc=toc,
            period_label=period_label,
            generated=t("report.generated", end=fmt.date(report.observation_end)),
            header_css=_css_string(f"{report.title} · {period_label}"),
            page_css=_css_string(page).replace("\x00", '" counter(page) "'),
            list_files=list_files or {},
        )
    )
