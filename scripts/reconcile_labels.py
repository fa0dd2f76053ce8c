"""Merge two labelling passes into one labelled file, applying the reconciler's decisions.

Usage: python scripts/reconcile_labels.py ITEMS.csv A.csv B.csv DECISIONS.csv OUT.csv

ITEMS has id plus the item columns (text, source, ...); A and B have id, themes, rationale;
DECISIONS has id, themes, rationale for every id on which A and B disagree. The script
refuses to write OUT if a disagreement has no decision, so no item is settled silently.
"""
from __future__ import annotations

import sys
from pathlib import Path

from classifier.codebook import default_codebook
from classifier.fileio import read_csv, write_csv


def main(argv: list[str]) -> int:
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    items, a, b, decisions = (read_csv(Path(p)) for p in argv[:4])
    cb = default_codebook()
    a = a.set_index("id")
    b = b.set_index("id")
    decided = decisions.set_index("id")
    rows = []
    for item in items.to_dict(orient="records"):
        i = item["id"]
        ta, tb = cb.format(cb.parse(a.at[i, "themes"])), cb.format(cb.parse(b.at[i, "themes"]))
        if i in decided.index:
            themes, why = cb.format(cb.parse(decided.at[i, "themes"])), decided.at[i, "rationale"]
        elif ta == tb:
            themes, why = ta, a.at[i, "rationale"] or b.at[i, "rationale"]
        else:
            print(f"error: {i}: passes disagree ({ta} vs {tb}) and DECISIONS has no row for it",
                  file=sys.stderr)
            return 2
        rows.append({**item, "themes": themes, "rationale": why})
    import pandas as pd

    write_csv(Path(argv[4]), pd.DataFrame(rows))
    print(f"{len(rows)} items -> {argv[4]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
