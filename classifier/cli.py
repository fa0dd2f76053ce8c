"""Command-line interface: ``python -m classifier COMMAND``.

Examples::

    python -m classifier extract                    # report 001 -> training_data/*.csv
    python -m classifier train                      # fit the model, write models/
    python -m classifier evaluate                   # model vs baselines, models/metrics.json
    python -m classifier classify in.csv --text-column text --output out.csv
    python -m classifier classify --text "Disclosure record sheets are not completed"
    python -m classifier similar "Reviews are late" --top-k 5
    python -m classifier report new_report.pdf other.docx --output findings.csv

Every command has ``--help``. Errors a user can fix print one line and exit 2;
``CLASSIFIER_DEBUG=1`` shows the traceback instead.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from classifier import __version__, paths
from classifier.errors import ClassifierError

log = logging.getLogger("classifier")


# --------------------------------------------------------------------------- extract
def _add_extract(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="extract findings and Area ratings from report 001",
                       description="Report 001 (AAP composite) -> findings.csv and "
                                   "area_ratings.csv, validated against the report's own counts.")
    p.add_argument("--source", type=Path, default=None,
                   help="the report text (default: training_data/sources/001_aap_composite_2019.txt)")
    p.add_argument("--output-dir", type=Path, default=None,
                   help="where findings.csv and area_ratings.csv go (default: training_data/)")
    p.set_defaults(func=_run_extract)


def _run_extract(args: argparse.Namespace) -> int:
    from classifier.extract import extract_report
    from classifier.fileio import write_csv

    source = args.source or paths.training_report()
    out_dir = args.output_dir or paths.data_dir()
    result = extract_report(source)
    findings, ratings = result.findings_frame(), result.ratings_frame()
    write_csv(out_dir / "findings.csv", findings)
    write_csv(out_dir / "area_ratings.csv", ratings)
    counts = result.counts().pivot(index="kind", columns="part", values="annex_b")
    print(f"{len(findings)} findings from {findings.area.nunique()} Areas -> {out_dir / 'findings.csv'}")
    print(counts.to_string())
    print(f"{len(ratings)} ratings ({ratings.area.nunique()} Areas) -> {out_dir / 'area_ratings.csv'}")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- main
COMMANDS = [_add_extract]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m classifier", description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n", 1)[1])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING - 10 * args.verbose, format="%(levelname)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 1
    try:
        return args.func(args)
    except ClassifierError as exc:
        if os.environ.get("CLASSIFIER_DEBUG"):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
