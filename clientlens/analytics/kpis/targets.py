"""KPI targets (``kpi_targets``): each month's KPIs against the targets the business set.

Targets are monthly and set in clientlens.toml, either as a table::

    [kpi_targets]
    revenue = 2000000
    repeat_rate = 0.45      # rates as shares: 0.45 = 45%
    churn_rate = 0.30       # lower is better for churn_rate and cac

or as one line (``clientlens settings --set kpi_targets="revenue=2000000; nps=40"``,
``CLIENTLENS_KPI_TARGETS``). Codes are the KPI codes of the ``kpis`` result. Without
targets the result has no rows, and the report says that no targets are set.

``gap`` = value − target; ``gap_relative`` = gap / |target| (for rates and NPS the gap
in points is the one to read: ``gap`` × 100 for rates); ``met`` is true when the value
is at or above the target, or at or below it for the KPIs where lower is better.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column
from clientlens.analytics.kpis.kpis import UNITS
from clientlens.config import Setting
from clientlens.errors import ConfigError
from clientlens.lazy import ibis, ir

LOWER_IS_BETTER = frozenset({"churn_rate", "cac"})
TARGETABLE = tuple(k for k in UNITS if not k.endswith("_responses"))
SHARES = frozenset({"repeat_rate", "retention_rate", "churn_rate", "csat"})


class KpiTargets(str):
    """Monthly KPI targets, ``"revenue=2000000; repeat_rate=0.45"`` (codes sorted).

    Built from that text or from a TOML table; :attr:`targets` gives them as numbers. A
    code that is not a KPI, a value that is not a number, or a rate above 1 is refused
    where it is given.
    """

    label = "KPI targets (code = number)"

    def __new__(cls, value: Any = "") -> KpiTargets:
        pairs = _pairs(value)
        text = "; ".join(f"{k}={_number_text(v)}" for k, v in sorted(pairs.items()))
        obj = super().__new__(cls, text)
        obj._targets = pairs
        return obj

    _targets: dict[str, float]

    @property
    def targets(self) -> dict[str, float]:
        return dict(self._targets)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _pairs(value: Any) -> dict[str, float]:
    if isinstance(value, KpiTargets):
        return value.targets
    if isinstance(value, Mapping):
        items = [(str(k), v) for k, v in value.items()]
    else:
        text = str(value or "").strip()
        items = []
        for part in (p.strip() for p in re.split(r"[;,\n]", text)):
            if not part:
                continue
            if "=" not in part:
                raise ConfigError(
                    f"kpi_targets: {part!r} is not code=number; write e.g. "
                    '"revenue=2000000; repeat_rate=0.45".'
                )
            code, number = part.split("=", 1)
            items.append((code.strip(), number.strip()))
    out: dict[str, float] = {}
    for code, raw in items:
        if code not in TARGETABLE:
            raise ConfigError(
                f"kpi_targets: {code!r} is not a KPI code; the codes are {', '.join(TARGETABLE)}."
            )
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"kpi_targets: {code} = {raw!r} is not a number.") from None
        if not math.isfinite(number):
            raise ConfigError(f"kpi_targets: {code} = {raw!r} is not a finite number.")
        if code in SHARES and not 0 <= number <= 1:
            raise ConfigError(
                f"kpi_targets: {code} = {raw!r}: write rates as shares between 0 and 1 "
                f"(0.45 for 45%)."
            )
        out[code] = number
    return out


TARGETS = Setting(
    "kpi_targets",
    KpiTargets,
    KpiTargets(""),
    "Monthly KPI targets, as a kpi_targets table in clientlens.toml or "
    '"revenue=2000000; repeat_rate=0.45" (rates as shares); the report and the KPI '
    "tables show each KPI against its target.",
)


def kpi_targets(kpis: ir.Table, targets: Mapping[str, float]) -> ir.Table:
    """Each month's value of every KPI with a target, against that target."""
    chosen = {k: float(v) for k, v in targets.items() if k in TARGETABLE}
    t = kpis.filter(kpis.kpi.isin(list(chosen) or ["-"]))
    target = (
        # typed literals: Spark would store bare ones as a decimal, whatever the cast
        ibis.cases(
            *[(t.kpi == k, ibis.literal(v, "float64")) for k, v in chosen.items()],
            else_=ibis.null("float64"),
        )
        if chosen
        else ibis.null("float64")
    )
    t = t.mutate(target=target)
    gap = t.value - t.target
    lower = t.kpi.isin(list(LOWER_IS_BETTER))
    met = ibis.ifelse(lower, t.value <= t.target, t.value >= t.target)
    return t.select(
        "period",
        "period_label",
        "is_complete",
        "kpi",
        "unit",
        "value",
        target=t.target,
        gap=gap,
        gap_relative=ibis.ifelse(t.target != 0, gap / t.target.abs(), ibis.null("float64")),
        met=ibis.ifelse(t.value.isnull(), ibis.null("boolean"), met),
    ).order_by(["period", "kpi"])


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return kpi_targets(inputs["kpis"], ctx.setting("kpi_targets").targets)


ANALYSES = [
    Analysis(
        name="kpi_targets",
        requires=("kpis",),
        build=_build,
        settings=(TARGETS,),
        description="Each month's KPIs against the monthly targets set in kpi_targets: the "
        "gap and whether the target was met (no rows when no targets are set).",
        columns={
            "period": Column("date", "First day of the month.", "月份的第一天。"),
            "period_label": Column("string", "The month as YYYY-MM.", "月份，格式 YYYY-MM。"),
            "is_complete": Column(
                "boolean", "True when the month is complete in the data.", "该月在数据中是否完整。"
            ),
            "kpi": Column("string", "KPI code (as in kpis).", "指标代码（同 kpis）。"),
            "unit": Column("string", "The KPI's unit (as in kpis).", "指标单位（同 kpis）。"),
            "value": Column("float64", "The KPI's value in the month.", "该月指标值。", "per_row"),
            "target": Column(
                "float64",
                "The monthly target (kpi_targets).",
                "月度目标（kpi_targets）。",
                "per_row",
            ),
            "gap": Column("float64", "value − target.", "实际值 − 目标值。", "per_row"),
            "gap_relative": Column(
                "float64",
                "(value − target) / |target|.",
                "（实际值 − 目标值）/ |目标值|。",
                "change",
            ),
            "met": Column(
                "boolean",
                "True when the target is met (at or above it; at or below it for churn_rate "
                "and cac).",
                "是否达标（不低于目标；流失率和获客成本为不高于目标）。",
            ),
        },
    )
]
