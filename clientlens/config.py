"""Settings, declared once.

Every setting is declared in :data:`SETTINGS` with its type, default and help. The
values in force come from, lowest priority first: the defaults, the workspace's
``clientlens.toml``, environment variables ``CLIENTLENS_<NAME>``, and explicit
overrides (CLI flags or keyword arguments). ``clientlens.toml`` may also hold a
``[mapping.<kind>]`` table of source header → canonical column.

Example ``clientlens.toml``::

    engine = "duckdb"
    currency = "CNY"
    rfm_bins = 5

    [mapping.orders]
    "交易流水号" = "order_id"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clientlens.errors import ConfigError

CONFIG_FILE = "clientlens.toml"
ENV_PREFIX = "CLIENTLENS_"


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str
    choices: tuple[Any, ...] = ()

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


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "engine",
        str,
        "duckdb",
        "Ibis backend for the workspace: duckdb, pyspark, or any backend named by 'connection'.",
    ),
    Setting(
        "connection",
        str,
        "",
        "Ibis connection URL for engines other than the embedded "
        "DuckDB file (e.g. postgres://user@host/db).",
    ),
    Setting("language", str, "zh", "Language of the report and messages.", ("zh", "en")),
    Setting("currency", str, "CNY", "Currency code of amounts (CNY, USD, EUR, ...)."),
    Setting(
        "on_error",
        str,
        "report",
        "What an import does with bad rows: 'report' rejects the "
        "file, 'quarantine' loads the good rows and keeps the bad ones.",
        ("report", "quarantine"),
    ),
    Setting(
        "today",
        str,
        "",
        "The date imports treat as today when rejecting future dates "
        "(ISO date; empty = the real date).",
    ),
    Setting("rfm_bins", int, 5, "Number of quantile scores for R, F and M."),
    Setting(
        "rfm_threshold",
        str,
        "mean",
        "High/low cut of the 8-segment RFM scheme.",
        ("mean", "median"),
    ),
    Setting(
        "rfm_frequency",
        str,
        "orders",
        "RFM frequency counts orders or purchase days.",
        ("orders", "days"),
    ),
    Setting(
        "rfm_monetary",
        str,
        "total",
        "RFM monetary is total or mean spend per customer.",
        ("total", "mean"),
    ),
    Setting(
        "churn_window_days",
        int,
        0,
        "Inactivity window that defines churn, in days; 0 = "
        "twice the median purchase cycle, at least 90 days.",
    ),
    Setting(
        "lifecycle_at_risk_days",
        int,
        60,
        "Days without a purchase after which an active customer is at risk.",
    ),
    Setting(
        "lifecycle_dormant_days",
        int,
        120,
        "Days without a purchase after which a customer is dormant.",
    ),
    Setting(
        "lifecycle_churned_days",
        int,
        180,
        "Days without a purchase after which a customer has churned.",
    ),
    Setting("abc_a_share", float, 0.7, "Cumulative revenue share that ends class A."),
    Setting("abc_b_share", float, 0.9, "Cumulative revenue share that ends class B."),
    Setting(
        "profile_age_bands",
        str,
        "18,25,35,45,55",
        "Age band edges of the customer profile (years): '18,25' gives <18, 18-24, 25+.",
    ),
    Setting(
        "profile_income_bands",
        str,
        "3000,6000,10000,20000,50000",
        "Income band edges of the customer profile (monthly income in the workspace currency).",
    ),
    Setting("clv_annual_discount_rate", float, 0.1, "Annual discount rate for predicted CLV."),
    Setting(
        "clv_margin", float, 1.0, "Profit margin applied to predicted spend in CLV (1.0 = revenue)."
    ),
    Setting(
        "clv_holdout_days",
        int,
        0,
        "Holdout length for choosing the CLV model, in days; "
        "0 = a quarter of the history, at most 365 days.",
    ),
    Setting("seed", int, 0, "Seed of every random step."),
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
    Setting(
        "churn_high_risk_p_alive",
        float,
        0.3,
        "Churn risk: customers with a probability alive below this are at high risk.",
    ),
    Setting(
        "churn_low_risk_p_alive",
        float,
        0.7,
        "Churn risk: customers with a probability alive from this on are at low risk "
        "(between the two: medium).",
    ),
    Setting(
        "audience_vip_p_alive",
        float,
        0.5,
        "Audiences: customers in the top 20% by revenue with a probability alive below "
        "this form the high-value churn-risk audience (vip_at_risk).",
    ),
    Setting(
        "audience_new_buyer_days",
        int,
        90,
        "Audiences: one-time buyers this recent (days since first purchase) form the "
        "second-purchase audience.",
    ),
    Setting(
        "audience_conversion_rate",
        float,
        0.1,
        "Audiences: assumed response rate of a campaign to an audience, used for its "
        "expected impact.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def setting(name: str) -> Setting:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ConfigError(
            f"Unknown setting {name!r}. Known settings: {', '.join(_BY_NAME)}."
        ) from None


@dataclass(frozen=True)
class Config:
    """The settings in force for one workspace, and where each value came from."""

    values: Mapping[str, Any]
    sources: Mapping[str, str]
    mappings: Mapping[str, Mapping[str, str]]

    def __getitem__(self, name: str) -> Any:
        setting(name)
        return self.values[name]

    def __getattr__(self, name: str) -> Any:
        if name in _BY_NAME:
            return self.values[name]
        raise AttributeError(name)

    def mapping(self, kind: str) -> dict[str, str]:
        return dict(self.mappings.get(kind, {}))


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
    values = {s.name: s.default for s in SETTINGS}
    sources = {s.name: "default" for s in SETTINGS}
    mappings: dict[str, dict[str, str]] = {}

    file = (directory / CONFIG_FILE) if directory is not None else None
    if file is not None and file.is_file():
        data = read_config_file(file)
        raw_map = data.pop("mapping", {})
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
    for s in SETTINGS:
        env_name = ENV_PREFIX + s.name.upper()
        if env_name in environ:
            values[s.name] = s.parse(environ[env_name], f"environment variable {env_name}")
            sources[s.name] = env_name
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        values[name] = setting(name).parse(value, "command line")
        sources[name] = "command line"
    return Config(values=values, sources=sources, mappings=mappings)


def settings_markdown() -> str:
    """The settings reference (docs/settings.md), derived from :data:`SETTINGS`."""
    lines = [
        "# Settings",
        "",
        "Generated from `clientlens.config.SETTINGS` by `clientlens settings --markdown`.",
        "Each setting can be put in the workspace's `clientlens.toml`, given as an environment",
        "variable `CLIENTLENS_<NAME>`, or passed as an override; later sources win.",
        "",
        "| setting | type | default | environment variable | meaning |",
        "|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        choices = f" One of: {', '.join(map(str, s.choices))}." if s.choices else ""
        lines.append(
            f"| `{s.name}` | {s.type.__name__} | `{s.default!r}` | "
            f"`{ENV_PREFIX}{s.name.upper()}` | {s.help}{choices} |"
        )
    return "\n".join(lines) + "\n"
