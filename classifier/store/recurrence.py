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
    found in at least ``min_reports`` reports of at least two inspections (an inspection's
    report, press release and responses repeating one point is not recurrence): N reports
    of M inspections over Y years, the reports named, an example finding and its themes."""
    cols = ["weakness", "themes", "reports", "inspections", "years", "first", "last",
            "findings", "report_titles", "recurrence_group"]
    issues = findings[~findings["kind"].isin(["strength", "good_practice"])]  # kind unknown: kept
    keep = ["finding_id", "report_id", "report", "date", "year", "text", "themes"]
    rows = issues[keep].merge(groups, on="finding_id", how="inner")
    known = issues["inspection"] if "inspection" in issues else pd.Series("", issues.index)
    own = "report " + issues["report_id"].astype(str)  # no inspection known: its own
    rows["inspection"] = rows["finding_id"].map(
        pd.Series(known.where(known != "", own).to_numpy(), index=issues["finding_id"]))
    by_group = rows.groupby("recurrence_group", sort=True)
    n_reports = by_group["report_id"].nunique()
    n_inspections = by_group["inspection"].nunique()
    recurring = n_reports.index[(n_reports >= min_reports) & (n_inspections >= 2)]
    if recurring.empty:
        return pd.DataFrame(columns=cols)
    rows = rows[rows["recurrence_group"].isin(recurring)]  # most groups hold one report
    by_group = rows.groupby("recurrence_group", sort=True)
    example = by_group.nth(0).set_index("recurrence_group")
    first, last = by_group["year"].min(), by_group["year"].max()
    titles = (rows.drop_duplicates(["recurrence_group", "report_id"])
              .sort_values("date", na_position="last", kind="stable")
              .groupby("recurrence_group")["report"].agg(lambda r: "; ".join(r.astype(str))))
    frame = pd.DataFrame({
        "weakness": example["text"].str.slice(0, 200), "themes": example["themes"],
        "reports": n_reports.reindex(recurring),
        "inspections": n_inspections.reindex(recurring), "years": last - first + 1,
        "first": first, "last": last, "findings": by_group.size(), "report_titles": titles,
    }).rename_axis("recurrence_group").reset_index()
    return frame[cols].sort_values(["inspections", "reports", "findings"], ascending=False,
                                   kind="stable").reset_index(drop=True)
