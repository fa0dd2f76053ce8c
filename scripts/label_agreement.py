"""Agreement between two labelling passes: per-theme Cohen's kappa, % agreement, disagreements.

Usage: python scripts/label_agreement.py A.csv B.csv [--json OUT.json]

Both files need columns ``id`` and ``themes`` (theme ids joined by ';', or 'other').
Rows are matched by id; ids in only one file are reported and left out of the figures.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from classifier.evaluation.agreement import agreement_report
from classifier.errors import ClassifierError
from classifier.fileio import read_csv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--json", type=Path, help="also save the figures as JSON")
    args = parser.parse_args(argv)
    try:
        a, b = read_csv(args.first), read_csv(args.second)
        report = agreement_report(a, b)
    except ClassifierError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\nitems compared: {report.n}; exact match of the whole label set: "
          f"{report.exact_match:.1%}")
    if report.only_in:
        print(f"ids in only one file (left out): {', '.join(report.only_in[:10])}"
              + (" ..." if len(report.only_in) > 10 else ""))
    print(f"\n{len(report.disagreements)} disagreements:")
    for row in report.disagreements.itertuples(index=False):
        print(f"  {row.id}: {row.themes_a}  vs  {row.themes_b}")
    if args.json:
        from classifier.fileio import write_text
        write_text(args.json, json.dumps(report.as_dict(), indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
