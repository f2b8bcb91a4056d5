"""NPS, CSAT, CES and review ratings by month and by group (``satisfaction_scores``).

The engine counts the answers per metric, group and month (one small table); the
intervals and the tests of each change then run in numpy (:mod:`.stats`).

* ``nps`` (kind ``nps``, 0–10): promoters 9–10, passives 7–8, detractors 0–6; the value
  is 100 × (promoters − detractors) / responses, −100..100, and the three shares are
  always given beside it.
* ``csat`` (kind ``csat``, 1–5) and ``review`` (product reviews, 1–5 stars): the share
  of answers at or above ``csat_satisfied_min`` (4: the 4–5 "top two boxes").
* ``ces`` (kind ``ces``): the mean effort score on a 1..``ces_scale_max`` scale.

Groups: ``all``; ``channel`` (the feedback's channel); ``region`` (the customer's
province, with ``customers``); ``rfm_segment`` (the 8-segment RFM code of the customer
today, with ``rfm_scores``: a customer's answers from earlier months count under the
segment they are in at the observation end); ``clv_tier`` (the CLV tier high / medium /
low, with ``clv``: ClientLens has no 钻石/金/银 tier rules yet, so the CLV tier stands in);
``category`` (the customer's top product category by revenue, from ``category_mix``'s
customer rows: feedback rows name no product, so an answer counts under what its
customer buys most).

Grains: ``month`` (every calendar month from the metric's first answer to the
observation end, months without answers included with 0 responses and no value) and
``last_12_months`` (the 12 complete months ending with the last complete month, against
the 12 months before). Changes (``mom_*`` against the month before, ``yoy_*`` against
the same month a year before) are tested only between complete periods that both hold
at least ``satisfaction_min_responses`` answers; a period with fewer has
``enough_responses`` false and readers say "not enough responses" instead of its value.
"""

from __future__ import annotations

from typing import Any

from clientlens.analytics.base import as_table, to_date
from clientlens.analytics.common import dated_until, text_or_unknown
from clientlens.analytics.periods import (
    last_complete_month_index,
    month_index,
    python_month_index,
)
from clientlens.analytics.satisfaction import stats
from clientlens.config import Setting
from clientlens.errors import ConfigError
from clientlens.lazy import ibis, ir, np, pd

METRICS = ("nps", "csat", "ces", "review")
"""Metric codes, in reading order (names: the catalog's ``kpi.<code>``)."""
DIMENSIONS = ("all", "channel", "region", "rfm_segment", "clv_tier", "category")
GRAINS = ("month", "last_12_months")
SHARE_METRICS = ("csat", "review")

MIN_RESPONSES = Setting(
    "satisfaction_min_responses",
    int,
    30,
    "Fewest answers a satisfaction score (NPS, CSAT, CES) of one period and group is "
    "stated and tested on; with fewer, readers say 'not enough responses'.",
)
CONFIDENCE = Setting(
    "satisfaction_confidence",
    float,
    0.95,
    "Confidence level of the satisfaction intervals (scores, rates, matched differences); "
    "changes are called significant at 1 minus it.",
)
CSAT_SATISFIED_MIN = Setting(
    "csat_satisfied_min",
    float,
    4.0,
    "Lowest CSAT (and review) score, on the 1-5 scale, counted as satisfied.",
)
CES_SCALE_MAX = Setting(
    "ces_scale_max", int, 7, "Top of the customer effort score scale (1 to this)."
)
SETTINGS = (MIN_RESPONSES, CONFIDENCE, CSAT_SATISFIED_MIN, CES_SCALE_MAX)

_COUNTS = ("responses", "promoters", "passives", "detractors", "satisfied", "_sum", "_sumsq")


def check_settings(confidence: float, min_responses: int) -> None:
    if not 0 < confidence < 1:
        raise ConfigError(f"satisfaction_confidence must lie between 0 and 1; got {confidence}.")
    if min_responses < 1:
        raise ConfigError(f"satisfaction_min_responses must be 1 or more; got {min_responses}.")


def responses(feedback: Any, observation_end: Any) -> ir.Table:
    """Scored answers up to ``observation_end``: ``customer_id, date, metric, score``."""
    f = dated_until(as_table(feedback), "date", observation_end)
    metric = f.kind.cast("string").lower().re_replace("^ +| +$", "")
    f = f.mutate(metric=metric)
    return f.filter(f.score.notnull() & f.metric.isin(METRICS))


def _grouped(
    f: ir.Table,
    customers: ir.Table | None,
    rfm_scores: ir.Table | None,
    clv: ir.Table | None,
    category_mix: ir.Table | None = None,
) -> list[tuple[str, ir.Table]]:
    out = [("all", f.mutate(_group=ibis.literal("all")))]
    if "channel" in f.columns:
        out.append(("channel", f.mutate(_group=text_or_unknown(f.channel))))
    top = None
    if category_mix is not None:
        rows = category_mix.filter(category_mix.level == "customer")
        top = rows.select(customer_id=rows.group_code, category=rows.category)
    for dim, table, column in (
        ("region", customers, "province"),
        ("rfm_segment", rfm_scores, "segment8"),
        ("clv_tier", clv, "clv_segment"),
        ("category", top, "category"),
    ):
        if table is None or column not in table.columns:
            continue
        # one value per customer (max: deterministic on every engine, should a table repeat one)
        keys = table.group_by("customer_id").agg(_value=table[column].cast("string").max())
        joined = f.left_join(keys, "customer_id").select(f, keys._value)
        out.append((dim, joined.mutate(_group=text_or_unknown(joined._value)).drop("_value")))
    return out


def monthly_counts(
    f: ir.Table,
    *,
    customers: ir.Table | None = None,
    rfm_scores: ir.Table | None = None,
    clv: ir.Table | None = None,
    category_mix: ir.Table | None = None,
    satisfied_min: float = CSAT_SATISFIED_MIN.default,
) -> ir.Table:
    """Answers per metric, dimension, group and month (``_m``), with the counts the
    estimates need (promoters … detractors for NPS, satisfied, sum and sum of squares)."""
    parts = []
    for dim, t in _grouped(f, customers, rfm_scores, clv, category_mix):
        t = t.mutate(_m=month_index(t.date), _score=t.score.cast("float64"))
        agg = t.group_by(["metric", "_group", "_m"]).agg(
            responses=t.count(),
            promoters=t.count(where=t._score >= 9),
            passives=t.count(where=(t._score >= 7) & (t._score < 9)),
            detractors=t.count(where=t._score < 7),
            satisfied=t.count(where=t._score >= satisfied_min),
            _sum=t._score.sum(),
            _sumsq=(t._score * t._score).sum(),
        )
        parts.append(agg.mutate(dimension=ibis.literal(dim, "string")))
    return ibis.union(*parts, distinct=False)


def _spine(counts: pd.DataFrame, end_m: int) -> pd.DataFrame:
    """Every month from the metric's first answer to ``end_m`` for every group seen."""
    first = counts.groupby("metric", as_index=False).agg(_first=("_m", "min"))
    months = pd.DataFrame({"_m": np.arange(int(first["_first"].min()), end_m + 1, dtype="int64")})
    spine = first.merge(months, how="cross")
    spine = spine[spine["_m"] >= spine["_first"]].drop(columns="_first")
    groups = counts[["metric", "dimension", "_group"]].drop_duplicates()
    spine = groups.merge(spine, on="metric")
    out = spine.merge(counts, on=["metric", "dimension", "_group", "_m"], how="left")
    out[list(_COUNTS)] = out[list(_COUNTS)].fillna(0.0).astype("float64")
    return out


def estimate(t: pd.DataFrame, confidence: float, prefix: str = "") -> pd.DataFrame:
    """``value``, its standard error ``se`` and interval for rows of counts (columns
    ``{prefix}responses`` …); NaN where there are no answers."""
    n = t[f"{prefix}responses"].to_numpy("float64")
    metric = t["metric"].to_numpy()
    safe = np.where(n > 0, n, np.nan)
    p = t[f"{prefix}promoters"].to_numpy("float64") / safe
    d = t[f"{prefix}detractors"].to_numpy("float64") / safe
    s = t[f"{prefix}satisfied"].to_numpy("float64") / safe
    total = t[f"{prefix}_sum"].to_numpy("float64")
    z = stats.z_value(confidence)
    nps_se = stats.nps_standard_error(p, d, n)
    ces_se = stats.mean_standard_error(total, t[f"{prefix}_sumsq"].to_numpy("float64"), n)
    is_nps, is_share = metric == "nps", np.isin(metric, SHARE_METRICS)
    value = np.where(is_nps, 100 * (p - d), np.where(is_share, s, total / safe))
    se = np.where(is_nps, nps_se, np.where(is_share, stats.share_standard_error(s, n), ces_se))
    w_low, w_high = stats.wilson_interval(
        t[f"{prefix}satisfied"].to_numpy("float64"), n, confidence
    )
    low = np.where(is_share, w_low, value - z * se)
    high = np.where(is_share, w_high, value + z * se)
    low = np.where(is_nps, np.clip(low, -100, 100), low)
    high = np.where(is_nps, np.clip(high, -100, 100), high)
    return pd.DataFrame({"value": value, "se": se, "ci_low": low, "ci_high": high}, index=t.index)


def _changes(
    t: pd.DataFrame, base: pd.DataFrame, name: str, min_responses: int, alpha: float
) -> dict[str, Any]:
    """The change of each row against its base row (aligned), tested when both have
    enough answers and the row's period is complete."""
    now, then = estimate(t, 0.95), estimate(base, 0.95)
    n1, n0 = t["responses"].to_numpy("float64"), base["responses"].to_numpy("float64")
    diff = now["value"].to_numpy() - then["value"].to_numpy()
    share = np.isin(t["metric"].to_numpy(), SHARE_METRICS)
    p = np.where(
        share,
        stats.proportion_p_value(
            t["satisfied"].to_numpy("float64"), n1, base["satisfied"].to_numpy("float64"), n0
        ),
        stats.difference_p_value(diff, now["se"].to_numpy(), then["se"].to_numpy()),
    )
    testable = (n1 >= min_responses) & (n0 >= min_responses) & t["is_complete"].to_numpy()
    diff = np.where(t["is_complete"].to_numpy() & (n1 > 0) & (n0 > 0), diff, np.nan)
    p = np.where(testable, p, np.nan)
    significant = stats.significance(p, testable, alpha)
    return {
        f"{name}_value": then["value"].to_numpy(),
        f"{name}_responses": n0.astype("int64"),
        f"{name}_change": diff,
        f"{name}_p_value": p,
        f"{name}_significant": significant,
    }


def _shifted(t: pd.DataFrame, months: int) -> pd.DataFrame:
    keys = ["metric", "dimension", "_group", "_m"]
    base = t[[*keys, *_COUNTS]].assign(_m=t["_m"] + months)
    out = t[keys].merge(base, on=keys, how="left")
    out[list(_COUNTS)] = out[list(_COUNTS)].fillna(0.0)
    out["is_complete"] = True
    return out.set_axis(t.index)


def _trailing(monthly: pd.DataFrame, last_m: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    keys = ["metric", "dimension", "_group"]

    def window(end: int) -> pd.DataFrame:
        rows = monthly[(monthly["_m"] > end - 12) & (monthly["_m"] <= end)]
        return rows.groupby(keys, as_index=False)[list(_COUNTS)].sum()

    now = window(last_m).assign(_m=last_m - 11, is_complete=True)
    before = window(last_m - 12)
    base = now[keys].merge(before, on=keys, how="left")
    base[list(_COUNTS)] = base[list(_COUNTS)].fillna(0.0)
    # The 12 months before are a base only when the metric's answers cover all of them
    # (the monthly spine starts at its first answer): half a year is not a year.
    first = monthly.groupby("metric")["_m"].min()
    covered = base["metric"].map(first).to_numpy() <= last_m - 23
    base.loc[~covered, list(_COUNTS)] = 0.0
    return now.assign(grain="last_12_months"), base.assign(metric=now["metric"].to_numpy())


def _label(m: pd.Series) -> pd.Series:
    return (m // 12).astype(str) + "-" + (m % 12 + 1).astype(str).str.zfill(2)


def satisfaction_scores(
    feedback: Any,
    *,
    observation_end: Any,
    customers: Any = None,
    rfm_scores: Any = None,
    clv: Any = None,
    category_mix: Any = None,
    min_responses: int = MIN_RESPONSES.default,
    confidence: float = CONFIDENCE.default,
    satisfied_min: float = CSAT_SATISFIED_MIN.default,
    ces_scale_max: int = CES_SCALE_MAX.default,
) -> pd.DataFrame:
    """Every satisfaction score by metric, group and period, with intervals and tests.

    Parameters
    ----------
    feedback
        ``customer_id, date, kind, score`` (``channel`` optional); kinds other than
        nps, csat, ces and review, and answers without a score, are left out.
    customers, rfm_scores, clv, category_mix
        Optional: add the ``region``, ``rfm_segment``, ``clv_tier`` and ``category`` groups.

    Returns
    -------
    pandas.DataFrame
        The columns declared in :mod:`clientlens.analytics.satisfaction.tables`.

    Examples
    --------
    >>> fb = pd.DataFrame({"customer_id": list("abcd"), "date": pd.to_datetime(
    ...     ["2024-01-02"] * 4), "kind": ["nps"] * 4, "score": [10.0, 9.0, 7.0, 3.0]})
    >>> s = satisfaction_scores(fb, observation_end="2024-01-31", min_responses=1)
    >>> row = s[(s.grain == "month") & (s.metric == "nps")].iloc[0]
    >>> float(row.value), float(row.promoter_share), float(row.detractor_share)
    (25.0, 0.5, 0.25)
    """
    check_settings(confidence, min_responses)
    end = to_date(observation_end)
    f = responses(feedback, end)
    counts = monthly_counts(
        f,
        customers=as_table(customers) if customers is not None else None,
        rfm_scores=as_table(rfm_scores) if rfm_scores is not None else None,
        clv=as_table(clv) if clv is not None else None,
        category_mix=as_table(category_mix) if category_mix is not None else None,
        satisfied_min=satisfied_min,
    ).to_pandas()
    if counts.empty:
        return _empty()
    end_m, last_m = python_month_index(end), last_complete_month_index(end)
    monthly = _spine(counts, end_m)
    monthly = monthly.assign(grain="month", is_complete=monthly["_m"] <= last_m)
    alpha = 1 - confidence
    parts = []
    previous = _changes(monthly, _shifted(monthly, 1), "previous", min_responses, alpha)
    last_year = _changes(monthly, _shifted(monthly, 12), "last_year", min_responses, alpha)
    parts.append(monthly.assign(**previous, **last_year))
    if (monthly["_m"] <= last_m).any():
        now, before = _trailing(monthly, last_m)
        none = {
            k: (
                stats.no_test(len(now))
                if k.endswith("significant")
                else 0
                if k.endswith("responses")
                else np.nan
            )
            for k in previous
        }
        trailing = _changes(now, before.set_axis(now.index), "previous", min_responses, alpha)
        parts.append(
            now.assign(
                **trailing, **{k.replace("previous", "last_year"): v for k, v in none.items()}
            )
        )
    t = pd.concat(parts, ignore_index=True)
    return _finish(t, estimate(t, confidence), min_responses, last_m, ces_scale_max)


def _scale(metric: pd.Series, ces_scale_max: int) -> pd.Series:
    return metric.map({"nps": "0-10", "csat": "1-5", "review": "1-5", "ces": f"1-{ces_scale_max}"})


def _finish(
    t: pd.DataFrame,
    est: pd.DataFrame,
    min_responses: int,
    last_m: int,
    ces_scale_max: int,
) -> pd.DataFrame:
    n = t["responses"]
    safe = n.where(n > 0)
    is_nps = t["metric"] == "nps"
    is_share = t["metric"].isin(SHARE_METRICS)
    period = pd.to_datetime(
        pd.DataFrame({"year": t["_m"] // 12, "month": t["_m"] % 12 + 1, "day": 1})
    ).dt.date
    label = _label(t["_m"])
    trailing = t["grain"] == "last_12_months"
    label = label.where(~trailing, label + ".." + _label(t["_m"] + 11))
    null = np.nan
    out = pd.DataFrame(
        {
            "metric": t["metric"].astype(str),
            "dimension": t["dimension"].astype(str),
            "group": t["_group"].astype(str),
            "grain": t["grain"].astype(str),
            "period": period,
            "period_label": label,
            "is_complete": t["is_complete"].astype(bool),
            "is_latest": (t["_m"] == last_m) | trailing,
            "scale": _scale(t["metric"], ces_scale_max),
            "responses": n.astype("int64"),
            "promoters": t["promoters"].where(is_nps).astype("Int64"),
            "passives": t["passives"].where(is_nps).astype("Int64"),
            "detractors": t["detractors"].where(is_nps).astype("Int64"),
            "satisfied": t["satisfied"].where(is_share).astype("Int64"),
            "promoter_share": (t["promoters"] / safe).where(is_nps, null),
            "passive_share": (t["passives"] / safe).where(is_nps, null),
            "detractor_share": (t["detractors"] / safe).where(is_nps, null),
            "value": est["value"],
            "ci_low": est["ci_low"],
            "ci_high": est["ci_high"],
            "enough_responses": n >= min_responses,
        }
    )
    for base in ("previous", "last_year"):
        out[f"{base}_value"] = t[f"{base}_value"].astype("float64")
        out[f"{base}_responses"] = t[f"{base}_responses"].astype("int64")
        out[f"{base}_change"] = t[f"{base}_change"].astype("float64")
        out[f"{base}_p_value"] = t[f"{base}_p_value"].astype("float64")
        out[f"{base}_significant"] = t[f"{base}_significant"].astype("boolean")
    order = ["metric", "dimension", "group", "grain", "period"]
    out["_metric_order"] = out["metric"].map({m: i for i, m in enumerate(METRICS)})
    out["_dim_order"] = out["dimension"].map({d: i for i, d in enumerate(DIMENSIONS)})
    out = out.sort_values(["_metric_order", "_dim_order", *order[2:]], kind="stable")
    return out.drop(columns=["_metric_order", "_dim_order"]).reset_index(drop=True)


def _empty() -> pd.DataFrame:
    from clientlens.analytics.satisfaction.tables import empty_frame

    return empty_frame("satisfaction_scores")
