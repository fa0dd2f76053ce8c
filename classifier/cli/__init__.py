"""Command-line interface: ``python -m classifier COMMAND``.

Examples::

    python -m classifier extract                    # report 001 -> training_data/*.csv
    python -m classifier train                      # fit the model, write models/
    python -m classifier evaluate                   # model vs baselines, models/metrics.json
    python -m classifier classify in.csv --text-column text --output out.csv
    python -m classifier classify --text "Disclosure record sheets are not completed"
    python -m classifier similar "Reviews are late" --top-k 5
    python -m classifier report new_report.pdf other.docx --output findings.csv
    python -m classifier history add report.pdf --date 2021-03-01   # into the database
    python -m classifier history list | remove ID | seed | reclassify
    python -m classifier review list --limit 10 | set ID --themes "grip;disclosure"
    python -m classifier models list | use VERSION
    python -m classifier briefing --output brief.html --theme grip --from 2015
    python -m classifier export --format xlsx --output overview.xlsx
    python -m classifier app --port 8501            # serve the Streamlit app
    python -m classifier users add NAME --role reviewer   # sign-in for the app
    python -m classifier tokens create --role viewer --name NAME
    python -m classifier api --port 8000            # serve the HTTP API (/docs)

Every command has ``--help``. Errors a user can fix print one line and exit 2;
``CLASSIFIER_DEBUG=1`` shows the traceback instead.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys

from classifier import __version__
from classifier.cli import (api, app, briefing, classify, evaluate, export, history, models,
                            review, tokens, users)
from classifier.errors import ClassifierError

log = logging.getLogger("classifier")


# one module per command group, each adding its parsers in the order `--help` lists them
COMMAND_GROUPS = [models, evaluate, classify, history, review, briefing, export, app, api, users,
                  tokens]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m classifier", description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n", 1)[1])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(sub)
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
