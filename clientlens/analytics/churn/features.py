"""Point-in-time churn features: what was known of each customer on a cutoff day.

:func:`churn_features` builds one Ibis expression per cutoff, run in the engine. Every
input row is cut to the cutoff first (orders, items of those orders, events, feedback and
tickets dated on or before it; a ticket closed after the cutoff counts as open), so rows
dated after the cutoff cannot change a feature (``tests/analytics/test_churn_features.py``
proves it by adding such rows).

The customers described are the *population* at the cutoff: those with a completed order
on or before it whose last order is at most ``population_days`` old; customers gone longer
have churned already and are not scored.

Feature groups, each present when its table is (:data:`FEATURE_GROUPS`):

* ``rfm``: recency_days, n_orders, total_amount, avg_order_value, tenure_days
* ``trend`` (the last 90 days against the 90 before): orders_90d, orders_prev_90d,
  amount_90d, amount_prev_90d
* ``regularity``: purchase_days, mean_gap_days, gap_cv (standard deviation / mean of the
  days between purchase days), overdue_ratio (recency / mean gap)
* ``basket`` (order_items, products): n_categories, items_per_order, discount_share
  (share of units bought below the product's list price)
* ``web`` (events): sessions_30d, sessions_90d, days_since_visit, abandoned_carts_90d
* ``service`` (tickets): open_complaints, resolved_complaints
* ``satisfaction`` (feedback): last_nps, last_csat, mean_review (mean review score)
* ``demographics`` (customers): age, is_female, income
* ``p_alive``: BG/NBD probability alive fitted at the cutoff (added by the model module)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from clientlens.analytics.common import require_columns
from clientlens.lazy import ibis, ir

Inputs = Mapping[str, ir.Table]

WINDOW_DAYS = 90
"""The trend compares the last WINDOW_DAYS days with the WINDOW_DAYS before."""

FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "rfm": ("recency_days", "n_orders", "total_amount", "avg_order_value", "tenure_days"),
    "trend": ("orders_90d", "orders_prev_90d", "amount_90d", "amount_prev_90d"),
    "regularity": ("purchase_days", "mean_gap_days", "gap_cv", "overdue_ratio"),
    "basket": ("n_categories", "items_per_order", "discount_share"),
    "web": ("sessions_30d", "sessions_90d", "days_since_visit", "abandoned_carts_90d"),
    "service": ("open_complaints", "resolved_complaints"),
    "satisfaction": ("last_nps", "last_csat", "mean_review"),
    "demographics": ("age", "is_female", "income"),
    "p_alive": ("p_alive",),
}
"""Feature names by group, in the order the model sees them."""

ZERO_WHEN_ABSENT = ("open_complaints", "resolved_complaints")
"""Counts that are 0, not unknown, for a customer without rows in their table."""

RFM_BASELINE = ("recency_days", "n_orders", "total_amount")
"""The features of the logistic-regression baseline."""

FEMALE = ("female", "f", "女", "woman")


def _count(condition: ir.BooleanValue) -> ir.FloatingScalar:
    """How many rows meet ``condition``, as a float: ``ifelse``, not a cast, because
    PostgreSQL cannot cast a boolean to a number."""
    return ibis.ifelse(condition, 1.0, 0.0).sum()


def _day(value: ir.Value) -> ir.IntegerValue:
    return value.cast("date").epoch_days()


def available_groups(inputs: Mapping[str, ir.Table]) -> list[str]:
    """The feature groups the inputs support (``p_alive`` always)."""
    have = set(inputs)
    groups = ["rfm", "trend", "regularity"]
    items = inputs.get("order_items")
    if items is not None and "products" in have and "category" in inputs["products"].columns:
        groups.append("basket")
    if "events" in have and "customer_id" in inputs["events"].columns:
        groups.append("web")
    if "tickets" in have:
        groups.append("service")
    if "feedback" in have:
        groups.append("satisfaction")
    customers = inputs.get("customers")
    if customers is not None and {"age", "birth_date", "gender", "income"} & set(customers.columns):
        groups.append("demographics")
    return [*groups, "p_alive"]


def churn_features(
    inputs: Mapping[str, ir.Table],
    cutoff: dt.date,
    *,
    population_days: int,
    groups: list[str] | None = None,
) -> ir.Table:
    """Per customer of the population at ``cutoff``: the features of ``groups``.

    Parameters
    ----------
    inputs
        Canonical tables by name; ``orders`` (completed) is required, the others used when
        present and their group is asked for.
    cutoff
        The day the features describe (inclusive).
    population_days
        Customers whose last order is older than this are left out.
    groups
        Feature groups (default :func:`available_groups`); ``p_alive`` is not built here.

    Returns
    -------
    ibis.Table
        ``customer_id`` and the groups' features (float64), without ``p_alive``.
    """
    groups = groups or available_groups(inputs)
    orders = inputs["orders"]
    require_columns(orders, ("customer_id", "order_date", "amount"), who="churn_features")
    c = ibis.literal(cutoff)
    c_day = ibis.literal((cutoff - dt.date(1970, 1, 1)).days)
    o = orders.filter(orders.order_date.notnull() & (orders.order_date.cast("date") <= c))
    o = o.mutate(_d=_day(o.order_date), _amt=o.amount.cast("float64"))
    recent = o._d > c_day - WINDOW_DAYS
    previous = (o._d > c_day - 2 * WINDOW_DAYS) & ~recent
    base = o.group_by("customer_id").agg(
        _last=o._d.max(),
        _first=o._d.min(),
        n_orders=o.count().cast("float64"),
        total_amount=o._amt.sum(),
        orders_90d=_count(recent),
        orders_prev_90d=_count(previous),
        amount_90d=recent.ifelse(o._amt, 0.0).sum(),
        amount_prev_90d=previous.ifelse(o._amt, 0.0).sum(),
    )
    base = base.filter(c_day - base._last <= population_days)
    f = base.mutate(
        recency_days=(c_day - base._last).cast("float64"),
        tenure_days=(c_day - base._first).cast("float64"),
        avg_order_value=base.total_amount / base.n_orders,
    )
    days = o.select("customer_id", "_d").distinct()
    gaps = days.mutate(_gap=days._d - days._d.lag().over(group_by="customer_id", order_by="_d"))
    reg = gaps.group_by("customer_id").agg(
        purchase_days=gaps.count().cast("float64"),
        mean_gap_days=gaps._gap.cast("float64").mean(),
        _gap_sd=gaps._gap.cast("float64").std(how="pop"),
    )
    f = f.left_join(reg, "customer_id").select(f, reg.purchase_days, reg.mean_gap_days, reg._gap_sd)
    f = f.mutate(
        gap_cv=ibis.ifelse(f.mean_gap_days > 0, f._gap_sd / f.mean_gap_days, ibis.null("float64")),
        overdue_ratio=ibis.ifelse(
            f.mean_gap_days > 0, f.recency_days / f.mean_gap_days, ibis.null("float64")
        ),
    )
    for group in groups:
        extra = _GROUP_BUILDERS.get(group)
        if extra is not None:
            part = extra(inputs, o, c, c_day)
            f = f.left_join(part, "customer_id").select(
                f, *[part[n] for n in part.columns if n != "customer_id"]
            )
    names = [n for g in groups if g != "p_alive" for n in FEATURE_GROUPS[g]]
    cols = {n: f[n].cast("float64") for n in names}
    for n in ZERO_WHEN_ABSENT:
        if n in cols:  # the tickets table covers every customer: none is zero, not unknown
            cols[n] = cols[n].fill_null(0.0)
    return f.select("customer_id", **cols)


def _basket(inputs: Inputs, o: ir.Table, c: ir.Value, c_day: ir.Value) -> ir.Table:
    items, products = inputs["order_items"], inputs["products"]
    i = items.inner_join(o.select("order_id", "customer_id"), "order_id")
    i = i.left_join(products, i.product_id == products.product_id)
    qty = i.quantity.cast("float64")
    cols = {
        "n_categories": i.category.nunique().cast("float64"),
        "items_per_order": qty.sum() / i.order_id.nunique().cast("float64"),
    }
    if "unit_price" in items.columns and "price" in products.columns:
        below = (i.unit_price.cast("float64") < i.price.cast("float64") * 0.999).fill_null(False)
        cols["discount_share"] = below.ifelse(qty, 0.0).sum() / qty.sum()
    else:
        cols["discount_share"] = ibis.null("float64").max()
    return i.group_by(i.customer_id).agg(**cols)


def _web(inputs: Inputs, o: ir.Table, c: ir.Value, c_day: ir.Value) -> ir.Table:
    e = inputs["events"]
    e = e.filter(e.customer_id.notnull() & (e.timestamp.cast("date") <= c))
    e = e.mutate(_d=_day(e.timestamp))
    session = e.session_id if "session_id" in e.columns else e._d.cast("string")
    e = e.mutate(_s=session)
    per_session = e.group_by(["customer_id", "_s"]).agg(
        _sd=e._d.max(),
        _cart=(e.event == "add_to_cart").any(),
        _bought=(e.event == "purchase").any(),
    )
    s = per_session
    recent90 = s._sd > c_day - WINDOW_DAYS
    return s.group_by("customer_id").agg(
        sessions_30d=_count(s._sd > c_day - 30),
        sessions_90d=_count(recent90),
        days_since_visit=(c_day - s._sd.max()).cast("float64"),
        abandoned_carts_90d=_count(recent90 & s._cart & ~s._bought),
    )


def _service(inputs: Inputs, o: ir.Table, c: ir.Value, c_day: ir.Value) -> ir.Table:
    t = inputs["tickets"]
    t = t.filter(t.opened_at.notnull() & (t.opened_at.cast("date") <= c))
    if "closed_at" in t.columns:
        is_open = t.closed_at.isnull() | (t.closed_at.cast("date") > c)
    else:
        is_open = ibis.literal(True)
    return t.group_by("customer_id").agg(
        open_complaints=_count(is_open),
        resolved_complaints=_count(~is_open),
    )


def _satisfaction(inputs: Inputs, o: ir.Table, c: ir.Value, c_day: ir.Value) -> ir.Table:
    fb = inputs["feedback"]
    fb = fb.filter(fb.date.notnull() & (fb.date.cast("date") <= c) & fb.score.notnull())
    kind = fb.kind.lower()
    fb = fb.mutate(_k=kind, _t=fb.date.cast("timestamp"), _v=fb.score.cast("float64"))
    w = ibis.window(group_by=["customer_id", "_k"], order_by=[ibis.desc("_t"), ibis.desc("_v")])
    last = fb.filter(fb._k.isin(["nps", "csat"])).mutate(_rn=ibis.row_number().over(w))
    last = last.filter(last._rn == 0)
    latest = last.group_by("customer_id").agg(
        last_nps=last._v.max(where=last._k == "nps"),
        last_csat=last._v.max(where=last._k == "csat"),
    )
    reviews = fb.filter(fb._k == "review")
    mean = reviews.group_by("customer_id").agg(mean_review=reviews._v.mean())
    both = latest.outer_join(mean, "customer_id")
    return both.select(
        customer_id=ibis.coalesce(both.customer_id, both.customer_id_right),
        last_nps=both.last_nps,
        last_csat=both.last_csat,
        mean_review=both.mean_review,
    )


def _demographics(inputs: Inputs, o: ir.Table, c: ir.Value, c_day: ir.Value) -> ir.Table:
    cu = inputs["customers"]
    cols = cu.columns
    age: ir.Value = ibis.null("float64")
    if "birth_date" in cols:
        age = ((c_day - _day(cu.birth_date)).cast("float64") / 365.25).floor().cast("float64")
    if "age" in cols:
        age = age.fill_null(cu.age.cast("float64")) if "birth_date" in cols else cu.age
    female: ir.Value = ibis.null("float64")
    if "gender" in cols:
        g = cu.gender.cast("string").lower()
        female = ibis.ifelse(
            g.isnull(), ibis.null("float64"), ibis.ifelse(g.isin(FEMALE), 1.0, 0.0)
        )
    income = cu.income.cast("float64") if "income" in cols else ibis.null("float64")
    return cu.select(
        "customer_id",
        age=age.cast("float64"),
        is_female=female.cast("float64"),
        income=income,
    )


_GROUP_BUILDERS = {
    "basket": _basket,
    "web": _web,
    "service": _service,
    "satisfaction": _satisfaction,
    "demographics": _demographics,
}


def churn_labels(orders: ir.Table, cutoff: dt.date, horizon_days: int) -> ir.Table:
    """``customer_id, bought`` (1.0) for customers with a completed order in the
    ``horizon_days`` after ``cutoff``; a customer not listed did not buy (churned)."""
    start = ibis.literal(cutoff)
    end = ibis.literal(cutoff + dt.timedelta(days=horizon_days))
    day = orders.order_date.cast("date")
    window = orders.filter((day > start) & (day <= end))
    return window.select("customer_id").distinct().mutate(bought=ibis.literal(1.0))
