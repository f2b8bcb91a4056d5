"""Report sections as a page shows them: built with a :class:`ReportContext` on the
request thread's results view, for the report month the date filter's end falls in."""

from __future__ import annotations

from typing import Any

from clientlens.web.pages.base import PageContext, cached


def _period(ctx: PageContext) -> str | None:
    return ctx.filters.end.strftime("%Y-%m") if ctx.filters.end else None


def report_context(ctx: PageContext) -> Any:
    from clientlens.report import report_context as build_context

    return build_context(ctx.workspace, lang=ctx.lang, period=_period(ctx))


def built_sections(ctx: PageContext, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Each section's title, sentences, charts and tables, or what it lacks."""
    from clientlens.report.sections import all_sections

    if not keys:
        return []
    run = ctx.run_key()

    def build() -> list[dict[str, Any]]:
        rctx = report_context(ctx)
        out = []
        for section in all_sections():
            if section.key not in keys:
                continue
            unmet = section.unmet(rctx)
            result = None if unmet else section.build(rctx)
            if result is None:
                out.append(
                    {
                        "key": section.key,
                        "title": rctx.t(f"section.{section.key}"),
                        "missing": unmet or ["–"],
                    }
                )
                continue
            out.append(
                {
                    "key": section.key,
                    "title": result.title,
                    "period": rctx.period,
                    "findings": [rctx.t(f.key, **f.params) for f in result.findings],
                    "paragraphs": list(result.paragraphs),
                    "bullets": list(result.bullets),
                    "charts": [
                        {"key": c.key, "title": c.title, "spec": c.spec, "caption": c.caption}
                        for c in result.charts
                    ],
                    "tables": [
                        {
                            "title": tb.title,
                            "columns": [str(c) for c in tb.frame.columns],
                            "rows": tb.frame.astype(str).values.tolist(),
                        }
                        for tb in result.tables
                    ],
                }
            )
        return out

    return cached((run, "sections", ctx.lang, _period(ctx), keys), build)
