"""The review queue: which findings a human decision would help most, first.

Order: findings the model marked ``needs_review``, then the rest by how close their
closest theme probability is to that theme's threshold (in log-odds, as needs_review
measures it), so the next decision is always the most uncertain one left. Findings a human
already labelled (report 001's Annex B, earlier decisions) are not in the queue.
Pandas only: the queue needs the thresholds from the manifest, not the model.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from classifier.codebook import Codebook, default_codebook
from classifier.model.thresholds import logit_distance


def review_queue(findings: pd.DataFrame, thresholds: dict[str, float], *,
                 report_id: int | None = None, theme: str | None = None,
                 area: str | None = None, codebook: Codebook | None = None) -> pd.DataFrame:
    """Model-labelled findings in review order, with a ``margin`` column (log-odds to the
    nearest threshold; smaller = less certain). ``findings`` needs p_<theme> columns."""
    codebook = codebook or default_codebook()
    queue = findings[findings["label_source"] == "model"]
    if report_id is not None:
        queue = queue[queue["report_id"] == report_id]
    if theme:
        queue = queue[queue["themes"].str.split(";").map(lambda ts: theme in ts)]
    if area:
        queue = queue[queue["area"] == area]
    queue = queue.copy()
    pcols = [f"p_{t}" for t in codebook.ids]
    if len(queue):
        probs = queue[pcols].to_numpy(dtype=float)
        cut = np.array([thresholds.get(t, 0.5) for t in codebook.ids])
        margin = logit_distance(probs, cut)
        margin = np.where(np.isnan(margin), np.inf, margin)
        queue["margin"] = np.round(margin.min(axis=1), 3)
    else:
        queue["margin"] = pd.Series(dtype=float)
    queue = queue.sort_values(["needs_review", "margin", "finding_id"],
                              ascending=[False, True, True])
    return queue.reset_index(drop=True)
