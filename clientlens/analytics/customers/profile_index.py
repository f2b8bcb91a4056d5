"""Which profile groups bring more than their share of revenue (``profile_revenue_index``).

For every group of ``profile_distribution``: revenue index = revenue share / customer
share (1 = the average customer; 1.5 = half as much again per customer) and the revenue
the group brings beyond its headcount share, ``revenue × (1 − 1 / index)``.

A group is *eligible* to stand out when its dimension is one of
:data:`STANDOUT_DIMENSIONS`, it is a known group (not ``unknown``) and it holds at least
:data:`MIN_GROUP_SHARE` and less than :data:`MAX_GROUP_SHARE` of customers (a majority
group says little about the rest). Eligible groups are ranked by index, highest first,
ties by dimension and group; the first is *the standout* when its index reaches
:data:`MIN_STANDOUT_INDEX`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientlens.analytics.base import Analysis, AnalysisContext, Column, as_table
from clientlens.analytics.customers.profile import UNKNOWN
from clientlens.lazy import ibis, ir

STANDOUT_DIMENSIONS = (
    "age_band",
    "gender",
    "province",
    "city",
    "acquisition_channel",
    "income_band",
    "occupation",
)
MIN_GROUP_SHARE = 0.05
MAX_GROUP_SHARE = 0.5
MIN_STANDOUT_INDEX = 1.1


def profile_revenue_index(profile_distribution: Any) -> ir.Table:
    """Revenue index, excess revenue and the standout rank of every profile group.

    Parameters
    ----------
    profile_distribution
        The ``profile_distribution`` result (``dimension, group, customers,
        customer_share, revenue, revenue_share``).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"dimension": ["gender"] * 2, "group": ["female", "male"],
    ...     "customers": [6, 4], "customer_share": [0.75, 0.25], "revenue": [50.0, 50.0],
    ...     "revenue_share": [0.5, 0.5]})
    >>> r = profile_revenue_index(d).order_by("group").to_pandas()
    >>> r[["group", "revenue_index", "standout"]].values.tolist()
    [['female', 0.6666666666666666, False], ['male', 2.0, True]]
    """
    t = as_table(profile_distribution)
    index = ibis.ifelse(
        t.customer_share > 0, t.revenue_share / t.customer_share, ibis.null("float64")
    ).cast("float64")
    t = t.mutate(
        revenue_index=index,
        eligible=t.dimension.isin(STANDOUT_DIMENSIONS)
        & (t.group != UNKNOWN)
        & (t.customer_share >= MIN_GROUP_SHARE)
        & (t.customer_share < MAX_GROUP_SHARE),
        dimension_customers=t.customers.sum().over(group_by=t.dimension).cast("int64"),
    )
    # Ranked among eligible groups only; the others sort after them and get no rank
    # (their own order, nulls included, never matters).
    first = ibis.ifelse(t.eligible, 0, 1)
    order = [first, ibis.desc(t.revenue_index), t.dimension, t.group]
    rank = ibis.row_number().over(order_by=order) + 1
    t = t.mutate(
        standout_rank=ibis.ifelse(t.eligible, rank, ibis.null("int64")).cast("int64"),
    )
    return t.select(
        "dimension",
        "group",
        "customers",
        "customer_share",
        "revenue",
        "revenue_share",
        "dimension_customers",
        "revenue_index",
        excess_revenue=ibis.ifelse(
            t.revenue_index > 0, t.revenue * (1 - 1 / t.revenue_index), ibis.null("float64")
        ).cast("float64"),
        eligible=t.eligible,
        standout_rank=t.standout_rank,
        standout=((t.standout_rank == 1) & (t.revenue_index >= MIN_STANDOUT_INDEX)).fill_null(
            False
        ),
    )


def _build(inputs: Mapping[str, ir.Table], ctx: AnalysisContext) -> ir.Table:
    return profile_revenue_index(inputs["profile_distribution"])


ANALYSES = [
    Analysis(
        name="profile_revenue_index",
        requires=("profile_distribution",),
        build=_build,
        description="For every profile group: revenue share / customer share (the revenue "
        "index), the revenue it brings beyond its headcount share, and which known group of "
        f"{MIN_GROUP_SHARE:.0%}–{MAX_GROUP_SHARE:.0%} of customers stands out most "
        f"(index of at least {MIN_STANDOUT_INDEX}).",
        columns={
            "dimension": Column(
                "string", "Profile dimension (as in profile_distribution).", "画像维度"
            ),
            "group": Column(
                "string", "Group within the dimension; 'unknown' for missing values.", "分组"
            ),
            "customers": Column("int64", "Customers in the group.", "客户数", "count"),
            "customer_share": Column("float64", "Share of all customers.", "客户占比", "share"),
            "revenue": Column("float64", "Revenue of the group.", "销售额", "currency"),
            "revenue_share": Column("float64", "Share of all revenue.", "销售额占比", "share"),
            "dimension_customers": Column(
                "int64",
                "Customers in all groups of the dimension (every customer).",
                "该维度的客户总数",
                "count",
            ),
            "revenue_index": Column(
                "float64",
                "revenue_share / customer_share: revenue per customer against the average "
                "(empty for a group without customers).",
                "销售额指数（人均贡献相对整体的倍数）",
                "ratio",
            ),
            "excess_revenue": Column(
                "float64",
                "revenue × (1 − 1 / revenue_index): revenue beyond the group's headcount share.",
                "超出人数占比的销售额",
                "currency",
            ),
            "eligible": Column(
                "boolean",
                f"A known group of {', '.join(STANDOUT_DIMENSIONS)} holding at least "
                f"{MIN_GROUP_SHARE:.0%} and less than {MAX_GROUP_SHARE:.0%} of customers.",
                "是否参与突出分组评选",
            ),
            "standout_rank": Column(
                "int64",
                "Rank among eligible groups by revenue_index, highest first (ties by "
                "dimension, group); empty when not eligible.",
                "突出程度排名",
            ),
            "standout": Column(
                "boolean",
                f"True for the first-ranked group when its index is at least {MIN_STANDOUT_INDEX}.",
                "是否为最突出的分组",
            ),
        },
    )
]
