"""Reason codes: why a customer's churn risk is what it is, in facts true of that customer.

Each :class:`Reason` is a condition on the customer's features and the number its words
name (``churn_reason.<code>`` in the text catalog, with ``{value}``): "purchases in the
last 90 days down 60%" is ``frequency_drop`` with value 60. A customer's reasons are the
codes whose condition holds for them, ranked by how much their feature group moves the
model's churn probability (:meth:`ChurnModel.contributions`): for a risk reason the rise
it causes, for a protective reason the fall; three facts that hold for everyone
(``days_since_purchase``, ``orders_last_90d``, ``orders_to_date``) come last, so every
customer has three reasons. :func:`reason_holds` re-checks a code against features (the
tests recompute every score's reasons with it).

Recommended actions (``churn_action.<code>``) follow from the risk band, the reasons and
the probability alive, so that no effort goes to customers the purchase model says are
already gone (``let_go``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from clientlens.lazy import np, pd
from clientlens.text import text

Frame = pd.DataFrame
Test = Callable[[Frame], "pd.Series[bool]"]
Value = Callable[[Frame], "pd.Series[float]"]

GONE_P_ALIVE = 0.05
"""Below this probability alive a customer is treated as already gone: ``let_go``."""


def _col(f: Frame, name: str) -> pd.Series:
    if name in f.columns:
        return f[name].astype(float)
    return pd.Series(np.nan, index=f.index, dtype=float)


def _drop_pct(f: Frame, now: str, before: str) -> pd.Series:
    prev = _col(f, before)
    return (100 * (prev - _col(f, now)) / prev.where(prev > 0)).round()


@dataclass(frozen=True)
class Reason:
    code: str
    group: str
    """The feature group whose contribution ranks it."""
    kind: str
    """risk, protective or fact."""
    test: Test
    value: Value


REASONS: tuple[Reason, ...] = (
    Reason(
        "frequency_drop",
        "trend",
        "risk",
        lambda f: _col(f, "orders_90d") < _col(f, "orders_prev_90d"),
        lambda f: _drop_pct(f, "orders_90d", "orders_prev_90d"),
    ),
    Reason(
        "spend_drop",
        "trend",
        "risk",
        lambda f: _col(f, "amount_90d") < _col(f, "amount_prev_90d"),
        lambda f: _drop_pct(f, "amount_90d", "amount_prev_90d"),
    ),
    Reason(
        "overdue",
        "regularity",
        "risk",
        lambda f: _col(f, "overdue_ratio") > 1.5,
        lambda f: _col(f, "overdue_ratio").round(1),
    ),
    Reason(
        "long_since_purchase",
        "rfm",
        "risk",
        lambda f: _col(f, "recency_days") >= 60,
        lambda f: _col(f, "recency_days"),
    ),
    Reason(
        "single_purchase",
        "rfm",
        "risk",
        lambda f: _col(f, "n_orders") == 1,
        lambda f: _col(f, "n_orders"),
    ),
    Reason(
        "irregular_buying",
        "regularity",
        "risk",
        lambda f: _col(f, "gap_cv") > 1.0,
        lambda f: _col(f, "gap_cv").round(1),
    ),
    Reason(
        "open_complaints",
        "service",
        "risk",
        lambda f: _col(f, "open_complaints") >= 1,
        lambda f: _col(f, "open_complaints"),
    ),
    Reason(
        "past_complaints",
        "service",
        "risk",
        lambda f: _col(f, "resolved_complaints") >= 1,
        lambda f: _col(f, "resolved_complaints"),
    ),
    Reason(
        "low_nps",
        "satisfaction",
        "risk",
        lambda f: _col(f, "last_nps") <= 6,
        lambda f: _col(f, "last_nps"),
    ),
    Reason(
        "low_csat",
        "satisfaction",
        "risk",
        lambda f: _col(f, "last_csat") <= 2,
        lambda f: _col(f, "last_csat"),
    ),
    Reason(
        "no_recent_visits",
        "web",
        "risk",
        lambda f: _col(f, "days_since_visit") >= 30,
        lambda f: _col(f, "days_since_visit"),
    ),
    Reason(
        "abandoned_carts",
        "web",
        "risk",
        lambda f: _col(f, "abandoned_carts_90d") >= 1,
        lambda f: _col(f, "abandoned_carts_90d"),
    ),
    Reason(
        "discount_buyer",
        "basket",
        "risk",
        lambda f: _col(f, "discount_share") >= 0.5,
        lambda f: (100 * _col(f, "discount_share")).round(),
    ),
    Reason(
        "low_p_alive",
        "p_alive",
        "risk",
        lambda f: _col(f, "p_alive") < 0.5,
        lambda f: (100 * _col(f, "p_alive")).round(),
    ),
    Reason(
        "new_customer",
        "rfm",
        "risk",
        lambda f: _col(f, "tenure_days") < 90,
        lambda f: _col(f, "tenure_days"),
    ),
    Reason(
        "frequency_rise",
        "trend",
        "protective",
        lambda f: _col(f, "orders_90d") > _col(f, "orders_prev_90d"),
        lambda f: _col(f, "orders_90d"),
    ),
    Reason(
        "recent_purchase",
        "rfm",
        "protective",
        lambda f: _col(f, "recency_days") <= 30,
        lambda f: _col(f, "recency_days"),
    ),
    Reason(
        "recent_visits",
        "web",
        "protective",
        lambda f: _col(f, "sessions_30d") >= 2,
        lambda f: _col(f, "sessions_30d"),
    ),
    Reason(
        "high_p_alive",
        "p_alive",
        "protective",
        lambda f: _col(f, "p_alive") >= 0.8,
        lambda f: (100 * _col(f, "p_alive")).round(),
    ),
    Reason(
        "days_since_purchase",
        "rfm",
        "fact",
        lambda f: _col(f, "recency_days").notna(),
        lambda f: _col(f, "recency_days"),
    ),
    Reason(
        "orders_last_90d",
        "trend",
        "fact",
        lambda f: _col(f, "orders_90d").notna(),
        lambda f: _col(f, "orders_90d"),
    ),
    Reason(
        "orders_to_date",
        "rfm",
        "fact",
        lambda f: _col(f, "n_orders").notna(),
        lambda f: _col(f, "n_orders"),
    ),
)
BY_CODE = {r.code: r for r in REASONS}
N_REASONS = 3

ACTIONS = ("resolve_complaint", "let_go", "retain_vip", "win_back_offer", "re_engage", "keep_warm")
"""Recommended-action codes (``churn_action.<code>``), in the order they are decided."""


def reason_holds(code: str, features: Frame) -> pd.Series:
    """Whether reason ``code`` is true of each row of ``features``."""
    return BY_CODE[code].test(features).fillna(False).astype(bool)


def reason_value(code: str, features: Frame) -> pd.Series:
    """The number reason ``code``'s words name, for each row of ``features``."""
    return BY_CODE[code].value(features)


def needed_rows(features: Frame) -> dict[str, np.ndarray]:
    """Per feature group, the rows where one of its reasons holds: the only rows whose
    contribution :func:`top_reasons` reads (a group with a fact reads every row)."""
    out: dict[str, np.ndarray] = {}
    for r in REASONS:
        holds = reason_holds(r.code, features).to_numpy()
        out[r.group] = out[r.group] | holds if r.group in out else holds
    return out


def top_reasons(features: Frame, contributions: Frame) -> pd.DataFrame:
    """Each row's three reasons and their values (``reason_1`` … ``reason_3_value``).

    Ranked: risk reasons by their group's contribution, protective ones by its
    opposite, facts last (by the same score, shrunk below every other reason's).
    """
    scores, values = [], []
    for r in REASONS:
        holds = reason_holds(r.code, features).to_numpy()
        contrib = _col(contributions, r.group).fillna(0.0).to_numpy()
        score = contrib if r.kind == "risk" else -contrib
        if r.kind == "fact":
            score = -10.0 + 1e-3 * np.abs(contrib)
        scores.append(np.where(holds, score, -np.inf))
        values.append(reason_value(r.code, features).to_numpy(dtype=float))
    s = np.column_stack(scores)
    v = np.column_stack(values)
    # stable: ties keep the catalogue order above
    order = np.argsort(-s, axis=1, kind="stable")[:, :N_REASONS]
    rows = np.arange(len(features))[:, None]
    codes = np.array([r.code for r in REASONS], dtype=object)[order]
    out = pd.DataFrame(index=features.index)
    for k in range(N_REASONS):
        out[f"reason_{k + 1}"] = codes[:, k]
        out[f"reason_{k + 1}_value"] = v[rows[:, 0], order[:, k]]
    return out


def recommended_actions(
    risk_band: pd.Series, p_alive: pd.Series, open_complaints: pd.Series, top_value: pd.Series
) -> pd.Series:
    """The action code of each customer (first that applies):

    ``resolve_complaint`` (an open complaint and risk not low), ``let_go`` (probability
    alive below :data:`GONE_P_ALIVE`: no spend on the already gone), ``retain_vip`` (high
    or medium risk, top 20% predicted value), ``win_back_offer`` (high risk),
    ``re_engage`` (medium risk), ``keep_warm`` (low risk).
    """
    at_risk = risk_band.isin(["high", "medium"]).to_numpy()
    conditions = [
        at_risk & (open_complaints.fillna(0).to_numpy() >= 1),
        p_alive.fillna(1.0).to_numpy() < GONE_P_ALIVE,
        at_risk & top_value.to_numpy(dtype=bool),
        (risk_band == "high").to_numpy(),
        (risk_band == "medium").to_numpy(),
    ]
    picked = np.select(conditions, list(ACTIONS[:5]), default=ACTIONS[5])
    return pd.Series(picked, index=risk_band.index, dtype=object)


def reason_text(lang: str, code: str, value: float) -> str:
    """Reason ``code`` in words (``churn_reason.<code>``), naming ``value``."""
    shown = int(value) if float(value).is_integer() else value
    return text(lang, f"churn_reason.{code}", value=shown)


def rule_text(lang: str, conditions: list[tuple[str, str, float]]) -> str:
    """A rule's conditions as one sentence: feature names from ``churn_feature.<name>``."""
    parts = []
    for name, op, threshold in conditions:
        feature = text(lang, f"churn_feature.{name}")
        shown = round(threshold, 2)
        parts.append(
            text(
                lang,
                "churn_rule.at_most" if op == "<=" else "churn_rule.above",
                feature=feature,
                value=shown,
            )
        )
    if not parts:
        return text(lang, "churn_rule.everyone")
    return text(lang, "churn_rule.join").join(parts)
