"""Complaint volume by category, channel and severity, and repeat complainers
(``complaint_summary``).

One row per dimension (``all``, ``category``, ``channel``, ``severity``), group and
period, on two grains as in ``satisfaction_scores``: ``month`` (tickets opened in the
month; every month from the first ticket to the observation end) and
``last_12_months`` (the 12 complete months ending with the last complete month, against
the 12 before). A change in volume is tested as a change of two Poisson counts,
``z = (x₁ − x₀) / sqrt(x₁ + x₀)``, between complete periods.

``customers`` counts distinct complaining customers; ``repeat_customers`` those with at
least two tickets in the period (in the group); ``open_tickets`` the tickets of the
period still open at the observation end.
"""

from __future__ import annotations

from typing import Any

from clientlens.analytics.base import to_date
from clientlens.analytics.periods import last_complete_month_index
from clientlens.analytics.satisfaction import stats
from clientlens.analytics.satisfaction.periods import (
    TICKET_DIMENSIONS,
    by_dimension,
    last_month,
    month_labels,
    month_starts,
    tickets_until,
    window_filter,
)
from clientlens.analytics.satisfaction.scores import CONFIDENCE
from clientlens.lazy import ibis, ir, np, pd

_KEYS = ["dimension", "_group", "_m"]
_COUNTS = ["tickets", "customers", "repeat_customers", "open_tickets"]


def _counts(t: ir.Table) -> ir.Table:
    per_customer = t.group_by([*_KEYS, "customer_id"]).agg(
        _k=t.count(), _open_k=t.count(where=t._open)
    )
    return per_customer.group_by(_KEYS).agg(
        tickets=per_customer._k.sum(),
        customers=per_customer.count(),
        repeat_customers=per_customer.count(where=per_customer._k >= 2),
        open_tickets=per_customer._open_k.sum(),
    )


def _union(tables: list[ir.Table]) -> ir.Table:
    return ibis.union(*[_counts(t) for t in tables], distinct=False)


def _poisson_change(
    now: pd.DataFrame, base: pd.DataFrame, name: str, alpha: float, complete: np.ndarray
) -> dict[str, Any]:
    x1 = now["tickets"].to_numpy("float64")
    x0 = base["tickets"].to_numpy("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(complete & (x0 > 0), (x1 - x0) / x0, np.nan)
        p = stats.two_sided_p((x1 - x0) / np.sqrt(x1 + x0))
    testable = complete & (x1 + x0 > 0)
    p = np.where(testable, p, np.nan)
    return {
        f"{name}_tickets": x0.astype("int64"),
        f"{name}_change": relative,
        f"{name}_p_value": p,
        f"{name}_significant": stats.significance(p, testable, alpha),
    }


def complaint_summary(
    tickets: Any, *, observation_end: Any, confidence: float = CONFIDENCE.default
) -> pd.DataFrame:
    """Ticket volume, complainers and repeat complainers by group and period.

    Parameters
    ----------
    tickets
        ``ticket_id, customer_id, opened_at``; ``closed_at``, ``category``, ``channel``
        and ``severity`` when present (missing ones group as ``unknown``).

    Examples
    --------
    >>> t = pd.DataFrame({"ticket_id": ["1", "2", "3"], "customer_id": ["a", "a", "b"],
    ...     "opened_at": pd.to_datetime(["2024-01-02", "2024-01-05", "2024-01-09"]),
    ...     "closed_at": pd.to_datetime(["2024-01-03", None, "2024-01-10"])})
    >>> s = complaint_summary(t, observation_end="2024-01-31")
    >>> row = s[s.dimension == "all"].iloc[0]
    >>> [int(row[c]) for c in ("tickets", "customers", "repeat_customers", "open_tickets")]
    [3, 2, 1, 1]
    """
    end = to_date(observation_end)
    alpha = 1 - confidence
    t = tickets_until(tickets, end)
    tables = by_dimension(t)
    monthly = _union(tables).to_pandas()
    if monthly.empty:
        from clientlens.analytics.satisfaction.tables import empty_frame

        return empty_frame("complaint_summary")
    last_m = last_complete_month_index(end)
    first_m = int(monthly["_m"].min())
    monthly = _monthly_spine(monthly, last_month(end))
    monthly["grain"] = "month"
    complete = (monthly["_m"] <= last_m).to_numpy()
    # A base month before the first ticket is not a month without complaints: unobserved.
    seen = {k: complete & (monthly["_m"] - k >= first_m).to_numpy() for k in (1, 12)}
    parts = [
        monthly.assign(
            is_complete=complete,
            **_poisson_change(monthly, _shift(monthly, 1), "previous", alpha, seen[1]),
            **_poisson_change(monthly, _shift(monthly, 12), "last_year", alpha, seen[12]),
        )
    ]
    if complete.any():
        windows = []
        for back in (0, 1):
            w = _union(
                [window_filter(x, last_m, 12, back).mutate(_m=ibis.literal(0)) for x in tables]
            )
            windows.append(w.to_pandas().drop(columns="_m"))
        now = windows[0].assign(_m=last_m - 11, grain="last_12_months")
        base = now[["dimension", "_group"]].merge(
            windows[1], how="left", on=["dimension", "_group"]
        )
        base[_COUNTS] = base[_COUNTS].fillna(0)
        yes = np.full(len(now), last_m - 23 >= first_m)
        nan = {
            "last_year_tickets": np.zeros(len(now), dtype="int64"),
            "last_year_change": np.nan,
            "last_year_p_value": np.nan,
            "last_year_significant": stats.no_test(len(now)),
        }
        parts.append(
            now.assign(
                is_complete=True, **_poisson_change(now, base, "previous", alpha, yes), **nan
            )
        )
    out = pd.concat(parts, ignore_index=True)
    return _finish(out, last_m)


def _monthly_spine(monthly: pd.DataFrame, end_m: int) -> pd.DataFrame:
    first = int(monthly["_m"].min())
    groups = monthly[["dimension", "_group"]].drop_duplicates()
    spine = groups.merge(
        pd.DataFrame({"_m": np.arange(first, end_m + 1, dtype="int64")}), how="cross"
    )
    out = spine.merge(monthly, on=_KEYS, how="left")
    out[_COUNTS] = out[_COUNTS].fillna(0).astype("int64")
    return out


def _shift(monthly: pd.DataFrame, months: int) -> pd.DataFrame:
    base = monthly[[*_KEYS, "tickets"]].assign(_m=monthly["_m"] + months)
    out = monthly[_KEYS].merge(base, on=_KEYS, how="left")
    return out.fillna({"tickets": 0}).set_axis(monthly.index)


def _finish(t: pd.DataFrame, last_m: int) -> pd.DataFrame:
    trailing = t["grain"] == "last_12_months"
    label = month_labels(t["_m"])
    label = label.where(~trailing, label + ".." + month_labels(t["_m"] + 11))
    totals = t[t["dimension"] == "all"].set_index(["grain", "_m"])["tickets"]
    all_tickets = pd.Series(
        [totals.get((g, m), 0) for g, m in zip(t["grain"], t["_m"], strict=True)], index=t.index
    )
    out = pd.DataFrame(
        {
            "dimension": t["dimension"].astype(str),
            "group": t["_group"].astype(str),
            "grain": t["grain"].astype(str),
            "period": month_starts(t["_m"]),
            "period_label": label,
            "is_complete": t["is_complete"].astype(bool),
            "is_latest": (t["_m"] == last_m) | trailing,
            "tickets": t["tickets"].astype("int64"),
            "ticket_share": (t["tickets"] / all_tickets.where(all_tickets > 0)).astype("float64"),
            "customers": t["customers"].astype("int64"),
            "repeat_customers": t["repeat_customers"].astype("int64"),
            "open_tickets": t["open_tickets"].astype("int64"),
        }
    )
    for base in ("previous", "last_year"):
        out[f"{base}_tickets"] = t[f"{base}_tickets"].astype("int64")
        out[f"{base}_change"] = t[f"{base}_change"].astype("float64")
        out[f"{base}_p_value"] = t[f"{base}_p_value"].astype("float64")
        out[f"{base}_significant"] = t[f"{base}_significant"].astype("boolean")
    out["_d"] = out["dimension"].map({d: i for i, d in enumerate(TICKET_DIMENSIONS)})
    out = out.sort_values(["_d", "group", "grain", "period"], kind="stable")
    return out.drop(columns="_d").reset_index(drop=True)
