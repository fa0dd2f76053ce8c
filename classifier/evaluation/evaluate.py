"""Honest evaluation: the model next to its baselines, on publications it never saw.

Two measures, both on real findings from publications other than report 001:

- ``grouped_cv``  the main scheme. The publication groups outside the sealed split (the
  restated corpus and seeds 000, 002, 003, 004) are held out ten folds at a time
  (GroupKFold): an inspection, its follow-up and the responses to it are never on both
  sides. Every fold trains on report 001 (Annex B and body), the written findings and the
  other groups. Scores are pooled over folds, with 95% intervals from a bootstrap over
  publication groups. Every modelling choice is made on this scheme.
- ``sealed``      20 publication groups drawn at random before any modelling
  (``training_data/sealed_groups.txt``); trained on everything else, scored as it comes out.
  No choice is made on it.

Thresholds are tuned inside the training data (:class:`classifier.model.estimator.ThemeClassifier`
does that within ``fit``), never on the held-out groups.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold

from classifier.codebook import Codebook, default_codebook
from classifier.errors import ClassifierError
from classifier.model.review import BUDGET, fit_review_rule, review_features
from classifier.model.thresholds import REVIEW_MARGIN, near_threshold

SCHEMES = ("grouped_cv", "sealed")
N_FOLDS = 10
N_BOOTSTRAP = 1000


def theme_f1(Y: np.ndarray, P: np.ndarray) -> np.ndarray:
    """F1 per theme; NaN for a theme with no positive finding in ``Y`` (its F1 says nothing
    there: any prediction of it is a false positive, counted in precision of nothing)."""
    f = f1_score(Y, P, average=None, zero_division=0)
    return np.where(Y.sum(axis=0) > 0, f, np.nan)


def scores(Y: np.ndarray, P: np.ndarray, proba: np.ndarray, ids: list[str]) -> dict:
    """Per-theme precision/recall/F1/Brier plus macro and micro F1. Macro-F1 averages the
    themes that occur in ``Y``; a theme that does not is reported with its false positives."""
    p, r, _, support = precision_recall_fscore_support(Y, P, average=None, zero_division=0)
    f = theme_f1(Y, P)
    per_theme = {t: {"precision": float(p[j]), "recall": float(r[j]),
                     "f1": None if np.isnan(f[j]) else float(f[j]),
                     "brier": float(np.mean((proba[:, j] - Y[:, j]) ** 2)),
                     "support": int(support[j]),
                     "false_positives": int(((P[:, j] == 1) & (Y[:, j] == 0)).sum())}
                 for j, t in enumerate(ids)}
    return {"per_theme": per_theme,
            "macro_f1": float(np.nanmean(f)),
            "micro_f1": float(f1_score(Y, P, average="micro", zero_division=0)),
            "brier": float(np.mean((proba - Y) ** 2)),
            "exact_match": float(np.mean((Y == P).all(axis=1))),
            "n": int(len(Y))}


def review_split(Y: np.ndarray, P: np.ndarray, proba: np.ndarray, thresholds: np.ndarray,
                 ids: list[str], margin: float = REVIEW_MARGIN) -> dict:
    """Share flagged ``needs_review`` (a probability within ``margin`` log-odds of its
    threshold), and how good the unflagged predictions are compared with all of them."""
    flagged = near_threshold(proba, thresholds, margin)
    kept = ~flagged
    exact_all = float(np.mean((Y == P).all(axis=1)))
    out = {"margin": margin, "share_flagged": float(flagged.mean()),
           "exact_match_all": exact_all, "n_unflagged": int(kept.sum())}
    if kept.any():
        out["exact_match_unflagged"] = float(np.mean((Y[kept] == P[kept]).all(axis=1)))
        out["macro_f1_unflagged"] = float(np.nanmean(theme_f1(Y[kept], P[kept])))
    exact = (Y == P).all(axis=1)
    out["curve"] = []  # what other margins would flag, and how right the rest would be
    for m in (0.25, 0.5, 0.7, 1.0, 1.5, 2.0):
        rest = ~near_threshold(proba, thresholds, m)
        out["curve"].append({"margin": m, "share_flagged": float(1 - rest.mean()),
                             "exact_match_unflagged": float(exact[rest].mean()) if rest.any()
                             else None})
    return out


def learned_review_split(Y: np.ndarray, P: np.ndarray, proba: np.ndarray,
                         thresholds: np.ndarray, texts: list[str], fold: np.ndarray, *,
                         budget: float = BUDGET) -> dict:
    """The learnt `needs_review` rule (:mod:`classifier.model.review`) scored cross-fitted:
    each fold is flagged by a rule fitted on the other folds' held-out predictions, with the
    cut that flags ``budget`` of those. Share flagged, share of the wrong findings caught, and
    exact match of the unflagged; ``margin_rule`` is the threshold-margin rule held to the
    same budget the same way, for comparison."""
    features = review_features(proba, thresholds, texts)
    nearest = features[:, len(thresholds[0])]  # minus the smallest log-odds distance
    wrong = ~(Y == P).all(axis=1)
    flagged, by_margin = np.zeros(len(Y), dtype=bool), np.zeros(len(Y), dtype=bool)
    for f in np.unique(fold):
        mine = fold == f
        rule = fit_review_rule(features[~mine], wrong[~mine], budget=budget)
        flagged[mine] = rule.scores(features[mine]) > rule.cut
        by_margin[mine] = nearest[mine] > np.quantile(nearest[~mine], 1 - budget)
    return {**flag_figures(flagged, wrong, budget),
            "margin_rule": flag_figures(by_margin, wrong, budget)}


def flag_figures(flagged: np.ndarray, wrong: np.ndarray, budget: float) -> dict:
    return {"budget": budget, "share_flagged": float(flagged.mean()),
            "wrong_caught": float(flagged[wrong].mean()) if wrong.any() else None,
            "exact_match_unflagged": float((~wrong[~flagged]).mean()) if (~flagged).any()
            else None}


@dataclass
class EvalData:
    """Texts and labels by role: ``base`` is always trained on (report 001, written
    findings), ``cv`` is held out group by group, ``sealed`` is the sealed split."""
    texts: list[str]
    Y: np.ndarray
    role: np.ndarray    # "base" | "cv" | "sealed"
    group: np.ndarray   # publication group ("" for base rows)
    ids: np.ndarray

    def subset(self, mask: np.ndarray) -> tuple[list[str], np.ndarray]:
        return [t for t, m in zip(self.texts, mask) if m], self.Y[mask]


def grouped_splits(data: EvalData, n_splits: int = N_FOLDS):
    """(train mask, test mask) per fold: held-out groups of the ``cv`` role."""
    cv = np.flatnonzero(data.role == "cv")
    gkf = GroupKFold(n_splits=min(n_splits, len(set(data.group[cv]))))
    for _, test in gkf.split(cv, groups=data.group[cv]):
        test_mask = np.zeros(len(data.texts), dtype=bool)
        test_mask[cv[test]] = True
        yield (data.role != "sealed") & ~test_mask, test_mask


def sealed_split(data: EvalData):
    yield data.role != "sealed", data.role == "sealed"


def predictions(make: Callable, data: EvalData, splits) -> dict[str, np.ndarray]:
    """Held-out predictions, each from a system that never saw the item's publication group.

    Returns Y, P (0/1 predictions), proba, thresholds (per row: its fold's), group, index (the
    row in ``data``) and fold.
    """
    out = {k: [] for k in ("Y", "P", "proba", "thresholds", "group", "index", "fold")}
    for fold, (train, test) in enumerate(splits):
        system = make()
        system.fit(*data.subset(train))
        test_texts, Y = data.subset(test)
        proba = system.predict_proba(test_texts)
        thresholds = np.tile(system.thresholds_, (len(proba), 1))
        out["Y"].append(Y)
        out["proba"].append(proba)
        out["P"].append((proba >= thresholds).astype(int))
        out["thresholds"].append(thresholds)
        out["group"].append(data.group[test])
        out["index"].append(np.flatnonzero(test))
        out["fold"].append(np.full(len(Y), fold))
    stacked = {k: np.concatenate(v) for k, v in out.items()}
    order = np.argsort(stacked["index"], kind="stable")
    return {k: v[order] for k, v in stacked.items()}


def group_resamples(groups: np.ndarray, *, n: int = N_BOOTSTRAP, seed: int = 0):
    """``n`` bootstrap resamples of row indices, drawing publication groups (the unit that
    was held out) with replacement."""
    rng = np.random.default_rng(seed)
    names = np.unique(groups)
    rows = {g: np.flatnonzero(groups == g) for g in names}
    for _ in range(n):
        yield np.concatenate([rows[g] for g in rng.choice(names, size=len(names))])


def bootstrap_interval(Y: np.ndarray, P: np.ndarray, groups: np.ndarray, *,
                       n: int = N_BOOTSTRAP, seed: int = 0) -> dict:
    """95% intervals of macro-F1 and each theme's F1 over group resamples."""
    per_theme = np.array([theme_f1(Y[idx], P[idx])
                          for idx in group_resamples(groups, n=n, seed=seed)])
    lo, hi = np.percentile(np.nanmean(per_theme, axis=1), [2.5, 97.5])
    with warnings.catch_warnings():  # a theme absent from every resample has no interval
        warnings.simplefilter("ignore", RuntimeWarning)
        theme_lo, theme_hi = np.nanpercentile(per_theme, [2.5, 97.5], axis=0)
    return {"macro_f1": [float(lo), float(hi)],
            "per_theme": [[float(a), float(b)] for a, b in zip(theme_lo, theme_hi)]}


def paired_difference_interval(Y: np.ndarray, P_a: np.ndarray, P_bs: list[np.ndarray],
                               groups: np.ndarray, *, n: int = N_BOOTSTRAP,
                               seed: int = 0) -> list[float]:
    """95% interval of macro-F1(P_a) − mean macro-F1 of ``P_bs`` on the same findings,
    over group resamples (one resample for both sides, so what the two systems share
    cancels out and the interval is narrower than either system's own)."""
    diffs = [np.nanmean(theme_f1(Y[idx], P_a[idx]))
             - np.mean([np.nanmean(theme_f1(Y[idx], P_b[idx])) for P_b in P_bs])
             for idx in group_resamples(groups, n=n, seed=seed)]
    return [float(v) for v in np.percentile(diffs, [2.5, 97.5])]


def score_predictions(pred: dict[str, np.ndarray], ids: list[str], *,
                      margin: float = REVIEW_MARGIN, bootstrap: bool = True,
                      texts: list[str] | None = None) -> dict:
    """Scores, the margin rule's review split and, given the held-out ``texts`` and more than
    one fold, the learnt review rule's (cross-fitted)."""
    result = scores(pred["Y"], pred["P"], pred["proba"], ids)
    result["groups"] = int(len(np.unique(pred["group"])))
    result["review"] = review_split(pred["Y"], pred["P"], pred["proba"], pred["thresholds"],
                                    ids, margin)
    if texts is not None and len(np.unique(pred["fold"])) > 1:
        result["review_learned"] = learned_review_split(pred["Y"], pred["P"], pred["proba"],
                                                        pred["thresholds"], texts, pred["fold"])
    if bootstrap:
        ci = bootstrap_interval(pred["Y"], pred["P"], pred["group"])
        result["macro_f1_95ci"] = ci["macro_f1"]
        for t, interval in zip(ids, ci["per_theme"]):
            result["per_theme"][t]["f1_95ci"] = interval
    return result


def evaluate_system(make: Callable, data: EvalData, codebook: Codebook, *,
                    schemes=("grouped_cv",), n_splits: int = N_FOLDS,
                    margin: float = REVIEW_MARGIN, bootstrap: bool = True) -> dict:
    """Scores of one system under the named schemes (``sealed`` only when asked)."""
    out, rule = {}, None
    for scheme in schemes:
        if scheme == "grouped_cv":
            splits = grouped_splits(data, n_splits)
        elif scheme == "sealed":
            splits = sealed_split(data)
        else:
            raise ValueError(f"unknown scheme {scheme!r}; choose from {SCHEMES}")
        pred = predictions(make, data, splits)
        texts = [data.texts[i] for i in pred["index"]]
        out[scheme] = score_predictions(pred, codebook.ids, margin=margin, bootstrap=bootstrap,
                                        texts=texts)
        wrong = ~(pred["Y"] == pred["P"]).all(axis=1)
        if scheme == "grouped_cv":  # the rule `train` would ship, for the sealed split
            rule = fit_review_rule(review_features(pred["proba"], pred["thresholds"], texts),
                                   wrong)
        elif rule is not None:
            flagged = rule.flags(pred["proba"], pred["thresholds"], texts)
            out[scheme]["review_learned"] = flag_figures(flagged, wrong, rule.budget)
    return out


def load_eval_data(codebook: Codebook | None = None, data_dir=None) -> EvalData:
    """Every labelled finding with its role: base (report 001 and the written findings),
    cv (real findings of other publications) or sealed."""
    from classifier.ingest import datasets as d

    codebook = codebook or default_codebook()
    main = d.labelled_findings(data_dir).assign(group="", role="base")
    real = d.real_findings(data_dir)
    real = real.assign(role=np.where(real["sealed"], "sealed",
                                     np.where(real["group"] == "report-001", "base", "cv")))
    real.loc[real["role"] == "base", "group"] = ""
    synthetic = d.synthetic_findings(data_dir).assign(group="", role="base")
    cols = ["id", "text", "themes", "group", "role"]
    frame = pd.concat([main[cols], real[cols], synthetic[cols]], ignore_index=True)
    if not (frame["role"] == "cv").any():
        raise ClassifierError("no labelled findings outside report 001 to evaluate on; "
                              "see training_data/README.md")
    return EvalData(texts=frame["text"].tolist(), Y=d.label_matrix(frame["themes"], codebook),
                    role=frame["role"].to_numpy(), group=frame["group"].to_numpy(),
                    ids=frame["id"].to_numpy())


def summary_table(results: dict[str, dict], codebook: Codebook) -> pd.DataFrame:
    """One row per (system, scheme): F1 per theme, macro/micro F1 and Brier."""
    rows = []
    for system, by_scheme in results.items():
        for scheme, s in by_scheme.items():
            row = {"system": system, "scheme": scheme}
            row.update({t: s["per_theme"][t]["f1"] for t in codebook.ids})  # None: no positives
            ci = s.get("macro_f1_95ci")
            row.update({"macro_f1": s["macro_f1"],
                        "macro_95ci": f"{ci[0]:.3f}-{ci[1]:.3f}" if ci else "",
                        "micro_f1": s["micro_f1"], "brier": s["brier"], "n": s["n"],
                        "groups": s.get("groups", 0)})
            rows.append(row)
    return pd.DataFrame(rows)
