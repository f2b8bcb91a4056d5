"""The settings of the action audiences, declared once: the rules' parameters, the value
test (who is worth an offer) and each audience's economics (response rate, offer cost).

The churn model's win-back list (:mod:`clientlens.analytics.churn.winback`) is the
``churn_winback`` audience and reads the same declarations, so one threshold means one
thing in every list of the report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from clientlens.config import Setting
from clientlens.errors import ConfigError

PRIORITY = ("vip_at_risk", "churn_winback", "win_back", "second_purchase", "loyalty")
"""The audiences, first priority first. ``vip_at_risk`` and ``churn_winback`` share the first
place: the churn model's list replaces the high-value list when the churn model ran."""

VIP_P_ALIVE_SETTING = Setting(
    "audience_vip_p_alive",
    float,
    0.5,
    "Audiences: customers in the top 20% by revenue with a probability alive below "
    "this form the high-value churn-risk audience (vip_at_risk).",
)
NEW_BUYER_DAYS_SETTING = Setting(
    "audience_new_buyer_days",
    int,
    90,
    "Audiences: one-time buyers this recent (days since first purchase) form the "
    "second-purchase audience.",
)
MIN_P_ALIVE_SETTING = Setting(
    "audience_min_p_alive",
    float,
    0.3,
    "Audiences and the win-back list: a customer whose probability alive (clv) is below "
    "this is treated as gone and left off every action list (on the demo business, "
    "at-risk customers below 0.3 were still active in fewer than 1 in 13 cases).",
)
MIN_RETURN_SETTING = Setting(
    "audience_min_return",
    float,
    1.0,
    "Audiences and the win-back list: a customer stays on a list only when their "
    "predicted 12-month value (clv_12m) is at least this many times the list's offer cost.",
)

_NAMES = {
    "vip_at_risk": "the high-value churn-risk list",
    "churn_winback": "the churn-model win-back list",
    "win_back": "the RFM win-back list (At Risk, Can't Lose)",
    "second_purchase": "the second-purchase list",
    "loyalty": "the loyalty list (Champions, Loyal)",
}
_OFFER_COST = {
    "vip_at_risk": 30.0,
    "churn_winback": 20.0,
    "win_back": 20.0,
    "second_purchase": 10.0,
    "loyalty": 15.0,
}
RESPONSE_RATE_SETTINGS: dict[str, Setting] = {
    code: Setting(
        f"audience_{code}_response_rate",
        float,
        0.1,
        f"Audiences: assumed share of {_NAMES[code]} that responds to the campaign; "
        "the list's expected impact is customers × this × the value of one response.",
    )
    for code in PRIORITY
}
OFFER_COST_SETTINGS: dict[str, Setting] = {
    code: Setting(
        f"audience_{code}_offer_cost",
        float,
        _OFFER_COST[code],
        f"Audiences: cost of the offer to one customer on {_NAMES[code]} (contact and "
        "benefit, in the workspace's currency); the list's cost is customers × this.",
    )
    for code in PRIORITY
}
SETTINGS = (
    VIP_P_ALIVE_SETTING,
    NEW_BUYER_DAYS_SETTING,
    MIN_P_ALIVE_SETTING,
    MIN_RETURN_SETTING,
    *RESPONSE_RATE_SETTINGS.values(),
    *OFFER_COST_SETTINGS.values(),
)
"""Every setting the audiences read."""


@dataclass(frozen=True)
class Economics:
    """What acting on one audience costs and is assumed to bring."""

    response_rate: float
    offer_cost: float


@dataclass(frozen=True)
class AudienceSettings:
    """The values in force of :data:`SETTINGS` (the defaults unless given)."""

    vip_p_alive: float = VIP_P_ALIVE_SETTING.default
    new_buyer_days: int = NEW_BUYER_DAYS_SETTING.default
    min_p_alive: float = MIN_P_ALIVE_SETTING.default
    min_return: float = MIN_RETURN_SETTING.default
    response_rates: Mapping[str, float] | None = None
    """Audience code → response rate; an audience left out takes the default (0.1)."""
    offer_costs: Mapping[str, float] | None = None
    """Audience code → offer cost; an audience left out takes its default."""

    def economics(self, code: str) -> Economics:
        rates, costs = self.response_rates or {}, self.offer_costs or {}
        return Economics(
            float(rates.get(code, RESPONSE_RATE_SETTINGS[code].default)),
            float(costs.get(code, OFFER_COST_SETTINGS[code].default)),
        )

    def min_value(self, code: str) -> float:
        """The predicted 12-month value a customer needs to stay on list ``code``."""
        return self.min_return * self.economics(code).offer_cost

    def check(self) -> None:
        """One :class:`ConfigError` naming every value out of range."""
        problems = []
        if self.new_buyer_days < 0:
            problems.append(f"audience_new_buyer_days must be >= 0; got {self.new_buyer_days}")
        for name, value in (
            ("audience_vip_p_alive", self.vip_p_alive),
            ("audience_min_p_alive", self.min_p_alive),
        ):
            if not 0 <= value <= 1:
                problems.append(f"{name} must be between 0 and 1; got {value}")
        if self.min_return < 0:
            problems.append(f"audience_min_return must be >= 0; got {self.min_return}")
        unknown = sorted(set(self.response_rates or {}) | set(self.offer_costs or {}))
        unknown = [c for c in unknown if c not in PRIORITY]
        if unknown:
            problems.append(f"unknown audiences {', '.join(unknown)}; known: {', '.join(PRIORITY)}")
        for code in PRIORITY:
            if code in unknown:
                continue
            e = self.economics(code)
            if not 0 <= e.response_rate <= 1:
                problems.append(
                    f"audience_{code}_response_rate must be between 0 and 1; got {e.response_rate}"
                )
            if e.offer_cost < 0:
                problems.append(f"audience_{code}_offer_cost must be >= 0; got {e.offer_cost}")
        if problems:
            raise ConfigError("; ".join(problems) + ".")


def from_context(read: Callable[[str], Any]) -> AudienceSettings:
    """The values in force, read with ``read(name)`` (an analysis context's ``setting``)."""
    return AudienceSettings(
        vip_p_alive=read(VIP_P_ALIVE_SETTING.name),
        new_buyer_days=read(NEW_BUYER_DAYS_SETTING.name),
        min_p_alive=read(MIN_P_ALIVE_SETTING.name),
        min_return=read(MIN_RETURN_SETTING.name),
        response_rates={c: read(s.name) for c, s in RESPONSE_RATE_SETTINGS.items()},
        offer_costs={c: read(s.name) for c, s in OFFER_COST_SETTINGS.items()},
    )
