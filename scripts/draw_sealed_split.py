"""Draw the sealed test split: 20 publication groups of the corpus, at random, once.

Run once, before any modelling, and never again: the split it writes
(``training_data/sealed_groups.txt``) is the one measure no choice touches. It refuses to
overwrite an existing split. Seed and count are fixed so the draw can be checked.

    python scripts/draw_sealed_split.py
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pandas as pd

SEED = 20261126
N_GROUPS = 20
ROOT = Path(__file__).resolve().parents[1] / "training_data"


def main() -> int:
    out = ROOT / "sealed_groups.txt"
    if out.exists():
        print(f"error: {out} exists; the sealed split is drawn once and never redrawn", file=sys.stderr)
        return 2
    groups = sorted(pd.read_csv(ROOT / "corpus_groups.csv", dtype=str)["group"].unique())
    sealed = sorted(random.Random(SEED).sample(groups, N_GROUPS))
    out.write_text(f"# sealed test split: {N_GROUPS} of {len(groups)} publication groups, "
                   f"random.Random({SEED}).sample; drawn before any modelling\n"
                   + "\n".join(sealed) + "\n", encoding="utf-8")
    print(f"sealed {len(sealed)} of {len(groups)} groups -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
