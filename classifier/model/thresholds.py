"""Threshold arithmetic that inference needs, kept free of scikit-learn imports."""
from __future__ import annotations

import numpy as np

__all__ = ["REVIEW_MARGIN", "logit_distance", "near_threshold"]

# A finding is marked needs_review when a theme's probability lies within this many log-odds of
# its threshold (0.7: odds within a factor of 2). Chosen on grouped CV by publication so that
# about 15% of findings are flagged (0.5 flagged 9%, 1.0 flagged 27%); README, "Needs review".
REVIEW_MARGIN = 0.7


def logit_distance(proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """|logit(p) − logit(threshold)| per theme: how far each decision is from flipping, in
    log-odds (so a threshold of 0.15 and one of 0.5 get comparable distances)."""
    def logit(p):
        p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))

    return np.abs(logit(proba) - logit(thresholds))


def near_threshold(proba: np.ndarray, thresholds: np.ndarray, margin: float) -> np.ndarray:
    """True per row where any theme's probability is within ``margin`` log-odds of its
    threshold: a guess not to be trusted without a look."""
    return (logit_distance(proba, thresholds) < margin).any(axis=1)
