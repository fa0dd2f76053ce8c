"""Signals that a prediction may be wrong, for `needs_review`.

A theme's probability near its threshold is one sign (the rule shipped until session 5); a
finding unlike anything the model was trained on is another, and so is a model that disagrees
with the labels of the finding's nearest training findings. ``scripts/review_flags.py``
measures each under grouped CV by publication. Plain numpy: inference imports no scikit-learn.
"""
from __future__ import annotations

import numpy as np

from classifier.model.thresholds import logit_distance

__all__ = ["SIGNALS", "review_signals"]

SIGNALS = ("margin", "novelty", "knn_disagreement", "n_themes", "spread")
K_NEIGHBOURS = 10


def review_signals(proba: np.ndarray, thresholds: np.ndarray, vectors: np.ndarray,
                   train_vectors: np.ndarray, train_Y: np.ndarray, *,
                   k: int = K_NEIGHBOURS) -> np.ndarray:
    """(n_findings, len(SIGNALS)) — larger means more likely wrong.

    ``vectors`` and ``train_vectors`` are L2-normalised embeddings; ``train_Y`` the 0/1 labels
    of the training findings; ``thresholds`` per theme, or per row and theme.
    """
    proba = np.asarray(proba, dtype=float)
    thresholds = np.broadcast_to(thresholds, proba.shape)
    predicted = proba >= thresholds
    margin = -logit_distance(proba, thresholds).min(axis=1)
    sims = np.asarray(vectors, dtype=np.float32) @ np.asarray(train_vectors, dtype=np.float32).T
    k = min(k, sims.shape[1])
    nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    near_sims = np.take_along_axis(sims, nearest, axis=1)
    weights = np.clip(near_sims, 1e-6, None)
    knn = (weights[:, :, None] * np.asarray(train_Y)[nearest]).sum(axis=1) / weights.sum(axis=1,
                                                                                  keepdims=True)
    novelty = 1.0 - near_sims.max(axis=1)
    disagreement = np.abs(knn - predicted).sum(axis=1)
    spread = (proba * (1 - proba)).sum(axis=1)
    return np.column_stack([margin, novelty, disagreement, predicted.sum(axis=1), spread])
