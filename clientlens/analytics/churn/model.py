"""The churn model: gradient boosting, calibrated out of time, beside an RFM baseline.

:class:`ChurnModel` follows scikit-learn's estimator contract (parameters in ``__init__``,
learned state ending in ``_``) and the trained-model contract of
:mod:`clientlens.models.trained`:

* ``fit(X, y, X_calibration, y_calibration)`` fits a
  :class:`~sklearn.ensemble.HistGradientBoostingClassifier` (which takes missing features
  as they are: a customer without web events has no ``days_since_visit``) on the fit
  cutoffs, and an isotonic calibration of its scores on the later calibration cutoff;
  the baseline, a logistic regression on log RFM (:data:`~.features.RFM_BASELINE`), is
  fitted and calibrated the same way;
* ``predict_proba(X)`` is the calibrated churn probability, ``baseline_proba(X)`` the
  baseline's;
* ``drivers(X, y)`` the global drivers (permutation importance, drop in ROC-AUC);
* ``contributions(X, reference)`` per customer and feature group, how much the churn
  probability would fall if that group took the retained customers' typical values:
  what :mod:`clientlens.analytics.churn.reasons` ranks reasons by;
* ``rules_`` a shallow decision tree (depth ≤ 4) on the readable features, whose leaves
  :func:`tree_rules` turns into conditions.
"""

from __future__ import annotations

from collections.abc import Mapping

from clientlens.analytics.churn.features import FEATURE_GROUPS, RFM_BASELINE
from clientlens.lazy import np, pd
from clientlens.models.trained import IsotonicCalibration

RULE_FEATURES = (
    "recency_days",
    "n_orders",
    "orders_90d",
    "orders_prev_90d",
    "tenure_days",
    "total_amount",
    "open_complaints",
    "p_alive",
)
"""Features the rule tree may split on: never missing, and readable in a sentence."""
RULE_DEPTH = 3
THREADS = 1
"""OpenMP threads for boosting. One: on a shared machine OpenMP's busy-waiting threads
made a 14,000-row fit take 40 s instead of 1.6 s (2 cores, load 18)."""


class ChurnModel:
    """Calibrated churn probability from point-in-time features.

    Parameters
    ----------
    features
        Feature names, in the order of the columns the model is given.
    seed
        Seed of every random step (boosting, permutation importance).
    max_iter, learning_rate
        Boosting rounds (at most: boosting stops early once 10 rounds in a row do not
        improve the loss on a seeded tenth of the fit rows) and their step. 120 rounds of
        0.1 rank the demo's validation customers as well as 200 of 0.06 (ROC-AUC 0.8994
        against 0.8993 at 30,000 customers) with 40% fewer trees to walk when scoring.
    """

    def __init__(
        self,
        features: list[str],
        *,
        seed: int = 0,
        max_iter: int = 120,
        learning_rate: float = 0.1,
    ):
        self.features = list(features)
        self.seed = seed
        self.max_iter = max_iter
        self.learning_rate = learning_rate

    # -- fitting -------------------------------------------------------------------------
    def fit(
        self, X: pd.DataFrame, y: np.ndarray, X_cal: pd.DataFrame, y_cal: np.ndarray
    ) -> ChurnModel:
        """Fit on ``X, y`` (older cutoffs) and calibrate on ``X_cal, y_cal`` (a later one)."""
        # Imported before the limit is set: threadpoolctl limits only the thread pools of
        # libraries already loaded, and boosting's OpenMP runtime loads with its module.
        # Imported inside the limit, the first fit ran unlimited: 44 CPU s instead of
        # 2.8 s for 80,000 rows at load 8.
        import sklearn.ensemble  # noqa: F401
        from threadpoolctl import threadpool_limits

        with threadpool_limits(THREADS):
            return self._fit(X, y, X_cal, y_cal)

    def _fit(
        self, X: pd.DataFrame, y: np.ndarray, X_cal: pd.DataFrame, y_cal: np.ndarray
    ) -> ChurnModel:
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.tree import DecisionTreeClassifier

        self.boosting_ = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=31,
            min_samples_leaf=40,
            l2_regularization=1.0,
            early_stopping=True,
            validation_fraction=0.1,
            n_iter_no_change=10,
            random_state=self.seed,
        ).fit(self._matrix(X), y)
        self.calibration_ = IsotonicCalibration().fit(self._raw(X_cal), y_cal)
        self.baseline_ = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        self.baseline_.fit(self._rfm(X), y)
        raw_baseline = self.baseline_.predict_proba(self._rfm(X_cal))[:, 1]
        self.baseline_calibration_ = IsotonicCalibration().fit(raw_baseline, y_cal)
        self.rule_features_ = [f for f in RULE_FEATURES if f in self.features]
        leaf = max(50, int(0.02 * len(X)))
        self.rules_ = DecisionTreeClassifier(
            max_depth=RULE_DEPTH, min_samples_leaf=leaf, random_state=self.seed
        ).fit(X[self.rule_features_].to_numpy(dtype=float), y)
        return self

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        return X[self.features].to_numpy(dtype=float)

    def _rfm(self, X: pd.DataFrame) -> np.ndarray:
        return np.log1p(np.clip(X[list(RFM_BASELINE)].to_numpy(dtype=float), 0, None))

    def _raw(self, X: pd.DataFrame) -> np.ndarray:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(THREADS):
            p = self.boosting_.predict_proba(self._matrix(X))[:, 1]
        return np.asarray(p, dtype=float)

    # -- predictions ---------------------------------------------------------------------
    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of churn (no purchase in the horizon), one per row."""
        return self.calibration_.transform(self._raw(X))

    def baseline_proba(self, X: pd.DataFrame) -> np.ndarray:
        """The RFM-only logistic regression's calibrated probability."""
        return self.baseline_calibration_.transform(
            self.baseline_.predict_proba(self._rfm(X))[:, 1]
        )

    # -- explain -------------------------------------------------------------------------
    def drivers(self, X: pd.DataFrame, y: np.ndarray, *, max_rows: int = 5_000) -> pd.DataFrame:
        """Global drivers: mean and standard deviation of the drop in ROC-AUC when one
        feature's values are shuffled (5 repeats, on at most ``max_rows`` rows)."""
        from sklearn.inspection import permutation_importance
        from sklearn.metrics import roc_auc_score

        rng = np.random.default_rng(self.seed)
        rows = np.sort(rng.permutation(len(X))[:max_rows])

        def auc(model: ChurnModel, data: pd.DataFrame, outcome: np.ndarray) -> float:
            return float(roc_auc_score(outcome, model.predict_proba(data)))

        result = permutation_importance(
            self,
            X.iloc[rows][self.features],
            np.asarray(y)[rows],
            scoring=auc,
            n_repeats=5,
            random_state=self.seed,
        )
        out = pd.DataFrame(
            {
                "feature": self.features,
                "importance": result.importances_mean,
                "importance_std": result.importances_std,
            }
        )
        group_of = {f: g for g, names in FEATURE_GROUPS.items() for f in names}
        out["feature_group"] = out["feature"].map(group_of)
        out = out.sort_values(["importance", "feature"], ascending=[False, True], kind="stable")
        out["rank"] = np.arange(1, len(out) + 1)
        return out.reset_index(drop=True)

    def contributions(
        self,
        X: pd.DataFrame,
        reference: dict[str, float],
        rows: Mapping[str, np.ndarray] | None = None,
    ) -> pd.DataFrame:
        """Per row and feature group: churn probability minus the probability with that
        group's features set to ``reference`` (the retained customers' medians).

        ``rows`` limits each group to the rows (a boolean mask) whose contribution is
        wanted, the rows where one of its reasons holds (:func:`.reasons.needed_rows`);
        the others are NaN and a group absent from ``rows`` is not computed. Every group
        costs one pass of the boosted trees over its rows, the largest part of scoring.
        """
        p = self.predict_proba(X)
        out = {}
        for group, names in FEATURE_GROUPS.items():
            present = [n for n in names if n in self.features]
            if not present or (rows is not None and group not in rows):
                continue
            mask = np.ones(len(X), dtype=bool) if rows is None else np.asarray(rows[group])
            values = np.full(len(X), np.nan)
            if mask.any():
                changed = X.loc[mask, self.features].copy()
                for n in present:
                    changed[n] = reference.get(n, np.nan)
                values[mask] = p[mask] - self.predict_proba(changed)
            out[group] = values
        return pd.DataFrame(out, index=X.index)


Condition = tuple[str, str, float]


def tree_rules(model: ChurnModel) -> list[tuple[int, list[Condition]]]:
    """The rule tree's leaves: (node id, conditions ``(feature, "<=" | ">", threshold)``),
    conditions on the same feature and side merged, left branches first."""
    tree = model.rules_.tree_
    names = model.rule_features_
    rules: list[tuple[int, list[Condition]]] = []

    def walk(node: int, path: list[Condition]) -> None:
        if tree.children_left[node] == -1:
            rules.append((node, _merge(path)))
            return
        name, threshold = names[tree.feature[node]], float(tree.threshold[node])
        walk(tree.children_left[node], [*path, (name, "<=", threshold)])
        walk(tree.children_right[node], [*path, (name, ">", threshold)])

    walk(0, [])
    return rules


def _merge(path: list[Condition]) -> list[Condition]:
    merged: dict[tuple[str, str], float] = {}
    for name, op, threshold in path:
        key = (name, op)
        if key in merged:
            keep = min if op == "<=" else max
            merged[key] = keep(merged[key], threshold)
        else:
            merged[key] = threshold
    return [(name, op, t) for (name, op), t in merged.items()]


def rule_leaves(model: ChurnModel, X: pd.DataFrame) -> np.ndarray:
    """The rule tree's leaf (node id, as :func:`tree_rules` names it) of each row."""
    return np.asarray(model.rules_.apply(X[model.rule_features_].to_numpy(dtype=float)))
