"""Re-measure the README's table of what was tried for generalisation.

Each row is a choice of training data and features; every row is scored on the
out-of-report development set (never trained on) and, as a check that a change
does not only suit the devset, on grouped CV by Part inside report 001. The row
in use gets a bootstrap 95% interval on the devset, so differences can be read
against the noise of 190 items.

    python scripts/experiments.py            # prints the table, saves scripts/results/experiments.json
"""
from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from _results import save

from classifier import data as d
from classifier.codebook import default_codebook
from classifier.embed import Embedder
from classifier.evaluate import evaluate_system, load_eval_data
from classifier.pipeline import ThemeModel

RESULTS = Path(__file__).resolve().parent / "results" / "experiments.json"
SYNTH2 = Path(__file__).resolve().parent.parent / "training_data" / "labelling" / "synth2_labelled.csv"

PLAIN = {"use_codebook": False, "keyword_weight": 0, "actor_weight": 0, "threshold_repeats": 1}
BEFORE = {"keyword_weight": 1.0, "actor_weight": 0, "threshold_repeats": 1}  # session 1
IN_USE = {}  # ThemeModel's defaults

# (what was tried, training sets beyond Annex B, ThemeModel parameters)
ROWS = [
    ("MiniLM + calibrated LR, Annex B only", (), PLAIN),
    ("… + findings from other publications (extra.csv)", ("extra",), PLAIN),
    ("… + codebook definitions, in-rules, examples as sentences", ("extra",),
     {**PLAIN, "use_codebook": True, "codebook_negatives": False}),
    ("… + codebook `other` subjects as negatives", ("extra",), {**PLAIN, "use_codebook": True}),
    ("… + codebook-term flags (model of session 1)", ("extra",), BEFORE),
    ("… + synthetic findings, batch 1 (240)", ("extra", "synthetic"), BEFORE),
    ("… + whose-work flags", ("extra", "synthetic"), {"threshold_repeats": 1}),
    ("… + thresholds from 3 pooled fold splits: the model in use", ("extra", "synthetic"),
     IN_USE),
    ("whose-work flags without the synthetic findings", ("extra",), {}),
    ("in use + synthetic batch 2 (200 more)", ("extra", "synthetic", "synth2"), IN_USE),
    ("in use, synthetic batch 2 instead of batch 1", ("extra", "synth2"), IN_USE),
    ("in use, whose-work flags weight 2", ("extra", "synthetic"), {"actor_weight": 2.0}),
    ("in use, codebook-term flags weight 0.5", ("extra", "synthetic"), {"keyword_weight": 0.5}),
    ("in use, C = 0.5", ("extra", "synthetic"), {"C": 0.5}),
    ("in use, C = 2", ("extra", "synthetic"), {"C": 2.0}),
]


def training_extra(sets: tuple[str, ...], codebook) -> tuple[list[str], np.ndarray]:
    frames = {"extra": d.extra_findings, "synthetic": d.synthetic_findings,
              "synth2": lambda: pd.read_csv(SYNTH2, dtype=str, keep_default_na=False)}
    parts = [frames[name]() for name in sets]
    if not parts:
        return [], np.zeros((0, len(codebook.ids)), dtype=int)
    frame = pd.concat(parts, ignore_index=True)
    return frame["text"].tolist(), d.label_matrix(frame["themes"], codebook)


def bootstrap_interval(Y: np.ndarray, P: np.ndarray, n: int = 2000, seed: int = 0):
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n):
        idx = rng.integers(0, len(Y), len(Y))
        values.append(f1_score(Y[idx], P[idx], average="macro", zero_division=0))
    return [float(v) for v in np.percentile(values, [2.5, 97.5])]


def threshold_stability(embedder, codebook, base, seeds=range(5)) -> dict:
    """How much each theme's threshold moves with the fold seed, for 1 and 3 pooled splits."""
    texts, Y = training_extra(("extra", "synthetic"), codebook)
    out = {}
    for repeats in (1, 3):
        thresholds, f1s = [], []
        for seed in seeds:
            model = ThemeModel(embedder, codebook=codebook, random_state=seed,
                               threshold_repeats=repeats)
            model.fit(base.texts + texts, np.vstack([base.Y, Y]))
            thresholds.append(model.thresholds_)
            f1s.append(f1_score(base.dev_Y, model.predict(base.dev_texts), average="macro",
                                zero_division=0))
        thresholds = np.array(thresholds)
        out[repeats] = {"std": dict(zip(codebook.ids, np.round(thresholds.std(0), 3).tolist())),
                        "mean": dict(zip(codebook.ids, np.round(thresholds.mean(0), 2).tolist())),
                        "devset_macro_f1": [round(float(np.mean(f1s)), 3),
                                            round(float(np.std(f1s)), 3)]}
    return out


def main() -> int:
    codebook = default_codebook()
    embedder = Embedder()
    base = load_eval_data(codebook)
    rows = []
    for name, sets, params in ROWS:
        start = time.perf_counter()
        texts, Y = training_extra(sets, codebook)
        data = replace(base, extra_texts=texts, extra_Y=Y)
        result = evaluate_system(lambda: ThemeModel(embedder, codebook=codebook, **params),
                                 data, codebook, schemes=("by_part", "out_of_report"))
        dev = result["out_of_report"]
        row = {"change": name, "training": ["annex_b", *sets], "params": params,
               "out_of_report_macro_f1": round(dev["macro_f1"], 3),
               **{t: round(dev["per_theme"][t]["f1"], 3) for t in codebook.ids},
               "by_part_macro_f1": round(result["by_part"]["macro_f1"], 3),
               "seconds": round(time.perf_counter() - start, 1)}
        if params is IN_USE and sets == ("extra", "synthetic"):
            model = ThemeModel(embedder, codebook=codebook)
            model.fit(base.texts + texts, np.vstack([base.Y, Y]))
            pred = model.predict(base.dev_texts)
            row["out_of_report_95ci"] = [round(v, 3) for v in
                                         bootstrap_interval(base.dev_Y, pred)]
        rows.append(row)
        print(f"{row['out_of_report_macro_f1']:.3f}  by Part {row['by_part_macro_f1']:.3f}  "
              f"{name}", flush=True)
    stability = threshold_stability(embedder, codebook, base)
    table = pd.DataFrame(rows)
    print(table.drop(columns=["training", "params"]).to_string(index=False))
    for repeats, figures in stability.items():
        print(f"thresholds over 5 seeds, {repeats} fold split(s): std per theme "
              f"{figures['std']}, devset macro-F1 {figures['devset_macro_f1']}")
    save({"rows": rows, "devset_items": len(base.dev_texts),
          "threshold_stability": stability}, RESULTS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
