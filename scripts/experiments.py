"""What was tried, measured: each candidate under grouped CV by publication.

Every row is scored on the same held-out publication groups (10 folds, GroupKFold over every
real publication outside the sealed split: the restated corpus, press coverage included, and
seeds 000, 002, 003, 004), with a bootstrap 95% interval over groups. The sealed split is never
touched here. A candidate is kept only if it wins beyond the paired interval against the system
it would replace (``--compare A B``). Figures in ``scripts/results/experiments.json`` (rows
merge by name, so a subset can be re-run); held-out predictions per row in
``experiments_oof/`` for the paired comparisons and the needs_review study
(``scripts/review_flags.py``).

Learning curves: rows that keep only part of the written findings (``written=N``) or only a
share of the real training groups in each fold (``real=F``) show what limits the model.

    python scripts/experiments.py            # every row
    python scripts/experiments.py --only 0 3 # rows by number
    python scripts/experiments.py --compare 1 0
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from classifier.codebook import default_codebook
from classifier.evaluation.baselines import KeywordBaseline, TfidfBaseline
from classifier.evaluation.evaluate import (EvalData, grouped_splits, load_eval_data,
                                            paired_difference_interval, predictions,
                                            score_predictions)
from classifier.model.embed import Embedder
from classifier.model.pipeline import ThemeModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import save  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "experiments.json"
OOF = OUT.parent / "experiments_oof"
SEED = 20261204


def is_written(data: EvalData) -> np.ndarray:
    """Rows of ``written.csv``: the statements written from codebook v2.0 (session 5)."""
    return np.char.startswith(data.ids.astype(str), "w")


def keep_rows(data: EvalData, keep: np.ndarray) -> EvalData:
    return EvalData([t for t, k in zip(data.texts, keep) if k], data.Y[keep], data.role[keep],
                    data.group[keep], data.ids[keep])


def with_written(data: EvalData) -> EvalData:
    """The evaluation data plus every written statement, always trained on (role base)."""
    from classifier.ingest.datasets import label_matrix, written_findings

    extra = written_findings()
    return EvalData(data.texts + extra["text"].tolist(),
                    np.vstack([data.Y, label_matrix(extra["themes"])]),
                    np.concatenate([data.role, np.full(len(extra), "base")]),
                    np.concatenate([data.group, np.full(len(extra), "")]),
                    np.concatenate([data.ids, extra["id"].to_numpy()]))


def written(n: int | None):
    """Keep ``n`` of the written statements (a fixed random draw, nested: 500 ⊂ 1000 ⊂ …);
    ``None`` keeps them all."""
    def transform(data: EvalData) -> EvalData:
        data = with_written(data)
        rows = np.flatnonzero(is_written(data))
        keep = ~is_written(data)
        keep[np.random.default_rng(SEED).permutation(rows)[:n]] = True
        return keep_rows(data, keep)
    return transform


def without_old_written(data: EvalData) -> EvalData:
    return keep_rows(data, ~np.char.startswith(data.ids.astype(str), "synth-"))


def real_share(share: float):
    """Splits that train each fold on only ``share`` of the other real groups (the held-out
    groups are the same as in every other row)."""
    def splits(data: EvalData):
        rng = np.random.default_rng(SEED)
        for train, test in grouped_splits(data):
            groups = np.unique(data.group[train & (data.role == "cv")])
            drop = rng.permutation(groups)[:int(round(len(groups) * (1 - share)))]
            yield train & ~np.isin(data.group, drop), test
    return splits


class RealWeighted(ThemeModel):
    """Candidate: real findings of other publications weigh ``real_weight`` times as much as
    report 001's and the written ones (their wording is what the model meets in use)."""

    def __init__(self, embedder=None, *, real_weight: float = 3.0, **kwargs):
        super().__init__(embedder, **kwargs)
        self.real_weight = real_weight

    def fit(self, texts, Y, sample_weight=None):
        texts = list(texts)
        weights = np.where([t in REAL_TEXTS for t in texts], self.real_weight, 1.0)
        return super().fit(texts, Y, sample_weight=weights)


class KnnBlend(ThemeModel):
    """Candidate: the model's probabilities averaged with the labels of each finding's
    ``k`` nearest training findings (cosine-weighted), weight ``knn_weight``."""

    def __init__(self, embedder=None, *, knn_weight: float = 0.3, k: int = 10, **kwargs):
        super().__init__(embedder, **kwargs)
        self.knn_weight = knn_weight
        self.k = k

    def fit(self, texts, Y, sample_weight=None):
        texts = list(texts)
        super().fit(texts, Y, sample_weight)
        self.train_vectors_, self.train_Y_ = self._embed(texts), np.asarray(Y, dtype=float)
        return self

    def predict_proba_vectors(self, vectors, texts):
        proba = super().predict_proba_vectors(vectors, texts)
        sims = np.asarray(vectors) @ self.train_vectors_.T
        nearest = np.argpartition(-sims, self.k - 1, axis=1)[:, :self.k]
        w = np.clip(np.take_along_axis(sims, nearest, axis=1), 1e-6, None)
        knn = (w[:, :, None] * self.train_Y_[nearest]).sum(axis=1) / w.sum(axis=1, keepdims=True)
        return (1 - self.knn_weight) * proba + self.knn_weight * knn


def rows(embedder, codebook):
    model = lambda **kw: (lambda: ThemeModel(embedder, codebook=codebook, n_jobs=2, **kw))  # noqa: E731
    return [
        # name, make, data transform, splits
        ("model in use (written findings of session 2: 240)", model(), None, None),
        ("… + all 2,085 written statements (v2.0)", model(), written(None), None),
        ("… no written findings at all", model(), without_old_written, None),
        ("… + 500 written statements", model(), written(500), None),
        ("… + 1000 written statements", model(), written(1000), None),
        ("… + 1500 written statements", model(), written(1500), None),
        ("… real = 25% of training groups", model(), None, real_share(0.25)),
        ("… real = 50% of training groups", model(), None, real_share(0.5)),
        ("… C = 0.25", model(C=0.25), None, None),
        ("… C = 4", model(C=4.0), None, None),
        ("… codebook sentences weight 3", model(codebook_weight=3.0), None, None),
        ("… real findings weighted x3", lambda: RealWeighted(embedder, codebook=codebook, n_jobs=2), None, None),
        ("… blended with 10 nearest labels (0.3)", lambda: KnnBlend(embedder, codebook=codebook, n_jobs=2), None, None),
        ("baseline: keyword rules", lambda: KeywordBaseline(codebook), None, None),
        ("baseline: TF-IDF + LR", lambda: TfidfBaseline(n_jobs=2), None, None),
    ]


def compare(a: int, b: int) -> int:
    """Row a against row b on the findings both held out (the same ones, in the same order)."""
    A, B = (np.load(OOF / f"row{i:02d}.npz", allow_pickle=False) for i in (a, b))
    common = np.intersect1d(A["ids"], B["ids"])
    pick = lambda run: np.searchsorted(run["ids"], common, sorter=np.argsort(run["ids"]))  # noqa: E731
    ia, ib = np.argsort(A["ids"])[pick(A)], np.argsort(B["ids"])[pick(B)]
    low, high = paired_difference_interval(A["Y"][ia], A["P"][ia], [B["P"][ib]], A["group"][ia])
    verdict = "wins beyond the interval" if low > 0 else \
        ("loses beyond the interval" if high < 0 else "within noise")
    print(f"row {a} − row {b}: 95% interval of the macro-F1 difference [{low:.3f}, {high:.3f}] "
          f"on {len(common)} findings: row {a} {verdict}")
    return 0


REAL_TEXTS: set[str] = set()  # texts of real findings beyond report 001 (role cv or sealed)


def main(argv=None) -> int:
    global REAL_TEXTS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=int, nargs="*", help="row numbers to run")
    parser.add_argument("--compare", type=int, nargs=2, metavar=("A", "B"),
                        help="paired 95%% interval of row A's macro-F1 minus row B's (saved runs)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    if args.compare:
        return compare(*args.compare)
    codebook = default_codebook()
    embedder = Embedder()
    data = load_eval_data(codebook)
    embedder.encode(data.texts)
    REAL_TEXTS = {t for t, r in zip(data.texts, data.role) if r != "base"}
    saved = json.loads(OUT.read_text())["rows"] if OUT.exists() else []
    by_name = {r["name"]: r for r in saved if "grouped_cv_macro_f1" in r}
    table = rows(embedder, codebook)
    for i, (name, make, transform, splits) in enumerate(table):
        if args.only and i not in args.only:
            continue
        start = time.time()
        rows_data = transform(data) if transform else data
        pred = predictions(make, rows_data, (splits or grouped_splits)(rows_data))
        result = score_predictions(pred, codebook.ids)
        OOF.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(OOF / f"row{i:02d}.npz", ids=rows_data.ids[pred["index"]].astype(str),
                            Y=pred["Y"], P=pred["P"], proba=pred["proba"],
                            thresholds=pred["thresholds"], group=pred["group"].astype(str))
        row = {"name": name, "grouped_cv_macro_f1": round(result["macro_f1"], 3),
               "macro_f1_95ci": [round(v, 3) for v in result["macro_f1_95ci"]],
               "f1": {t: None if v["f1"] is None else round(v["f1"], 3)
                      for t, v in result["per_theme"].items()},
               "micro_f1": round(result["micro_f1"], 3), "n": result["n"],
               "groups": result["groups"], "written": int(is_written(rows_data).sum()),
               "seconds": round(time.time() - start)}
        by_name[name] = row
        print(f"[{i}] {row['grouped_cv_macro_f1']:.3f} {row['macro_f1_95ci']} {row['f1']}  {name}"
              f"  ({row['seconds']} s)", flush=True)
        order = [n for n, *_ in table]
        merged = sorted(by_name.values(),
                        key=lambda r: order.index(r["name"]) if r["name"] in order else 99)
        save({"scheme": "grouped_cv (10 folds by publication group)", "rows": merged}, OUT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
