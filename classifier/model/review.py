"""`needs_review`: which predictions are likely wrong, learnt from the model's own mistakes.

Until session 5 a finding was flagged when any theme's probability sat within 0.7 log-odds of
its threshold; under grouped CV that flagged 20% and caught 39% of the wrong findings. The
rule here is a logistic regression over the shape of a prediction — each theme's distance
from its threshold, the nearest of them, how many themes were given, the spread of the
probabilities, the finding's length — fitted at ``train`` on the grouped-CV predictions
(the model's mistakes on publications it had not seen), with the cut that flags a fixed share
of them (``budget``). Scored cross-fitted by fold, it flags 20% and catches half of the wrong
findings (``scripts/review_flags.py``; README, "Needs review").

``review_signals`` adds signals that need the training findings' vectors (novelty, the
labels of the nearest training findings); measured in the study, not shipped.

Plain numpy at inference (the rule is six numbers per theme stored in the manifest); only
:func:`fit_review_rule` imports scikit-learn.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from classifier.model.thresholds import logit_distance

__all__ = ["ReviewRule", "fit_review_rule", "review_features", "review_signals"]

BUDGET = 0.2  # the share of findings the rule flags on the data it is fitted on
K_NEIGHBOURS = 10


def review_features(proba: np.ndarray, thresholds: np.ndarray, texts) -> np.ndarray:
    """(n_findings, n_themes + 4): minus each theme's log-odds distance from its threshold,
    minus the smallest of them, the number of themes given, Σ p(1 − p), log(1 + words)."""
    proba = np.asarray(proba, dtype=float)
    thresholds = np.broadcast_to(np.asarray(thresholds, dtype=float), proba.shape)
    distance = logit_distance(proba, thresholds)
    words = np.log1p([len(str(t).split()) for t in texts])
    return np.column_stack([-distance, -distance.min(axis=1), (proba >= thresholds).sum(axis=1),
                            (proba * (1 - proba)).sum(axis=1), words])


@dataclass
class ReviewRule:
    """A fitted rule: ``score = features · weights + intercept``; flagged when score > cut."""

    weights: list[float]
    intercept: float
    cut: float
    budget: float

    def scores(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(features, dtype=float) @ np.asarray(self.weights) + self.intercept

    def flags(self, proba: np.ndarray, thresholds: np.ndarray, texts) -> np.ndarray:
        return self.scores(review_features(proba, thresholds, texts)) > self.cut

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, value: dict) -> "ReviewRule":
        return cls(weights=[float(w) for w in value["weights"]],
                   intercept=float(value["intercept"]), cut=float(value["cut"]),
                   budget=float(value["budget"]))


def fit_review_rule(features: np.ndarray, wrong: np.ndarray, *,
                    budget: float = BUDGET) -> ReviewRule:
    """Fit the rule on held-out predictions: ``wrong`` marks findings whose predicted theme set
    differed from their label; the cut flags ``budget`` of them."""
    from sklearn.linear_model import LogisticRegression

    fit = LogisticRegression(C=1.0, max_iter=3000).fit(features, np.asarray(wrong, dtype=int))
    scores = fit.decision_function(features)
    return ReviewRule(weights=[float(w) for w in fit.coef_[0]], intercept=float(fit.intercept_[0]),
                      cut=float(np.quantile(scores, 1 - budget)), budget=budget)


def review_signals(proba: np.ndarray, thresholds: np.ndarray, vectors: np.ndarray,
                   train_vectors: np.ndarray, train_Y: np.ndarray, *,
                   k: int = K_NEIGHBOURS) -> np.ndarray:
    """Study signals, (n_findings, 5) — larger means more likely wrong: the nearest threshold
    (minus its log-odds distance), novelty (1 − cosine to the nearest training finding), how
    far the model's themes are from the ``k`` nearest training findings' labels, the number
    of themes given, Σ p(1 − p). Vectors are L2-normalised."""
    proba = np.asarray(proba, dtype=float)
    thresholds = np.broadcast_to(thresholds, proba.shape)
    predicted = proba >= thresholds
    sims = np.asarray(vectors, dtype=np.float32) @ np.asarray(train_vectors, dtype=np.float32).T
    k = min(k, sims.shape[1])
    nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    near_sims = np.take_along_axis(sims, nearest, axis=1)
    weights = np.clip(near_sims, 1e-6, None)
    knn = (weights[:, :, None] * np.asarray(train_Y)[nearest]).sum(axis=1) \
        / weights.sum(axis=1, keepdims=True)
    return np.column_stack([-logit_distance(proba, thresholds).min(axis=1),
                            1.0 - near_sims.max(axis=1), np.abs(knn - predicted).sum(axis=1),
                            predicted.sum(axis=1), (proba * (1 - proba)).sum(axis=1)])
