"""Threshold arithmetic that inference needs, kept free of scikit-learn imports."""
from __future__ import annotations

import numpy as np

__all__ = ["near_threshold"]


def near_threshold(proba: np.ndarray, thresholds: np.ndarray, margin: float) -> np.ndarray:
    """True per row where any theme's probability is within ``margin`` of its threshold,
    measured in log-odds (so a threshold of 0.15 and one of 0.5 get comparable bands)."""
    def logit(p):
        p = np.clip(p, 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))

    return (np.abs(logit(np.asarray(proba)) - logit(np.asarray(thresholds))) < margin).any(axis=1)
