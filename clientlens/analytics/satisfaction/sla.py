"""Time to resolution, SLA breaches and the open backlog (``complaint_sla``).

Per dimension (``all``, ``category``, ``channel``, ``severity``) and group, on three
grains: ``month`` (tickets opened in the month), ``last_12_months`` (opened in the 12
complete months ending with the last complete one) and ``backlog`` (every ticket still
open at the observation end, whenever opened).

A ticket's target is ``sla_hours_high``, ``sla_hours_medium`` or ``sla_hours_low`` by
its severity (高/紧急/urgent read as high, 中/一般/normal as medium, 低 as low) and
``sla_hours_default`` otherwise. It is *breached* when it was resolved after more hours
than its target, or is still open and already older than it (GLOSSARY ``sla_breach``).
Resolution time is ``closed_at − opened_at`` (GLOSSARY ``time_to_resolution``), its
median and 90th percentile exact (:func:`~.periods.ranked_quantiles`).

Time to first response is ``first_response_at − opened_at``, its median and 90th
percentile exact in the same way, against one target for every severity,
``sla_first_response_hours``. A ticket with no first response by the observation end
(none given, or given after it) is *awaiting response* while it is open, and then
breaches that target once it is older than it, as an open ticket breaches its
resolution target; a ticket closed without a recorded first response is neither
responded nor awaiting, and is left out of the first-response figures (no reply time
to measure, and nobody is still waiting). ``first_response_breach_rate`` is therefore
breached / (responded + awaiting). Without a ``first_response_at`` column every
first-response column is null and the rest is unchanged.
"""

from __future__ import annotations

from typing import Any

from clientlens.analytics.base import as_table, to_date
from clientlens.analytics.periods import last_complete_month_index
from clientlens.analytics.satisfaction.periods import (
    TICKET_DIMENSIONS,
    by_dimension,
    last_month,
    month_labels,
    month_starts,
    ranked_quantiles,
    tickets_until,
    window_filter,
)
from clientlens.config import Setting
from clientlens.errors import ConfigError
from clientlens.lazy import ibis, ir, pd

SLA_HOURS = {
    "high": Setting("sla_hours_high", float, 8.0, "SLA target for high-severity tickets, hours."),
    "medium": Setting(
        "sla_hours_medium", float, 24.0, "SLA target for medium-severity tickets, hours."
    ),
    "low": Setting("sla_hours_low", float, 72.0, "SLA target for low-severity tickets, hours."),
}
SLA_HOURS_DEFAULT = Setting(
    "sla_hours_default",
    float,
    48.0,
    "SLA target for tickets without a known severity (high, medium, low), hours.",
)
SLA_FIRST_RESPONSE_HOURS = Setting(
    "sla_first_response_hours",
    float,
    4.0,
    "First-response target for every ticket, hours: breached when first answered later, "
    "or still unanswered and older.",
)
SETTINGS = (*SLA_HOURS.values(), SLA_HOURS_DEFAULT, SLA_FIRST_RESPONSE_HOURS)
FIRST_RESPONSE_COLUMNS = (
    "first_response_target_hours",
    "responded",
    "awaiting_response",
    "first_response_median_hours",
    "first_response_p90_hours",
    "first_response_breached",
    "first_response_breach_rate",
)
"""The result columns measured from ``first_response_at`` (null without it)."""

_KEYS = ["dimension", "_group", "_m"]
GRAINS = ("month", "last_12_months", "backlog")


def _targets(
    t: ir.Table, hours: dict[str, float], default: float, first_response: float
) -> ir.Table:
    target = ibis.cases(*[(t._severity == k, v) for k, v in hours.items()], else_=default)
    t = t.mutate(_target=target.cast("float64"))
    late = ibis.ifelse(t._open, t._age_hours > t._target, t._hours > t._target)
    # null for a ticket closed without a response: it is counted in neither way
    response_late = ibis.ifelse(
        t._awaiting, t._age_hours > first_response, t._response_hours > first_response
    )
    return t.mutate(
        _late=late,
        _response_late=response_late,
        _open_age_days=ibis.ifelse(t._open, t._age_hours / 24, None),
    )


_QUANTILES = {
    "_hours": {"resolution_median_hours": 0.5, "resolution_p90_hours": 0.9},
    "_open_age_days": {"open_age_median_days": 0.5, "open_age_p90_days": 0.9},
    "_response_hours": {"first_response_median_hours": 0.5, "first_response_p90_hours": 0.9},
}
"""The medians and 90th percentiles of each measured time, by the column they rank."""


def _block(tables: list[ir.Table]) -> pd.DataFrame:
    """Counts and quantiles of every dimension's groups: one query for the counts, one per
    ranked column (its median and p90 from one ranking), each over all dimensions."""
    counts = [
        t.group_by(_KEYS).agg(
            tickets=t.count(),
            resolved=t.count(where=~t._open),
            open_tickets=t.count(where=t._open),
            breached=t.count(where=t._late),
            open_breached=t.count(where=t._open & t._late),
            _target_min=t._target.min(),
            _target_max=t._target.max(),
            responded=t.count(where=t._response_hours.notnull()),
            awaiting_response=t.count(where=t._awaiting),
            first_response_breached=t.count(where=t._response_late),
        )
        for t in tables
    ]
    out = ibis.union(*counts, distinct=False).to_pandas()
    for column, wanted in _QUANTILES.items():
        parts = [ranked_quantiles(t, column, _KEYS, wanted) for t in tables]
        frame = ibis.union(*parts, distinct=False).to_pandas()
        out = out.merge(frame, on=_KEYS, how="left")
    return out


def complaint_sla(
    tickets: Any,
    *,
    observation_end: Any,
    hours: dict[str, float] | None = None,
    default_hours: float = SLA_HOURS_DEFAULT.default,
    first_response_hours: float = SLA_FIRST_RESPONSE_HOURS.default,
) -> pd.DataFrame:
    """Resolution and first-response times, SLA breaches and the backlog by group and period.

    Parameters
    ----------
    tickets
        ``ticket_id, customer_id, opened_at``; ``closed_at`` (open tickets have none),
        ``first_response_at`` (unanswered tickets have none), ``severity``, ``category``,
        ``channel`` when present.
    hours
        Target hours by severity level (``high``, ``medium``, ``low``); default the
        settings' defaults.
    first_response_hours
        Target hours to the first response, for every ticket.

    Examples
    --------
    >>> t = pd.DataFrame({"ticket_id": ["1", "2", "3"], "customer_id": ["a", "b", "c"],
    ...     "opened_at": pd.to_datetime(["2024-01-02 00:00", "2024-01-05 00:00", "2024-01-30 00:00"]),
    ...     "closed_at": pd.to_datetime(["2024-01-02 10:00", "2024-01-05 02:00", None]),
    ...     "severity": ["high", "high", "low"]})
    >>> s = complaint_sla(t, observation_end="2024-01-31")
    >>> row = s[(s.dimension == "all") & (s.grain == "month")].iloc[0]
    >>> float(row.resolution_median_hours), int(row.breached), int(row.open_tickets)
    (6.0, 1, 1)
    >>> pd.isna(row.first_response_median_hours)  # no first_response_at column
    True
    """
    end = to_date(observation_end)
    targets = {k: s.default for k, s in SLA_HOURS.items()} | (hours or {})
    for level, value in (*targets.items(), ("default", default_hours)):
        if not value > 0:
            raise ConfigError(f"sla_hours_{level} must be more than 0 hours; got {value}.")
    if not first_response_hours > 0:
        raise ConfigError(
            f"sla_first_response_hours must be more than 0 hours; got {first_response_hours}."
        )
    table = as_table(tickets)
    t = _targets(tickets_until(table, end), targets, default_hours, first_response_hours)
    tables = by_dimension(t)
    last_m, end_m = last_complete_month_index(end), last_month(end)
    monthly = _block(tables)
    if monthly.empty:
        from clientlens.analytics.satisfaction.tables import empty_frame

        return empty_frame("complaint_sla")
    monthly["grain"] = "month"
    parts = [monthly]
    if (monthly["_m"] <= last_m).any():
        trailing = _block(
            [window_filter(x, last_m, 12).mutate(_m=ibis.literal(last_m - 11)) for x in tables]
        )
        parts.append(trailing.assign(grain="last_12_months"))
    backlog = _block([x.filter(x._open).mutate(_m=ibis.literal(end_m)) for x in tables])
    parts.append(backlog.assign(grain="backlog"))
    out = _finish(pd.concat(parts, ignore_index=True), last_m, first_response_hours)
    if "first_response_at" not in table.columns:
        for name in FIRST_RESPONSE_COLUMNS:
            # nullable Int64: nulls that keep the int64 type (None in an object column has none)
            ints = out[name].dtype == "int64"
            out[name] = pd.Series(pd.NA if ints else float("nan"), index=out.index).astype(
                "Int64" if ints else "float64"
            )
    return out


def _finish(t: pd.DataFrame, last_m: int, first_response_hours: float) -> pd.DataFrame:
    grain = t["grain"]
    label = month_labels(t["_m"])
    label = label.where(grain != "last_12_months", label + ".." + month_labels(t["_m"] + 11))
    one_target = t["_target_min"] == t["_target_max"]
    tickets = t["tickets"].astype("int64")
    # counts of tickets: Spark's sum over a column of nulls is null where DuckDB's is 0
    responded = t["responded"].fillna(0).astype("int64")
    awaiting = t["awaiting_response"].fillna(0).astype("int64")
    fr_breached = t["first_response_breached"].fillna(0).astype("int64")
    measured = responded + awaiting
    measured = measured.where(measured > 0)
    out = pd.DataFrame(
        {
            "dimension": t["dimension"].astype(str),
            "group": t["_group"].astype(str),
            "grain": grain.astype(str),
            "period": month_starts(t["_m"]),
            "period_label": label,
            "is_complete": (grain != "month") | (t["_m"] <= last_m),
            "is_latest": (grain != "month") | (t["_m"] == last_m),
            "tickets": tickets,
            "resolved": t["resolved"].astype("int64"),
            "open_tickets": t["open_tickets"].astype("int64"),
            "target_hours": t["_target_min"].where(one_target).astype("float64"),
            "resolution_median_hours": t["resolution_median_hours"].astype("float64"),
            "resolution_p90_hours": t["resolution_p90_hours"].astype("float64"),
            "breached": t["breached"].astype("int64"),
            "breach_rate": (t["breached"] / tickets.where(tickets > 0)).astype("float64"),
            "open_breached": t["open_breached"].astype("int64"),
            "open_age_median_days": t["open_age_median_days"].astype("float64"),
            "open_age_p90_days": t["open_age_p90_days"].astype("float64"),
            "first_response_target_hours": pd.Series(
                first_response_hours, index=t.index, dtype="float64"
            ),
            "responded": responded,
            "awaiting_response": awaiting,
            "first_response_median_hours": t["first_response_median_hours"].astype("float64"),
            "first_response_p90_hours": t["first_response_p90_hours"].astype("float64"),
            "first_response_breached": fr_breached,
            "first_response_breach_rate": (fr_breached / measured).astype("float64"),
        }
    )
    out["_d"] = out["dimension"].map({d: i for i, d in enumerate(TICKET_DIMENSIONS)})
    out["_g"] = out["grain"].map({g: i for i, g in enumerate(GRAINS)})
    out = out.sort_values(["_d", "group", "_g", "period"], kind="stable")
    return out.drop(columns=["_d", "_g"]).reset_index(drop=True)
