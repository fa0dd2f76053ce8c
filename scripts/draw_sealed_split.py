"""Draw the sealed test split: 25 publication groups of the newer corpus files, at random, once.

Run once, before any modelling on the new material, and never again: the split it writes
(``training_data/sealed_groups.txt``) is the one measure no choice touches. It refuses to
overwrite an existing split. Seed and count are fixed so the draw can be checked.

The first split (20 groups, seed 20261126) was scored in session 3 and is spent; it is kept
as ``sealed_groups_spent_2026-11.txt``. This one is drawn only from groups made entirely of
files 201-291, so no publication of it was ever seen by a modelling choice.

    python scripts/draw_sealed_split.py
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pandas as pd

SEED = 20261204
N_GROUPS = 25
FIRST_NEW_FILE = 201
ROOT = Path(__file__).resolve().parents[1] / "training_data"


def main() -> int:
    out = ROOT / "sealed_groups.txt"
    if out.exists():
        print(f"error: {out} exists; the sealed split is drawn once and never redrawn", file=sys.stderr)
        return 2
    table = pd.read_csv(ROOT / "corpus_groups.csv", dtype=str)
    newest = table.groupby("group")["publication"].apply(lambda p: p.astype(int).min())
    groups = sorted(newest[newest >= FIRST_NEW_FILE].index)
    sealed = sorted(random.Random(SEED).sample(groups, N_GROUPS))
    out.write_text(f"# sealed test split: {N_GROUPS} of the {len(groups)} groups made only of files "
                   f"{FIRST_NEW_FILE}+, random.Random({SEED}).sample; drawn before any modelling\n"
                   + "\n".join(sealed) + "\n", encoding="utf-8")
    print(f"sealed {len(sealed)} of {len(groups)} groups -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
