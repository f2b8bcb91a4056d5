"""Subsets of customers: a segment, a region, an acquisition channel, or any of them together.

``clientlens analyze --segment champions --region 广东`` and the dashboard's global filters
analyse one subset: every analysis runs again on the data of the subset's customers (their
orders, feedback, tickets …), and the run is published in the subset's own namespace
(:mod:`clientlens.results`), never as the latest run of all customers.

Who belongs is decided on the run the subset is cut from (its *base*, the latest run):

* ``segment``: the customer's RFM segment in the base run, of either scheme
  (``rfm_scores.segment`` or ``segment8``), as the customer list filters it;
* ``region``: ``customers.province`` or ``customers.city``;
* ``channel``: ``customers.acquisition_channel``.

What a customer's own scores are does not change because fewer customers are looked at:
results declared ``subset="members"`` (RFM scores, CLV, churn and spend scores, scored
feedback) keep the base run's rows of the subset's customers, and results of a trained
model (``subset="whole"``: validation, drivers, rules) are the base run's as they are; the
models are never trained on a subset. Everything else (KPIs, cohorts, segment sizes,
Pareto, themes …) is computed on the subset's data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from clientlens.errors import ConfigError
from clientlens.lazy import ibis, ir

MEMBERS = "_subset_members"
"""In a subset run: the customer ids of the subset (one column, ``customer_id``)."""
REGION_COLUMNS = ("province", "city")
CHANNEL_COLUMN = "acquisition_channel"
MAX_TEXT = 100


@dataclass(frozen=True)
class Subset:
    """Which customers a run analyses; every field None means all customers."""

    segment: str | None = None
    region: str | None = None
    channel: str | None = None

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if value is None:
                continue
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"--{name}: give a value, e.g. --{name} {_EXAMPLE[name]}.")
            if len(value) > MAX_TEXT or any(ord(c) < 32 for c in value):
                raise ConfigError(
                    f"--{name} {value[:40]!r}: at most {MAX_TEXT} printable characters."
                )
        if self.segment is not None and self.segment not in segment_codes():
            raise ConfigError(
                f"--segment {self.segment!r} is not a segment code; the codes are "
                f"{', '.join(sorted(segment_codes()))} (docs/analyses.md, rfm_scores)."
            )

    @property
    def empty(self) -> bool:
        return all(v is None for v in asdict(self).values())

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def key(self, base_run: int) -> str:
        """The subset's namespace, cut from run ``base_run``: ``000007_3f2a9c01de``.

        A digest of the values, so that no text a user typed becomes a file or table name.
        """
        text = json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
        return f"{base_run:06d}_{digest}"

    def members(self, customers: ir.Table | None, rfm_scores: ir.Table | None) -> ir.Table:
        """The subset's customer ids (distinct), as an expression (not executed).

        ``customers`` is the canonical table, ``rfm_scores`` the base run's result; a
        filter whose column the data lacks keeps nobody.
        """
        kept: list[ir.Table] = []
        if self.segment is not None:
            if rfm_scores is None:
                raise ConfigError(
                    "--segment needs the RFM segments of a run of all customers: run "
                    "`clientlens analyze` first."
                )
            t = rfm_scores
            kept.append(
                t.filter((t.segment == self.segment) | (t.segment8 == self.segment)).select(
                    "customer_id"
                )
            )
        for value, columns in ((self.region, REGION_COLUMNS), (self.channel, (CHANNEL_COLUMN,))):
            if value is None:
                continue
            present = [c for c in columns if customers is not None and c in customers.columns]
            if customers is None or not present:
                source = customers if customers is not None else rfm_scores
                if source is None:
                    raise ConfigError("A subset needs the customers table or an earlier run.")
                kept.append(source.select("customer_id").filter(ibis.literal(False)))
                continue
            cond = ibis.or_(*(customers[c] == value for c in present))
            kept.append(customers.filter(cond).select("customer_id"))
        if not kept:
            raise ConfigError("An empty subset is every customer: run `clientlens analyze`.")
        out = kept[0]
        for other in kept[1:]:
            out = out.semi_join(other, "customer_id")
        return out.filter(out.customer_id.notnull()).distinct()


_EXAMPLE = {"segment": "champions", "region": "广东", "channel": "douyin"}


def segment_codes() -> set[str]:
    """Segment codes of both RFM schemes."""
    from clientlens.analytics.segments.segments_catalog import SCHEMES

    return {s.code for scheme in SCHEMES.values() for s in scheme}


def restrict(
    tables: Mapping[str, ir.Table], members: ir.Table, subset: Subset
) -> tuple[dict[str, ir.Table], dict[str, str]]:
    """The canonical ``tables`` cut to the subset's customers, and why any was left out.

    Tables with a ``customer_id`` keep the members' rows; ``order_items`` the items of
    their orders; ``products`` stays whole. Marketing spend is the channel's own when the
    subset is one acquisition channel (its rows name that channel); for other subsets it
    cannot be split, so it is left out and the acquisition-cost analyses say why.
    """
    out: dict[str, ir.Table] = {}
    absent: dict[str, str] = {}
    for name, t in tables.items():
        if "customer_id" in t.columns:
            out[name] = t.semi_join(members, "customer_id")
        elif name == "marketing_spend":
            one_channel = subset.as_dict().keys() == {"channel"}
            if one_channel and "channel" in t.columns:
                out[name] = t.filter(t.channel == subset.channel)
            else:
                absent[name] = (
                    "marketing spend is not split by customer segment or region, so a "
                    "subset other than one acquisition channel has no acquisition cost"
                )
        else:
            out[name] = t
    if "order_items" in out and "orders" in out:
        out["order_items"] = out["order_items"].semi_join(out["orders"], "order_id")
    return out, absent


def describe(subset: Subset | Mapping[str, Any]) -> str:
    """``segment=champions, region=广东`` (for logs and messages)."""
    values = subset.as_dict() if isinstance(subset, Subset) else dict(subset)
    return ", ".join(f"{k}={v}" for k, v in values.items())
