"""What satisfied and unhappy customers did next (``satisfaction_behaviour``).

One row per comparison and group:

* ``nps_repurchase_90d``: NPS answers (promoter / passive / detractor) whose next 90 days
  are observed; the rate is the share followed by a completed order within 90 days.
* ``nps_churn``: NPS answers whose churn window (``churn_window_days``, as the KPI pack
  defines it) is observed; the rate is the share followed by no completed order within
  the window. Both compare each group with promoters (``difference`` = group − promoters,
  a two-proportion z-test and a normal interval of the difference).
* ``complaint_churn``: the churn of complainers against comparable non-complainers. At a
  cutoff one churn window before the observation end, customers who bought in the year
  before it are placed in RFM cells *as of the cutoff* (recency 0–30 / 31–90 / 91–180 /
  181–365 days, frequency 1 / 2–3 / 4–7 / 8+ orders, spend above or below the median);
  complainers opened a ticket in that year. Churned: no completed order in the window
  after the cutoff. The matched difference is the complainer-weighted mean of the
  cells' differences (:func:`~.stats.stratified_difference`), so a complainer is only
  compared with non-complainers who looked alike before; group ``all_non_complainers``
  gives the unmatched rate beside it.
* ``loyalty_stated``: loyalty as behaviour next to loyalty as stated. Customers whose
  RFM frequency and spend are both high (``rfm_scores.f_high`` and ``m_high``: 购买频率高
  且金额高) against the others; the value is the NPS of their answers in the 365 days
  before the observation end, compared with a z-test on the NPS difference.

``units`` counts what the rate is over (answers, or customers for complaint_churn),
``events`` the repurchases, churned units or promoters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from clientlens.analytics.base import as_table, to_date
from clientlens.analytics.common import dated_until, exact_median
from clientlens.analytics.kpis.kpis import CHURN_WINDOW_DAYS, churn_window_days
from clientlens.analytics.periods import python_epoch_days
from clientlens.analytics.satisfaction import stats
from clientlens.analytics.satisfaction.scores import CONFIDENCE, responses
from clientlens.lazy import ibis, ir, np, pd

REPURCHASE_DAYS = 90
LOOKBACK_DAYS = 365
NPS_GROUPS = ("promoter", "passive", "detractor")
RECENCY_BANDS = (30, 90, 180)
FREQUENCY_BANDS = (1, 3, 7)


def _nps_answers(feedback: ir.Table, end: dt.date) -> ir.Table:
    f = responses(feedback, end)
    f = f.filter(f.metric == "nps")
    group = ibis.cases((f.score >= 9, "promoter"), (f.score >= 7, "passive"), else_="detractor")
    return f.select(
        "customer_id",
        _day=f.date.cast("date").epoch_days(),
        _group=group,
        _row=ibis.row_number().over(ibis.window(order_by=[f.customer_id, f.date, f.score])),
    )


def _followed(answers: ir.Table, orders: ir.Table, days: float, end_day: int) -> ir.Table:
    """Per NPS answer observed for ``days``: whether an order came within them."""
    a = answers.filter(answers._day + days <= end_day)
    o = orders.select("customer_id", _order_day=orders.order_date.cast("date").epoch_days())
    hits = a.join(o, "customer_id").filter(
        lambda j: (j._order_day > j._day) & (j._order_day <= j._day + days)
    )
    hit_rows = hits.select("_row").distinct()
    joined = a.left_join(hit_rows, "_row")
    return joined.select(a._group, _hit=hit_rows._row.notnull())


def _rate_rows(
    counts: pd.DataFrame, comparison: str, confidence: float, days: float, churn: bool
) -> pd.DataFrame:
    counts = counts.set_index("_group").reindex(list(NPS_GROUPS)).fillna(0)
    units = counts["units"].to_numpy("float64")
    hits = counts["hits"].to_numpy("float64")
    events = units - hits if churn else hits
    low, high = stats.wilson_interval(events, units, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = events / np.where(units > 0, units, np.nan)
    base = 0  # promoters
    diff = rate - rate[base]
    se = np.sqrt(
        stats.share_standard_error(rate, units) ** 2
        + stats.share_standard_error(rate[base], units[base]) ** 2
    )
    z = stats.z_value(confidence)
    p = stats.proportion_p_value(events, units, np.full(3, events[base]), np.full(3, units[base]))
    is_base = np.arange(3) == base
    return pd.DataFrame(
        {
            "comparison": comparison,
            "group": list(NPS_GROUPS),
            "baseline": "promoter",
            "units": units.astype("int64"),
            "events": events.astype("int64"),
            "value": rate,
            "ci_low": low,
            "ci_high": high,
            "difference": np.where(is_base, np.nan, diff),
            "difference_ci_low": np.where(is_base, np.nan, diff - z * se),
            "difference_ci_high": np.where(is_base, np.nan, diff + z * se),
            "p_value": np.where(is_base, np.nan, p),
            "window_days": float(days),
            "cells": pd.array([pd.NA] * 3, dtype="Int64"),
        }
    )


def _band(value: ir.NumericValue, edges: tuple[int, ...]) -> ir.IntegerValue:
    return ibis.cases(*[(value <= e, i) for i, e in enumerate(edges)], else_=len(edges))


def complaint_cells(
    orders: ir.Table, tickets: ir.Table, cutoff: dt.date, window_days: float
) -> ir.Table:
    """Customers who bought in the year before ``cutoff``, by RFM cell as of the cutoff and
    complainer flag: ``_cell``, ``_complainer``, ``units`` and ``churned``."""
    cut_day = python_epoch_days(cutoff)
    o = orders.select("customer_id", "amount", _day=orders.order_date.cast("date").epoch_days())
    before = o.filter(o._day <= cut_day)
    summary = before.group_by("customer_id").agg(
        _last=before._day.max(), _f=before.count(), _m=before.amount.sum().cast("float64")
    )
    summary = summary.filter(summary._last > cut_day - LOOKBACK_DAYS)
    median = exact_median(summary, "_m").select(_median="median")
    summary = summary.cross_join(median)
    after = o.filter((o._day > cut_day) & (o._day <= cut_day + window_days))
    returned = after.select("customer_id").distinct().mutate(_back=ibis.literal(True))
    t = tickets.select("customer_id", _tday=tickets.opened_at.cast("date").epoch_days())
    t = t.filter((t._tday <= cut_day) & (t._tday > cut_day - LOOKBACK_DAYS))
    complained = t.select("customer_id").distinct().mutate(_c=ibis.literal(True))
    s = summary.left_join(returned, "customer_id").select(summary, returned._back)
    s = s.left_join(complained, "customer_id").select(s, complained._c)
    cell = (
        _band(cut_day - s._last, RECENCY_BANDS) * 100
        + _band(s._f, FREQUENCY_BANDS) * 10
        + ibis.ifelse(s._m > s._median, 1, 0)
    )
    s = s.mutate(_cell=cell, _complainer=s._c.notnull(), _churned=s._back.isnull())
    return s.group_by(["_cell", "_complainer"]).agg(
        units=s.count(), churned=s.count(where=s._churned)
    )


def _complaint_rows(cells: pd.DataFrame, confidence: float, days: float) -> pd.DataFrame:
    wide = cells.pivot_table(
        index="_cell", columns="_complainer", values=["units", "churned"], fill_value=0
    )

    def col(name: str, flag: bool) -> np.ndarray:
        key = (name, flag)
        return wide[key].to_numpy("float64") if key in wide.columns else np.zeros(len(wide))

    r = stats.stratified_difference(
        col("units", True),
        col("churned", True),
        col("units", False),
        col("churned", False),
        confidence,
    )
    tn, cn = col("units", True), col("units", False)
    used = (tn > 0) & (cn > 0)
    others_n, others_e = cn.sum(), col("churned", False).sum()
    matched_events = col("churned", True)[used].sum()
    low, high = stats.wilson_interval(
        np.array([matched_events, others_e]), np.array([tn[used].sum(), others_n]), confidence
    )
    nan = np.nan
    return pd.DataFrame(
        {
            "comparison": "complaint_churn",
            "group": ["complainers", "matched_non_complainers", "all_non_complainers"],
            "baseline": "matched_non_complainers",
            "units": [int(tn[used].sum()), int(cn[used].sum()), int(others_n)],
            "events": [int(matched_events), int(col("churned", False)[used].sum()), int(others_e)],
            "value": [
                r["treated_rate"],
                r["control_rate"],
                others_e / others_n if others_n else nan,
            ],
            "ci_low": [low[0], nan, low[1]],
            "ci_high": [high[0], nan, high[1]],
            "difference": [r["difference"], nan, nan],
            "difference_ci_low": [r["ci_low"], nan, nan],
            "difference_ci_high": [r["ci_high"], nan, nan],
            "p_value": [r["p_value"], nan, nan],
            "window_days": float(days),
            "cells": pd.array([int(r["cells"]), int(r["cells"]), pd.NA], dtype="Int64"),
        }
    )


def _loyalty_rows(
    answers: ir.Table, rfm_scores: ir.Table, end_day: int, confidence: float
) -> pd.DataFrame:
    a = answers.filter(answers._day > end_day - LOOKBACK_DAYS)
    loyal = rfm_scores.select("customer_id", _loyal=rfm_scores.f_high & rfm_scores.m_high)
    j = a.left_join(loyal, "customer_id").select(a, loyal._loyal)
    j = j.mutate(_who=ibis.ifelse(j._loyal.fill_null(False), "loyal_behaviour", "other"))
    counts = (
        j.group_by("_who")
        .agg(
            units=j.count(),
            promoters=j.count(where=j._group == "promoter"),
            detractors=j.count(where=j._group == "detractor"),
        )
        .to_pandas()
        .set_index("_who")
        .reindex(["loyal_behaviour", "other"])
        .fillna(0)
    )
    n = counts["units"].to_numpy("float64")
    safe = np.where(n > 0, n, np.nan)
    p, d = (
        counts["promoters"].to_numpy("float64") / safe,
        counts["detractors"].to_numpy("float64") / safe,
    )
    nps = 100 * (p - d)
    se = stats.nps_standard_error(p, d, n)
    z = stats.z_value(confidence)
    diff = nps[0] - nps[1]
    diff_se = float(np.hypot(se[0], se[1]))
    p_value = float(stats.difference_p_value(np.array([diff]), se[:1], se[1:])[0])
    nan = np.nan
    return pd.DataFrame(
        {
            "comparison": "loyalty_stated",
            "group": ["loyal_behaviour", "other"],
            "baseline": "other",
            "units": n.astype("int64"),
            "events": counts["promoters"].to_numpy("int64"),
            "value": nps,
            "ci_low": np.clip(nps - z * se, -100, 100),
            "ci_high": np.clip(nps + z * se, -100, 100),
            "difference": [diff, nan],
            "difference_ci_low": [diff - z * diff_se, nan],
            "difference_ci_high": [diff + z * diff_se, nan],
            "p_value": [p_value, nan],
            "window_days": float(LOOKBACK_DAYS),
            "cells": pd.array([pd.NA, pd.NA], dtype="Int64"),
        }
    )


def satisfaction_behaviour(
    orders: Any,
    *,
    observation_end: Any,
    feedback: Any = None,
    tickets: Any = None,
    rfm_scores: Any = None,
    purchase_cycle: Any = None,
    churn_window_days_setting: int = CHURN_WINDOW_DAYS.default,
    confidence: float = CONFIDENCE.default,
) -> pd.DataFrame:
    """Repurchase and churn after NPS answers, complainers' matched churn, and loyalty
    as behaviour next to loyalty as stated (see the module docstring).

    ``orders`` are completed orders (``customer_id, order_date, amount``); comparisons
    whose input is missing are left out. ``purchase_cycle`` (the result of that name), when
    given, spares recomputing each customer's purchase cycle for the churn window.
    """
    end = to_date(observation_end)
    end_day = python_epoch_days(end)
    o = dated_until(as_table(orders), "order_date", end)
    cycles = None if purchase_cycle is None else as_table(purchase_cycle)
    window = float(churn_window_days(o, churn_window_days_setting, cycles).execute())
    parts = []
    if feedback is not None:
        answers = _nps_answers(as_table(feedback), end)
        for comparison, days, churn in (
            ("nps_repurchase_90d", float(REPURCHASE_DAYS), False),
            ("nps_churn", window, True),
        ):
            f = _followed(answers, o, days, end_day)
            counts = f.group_by("_group").agg(units=f.count(), hits=f.count(where=f._hit))
            parts.append(_rate_rows(counts.to_pandas(), comparison, confidence, days, churn))
        if rfm_scores is not None:
            parts.append(_loyalty_rows(answers, as_table(rfm_scores), end_day, confidence))
    if tickets is not None:
        cutoff = end - dt.timedelta(days=int(np.ceil(window)))
        cells = complaint_cells(o, as_table(tickets), cutoff, window).to_pandas()
        parts.append(_complaint_rows(cells, confidence, window))
    if not parts:
        from clientlens.analytics.satisfaction.tables import empty_frame

        return empty_frame("satisfaction_behaviour")
    out = pd.concat(parts, ignore_index=True)
    out["significant"] = stats.significance(
        out["p_value"].to_numpy(), out["p_value"].notna().to_numpy(), 1 - confidence
    )
    return out
