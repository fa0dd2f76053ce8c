"""Honest evaluation: the model next to its baselines, under four schemes.

- ``random_cv``   repeated stratified k-fold over report 001's findings;
- ``by_area``     grouped CV, one Area's findings held out at a time (GroupKFold);
- ``by_part``     grouped CV, one Part held out at a time;
- ``out_of_report`` train on everything, test on the development set of findings
  from other publications (``devset.csv``) — the figure users will meet.

In every CV scheme the extra training findings (other publications, synthetic) are added to
the training folds only, and thresholds are tuned inside the training folds
(:class:`classifier.model.ThemeClassifier` does that within ``fit``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold, RepeatedStratifiedKFold

from classifier.codebook import Codebook, default_codebook
from classifier.errors import ClassifierError
from classifier.model import near_threshold

SCHEMES = ("random_cv", "by_area", "by_part", "out_of_report")


def scores(Y: np.ndarray, P: np.ndarray, proba: np.ndarray, ids: list[str]) -> dict:
    """Per-theme precision/recall/F1/Brier plus macro and micro F1."""
    p, r, f, support = precision_recall_fscore_support(Y, P, average=None, zero_division=0)
    per_theme = {t: {"precision": float(p[j]), "recall": float(r[j]), "f1": float(f[j]),
                     "brier": float(np.mean((proba[:, j] - Y[:, j]) ** 2)),
                     "support": int(support[j])} for j, t in enumerate(ids)}
    return {"per_theme": per_theme,
            "macro_f1": float(np.mean(f)),
            "micro_f1": float(f1_score(Y, P, average="micro", zero_division=0)),
            "brier": float(np.mean((proba - Y) ** 2)),
            "n": int(len(Y))}


def review_split(Y: np.ndarray, P: np.ndarray, proba: np.ndarray, thresholds: np.ndarray,
                 ids: list[str], margin: float = 0.5) -> dict:
    """Share flagged ``needs_review`` (a probability within ``margin`` log-odds of its
    threshold), and how good the unflagged predictions are compared with all of them."""
    flagged = near_threshold(proba, thresholds, margin)
    kept = ~flagged
    exact_all = float(np.mean((Y == P).all(axis=1)))
    out = {"margin": margin, "share_flagged": float(flagged.mean()),
           "exact_match_all": exact_all, "n_unflagged": int(kept.sum())}
    if kept.any():
        out["exact_match_unflagged"] = float(np.mean((Y[kept] == P[kept]).all(axis=1)))
        out["macro_f1_unflagged"] = float(f1_score(Y[kept], P[kept], average="macro",
                                                   zero_division=0))
    return out


def _strata(Y: np.ndarray, n_splits: int) -> np.ndarray:
    """Label-set strata for multi-label stratification; sets rarer than a fold share go to 'other'."""
    keys = np.array(["".join(map(str, row)) for row in Y])
    values, counts = np.unique(keys, return_counts=True)
    rare = set(values[counts < n_splits])
    fallback = "0" * Y.shape[1]
    return np.array([fallback if k in rare else k for k in keys])


@dataclass
class EvalData:
    texts: list[str]
    Y: np.ndarray
    area: np.ndarray
    part: np.ndarray
    extra_texts: list[str]
    extra_Y: np.ndarray
    dev_texts: list[str]
    dev_Y: np.ndarray


def _oof(make: Callable, data: EvalData, splits) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Out-of-fold predictions; each test item's prediction from a model that never saw it."""
    Ys, Ps, probas = [], [], []
    for train, test in splits:
        system = make()
        texts = [data.texts[i] for i in train] + data.extra_texts
        Y = np.vstack([data.Y[train], data.extra_Y]) if len(data.extra_texts) else data.Y[train]
        system.fit(texts, Y)
        test_texts = [data.texts[i] for i in test]
        proba = system.predict_proba(test_texts)
        Ys.append(data.Y[test])
        probas.append(proba)
        Ps.append((proba >= system.thresholds_).astype(int))
    return np.vstack(Ys), np.vstack(Ps), np.vstack(probas)


def evaluate_system(make: Callable, data: EvalData, codebook: Codebook, *,
                    schemes=SCHEMES, n_splits: int = 5, n_repeats: int = 3,
                    seed: int = 0) -> dict:
    ids = codebook.ids
    out = {}
    n = len(data.texts)
    if "random_cv" in schemes:
        rskf = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
        out["random_cv"] = scores(*_oof(make, data, rskf.split(np.zeros(n), _strata(data.Y, n_splits))), ids)
    if "by_area" in schemes:
        groups = data.area
        gkf = GroupKFold(n_splits=min(7, len(set(groups))))
        out["by_area"] = scores(*_oof(make, data, gkf.split(np.zeros(n), groups=groups)), ids)
    if "by_part" in schemes:
        gkf = GroupKFold(n_splits=len(set(data.part)))
        out["by_part"] = scores(*_oof(make, data, gkf.split(np.zeros(n), groups=data.part)), ids)
    if "out_of_report" in schemes and len(data.dev_texts):
        system = make()
        all_texts = data.texts + data.extra_texts
        all_Y = np.vstack([data.Y, data.extra_Y]) if len(data.extra_texts) else data.Y
        system.fit(all_texts, all_Y)
        proba = system.predict_proba(data.dev_texts)
        pred = (proba >= system.thresholds_).astype(int)
        out["out_of_report"] = scores(data.dev_Y, pred, proba, ids)
        out["out_of_report"]["review"] = review_split(data.dev_Y, pred, proba,
                                                      system.thresholds_, ids)
    return out


def load_eval_data(codebook: Codebook | None = None) -> EvalData:
    from classifier import data as d

    codebook = codebook or default_codebook()
    main = d.labelled_findings()
    # other publications' findings and the synthetic ones join every training fold
    extra = pd.concat([d.extra_findings(), d.synthetic_findings()], ignore_index=True)
    try:
        dev = d.devset()
    except ClassifierError:  # no development set yet: the other schemes still run
        dev = pd.DataFrame(columns=["text", "themes"])
    return EvalData(
        texts=main["text"].tolist(), Y=d.label_matrix(main["themes"], codebook),
        area=main["area"].to_numpy(), part=main["part"].to_numpy(),
        extra_texts=extra["text"].tolist(),
        extra_Y=d.label_matrix(extra["themes"], codebook) if len(extra) else
        np.zeros((0, len(codebook.ids)), dtype=int),
        dev_texts=dev["text"].tolist(),
        dev_Y=d.label_matrix(dev["themes"], codebook) if len(dev) else
        np.zeros((0, len(codebook.ids)), dtype=int))


def summary_table(results: dict[str, dict], codebook: Codebook) -> pd.DataFrame:
    """One row per (system, scheme): F1 per theme, macro/micro F1 and Brier."""
    rows = []
    for system, by_scheme in results.items():
        for scheme, s in by_scheme.items():
            row = {"system": system, "scheme": scheme}
            row.update({t: s["per_theme"][t]["f1"] for t in codebook.ids})
            row.update({"macro_f1": s["macro_f1"], "micro_f1": s["micro_f1"],
                        "brier": s["brier"], "n": s["n"]})
            rows.append(row)
    return pd.DataFrame(rows)
