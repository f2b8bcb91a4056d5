"""Who the customers are (``profile_distribution``, ``profile_new_customers``).

The customer base is everyone in ``customers`` plus everyone with a completed order
(a buyer missing from ``customers`` counts, in the ``unknown`` group of every
customer attribute). Customers without orders count with zero revenue and orders.

Dimensions, each present when its column exists in ``customers``:

* ``age_band``: from ``age``, else from ``birth_date`` (full years at the observation
  end); bands ``<18, 18-24, 25-34, 35-44, 45-54, 55+`` by default (setting
  ``profile_age_bands``); ages outside 0–120 are ``unknown``;
* ``income_band``: monthly income in the workspace currency, bands ``<3000,
  3000-5999, 6000-9999, 10000-19999, 20000-49999, 50000+`` by default (setting
  ``profile_income_bands``; set your own edges when incomes are yearly);
* ``gender``, ``occupation``, ``province``, ``city``, ``acquisition_channel`` as given
  (trimmed; empty or missing values are ``unknown``);
* ``signup_cohort`` (always): the year-month of ``signup_date``, and for customers
  without one, the year-month of their first completed order; ``unknown`` for customers
  with neither.

Per group: customers and their share, buyers, revenue and its share, orders, AOV
(revenue / orders) and repeat rate (buyers with ≥ 2 orders / buyers). The revenue and
orders are all completed orders up to the observation end.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, as_int64, as_table
from clientlens.analytics.common import (
    ORDER_COLUMNS,
    UNKNOWN,
    dated_until,
    last_date,
    require_columns,
    text_or_unknown,
)
from clientlens.analytics.periods import month_index, month_label
from clientlens.config import Setting
from clientlens.errors import ConfigError
from clientlens.lazy import ibis, ir

CATEGORICAL = ("gender", "occupation", "province", "city", "acquisition_channel")
_LAST = 10**9  # sort key that puts "unknown" after every real group


def parse_edges(value: Any, name: str) -> tuple[int, ...]:
    """Band edges from a setting: a comma-separated string or a sequence of integers."""
    try:
        parts = value.split(",") if isinstance(value, str) else list(value)
        edges = tuple(int(str(p).strip()) for p in parts if str(p).strip())
    except (TypeError, ValueError):
        raise ConfigError(
            f"{name} must be increasing whole numbers like '18,25,35'; got {value!r}."
        ) from None
    if not edges or any(b <= a for a, b in itertools.pairwise(edges)) or edges[0] < 0:
        raise ConfigError(
            f"{name} must be increasing whole numbers like '18,25,35'; got {value!r}."
        )
    return edges


class BandEdges(tuple[int, ...]):
    """Band edges: increasing whole numbers from ``"18,25,35"`` or a sequence of integers.

    The type of the ``profile_*_bands`` settings, so that a bad value is refused where
    it is given (clientlens.toml, the environment, ``--set``), not when the profile runs.
    """

    label = "int list"
    """How the settings reference names the type."""

    def __new__(cls, value: Any) -> BandEdges:
        return super().__new__(cls, parse_edges(value, "band edges"))

    def __str__(self) -> str:
        return ",".join(map(str, self))

    def __repr__(self) -> str:
        return f"BandEdges({str(self)!r})"


AGE_BANDS = BandEdges("18,25,35,45,55")
INCOME_BANDS = BandEdges("3000,6000,10000,20000,50000")
PROFILE_AGE_BANDS = Setting(
    "profile_age_bands",
    BandEdges,
    AGE_BANDS,
    "Age band edges of the customer profile (years): '18,25' gives <18, 18-24, 25+.",
)
PROFILE_INCOME_BANDS = Setting(
    "profile_income_bands",
    BandEdges,
    INCOME_BANDS,
    "Income band edges of the customer profile (monthly income in the workspace currency).",
)


def band_labels(edges: Sequence[int]) -> list[str]:
    """``<e0``, ``e0-(e1-1)``, ..., ``ek+``: the labels of the bands cut at ``edges``."""
    labels = [f"<{edges[0]}"]
    labels += [f"{lo}-{hi - 1}" for lo, hi in itertools.pairwise(edges)]
    return [*labels, f"{edges[-1]}+"]


def _band_index(value: ir.NumericValue, edges: Sequence[int]) -> ir.IntegerValue:
    """Index of the band of a number among :func:`band_labels` (null -> after every band)."""
    branches = [(value < edges[0], 0)]
    branches += [(value < hi, i + 1) for i, hi in enumerate(edges[1:])]
    return ibis.ifelse(value.isnull(), _LAST, ibis.cases(*branches, else_=len(edges)))


def _age(customers: ir.Table, end: ir.DateValue) -> ir.Value | None:
    """Age in full years at ``end``: ``age`` where given, else from ``birth_date``."""
    cols = customers.columns
    from_birth = None
    if "birth_date" in cols:
        b = customers.birth_date.cast("date")
        end_md = end.month() * 100 + end.day()
        not_yet = (b.month() * 100 + b.day()) > end_md
        from_birth = (end.year() - b.year()) - not_yet.cast("int64")
    if "age" in cols:
        age = customers.age.cast("int64")
        return age if from_birth is None else age.fill_null(from_birth)
    return from_birth


def customer_base(
    orders: Any,
    customers: Any = None,
    *,
    observation_end: Any = None,
    age_bands: Sequence[int] = AGE_BANDS,
    income_bands: Sequence[int] = INCOME_BANDS,
) -> tuple[ir.Table, list[str]]:
    """One row per customer with orders, revenue and the label and sort key of each dimension."""
    t = as_table(orders)
    require_columns(t, ORDER_COLUMNS, who="The profile")
    end = last_date(t, observation_end)
    if observation_end is not None:
        t = dated_until(t, "order_date", end)
    day = t.order_date.cast("date")
    per = t.group_by("customer_id").agg(
        orders=t.count(), revenue=t.amount.sum().cast("float64"), _first=day.min()
    )
    c = as_table(customers) if customers is not None else None
    if c is None:
        base = per
        ccols: list[str] = []
    else:
        ids = c.select("customer_id").union(per.select("customer_id"), distinct=True)
        ccols = [col for col in c.columns if col != "customer_id"]
        base = ids.left_join(c, "customer_id").drop("customer_id_right")
        base = base.left_join(per, "customer_id").drop("customer_id_right")
    # Two steps, so that each customer's age, income and start month is worked out once
    # and the labels are read off the band index.
    first: dict[str, Any] = {
        "customer_id": base.customer_id,
        "orders": base.orders.fill_null(0).cast("int64"),
        "revenue": base.revenue.fill_null(0.0).cast("float64"),
    }
    bands: dict[str, Sequence[int]] = {}
    dims: list[str] = []
    if c is not None:
        age = _age(base, end)
        if age is not None:
            age = ibis.ifelse((age >= 0) & (age <= 120), age, ibis.null("int64"))
            first["_age_band_key"] = _band_index(age, age_bands)
            bands["age_band"] = age_bands
            dims.append("age_band")
        for col in ("gender", "occupation", "income", "province", "city", "acquisition_channel"):
            if col not in ccols:
                continue
            if col == "income":
                first["_income_band_key"] = _band_index(base.income.cast("float64"), income_bands)
                bands["income_band"] = income_bands
                dims.append("income_band")
            else:
                first[col] = text_or_unknown(base[col])
                dims.append(col)
    start = base._first
    if "signup_date" in ccols:
        start = base.signup_date.cast("date").fill_null(start)
    first["_start"] = start
    dims.append("signup_cohort")
    b1 = base.select(**first)
    second: dict[str, Any] = {
        "customer_id": b1.customer_id,
        "orders": b1.orders,
        "revenue": b1.revenue,
    }
    for dim in dims:
        if dim in bands:
            key = b1[f"_{dim}_key"]
            labels = band_labels(bands[dim])
            second[dim] = key.cases(*enumerate(labels), else_=UNKNOWN)
        elif dim == "signup_cohort":
            s0 = b1._start
            second[dim] = ibis.ifelse(s0.isnull(), UNKNOWN, month_label(month_index(s0)))
            key = ibis.ifelse(s0.isnull(), _LAST, s0.year() * 100 + s0.month())
        else:
            second[dim] = b1[dim]
            key = ibis.ifelse(b1[dim] == UNKNOWN, 1, 0)
        second[f"_{dim}_key"] = key.cast("int64")
    return b1.select(**second), dims


def profile_distribution(
    orders: Any,
    customers: Any = None,
    *,
    observation_end: Any = None,
    age_bands: Sequence[int] = AGE_BANDS,
    income_bands: Sequence[int] = INCOME_BANDS,
) -> ir.Table:
    """Customers, revenue, orders, AOV and repeat rate per group of every profile dimension.

    Parameters
    ----------
    orders
        Completed orders: ``customer_id``, ``order_date``, ``amount``.
    customers
        Optional customers table (``customer_id`` plus any of ``age``, ``birth_date``,
        ``gender``, ``occupation``, ``income``, ``province``, ``city``,
        ``acquisition_channel``, ``signup_date``).
    observation_end
        Date ages are computed at and orders are cut to. Default: the last order date.
    age_bands, income_bands
        Lower edges of the bands after the first (``<edge0``, …, ``edgeN+``).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [10.0, 20.0, 30.0],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-02-03"])})
    >>> customers = pd.DataFrame({"customer_id": ["a", "c"], "gender": ["F", None]})
    >>> p = profile_distribution(orders, customers).to_pandas()
    >>> p[p.dimension == "gender"].sort_values("group_order")[
    ...     ["group", "customers", "revenue", "repeat_rate"]].values.tolist()
    [['F', 1, 30.0, 1.0], ['unknown', 2, 30.0, 0.0]]
    """
    base, dims = customer_base(
        orders,
        customers,
        observation_end=observation_end,
        age_bands=age_bands,
        income_bands=income_bands,
    )
    parts = []
    for dim in dims:
        g = base.group_by(group=base[dim], _key=base[f"_{dim}_key"]).agg(
            customers=base.count(),
            buyers=base.count(where=base.orders > 0),
            _repeaters=base.count(where=base.orders >= 2),
            revenue=base.revenue.sum(),
            orders=base.orders.sum(),
        )
        parts.append(g.mutate(dimension=ibis.literal(dim)))
    u = ibis.union(*parts)
    by_dim = ibis.window(group_by=u.dimension)
    order = ibis.window(group_by=u.dimension, order_by=[u._key, u.customers.desc(), u.group])
    return u.select(
        "dimension",
        "group",
        group_order=as_int64(ibis.row_number().over(order) + 1),
        customers=u.customers.cast("int64"),
        customer_share=(u.customers / u.customers.sum().over(by_dim)).cast("float64"),
        buyers=u.buyers.cast("int64"),
        revenue=u.revenue.cast("float64"),
        revenue_share=(u.revenue / u.revenue.sum().over(by_dim).nullif(0.0)).cast("float64"),
        orders=u.orders.cast("int64"),
        aov=(u.revenue / u.orders.nullif(0)).cast("float64"),
        repeat_rate=(u._repeaters / u.buyers.nullif(0)).cast("float64"),
    )


def profile_new_customers(
    orders: Any, customers: Any = None, *, observation_end: Any = None
) -> ir.Table:
    """New customers (first completed order) and sign-ups per calendar month.

    Months with neither are left out. ``signups`` is empty when there is no
    ``customers.signup_date``. Orders and sign-ups after ``observation_end`` (when
    given) are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [1.0, 2.0, 3.0],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-03-03"])})
    >>> n = profile_new_customers(orders).order_by("month").to_pandas()
    >>> n[["month", "new_customers", "cumulative_customers"]].values.tolist()
    [['2024-01', 1, 1], ['2024-03', 1, 2]]
    """
    t = as_table(orders)
    if observation_end is not None:
        t = dated_until(t, "order_date", observation_end)
    first = t.group_by("customer_id").agg(_first=t.order_date.cast("date").min())
    new = first.group_by(month=month_label(month_index(first._first))).agg(
        new_customers=first.count()
    )
    c = as_table(customers) if customers is not None else None
    if c is not None and "signup_date" in c.columns:
        s = c.filter(c.signup_date.notnull())
        if observation_end is not None:
            s = dated_until(s, "signup_date", observation_end)
        signups = s.group_by(month=month_label(month_index(s.signup_date))).agg(signups=s.count())
        months = new.select("month").union(signups.select("month"), distinct=True)
        j = months.left_join(new, "month").drop("month_right")
        j = j.left_join(signups, "month").drop("month_right")
        signup_col = j.signups.fill_null(0).cast("int64")
    else:
        j = new
        signup_col = ibis.null("int64")
    new_customers = j.new_customers.fill_null(0).cast("int64")
    return j.select(
        "month",
        new_customers=new_customers,
        cumulative_customers=new_customers.sum()
        .over(ibis.cumulative_window(order_by=j.month))
        .cast("int64"),
        signups=signup_col,
    )


def _distribution_build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return profile_distribution(
        inputs["orders"],
        inputs.get("customers"),
        observation_end=ctx.observation_end,
        age_bands=ctx.setting("profile_age_bands"),
        income_bands=ctx.setting("profile_income_bands"),
    )


def _new_build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return profile_new_customers(
        inputs["orders"], inputs.get("customers"), observation_end=ctx.observation_end
    )


ANALYSES = [
    Analysis(
        name="profile_distribution",
        requires=("orders",),
        optional=("customers",),
        build=_distribution_build,
        settings=(PROFILE_AGE_BANDS, PROFILE_INCOME_BANDS),
        description="Who the customers are: for each group of age band, gender, occupation, "
        "income band, province, city, acquisition channel and signup cohort, the customers, "
        "revenue, orders, AOV and repeat rate. Missing values form the group 'unknown'.",
        columns={
            "dimension": Column(
                "string",
                "age_band, gender, occupation, income_band, province, city, "
                "acquisition_channel or signup_cohort (year-month of sign-up, or of the first "
                "order when the sign-up date is missing). Only dimensions with data appear.",
                "画像维度：age_band（年龄段）、gender（性别）、occupation（职业）、"
                "income_band（收入段）、province（省份）、city（城市）、acquisition_channel"
                "（获客渠道）或 signup_cohort（注册年月；没有注册日期时取首单年月）。"
                "只列出有数据的维度。",
            ),
            "group": Column(
                "string",
                "The group within the dimension; 'unknown' for missing values. Age bands "
                "(full years at the observation end, from age or birth date): <18, 18-24, 25-34, "
                "35-44, 45-54, 55+ (setting profile_age_bands). Income bands (monthly income): "
                "<3000, 3000-5999, 6000-9999, 10000-19999, 20000-49999, 50000+ (setting "
                "profile_income_bands). Other dimensions: the values as given, trimmed.",
                "维度内的分组；缺失值为 'unknown'。年龄段（观察截止日的周岁，取自年龄或出生"
                "日期）：<18、18-24、25-34、35-44、45-54、55+（设置 profile_age_bands）。"
                "收入段（月收入）：<3000、3000-5999、6000-9999、10000-19999、20000-49999、"
                "50000+（设置 profile_income_bands）。其他维度：原值去掉首尾空格。",
            ),
            "group_order": Column(
                "int64",
                "Position of the group when listed: bands and months in order, "
                "other groups by size; 'unknown' last.",
                "分组的列示位置：年龄段、收入段和月份按先后，其他分组按人数；'unknown' 排最后。",
            ),
            "customers": Column(
                "int64",
                "Customers in the group, with or without orders.",
                "分组内的客户数（无论是否下过单）。",
                unit="count",
            ),
            "customer_share": Column(
                "float64",
                "Share of all customers (0–1).",
                "占全部客户的比例（0–1）。",
                unit="share",
            ),
            "buyers": Column(
                "int64",
                "Customers in the group with at least one completed order.",
                "分组内至少有一个已完成订单的客户数。",
                unit="count",
            ),
            "revenue": Column(
                "float64",
                "Revenue of the group's completed orders.",
                "分组已完成订单的销售额。",
                unit="currency",
            ),
            "revenue_share": Column(
                "float64",
                "Share of all revenue (0–1).",
                "占全部销售额的比例（0–1）。",
                unit="share",
            ),
            "orders": Column(
                "int64", "Completed orders of the group.", "分组的已完成订单数。", unit="count"
            ),
            "aov": Column(
                "float64",
                "Average order value: revenue / orders.",
                "客单价：销售额 / 订单数。",
                unit="currency",
            ),
            "repeat_rate": Column(
                "float64",
                "Share of the group's buyers with two or more orders (0–1).",
                "复购率：分组内下过两单及以上的购买客户占比（0–1）。",
                unit="share",
            ),
        },
    ),
    Analysis(
        name="profile_new_customers",
        requires=("orders",),
        optional=("customers",),
        build=_new_build,
        description="New customers (first completed order) and sign-ups per month.",
        columns={
            "month": Column("string", "Calendar month, YYYY-MM.", "自然月，格式 YYYY-MM。"),
            "new_customers": Column(
                "int64",
                "Customers whose first completed order falls in the month.",
                "新客户数：首个已完成订单落在该月的客户数。",
                unit="count",
            ),
            "cumulative_customers": Column(
                "int64",
                "Customers with a first order in this month or before.",
                "首单在该月或之前的客户数（累计）。",
                unit="count",
            ),
            "signups": Column(
                "int64",
                "Customers who signed up in the month (customers.signup_date); empty "
                "when sign-up dates are not available.",
                "该月注册的客户数（customers.signup_date）；没有注册日期时为空。",
                unit="count",
            ),
        },
    ),
]
