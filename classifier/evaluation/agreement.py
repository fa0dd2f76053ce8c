"""Inter-coder agreement for multi-label theme labels (Cohen's kappa per theme)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from classifier.codebook import Codebook, default_codebook
from classifier.ingest.datasets import label_matrix
from classifier.errors import ClassifierError


@dataclass
class AgreementReport:
    table: pd.DataFrame          # theme, kappa, percent_agreement, positives_a, positives_b
    n: int
    exact_match: float
    disagreements: pd.DataFrame  # id, themes_a, themes_b
    only_in: list[str]

    def as_dict(self) -> dict:
        return {"n": self.n, "exact_match": round(self.exact_match, 4),
                "per_theme": self.table.round(4).to_dict(orient="records"),
                "disagreements": len(self.disagreements)}


def agreement_report(a: pd.DataFrame, b: pd.DataFrame,
                     codebook: Codebook | None = None) -> AgreementReport:
    codebook = codebook or default_codebook()
    for name, frame in (("first", a), ("second", b)):
        if not {"id", "themes"} <= set(frame.columns):
            raise ClassifierError(f"{name} file needs columns id and themes")
        if frame["id"].duplicated().any():
            raise ClassifierError(f"{name} file has duplicate ids, e.g. "
                                  f"{frame.loc[frame['id'].duplicated(), 'id'].iloc[0]}")
    merged = a[["id", "themes"]].merge(b[["id", "themes"]], on="id", suffixes=("_a", "_b"))
    merged = merged.sort_values("id").reset_index(drop=True)
    only_in = sorted(set(a["id"]) ^ set(b["id"]))
    if merged.empty:
        raise ClassifierError("the two files share no ids")
    ya = label_matrix(merged["themes_a"], codebook)
    yb = label_matrix(merged["themes_b"], codebook)
    rows = []
    for j, theme in enumerate(codebook.ids + ["other"]):
        xa = ya[:, j] if j < len(codebook.ids) else (ya.sum(1) == 0).astype(int)
        xb = yb[:, j] if j < len(codebook.ids) else (yb.sum(1) == 0).astype(int)
        same = float(np.mean(xa == xb))
        kappa = 1.0 if (xa == xb).all() else float(cohen_kappa_score(xa, xb))
        rows.append({"theme": theme, "kappa": kappa, "percent_agreement": 100 * same,
                     "positives_a": int(xa.sum()), "positives_b": int(xb.sum())})
    table = pd.DataFrame(rows)
    themes_only = table[table.theme != "other"]
    table = pd.concat([table, pd.DataFrame([{
        "theme": "macro (5 themes)", "kappa": themes_only.kappa.mean(),
        "percent_agreement": themes_only.percent_agreement.mean(),
        "positives_a": int(themes_only.positives_a.sum()),
        "positives_b": int(themes_only.positives_b.sum())}])], ignore_index=True)
    norm_a = [codebook.format(codebook.parse(v)) for v in merged["themes_a"]]
    norm_b = [codebook.format(codebook.parse(v)) for v in merged["themes_b"]]
    differ = [x != y for x, y in zip(norm_a, norm_b)]
    disagreements = merged.loc[differ, ["id", "themes_a", "themes_b"]].reset_index(drop=True)
    return AgreementReport(table, len(merged), 1 - float(np.mean(differ)), disagreements, only_in)
