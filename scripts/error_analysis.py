"""Where the model goes wrong under grouped CV: by theme, and by the kind of publication.

Reads the held-out predictions ``scripts/experiments.py`` saved for a row (default 0, the model
in use) and groups them by who published the finding's text: an inspectorate (HMCPSI, CJJI,
HMICFRS, HMI Probation), the CPS or the SFO answering an inspection, or others (press, legal
press, blogs, charities, Parliament). Per theme it counts false positives and false negatives
and keeps a few of each for reading. Saved to ``scripts/results/error_analysis.json``.

    python scripts/error_analysis.py [--row 0]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from classifier.codebook import default_codebook
from classifier.evaluation.evaluate import theme_f1
from classifier.ingest.corpus import corpus_dir, read_publication
from classifier.ingest.datasets import real_findings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import save  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
INSPECTORATES = {"HMCPSI", "CJJI", "HMICFRS", "HMI Probation"}
SEED_KIND = {"report-001": "inspectorate", "seed-000": "inspectorate", "seed-002": "inspectorate", "seed-003": "inspectorate",
             "seed-004": "other"}  # seed 004 is a PCC's evidence to a committee


def publisher_kind(publisher: str) -> str:
    if publisher in INSPECTORATES:
        return "inspectorate"
    if publisher in ("CPS", "SFO"):
        return "prosecutor's response"
    if publisher.startswith("other:") and any(w in publisher for w in ("Parliament", "Hansard",
                                                                       "Attorney General")):
        return "parliamentary"
    return "press and other commentary"


def kinds_by_id() -> dict[str, str]:
    real = real_findings()
    publishers = {p.stem: read_publication(p)[0].get("publisher", "")
                  for p in sorted(corpus_dir().glob("[0-9]*.txt"))}
    out = {}
    for rec in real.itertuples():
        if rec.group in SEED_KIND:
            out[rec.id] = SEED_KIND[rec.group]
        else:
            out[rec.id] = publisher_kind(publishers[rec.source.removesuffix(".txt")])
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--row", type=int, default=0)
    args = parser.parse_args(argv)
    cb = default_codebook()
    oof = np.load(RESULTS / "experiments_oof" / f"row{args.row:02d}.npz")
    texts = real_findings().set_index("id")["text"]
    kind = np.array([kinds_by_id()[i] for i in oof["ids"]])
    Y, P = oof["Y"], oof["P"]
    out = {"row": args.row, "by_kind": {}, "by_theme": {}}
    print(f"{'kind':<28}{'n':>6}{'macro-F1':>10}{'exact':>8}")
    for k in sorted(set(kind)):
        m = kind == k
        f1 = float(np.nanmean(theme_f1(Y[m], P[m])))
        exact = float((Y[m] == P[m]).all(axis=1).mean())
        out["by_kind"][k] = {"n": int(m.sum()), "macro_f1": round(f1, 3), "exact_match": round(exact, 3),
                             "f1": {t: (None if np.isnan(v) else round(float(v), 3))
                                    for t, v in zip(cb.ids, theme_f1(Y[m], P[m]))}}
        print(f"{k:<28}{m.sum():>6}{f1:>10.3f}{exact:>8.1%}")
    for j, t in enumerate(cb.ids):
        fp = np.flatnonzero((P[:, j] == 1) & (Y[:, j] == 0))
        fn = np.flatnonzero((P[:, j] == 0) & (Y[:, j] == 1))
        out["by_theme"][t] = {
            "false_positives": int(len(fp)), "false_negatives": int(len(fn)),
            "false_positives_by_kind": pd.Series(kind[fp]).value_counts().to_dict(),
            "false_negatives_by_kind": pd.Series(kind[fn]).value_counts().to_dict(),
            "examples_fp": [texts[oof["ids"][i]][:200] for i in fp[:4]],
            "examples_fn": [texts[oof["ids"][i]][:200] for i in fn[:4]]}
        print(f"{t:<22} FP {len(fp):>3}  FN {len(fn):>3}")
    save(out, RESULTS / "error_analysis.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
