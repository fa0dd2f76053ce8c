"""Does reviewing the uncertain findings first teach the model more than reviewing at random?

A simulation of the review loop on the labelled data, fold by fold of the grouped CV (10
folds by publication group; the sealed split is never used). For held-out fold F (a few
publications, as if newly added) and the next fold F' (publications nobody reviews):

1. train on report 001, the written findings and the other folds; classify F;
2. a reviewer corrects k findings of F (their true labels are taken): either the k closest
   to a threshold (``uncertainty``: smallest log-odds distance of any theme to its
   threshold, the order of the review queue) or k at random (3 draws, averaged);
3. retrain with those k corrections; score
   - ``report``: the whole of F as users then see it — the k corrected findings right, the
     rest as the retrained model says (the fair comparison: scoring only the rest would
     reward picking the hard ones out of the test set);
   - ``unseen``: F', publications that no correction touched (does it generalise?).

Macro-F1 is pooled over folds; intervals are a bootstrap over publication groups of the
paired difference (uncertainty − random). Thresholds use one fold split inside training
(``threshold_repeats=1``) for both strategies, to keep the run under an hour on 2 cores.

    python scripts/simulate_review.py [--ks 5 10 20] [--draws 3]
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from classifier.codebook import default_codebook
from classifier.model.embed import Embedder
from classifier.evaluation.evaluate import (grouped_splits, load_eval_data, paired_difference_interval,
                                 theme_f1)
from classifier.model.thresholds import logit_distance
from classifier.model.pipeline import ThemeModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import save  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "review_simulation.json"


def _fit_predict(make, data, train, test):
    texts, Y = data.subset(train)
    model = make().fit(texts, Y)
    proba = model.predict_proba(data.subset(test)[0])
    return model, proba, (proba >= model.thresholds_).astype(int)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ks", type=int, nargs="+", default=[5, 10, 20])
    parser.add_argument("--draws", type=int, default=3, help="random draws per fold and k")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    codebook = default_codebook()
    embedder = Embedder()
    data = load_eval_data(codebook)
    embedder.encode(data.texts)
    make = lambda: ThemeModel(embedder, codebook=codebook, threshold_repeats=1, n_jobs=2)  # noqa: E731
    folds = [test for _, test in grouped_splits(data)]
    usable = data.role != "sealed"
    strategies = ["uncertainty"] + [f"random{d}" for d in range(args.draws)]
    # pooled (Y, P, group) per (k, strategy, target)
    pooled: dict = {}
    start = time.time()
    for i, fold in enumerate(folds):
        unseen = folds[(i + 1) % len(folds)]
        train = usable & ~fold & ~unseen
        model, proba, P0 = _fit_predict(make, data, train, fold)
        P0_unseen = (model.predict_proba(data.subset(unseen)[0]) >= model.thresholds_).astype(int)
        order = np.argsort(logit_distance(proba, model.thresholds_).min(axis=1), kind="stable")
        fold_idx = np.flatnonzero(fold)
        runs = [(0, "none", P0, P0_unseen)]
        for k in args.ks:
            for strategy in strategies:
                if strategy == "uncertainty":
                    picked = fold_idx[order[:k]]
                else:
                    rng = np.random.default_rng(1000 * i + int(strategy[6:]))
                    picked = rng.choice(fold_idx, k, replace=False)
                corrected = np.zeros(len(data.texts), dtype=bool)
                corrected[picked] = True
                retrained, _, P = _fit_predict(make, data, train | corrected, fold)
                P[corrected[fold]] = data.Y[corrected & fold]  # the reviewed ones are right
                P_unseen = (retrained.predict_proba(data.subset(unseen)[0])
                            >= retrained.thresholds_).astype(int)
                runs.append((k, strategy, P, P_unseen))
        for k, strategy, P, P_unseen in runs:
            for target, mask, pred in (("report", fold, P), ("unseen", unseen, P_unseen)):
                entry = pooled.setdefault((k, strategy, target), {"Y": [], "P": [], "g": []})
                entry["Y"].append(data.Y[mask])
                entry["P"].append(pred)
                entry["g"].append(data.group[mask])
        print(f"fold {i + 1}/{len(folds)} done ({time.time() - start:.0f} s)", flush=True)

    def stacked(key):
        e = pooled[key]
        return np.vstack(e["Y"]), np.vstack(e["P"]), np.concatenate(e["g"])

    rows = []
    for target in ("report", "unseen"):
        Y0, P0, _ = stacked((0, "none", target))
        base = float(np.nanmean(theme_f1(Y0, P0)))
        for k in args.ks:
            Y, P_u, g = stacked((k, "uncertainty", target))
            randoms = [stacked((k, s, target))[1] for s in strategies[1:]]
            f_u = float(np.nanmean(theme_f1(Y, P_u)))
            f_r = float(np.mean([np.nanmean(theme_f1(Y, P)) for P in randoms]))
            rows.append({"target": target, "k": k, "no_review": round(base, 3),
                         "uncertainty_first": round(f_u, 3), "random": round(f_r, 3),
                         "gain": round(f_u - f_r, 3),
                         "gain_95ci": [round(v, 3) for v in paired_difference_interval(Y, P_u, randoms, g)]})
            print(rows[-1], flush=True)
    save({"folds": len(folds), "draws": args.draws, "seconds": round(time.time() - start),
          "rows": rows}, OUT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
