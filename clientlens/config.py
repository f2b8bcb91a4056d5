"""Settings, declared once.

Every setting is declared once, with its type, default and help: the settings of the
workspace, imports and the report in :data:`CORE_SETTINGS`, and each analysis's own in
its declaration (``Analysis(settings=(Setting(...), ...))``). :data:`SETTINGS` holds
them all, and the config file, the environment, ``--set``, ``clientlens settings`` and
docs/settings.md all derive from it. The values in force come from, lowest priority
first: the defaults, the workspace's ``clientlens.toml``, environment variables
``CLIENTLENS_<NAME>``, and explicit overrides (CLI flags or keyword arguments).
``clientlens.toml`` may also hold a ``[mapping.<kind>]`` table of source header →
canonical column.

Example ``clientlens.toml``::

    engine = "duckdb"
    currency = "CNY"
    rfm_bins = 5

    [mapping.orders]
    "交易流水号" = "order_id"
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clientlens.errors import ConfigError
from clientlens.urls import mask_url

CONFIG_FILE = "clientlens.toml"
ENV_PREFIX = "CLIENTLENS_"


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str
    choices: tuple[Any, ...] = ()
    secret_url: bool = False
    """The value is a URL that may hold a password: shown with it masked."""

    def show(self, value: Any) -> str:
        """``value`` as ``clientlens settings`` shows it (see :func:`shown`)."""
        return shown(mask_url(str(value)) if self.secret_url and value else value)

    @property
    def type_name(self) -> str:
        """The type as the settings reference names it (``int``, ``str``, ``int list``)."""
        return str(getattr(self.type, "label", self.type.__name__))

    def parse(self, value: Any, source: str) -> Any:
        try:
            if self.type is bool and isinstance(value, str):
                if value.lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                    raise ValueError(value)
                parsed: Any = value.lower() in {"1", "true", "yes", "on"}
            elif self.type is bool:
                parsed = bool(value)
            else:
                parsed = self.type(value)
        except ConfigError as exc:  # a setting type that says itself what is wrong
            raise ConfigError(f"{source}: setting {self.name!r}: {exc}") from None
        except (TypeError, ValueError):
            raise ConfigError(
                f"{source}: setting {self.name!r} must be of type {self.type.__name__}, got {value!r}."
            ) from None
        if self.choices and parsed not in self.choices:
            raise ConfigError(
                f"{source}: setting {self.name!r} must be one of "
                f"{', '.join(map(str, self.choices))}; got {value!r}."
            )
        return parsed


class CurrencyCode(str):
    """A currency code of three letters (ISO 4217: CNY, USD, EUR, BRL), upper-cased.

    The type of the ``currency`` setting, so that ``clientlens init --currency yuan`` or a
    typo in clientlens.toml is refused where it is given, not when the report prints amounts.
    """

    label = "currency code"
    """How the settings reference names the type."""

    def __new__(cls, value: Any) -> CurrencyCode:
        code = str(value).strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ConfigError(
                f"{value!r} is not a currency code: write its three letters, "
                "e.g. CNY, USD, EUR, BRL."
            )
        return super().__new__(cls, code)


DEFAULT_CURRENCY = "CNY"

CORE_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "engine",
        str,
        "duckdb",
        "Ibis backend for the workspace: duckdb, pyspark, or postgres (with 'connection').",
    ),
    Setting(
        "connection",
        str,
        "",
        "Ibis connection URL for engines other than the embedded DuckDB file, e.g. "
        "postgresql://user@host:5432/db (the password is best left to PGPASSWORD or ~/.pgpass).",
        secret_url=True,
    ),
    Setting(
        "spark_master",
        str,
        "",
        "pyspark engine: Spark master URL (local[*], spark://host:7077, yarn, k8s://...); "
        "empty = Spark's own configuration (spark-defaults.conf), else local[*].",
    ),
    Setting(
        "spark_driver_memory",
        str,
        "",
        "pyspark engine: memory of the driver JVM (e.g. 4g); in local mode the driver does "
        "all the work. Empty = Spark's own configuration, else 1g.",
    ),
    Setting(
        "spark_warehouse",
        str,
        "",
        "pyspark engine: where the workspace's table files live; on a cluster a path every "
        "executor reaches (hdfs://..., s3a://...). Empty = spark-warehouse in the workspace.",
    ),
    Setting(
        "spark_log_stderr",
        bool,
        False,
        "pyspark engine: show Spark's own log on stderr instead of only writing it to "
        "logs/spark.log in the workspace (`clientlens --debug` turns it on).",
    ),
    Setting("language", str, "zh", "Language of the report and messages.", ("zh", "en")),
    Setting(
        "currency",
        CurrencyCode,
        CurrencyCode(DEFAULT_CURRENCY),
        "Currency of the amounts in the data, as its three-letter code (CNY, USD, EUR, BRL, ...); "
        "asked by `clientlens init --currency`, changed with `clientlens settings --set`.",
    ),
    Setting(
        "on_error",
        str,
        "report",
        "What an import does with bad rows: 'report' rejects the "
        "file, 'quarantine' loads the good rows and keeps the bad ones.",
        ("report", "quarantine"),
    ),
    Setting(
        "decimal",
        str,
        "auto",
        "Decimal separator of numbers in imported text files: '.', ',', or 'auto' (what each "
        "file's numbers show; a number that could be read either way is then a problem).",
        ("auto", ".", ","),
    ),
    Setting(
        "timezone",
        str,
        "UTC",
        "Time zone imported times that carry a zone (2024-01-03T10:15:00+08:00) are converted "
        "to; times without one are taken as they are.",
    ),
    Setting(
        "import_memory_mb",
        int,
        1536,
        "Memory (MB) the engine may hold while validating and loading an import on a DuckDB "
        "workspace; beyond it DuckDB writes its scratch data to disk, so a file of any size "
        "imports in bounded memory. 0 leaves DuckDB's own limit (80% of RAM).",
    ),
    Setting(
        "today",
        str,
        "",
        "The date imports treat as today when rejecting future dates "
        "(ISO date; empty = the real date).",
    ),
    Setting("seed", int, 0, "Seed of every random step."),
    Setting(
        "results_keep_runs",
        int,
        3,
        "Published analysis runs kept in the workspace (older ones are removed after each analyze).",
    ),
    Setting(
        "report_min_relative_change",
        float,
        0.05,
        "Report: smallest relative change of an amount or count called a rise or fall.",
    ),
    Setting(
        "report_min_rate_change_pp",
        float,
        0.01,
        "Report: smallest change of a rate (as a share, 0.01 = 1 pp) called a rise or fall.",
    ),
    Setting(
        "report_min_score_change",
        float,
        3.0,
        "Report: smallest NPS change, in points, called a rise or fall.",
    ),
    Setting(
        "report_significance",
        float,
        0.05,
        "Report: significance level a change must pass when its sample sizes are known.",
    ),
    Setting("report_summary_findings", int, 8, "Report: most findings in the executive summary."),
)
"""The settings of the workspace, imports, the report and every random step. The
analyses declare their own (``Analysis(settings=...)``); :data:`SETTINGS` holds both."""

SETTINGS: tuple[Setting, ...]
"""Every setting: :data:`CORE_SETTINGS`, then the settings the registered analyses
declare. Derived on first use (see :func:`all_settings`), because gathering the
analyses' declarations imports every analysis, and with them Ibis."""


def __getattr__(name: str) -> Any:
    if name == "SETTINGS":
        return all_settings()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _declared() -> Mapping[str, tuple[Setting, tuple[str, ...]]]:
    # imported here, not at the top: the registry imports every analysis (and Ibis),
    # and the analyses import this module for Setting
    from clientlens.analytics.registry import all_analyses, declared_settings

    return declared_settings(all_analyses(), core=core_settings())


def core_settings() -> tuple[Setting, ...]:
    """:data:`CORE_SETTINGS` and the dashboard's (declared in :mod:`clientlens.web.settings`
    beside the code that reads them)."""
    from clientlens.web.settings import WEB_SETTINGS

    return CORE_SETTINGS + WEB_SETTINGS


@functools.cache
def all_settings() -> tuple[Setting, ...]:
    """Every setting: the core ones, then those the registered analyses declare."""
    return tuple(s for s, _ in _declared().values())


def setting(name: str) -> Setting:
    """The declaration of setting ``name``; :class:`ConfigError` for an unknown name."""
    declared = _declared()
    if name not in declared:
        close = difflib.get_close_matches(name, declared, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(f"Unknown setting {name!r}{hint}. Known settings: {', '.join(declared)}.")
    return declared[name][0]


def used_by(name: str) -> tuple[str, ...]:
    """The analyses that declare setting ``name`` (none for a core setting)."""
    setting(name)
    return _declared()[name][1]


@dataclass(frozen=True)
class Config:
    """The settings in force for one workspace, and where each value came from."""

    values: Mapping[str, Any]
    sources: Mapping[str, str]
    mappings: Mapping[str, Mapping[str, str]]
    value_maps: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)
    """``[values.<column>]`` of clientlens.toml: extra spellings of coded values."""

    def __getitem__(self, name: str) -> Any:
        setting(name)
        return self.values[name]

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("values", {})  # absent while copying or unpickling
        if name in values:
            return values[name]
        raise AttributeError(name)

    def mapping(self, kind: str) -> dict[str, str]:
        return dict(self.mappings.get(kind, {}))

    def vocabularies(self) -> dict[str, dict[str, str]]:
        return {column: dict(table) for column, table in self.value_maps.items()}


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def load_config(
    directory: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Merge defaults < clientlens.toml in ``directory`` < environment < ``overrides``."""
    environ = os.environ if environ is None else environ
    declared = all_settings()
    values = {s.name: s.default for s in declared}
    sources = {s.name: "default" for s in declared}
    mappings: dict[str, dict[str, str]] = {}
    value_maps: dict[str, dict[str, str]] = {}

    file = (directory / CONFIG_FILE) if directory is not None else None
    if file is not None and file.is_file():
        data = read_config_file(file)
        raw_map = data.pop("mapping", {})
        raw_values = data.pop("values", {})
        if not isinstance(raw_values, dict) or not all(
            isinstance(t, dict) for t in raw_values.values()
        ):
            raise ConfigError(
                f"{file}: [values] must hold [values.<column>] tables of source value = code, "
                'e.g. [values.status] "已揽收" = "completed".'
            )
        value_maps = {
            str(col): {str(k): str(v) for k, v in table.items()}
            for col, table in raw_values.items()
        }
        data.pop("workspace", None)
        if not isinstance(raw_map, dict):
            raise ConfigError(f"{file}: [mapping] must be a table of [mapping.<kind>] tables.")
        for kind, table in raw_map.items():
            if not isinstance(table, dict):
                raise ConfigError(f"{file}: [mapping.{kind}] must map source headers to columns.")
            mappings[kind] = {str(k): str(v) for k, v in table.items()}
        for name, value in data.items():
            values[name] = setting(name).parse(value, str(file))
            sources[name] = str(file)
    for s in declared:
        env_name = ENV_PREFIX + s.name.upper()
        if env_name in environ:
            values[s.name] = s.parse(environ[env_name], f"environment variable {env_name}")
            sources[s.name] = env_name
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        values[name] = setting(name).parse(value, "command line")
        sources[name] = "command line"
    return Config(values=values, sources=sources, mappings=mappings, value_maps=value_maps)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string


def write_setting(directory: Path, name: str, value: Any) -> Any:
    """Set ``name`` to ``value`` in ``directory``'s clientlens.toml and return the parsed value.

    The value is parsed by the setting's declaration first, so a bad one changes nothing.
    The line ``name = ...`` is replaced (or a commented-out one, as the template has,
    uncommented); otherwise the line is added before the first ``[table]``, where a
    top-level setting must stand. Comments and every other line are kept.
    """
    file = directory / CONFIG_FILE
    parsed = setting(name).parse(value, f"setting {name}")
    text = file.read_text(encoding="utf-8") if file.is_file() else ""
    lines = _without_table(text.splitlines(), name)
    line = f"{name} = {_toml_value(parsed)}"
    pattern = re.compile(rf"^\s*(#\s*)?{re.escape(name)}\s*=")
    table_start = next((i for i, x in enumerate(lines) if x.lstrip().startswith("[")), len(lines))
    found = [i for i, x in enumerate(lines[:table_start]) if pattern.match(x)]
    set_lines = [i for i in found if not lines[i].lstrip().startswith("#")]
    if set_lines or found:
        lines[(set_lines or found)[0]] = line
    else:
        lines.insert(table_start, line)
    new_text = "\n".join(lines) + "\n"
    try:
        tomllib.loads(new_text)  # never write a file the next command cannot read
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{file}: setting {name} cannot be written beside what the file holds ({exc}); "
            "edit the file by hand."
        ) from None
    file.write_text(new_text, encoding="utf-8")
    return parsed


def _without_table(lines: list[str], name: str) -> list[str]:
    """``lines`` without a ``[name]`` table (a setting given as a table, such as
    ``[kpi_targets]``), which a top-level ``name = ...`` line now replaces."""
    header = re.compile(rf"^\s*\[\s*{re.escape(name)}\s*\]\s*(#.*)?$")
    start = next((i for i, x in enumerate(lines) if header.match(x)), None)
    if start is None:
        return lines
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")),
        len(lines),
    )
    return lines[:start] + lines[end:]


def parse_assignments(items: Iterable[str], *, option: str = "--set") -> dict[str, Any]:
    """``NAME=VALUE`` strings (``--set rfm_bins=4``) as values parsed by their declarations.

    Raises :class:`ConfigError` naming the item for a malformed item, an unknown setting
    or a value its declaration rejects.
    """
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ConfigError(
                f"{option} {item!r}: write it as NAME=VALUE, e.g. {option} rfm_bins=4."
            )
        try:
            declared = setting(name)
        except ConfigError as exc:
            raise ConfigError(f"{option} {item}: {exc}") from None
        out[name] = declared.parse(value.strip(), f"{option} {item}")
    return out


def shown(value: Any) -> str:
    """A setting value as a user writes it: ``'duckdb'``, ``5``, ``'18,25,35'``."""
    return repr(value) if type(value) in (str, int, float, bool) else repr(str(value))


def _markdown_row(s: Setting, *extra: str) -> str:
    choices = f" One of: {', '.join(map(str, s.choices))}." if s.choices else ""
    cells = [f"`{s.name}`", s.type_name, f"`{shown(s.default)}`", f"`{ENV_PREFIX}{s.name.upper()}`"]
    return "| " + " | ".join([*cells, *extra, f"{s.help}{choices}"]) + " |"


def settings_markdown() -> str:
    """The settings reference (docs/settings.md), derived from :data:`SETTINGS`."""
    core = {s.name for s in core_settings()}
    lines = [
        "# Settings",
        "",
        "Generated from the declarations (`clientlens.config.CORE_SETTINGS` and each",
        "analysis's `settings=`) by `clientlens settings --markdown`.",
        "Each setting can be put in the workspace's `clientlens.toml`, given as an environment",
        "variable `CLIENTLENS_<NAME>`, or passed as an override (for one run of the analyses:",
        "`clientlens analyze --set NAME=VALUE`); later sources win.",
        "",
        "## Workspace, import and report settings",
        "",
        "| setting | type | default | environment variable | meaning |",
        "|---|---|---|---|---|",
        *[_markdown_row(s) for s in all_settings() if s.name in core],
        "",
        "## Analysis settings",
        "",
        "Declared by the analyses that use them (`clientlens analyses` lists each analysis's).",
        "",
        "| setting | type | default | environment variable | used by | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for s in all_settings():
        if s.name not in core:
            users = ", ".join(f"`{a}`" for a in used_by(s.name))
            lines.append(_markdown_row(s, users))
    return "\n".join(lines) + "\n"
