"""The ``clientlens`` command: parse, call the library, present. No logic lives here.

Start-up stays a fraction of a second: this module imports only Typer, Rich and
ClientLens's light modules (errors, text), and each command imports what its work needs
(the report, the demo generator) inside its function. tests/test_cli_startup.py fails
when importing this module, or running --help, tables, settings or analyses, loads
pandas, Ibis, SciPy or the report.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperCommand

from clientlens.errors import ClientLensError, ConfigError, ImportValidationError
from clientlens.text import detect_language, text

app = typer.Typer(
    name="clientlens",
    help="ClientLens: customer analytics, CLV and the customer analysis report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)
_state: dict[str, Any] = {"workspace": None, "lang": None, "debug": False}
MAX_PROBLEMS_SHOWN = 50


def _t(key: str, **values: object) -> str:
    """The command-line message ``cli.<key>`` in the language of messages."""
    return text(_state["lang"] or detect_language(), f"cli.{key}", **values)


@app.callback()
def _global(
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            envvar="CLIENTLENS_WORKSPACE",
            help="Workspace directory, or its clientlens.duckdb (default: the current directory).",
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Language of messages: zh or en (default: from LANG)."),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks (and Spark's own log).")
    ] = False,
) -> None:
    _state.update(workspace=workspace, lang=detect_language(lang), debug=debug)


def _debug_settings(**settings: Any) -> dict[str, Any]:
    """``settings``, with Spark's own log on stderr under --debug."""
    if _state["debug"]:
        settings.setdefault("spark_log_stderr", True)
    return settings


def _workspace(**settings: Any) -> Any:
    from clientlens.workspace import Workspace

    return Workspace(_state["workspace"], settings=_debug_settings(**settings))


@contextmanager
def _progress(description: str) -> Iterator[Any]:
    """A progress bar fed by the library's (message, fraction) callbacks."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[step]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=1.0, step="")

        def update(step: str, fraction: float) -> None:
            bar.update(task, completed=fraction, step=step)

        yield update


@app.command()
def init(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Directory of the new workspace (default: --workspace / "
            "CLIENTLENS_WORKSPACE, else the current directory).",
            show_default=False,
        ),
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency",
            help="Currency of the amounts in your data, as its three-letter code (CNY, USD, "
            "EUR, BRL ...). Asked when run in a terminal; CNY in scripts. Change it later "
            "with `clientlens settings --set currency=USD`.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create a workspace (a directory with clientlens.toml and the database)."""
    from clientlens.config import DEFAULT_CURRENCY
    from clientlens.workspace import Workspace

    if currency is None:
        # A person at a terminal is asked; a script (no terminal) gets the default, said below.
        interactive = sys.stdin.isatty()
        currency = (
            typer.prompt(_t("ask_currency"), default=DEFAULT_CURRENCY)
            if interactive
            else DEFAULT_CURRENCY
        )
    ws = Workspace.init(
        path or _state["workspace"] or Path("."), currency=currency, settings=_debug_settings()
    )
    ws.con  # noqa: B018 - opening creates the database file and metadata tables
    ws.close()
    console.print(_t("workspace_created", path=ws.path.resolve()))
    console.print(_t("currency_set", currency=ws.config.currency))


def _parse_maps(maps: list[str]) -> dict[str, str]:
    out = {}
    for item in maps:
        if "=" not in item:
            raise ConfigError(f"--map {item!r}: write it as SOURCE_HEADER=canonical_column.")
        source, target = item.split("=", 1)
        out[source.strip()] = target.strip()
    return out


@app.command("import")
def import_(
    kind: Annotated[
        str,
        typer.Argument(
            help="Table: orders, customers, order_items, products, "
            "events, feedback, tickets, marketing_spend, customer_ids."
        ),
    ],
    file: Annotated[
        Path | None,
        typer.Argument(
            help="CSV (UTF-8 or GBK), Parquet or .xlsx file; or none, with --from.",
            show_default=False,
        ),
    ] = None,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Import from a database instead of a file: its URL, e.g. "
            "postgresql://user@host:5432/db (with --table or --query).",
        ),
    ] = None,
    table_: Annotated[
        str | None, typer.Option("--table", help="With --from: the table (or schema.table).")
    ] = None,
    query: Annotated[
        str | None, typer.Option("--query", help='With --from: a query, "SELECT ...".')
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="Column mapping SOURCE=column, e.g. --map 交易号=order_id. Repeatable."
        ),
    ] = None,
    on_error: Annotated[
        str | None,
        typer.Option(
            "--on-error",
            help="report: reject the file if any row is bad (default); "
            "quarantine: load good rows, keep bad ones in the rejects table.",
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="Sheet of an .xlsx workbook (name or 0-based number)."),
    ] = None,
    decimal: Annotated[
        str | None,
        typer.Option(
            "--decimal",
            help="Decimal separator of the file's numbers: '.', ',' or auto "
            "(default: the decimal setting).",
        ),
    ] = None,
    values: Annotated[
        list[str] | None,
        typer.Option(
            "--values",
            help="Extra spelling of a coded value, COLUMN:VALUE=CODE, e.g. "
            "--values status:已揽收=completed. Repeatable.",
        ),
    ] = None,
    blank_overwrites: Annotated[
        bool,
        typer.Option(
            "--blank-overwrites",
            help="An empty cell empties the stored value (default: the stored value stays).",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Load the file even if it is the table's latest import already."
        ),
    ] = False,
    amount_from: Annotated[
        str | None,
        typer.Option(
            "--amount-from",
            help="orders only: 'items' fills each missing amount with quantity × unit_price "
            "of the imported order items.",
        ),
    ] = None,
    amount_extra: Annotated[
        str | None,
        typer.Option(
            "--amount-extra",
            help="With --amount-from: a column of the file added to the derived amount, "
            "e.g. --amount-extra 运费.",
        ),
    ] = None,
) -> None:
    """Validate a file, or a database table or query, and load it (all or nothing)."""
    from clientlens.ingest.vocab import parse_values
    from clientlens.schema import table_spec

    source = _import_source(file, from_, table_, query)
    ws = _workspace()
    try:
        with _progress(f"import {kind}") as update:
            result = ws.import_table(
                kind,
                source,
                mapping=_parse_maps(map_ or []),
                on_error=on_error,
                blank_overwrites=blank_overwrites,
                force=force,
                amount_from=amount_from,
                amount_extra=amount_extra,
                progress=update,
                sheet=sheet,
                decimal=decimal,
                values=parse_values(values or []),
            )
    except KeyboardInterrupt:
        err_console.print(_t("import_interrupted"), style="bold red")
        raise typer.Exit(130) from None
    if result.status == "already imported":
        same = "import_same" if table_spec(kind).key else "import_same_appended"
        console.print(_t(same, source=result.source, table=kind))
        return
    seconds = float(ws.runs().iloc[-1]["duration_s"])
    console.print(
        _t(
            "import_done",
            table=kind,
            source=result.source,
            inserted=result.rows_inserted,
            updated=result.rows_updated,
            unchanged=result.rows_unchanged,
            rejected=result.rows_rejected,
            seconds=seconds,
        )
    )
    console.print(
        _t("mapped", pairs=", ".join(f"{k}→{v}" for k, v in result.column_map.items())), style="dim"
    )
    if result.columns_updated:
        console.print(_t("updated_columns", cols=", ".join(result.columns_updated)))
    if result.amounts_derived:
        extra = f" + {amount_extra}" if amount_extra else ""
        console.print(_t("amounts_derived", count=result.amounts_derived, extra=extra))
    if result.ids_mapped:
        console.print(_t("ids_mapped", count=result.ids_mapped))
    if result.ignored_headers:
        console.print(_t("ignored", cols=", ".join(result.ignored_headers)), style="yellow")
    if result.rows_rejected:
        _print_problems([p for p in result.problems if p.severity == "error"], header=False)
    if result.warnings:
        console.print(_t("warnings", count=result.warning_count), style="yellow")
        for p in result.warnings[:5]:
            console.print(f"  {p}", style="yellow", soft_wrap=True)


def _import_source(file: Path | None, url: str | None, table: str | None, query: str | None) -> Any:
    """The file, or the database source that --from, --table and --query name."""
    if url is None:
        if table is not None or query is not None:
            raise ConfigError("--table and --query go with --from DATABASE_URL.")
        if file is None:
            raise ConfigError("Name a file to import, or a database with --from URL --table T.")
        return str(file)
    if file is not None:
        raise ConfigError(f"Import from {file} or from --from, not both.")
    from clientlens.ingest.database import DatabaseSource

    return DatabaseSource(url, table=table, query=query)


def _print_problems(problems: list[Any], *, header: bool = True, total: int | None = None) -> None:
    shown = problems[:MAX_PROBLEMS_SHOWN]
    table = Table(show_lines=False, header_style="bold")
    for key in ("col_file", "col_row", "col_column", "col_value", "col_reason"):
        table.add_column(_t(key), overflow="fold")
    for p in shown:
        table.add_row(
            p.file,
            "" if p.row is None else str(p.row),
            p.column or "",
            "" if p.value is None else p.value,
            p.reason,
        )
    err_console.print(table)
    if header:
        err_console.print(
            _t("import_failed", count=len(problems) if total is None else total, shown=len(shown)),
            style="bold red",
        )


@app.command()
def tables() -> None:
    """List the workspace's tables with their row counts."""
    from clientlens.results import latest_row_counts
    from clientlens.schema import TABLE_NAMES
    from clientlens.workspace import META_TABLES

    ws = _workspace()
    table = Table(header_style="bold")
    for key in ("col_table", "col_kind", "col_rows"):
        table.add_column(_t(key), justify="right" if key == "col_rows" else "left")
    for name, rows in ws.row_counts().items():
        if name.startswith("_") and name not in META_TABLES:
            continue
        if name not in TABLE_NAMES and name not in META_TABLES:
            continue  # results of wave-1 workspaces, stored before runs were published
        kind = "kind_canonical" if name in TABLE_NAMES else "kind_meta"
        table.add_row(name, _t(kind), f"{rows:,}")
    for name, rows in latest_row_counts(ws).items():
        if not name.startswith("_"):
            table.add_row(name, _t("kind_result"), f"{rows:,}")
    console.print(table)


@app.command()
def export(
    table: Annotated[
        str,
        typer.Argument(
            help="Table to export (see `clientlens tables`); `winback`: the churn model's "
            "win-back list in words (reasons, actions), as .xlsx or .csv."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="File: .csv, .parquet or .xlsx")],
    unmasked: Annotated[
        bool, typer.Option(help="Export personal data (name, phone, email) unmasked.")
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="winback: language of its words and headers, zh or en (default: setting "
            "'language').",
        ),
    ] = None,
) -> None:
    """Write a table to CSV, Parquet or Excel; personal data is masked by default."""
    ws = _workspace()
    if table == "winback":
        from clientlens.report.winback import export_winback

        if lang is not None and lang not in ("zh", "en"):
            raise ConfigError(f"--lang {lang!r}: the win-back list is written in zh or en.")
        words = lang or str(ws.config["language"])
        path, customers = export_winback(
            ws.results, output, lang=words, currency=str(ws.config["currency"])
        )
        console.print(_t("winback_written", path=path, customers=customers))
        return
    path = ws.export(table, output, unmasked=unmasked)
    console.print(_t("exported", path=path))


_SET_HELP = (
    "Override a setting for this run, NAME=VALUE, e.g. --set rfm_bins=4; repeatable. "
    "Parsed as the setting declares; `clientlens settings` shows them all."
)


def _set_help() -> str:
    """The --set help with the analysis settings, read from their declarations."""
    from clientlens.config import all_settings, core_settings

    core = {s.name for s in core_settings()}
    names = [s.name for s in all_settings() if s.name not in core]
    return f"{_SET_HELP} Analysis settings: {', '.join(names)}."


class _AnalyzeCommand(TyperCommand):
    """`analyze`, whose --set help lists the settings the analyses declare. Gathered only
    when the help is shown: the declarations import every analysis."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        for param in self.params:
            if param.name == "set_":
                param.help = _set_help()  # type: ignore[attr-defined]
        super().format_help(ctx, formatter)


@app.command(cls=_AnalyzeCommand)
def analyze(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Use only data up to this date (YYYY-MM-DD).")
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            help="Run only these analyses (and those they need): repeat --only, or "
            "separate the names with commas."
        ),
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", metavar="NAME=VALUE", help=_SET_HELP)
    ] = None,
    segment: Annotated[
        str | None,
        typer.Option(
            help="Analyse only the customers of this RFM segment of the latest run "
            "(a code: champions, important_value …), in that subset's own results."
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(help="Analyse only the customers of this province or city."),
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option(help="Analyse only the customers of this acquisition channel."),
    ] = None,
) -> None:
    """Run every analysis whose inputs exist and store the result tables.

    With --segment, --region or --channel, the analyses run on that subset of customers
    and are stored apart from the results of all customers (the dashboard's filters)."""
    from clientlens.config import parse_assignments

    overrides = parse_assignments(set_ or [], option="--set")
    subset = None
    if segment is not None or region is not None or channel is not None:
        from clientlens.subsets import Subset

        subset = Subset(segment=segment, region=region, channel=channel)
    ws = _workspace(**overrides)
    with _progress("analyze") as update:
        names = [n.strip() for item in only or [] for n in item.split(",") if n.strip()]
        result = ws.analyze(as_of=as_of, only=names or None, progress=update, subset=subset)
    table = Table(header_style="bold")
    for key in ("col_analysis", "col_status", "col_rows", "col_seconds", "col_reason"):
        table.add_column(_t(key), overflow="fold")
    for o in result.outcomes:
        style = {"ok": "green", "skipped": "yellow", "failed": "red"}[o.status]
        table.add_row(
            o.name,
            f"[{style}]{_t('status_' + o.status)}[/]",
            f"{o.rows:,}" if o.status == "ok" else "",
            f"{o.seconds:.2f}" if o.status != "skipped" else "",
            o.reason,
        )
    console.print(table)
    console.print(
        _t(
            "analyze_done",
            ran=len(result.ran),
            skipped=len(result.skipped),
            failed=len(result.failed),
            end=result.observation_end,
        )
    )
    if subset is not None:
        from clientlens.subsets import describe

        console.print(_t("analyze_subset", subset=describe(subset), name=result.subset))
    if result.failed:
        raise typer.Exit(1)


_Customers = Annotated[
    int, typer.Option("--customers", min=1, help="Number of customers (about 6 orders each).")
]
_Seed = Annotated[
    int, typer.Option("--seed", help="Random seed; the same seed gives the same data.")
]
_Locale = Annotated[
    str, typer.Option("--locale", help="zh: Chinese names and text; en: English (same numbers).")
]


def _load_demo(ws: Any, customers: int, seed: int, locale: str) -> None:
    """Generate the demo business into ``ws`` with one progress bar, then print the counts."""
    from clientlens.demo import TRUTH_FILE, generate, load_demo

    with _progress("demo") as update:
        data = generate(
            customers,
            seed,
            locale,
            progress=lambda step, frac: update(step, 0.3 * frac),
        )
        load_demo(ws, data, progress=lambda step, frac: update(step, 0.3 + 0.7 * frac))
    counts = data.row_counts()
    console.print(
        _t("demo_generated", customers=customers, orders=counts["orders"], seed=seed, locale=locale)
    )
    table = Table(header_style="bold")
    table.add_column(_t("col_table"))
    table.add_column(_t("col_rows"), justify="right")
    for name, rows in counts.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(_t("demo_truth", path=ws.path / TRUTH_FILE))


@app.command("demo-data")
def demo_data(customers: _Customers = 20_000, seed: _Seed = 0, locale: _Locale = "zh") -> None:
    """Generate the demo business (a Chinese e-commerce shop) into the current workspace."""
    _load_demo(_workspace(), customers, seed, locale)


@app.command()
def demo(
    path: Annotated[Path, typer.Argument(help="Directory of the new demo workspace.")] = Path(
        "demo_workspace"
    ),
    customers: _Customers = 20_000,
    seed: _Seed = 0,
    locale: _Locale = "zh",
) -> None:
    """Create a workspace with the demo business, analyse it and say what to do next."""
    from clientlens.demo.generate import check_options
    from clientlens.workspace import Workspace

    check_options(customers, locale)  # before creating a directory for nothing
    ws = Workspace.init(path, settings=_debug_settings())
    _load_demo(ws, customers, seed, locale)
    with _progress("analyze") as update:
        result = ws.analyze(progress=update)
    console.print(
        _t(
            "analyze_done",
            ran=len(result.ran),
            skipped=len(result.skipped),
            failed=len(result.failed),
            end=result.observation_end,
        )
    )
    for o in result.failed:
        err_console.print(f"  {o.name}: {o.reason}", style="red")
    console.print(_t("demo_next", path=path))
    if result.failed:
        raise typer.Exit(1)


@app.command()
def analyses(
    markdown: Annotated[
        bool,
        typer.Option(
            "--markdown", help="Print the result-table reference as Markdown (docs/analyses.md)."
        ),
    ] = False,
) -> None:
    """List the analyses `analyze` runs, what each needs and the table it writes."""
    from clientlens.analytics.docs import analyses_markdown
    from clientlens.analytics.registry import all_analyses

    if markdown:
        print(analyses_markdown(), end="")
        return
    table = Table(header_style="bold")
    for key in ("col_analysis", "col_needs", "col_description"):
        table.add_column(_t(key), overflow="fold")
    table.add_column("settings", overflow="fold")
    for a in all_analyses():
        settings = ", ".join(s.name for s in a.settings)
        table.add_row(a.name, ", ".join(a.requires), a.description, settings)
    console.print(table)


@app.command()
def settings(
    markdown: Annotated[
        bool,
        typer.Option(
            "--markdown", help="Print the settings reference as Markdown (docs/settings.md)."
        ),
    ] = False,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="NAME=VALUE",
            help="Save a setting in the workspace's clientlens.toml, e.g. --set currency=USD; "
            "repeatable.",
        ),
    ] = None,
) -> None:
    """Show every setting, its value and where the value came from; --set saves one."""
    from clientlens.config import (
        all_settings,
        parse_assignments,
        setting,
        settings_markdown,
        used_by,
        write_setting,
    )

    if markdown:
        print(settings_markdown(), end="")
        return
    if set_:
        directory = _workspace().path
        for name, value in parse_assignments(set_, option="--set").items():
            write_setting(directory, name, value)
            shown = setting(name).show(value)  # a connection URL without its password
            console.print(_t("setting_saved", name=name, value=shown, file=directory))
        return
    ws = _workspace()
    table = Table(header_style="bold")
    for col in ("setting", "value", "source", "used by", "help"):
        table.add_column(col, overflow="fold")
    for s in all_settings():
        users = ", ".join(used_by(s.name))
        table.add_row(s.name, s.show(ws.config[s.name]), ws.config.sources[s.name], users, s.help)
    console.print(table)


@app.command()
def contract(
    markdown: Annotated[
        bool,
        typer.Option("--markdown", help="Print the data contract as Markdown (docs/data.md)."),
    ] = False,
) -> None:
    """Show the canonical tables: required columns, key and personal-data columns."""
    from clientlens.schema import TABLES
    from clientlens.schema_docs import data_contract_markdown

    if markdown:
        print(data_contract_markdown(), end="")
        return
    table = Table(header_style="bold")
    for col in ("table", "required", "key", "pii"):
        table.add_column(col, overflow="fold")
    for spec in TABLES.values():
        pii = [c.name for c in spec.columns if c.pii]
        table.add_row(spec.name, ", ".join(spec.required), ", ".join(spec.key), ", ".join(pii))
    console.print(table)


@app.command()
def report(
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", help="Language of the report: zh or en (default: setting 'language')."
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="Report month YYYY-MM (default: the last complete month, or the month of "
            "the last order when the data end before it).",
        ),
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", help="Comma-separated: html, pdf, xlsx.")
    ] = "html,pdf,xlsx",
    output: Annotated[Path, typer.Option("--output", "-o", help="Output directory.")] = Path(
        "report"
    ),
) -> None:
    """Write the customer analysis report from the results of the last `analyze`."""
    import time

    from clientlens.report import build_report

    ws = _workspace()
    started = time.perf_counter()
    formats = [f.strip() for f in format_.split(",") if f.strip()]
    with _progress("report") as update:
        paths = build_report(
            ws, lang=lang, period=period, formats=formats, out_dir=output, progress=update
        )
    seconds = time.perf_counter() - started
    console.print(_t("report_done", out=output, seconds=seconds))
    for path in paths.values():
        console.print(f"  {path}")


from clientlens.web.cli import register as _register_web  # noqa: E402 - after the commands above

_register_web(app)


def main() -> None:
    """Entry point: library errors become one readable line and exit code 2."""
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        err_console.print("Aborted.")
        sys.exit(130)
    except typer.TyperException as exc:  # a usage error: unknown command, bad option value
        ctx = getattr(exc, "ctx", None)  # a usage error knows the command it belongs to
        hint = _t("usage_hint", command=ctx.command_path if ctx is not None else "clientlens")
        message = escape(f"{exc.format_message()} {hint}")
        err_console.print(f"[bold red]{_t('error')}:[/] {message}", soft_wrap=True)
        sys.exit(exc.exit_code)
    except ImportValidationError as exc:
        if _state["debug"]:
            raise
        _print_problems(exc.problems, total=exc.count)
        err_console.print(f"[bold red]{_t('error')}:[/] {exc}")
        sys.exit(2)
    except ClientLensError as exc:
        if _state["debug"]:
            raise
        # soft_wrap: one line, however long (a list of known names), for grep and logs
        err_console.print(f"[bold red]{_t('error')}:[/] {exc}", soft_wrap=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
