"""Apply a relabelling round to the labelled files: each relabelled item takes its new themes.

Usage: python scripts/apply_relabel.py RELABELLED.csv

RELABELLED is the output of ``reconcile_labels.py`` over a relabelling round's items (id, set,
context, text, themes, rationale). ``set`` names the file an item lives in: ``annex_b``
(labels.csv), ``seeds`` (seeds.csv), ``corpus`` (corpus.csv) or ``synthetic`` (synthetic.csv).
An item whose text no longer matches its file is refused, so a round cannot be applied to the
wrong findings. Re-running gives the same files.
"""
from __future__ import annotations

import sys
from pathlib import Path

from classifier import paths
from classifier.fileio import read_csv, write_csv

FILES = {"annex_b": "labels.csv", "seeds": "seeds.csv", "corpus": "corpus.csv",
         "synthetic": "synthetic.csv"}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    round_ = read_csv(Path(argv[0]))
    data = paths.data_dir()
    texts = read_csv(data / "findings.csv").set_index("id")["text"]
    for name, file in FILES.items():
        rows = round_[round_["set"] == name].set_index("id")
        if rows.empty:
            continue
        frame = read_csv(data / file)
        known = frame.set_index("id")["text"] if "text" in frame else texts
        for i, rec in rows.iterrows():
            if i not in known.index or known[i] != rec["text"]:
                print(f"error: {i}: not in {file} with this text; wrong round?", file=sys.stderr)
                return 2
        hit = frame["id"].isin(rows.index)
        frame.loc[hit, "themes"] = frame.loc[hit, "id"].map(rows["themes"])
        frame.loc[hit, "rationale"] = frame.loc[hit, "id"].map(rows["rationale"])
        write_csv(data / file, frame)
        print(f"{file}: {int(hit.sum())} items relabelled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
