"""Which `needs_review` rule catches the model's mistakes? Measured on grouped-CV predictions.

Reads the held-out predictions a row of ``scripts/experiments.py`` saved (default: row 1, the
model in use) and scores candidate flags, each held to the same budget (a share of findings
flagged), cross-fitted by fold: a rule's cut-off (and, for the learned rule, its weights) are
chosen on the other folds' findings and applied to the fold's own, so no fold is flagged by a
rule that saw it. A finding counts as wrong when its predicted theme set differs from its label.

Candidates:
- ``margin``   a theme's probability near its threshold (the rule shipped until session 5).
- ``neighbours`` how unlike the training findings the finding is (1 − cosine to the nearest).
- ``knn``      disagreement between the model and the labels of the 10 nearest training
               findings.
- ``learned (shipped)`` the rule `train` fits (:mod:`classifier.model.review`): a logistic
               regression over the prediction's shape alone.
- ``learned + neighbours`` the same with the novelty and kNN signals (needs the training
               vectors at inference).

    python scripts/review_flags.py [--row 1] [--budget 0.2]
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from classifier.evaluation.evaluate import grouped_splits, load_eval_data
from classifier.model.embed import Embedder
from classifier.model.review import review_features, review_signals

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import save  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def fold_signals(data, vectors: np.ndarray, oof) -> tuple[np.ndarray, np.ndarray]:
    """(signals, fold) per held-out finding, each from its own fold's training findings."""
    position = {i: n for n, i in enumerate(data.ids.astype(str))}
    rows = np.array([position[i] for i in oof["ids"]])
    signals, fold = None, np.full(len(rows), -1)
    for f, (train, test) in enumerate(grouped_splits(data)):
        mine = np.flatnonzero(test[rows])
        sig = review_signals(oof["proba"][mine], oof["thresholds"][mine], vectors[rows[mine]],
                             vectors[train], data.Y[train])
        signals = np.zeros((len(rows), sig.shape[1])) if signals is None else signals
        signals[mine], fold[mine] = sig, f
    return signals, fold


def flag_at_budget(score: np.ndarray, fold: np.ndarray, budget: float) -> np.ndarray:
    """Flag the findings whose score passes the cut that flags ``budget`` of the other folds."""
    flagged = np.zeros(len(score), dtype=bool)
    for f in np.unique(fold):
        cut = np.quantile(score[fold != f], 1 - budget)
        flagged[fold == f] = score[fold == f] > cut
    return flagged


def learned_score(signals: np.ndarray, wrong: np.ndarray, fold: np.ndarray) -> np.ndarray:
    score = np.zeros(len(wrong))
    for f in np.unique(fold):
        fit = LogisticRegression(C=1.0, max_iter=1000).fit(signals[fold != f], wrong[fold != f])
        score[fold == f] = fit.decision_function(signals[fold == f])
    return score


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--row", type=int, default=1)
    parser.add_argument("--budget", type=float, default=0.2)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    oof = np.load(RESULTS / "experiments_oof" / f"row{args.row:02d}.npz")
    data = load_eval_data()
    vectors = Embedder().encode(data.texts)
    signals, fold = fold_signals(data, vectors, oof)
    wrong = ~(oof["Y"] == oof["P"]).all(axis=1)
    position = {i: n for n, i in enumerate(data.ids.astype(str))}
    texts = [data.texts[position[i]] for i in oof["ids"]]
    shape = review_features(oof["proba"], oof["thresholds"], texts)
    candidates = {"margin": signals[:, 0], "neighbours": signals[:, 1], "knn": signals[:, 2],
                  "learned (shipped)": learned_score(shape, wrong, fold),
                  "learned + neighbours": learned_score(np.hstack([shape, signals[:, 1:3]]),
                                                        wrong, fold)}
    out = {"row": args.row, "budget": args.budget, "findings": int(len(wrong)),
           "wrong": int(wrong.sum()), "candidates": {}}
    print(f"{len(wrong)} held-out findings, {wrong.sum()} wrong ({wrong.mean():.1%})")
    for name, score in candidates.items():
        flagged = flag_at_budget(score, fold, args.budget)
        caught = float(flagged[wrong].mean())
        rest = float((~wrong[~flagged]).mean())
        out["candidates"][name] = {"share_flagged": round(float(flagged.mean()), 3),
                                   "wrong_caught": round(caught, 3),
                                   "exact_match_unflagged": round(rest, 3)}
        print(f"{name:<21} flags {flagged.mean():.1%}, catches {caught:.1%} of the wrong, "
              f"exact match of the rest {rest:.1%}")
    save(out, RESULTS / "review_flags.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
