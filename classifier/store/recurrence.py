"""Recurrence groups: which stored findings state the same weakness.

A new finding joins the group of its most similar earlier finding when their cosine is at
least the recurrence threshold (0.6: at and above it pairs in report 001 restate one point;
below ~0.5 they only share a topic word), else it starts a group named by its own id. The
group is stored with the vector, so "found in N reports over Y years" is a group-by, not a
similarity join over the whole database each time the Overview is drawn.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from classifier.store.search import VectorIndex


def assign_groups(index: VectorIndex, groups: np.ndarray, ids: list[int], vectors: np.ndarray,
                  threshold: float) -> list[int]:
    """Group id for each new finding (in order), against the stored ones and earlier new ones."""
    out: list[int] = []
    if len(index):
        near_ids, near_sims = index.search_exact(vectors, 1)  # a batch: exact is cheap
        group_of = dict(zip(index.ids.tolist(), groups.tolist()))
        stored = [(group_of.get(int(i), int(i)), float(sim))
                  for i, sim in zip(near_ids[:, 0], near_sims[:, 0])]
    else:
        stored = [(0, -1.0)] * len(ids)
    within = vectors @ vectors.T if len(ids) else np.zeros((0, 0))
    for j, fid in enumerate(ids):
        best_group, best = stored[j]
        if j:
            k = int(np.argmax(within[j, :j]))
            if within[j, k] > best:
                best_group, best = out[k], float(within[j, k])
        out.append(best_group if best >= threshold else int(fid))
    return out


def recurring_across_reports(findings: pd.DataFrame, groups: pd.DataFrame,
                             min_reports: int = 2) -> pd.DataFrame:
    """Weaknesses (findings that are not strengths or good practice, grouped by similarity)
    found in at least ``min_reports``
    reports: N reports over Y years, the reports named, an example finding and its themes."""
    cols = ["weakness", "themes", "reports", "years", "first", "last", "findings", "report_titles",
            "recurrence_group"]
    issues = findings[~findings["kind"].isin(["strength", "good_practice"])]  # kind unknown: kept
    rows = issues.merge(groups, on="finding_id", how="inner")
    if rows.empty:
        return pd.DataFrame(columns=cols)
    out = []
    for group, part in rows.groupby("recurrence_group"):
        reports = part.drop_duplicates("report_id")
        if len(reports) < min_reports:
            continue
        years = part["year"].dropna()
        first = int(years.min()) if len(years) else None
        last = int(years.max()) if len(years) else None
        example = part.iloc[0]
        out.append({"weakness": example["text"][:200], "themes": example["themes"],
                    "reports": len(reports),
                    "years": (last - first + 1) if first is not None else None,
                    "first": first, "last": last, "findings": len(part),
                    "report_titles": "; ".join(reports.sort_values("date", na_position="last")
                                               ["report"].astype(str)),
                    "recurrence_group": int(group)})
    frame = pd.DataFrame(out, columns=cols)
    return frame.sort_values(["reports", "findings"], ascending=False).reset_index(drop=True)
