"""`classify`, `similar`, `report`: themes for findings, one finding against history, whole reports."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from classifier.cli.common import output_format, write_table


def _add_classify(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("classify", help="classify findings in a CSV, or one finding",
                       description="Adds themes, p_<theme>, needs_review, flag and model_version "
                                   "to every row of INPUT (order and rows kept).")
    p.add_argument("input", type=Path, nargs="?", help="CSV file with a text column")
    p.add_argument("--text-column", default="text", help="column holding the finding text")
    p.add_argument("--id-column", default=None, help="column identifying rows (checked for presence)")
    p.add_argument("--output", type=Path, default=None,
                   help="output file (default: standard output); written whole at the end, and "
                        "an interrupted run started again continues where it stopped")
    p.add_argument("--format", choices=["csv", "json"], default=None,
                   help="csv, or json (one JSON object per line); default from --output's suffix")
    p.add_argument("--text", default=None, help="classify this one finding instead of a file")
    p.add_argument("--models-dir", type=Path, default=None, help="default: models/")
    p.set_defaults(func=_run_classify)


def _run_classify(args: argparse.Namespace) -> int:
    import pandas as pd

    from classifier.jobs.classify import classify_frame
    from classifier.errors import InputError
    from classifier.fileio import read_csv, read_csv_header

    if args.text is not None or args.input is None:
        text = args.text if args.text is not None else (
            sys.stdin.read() if not sys.stdin.isatty() else None)
        if text is None:
            raise InputError("give an INPUT.csv, --text \"...\" or a finding on standard input")
        frame = pd.DataFrame({"text": [text.strip()]})
        args.text_column = "text"
    elif args.output is not None:
        from classifier.jobs.classify import classify_csv_file

        if args.id_column:
            header = read_csv_header(args.input)
            if args.id_column not in header:
                raise InputError(f"column {args.id_column!r} not found; columns are: "
                                 f"{', '.join(header)} (use --id-column)")
        rows = classify_csv_file(args.input, args.output, args.text_column,
                                 fmt=output_format(args), models_dir=args.models_dir,
                                 progress=True)
        print(f"{rows} rows -> {args.output}", file=sys.stderr)
        return 0
    else:
        frame = read_csv(args.input)
        if frame.empty:
            raise InputError(f"{args.input}: has a header but no rows")
    for col in (args.text_column, args.id_column):
        if col and col not in frame.columns:
            raise InputError(f"column {col!r} not found; columns are: {', '.join(frame.columns)}"
                             f" (use --text-column / --id-column)")
    out = classify_frame(frame, args.text_column, models_dir=args.models_dir,
                         progress=len(frame) >= 500)
    write_table(out, args.output, output_format(args))
    if args.output:
        print(f"{len(out)} rows -> {args.output}", file=sys.stderr)
    return 0


def _add_similar(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("similar", help="themes and the most similar past findings for one finding",
                       description="Predicted themes with probabilities, the nearest past findings "
                                   "(the evidence), and in how many Areas and Parts a similar "
                                   "finding was made before.")
    p.add_argument("text", help="the finding")
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--models-dir", type=Path, default=None)
    p.set_defaults(func=_run_similar)


def _run_similar(args: argparse.Namespace) -> int:
    import json

    from classifier.jobs.classify import check_finding
    from classifier.errors import InputError

    if not args.text.strip():
        raise InputError("the finding text is empty")
    if args.top_k < 1:
        raise InputError("--top-k must be at least 1")
    result = check_finding(args.text, top_k=args.top_k, models_dir=args.models_dir)
    if args.format == "json":
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    print(f"themes: {result['themes']}" + ("   (needs review)" if result["needs_review"] else ""))
    for t, p in result["probabilities"].items():
        print(f"  {t:<20} {p:5.2f} {'#' * round(p * 20)}")
    print("\nmost similar past findings (evidence):")
    for s in result["similar"]:
        where = " / ".join(x for x in (s["area"], f"Part {s['part']}" if s["part"] else "",
                                       s["kind"]) if x) or s["source"]
        print(f"  {s['similarity']:.2f}  [{s['themes']}]  {where}\n        {s['text'][:160]}")
    r = result["recurrence"]
    print(f"\nrecurrence (similarity >= {r['threshold']}): {r['findings']} past findings in "
          f"{r['n_areas']} Areas ({', '.join(r['areas']) or '-'}) and {r['n_parts']} Parts "
          f"({', '.join(r['parts']) or '-'})")
    return 0


def _add_report(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="segment whole reports into findings and classify them",
                       description="Reads .txt .md .html .pdf .docx .csv reports, splits them into "
                                   "findings, classifies each and names its nearest precedent.")
    p.add_argument("files", type=Path, nargs="+")
    p.add_argument("--output", type=Path, required=True, help="OUT.csv or OUT.json")
    p.add_argument("--format", choices=["csv", "json"], default=None)
    p.add_argument("--text-column", default="text", help="text column of CSV inputs")
    p.add_argument("--add-to-history", action="store_true",
                   help="also store each file as a report in the findings database")
    p.add_argument("--models-dir", type=Path, default=None)
    p.set_defaults(func=_run_report)


def _run_report(args: argparse.Namespace) -> int:
    from classifier.jobs.classify import classify_reports

    frame, failures, added = classify_reports(args.files, models_dir=args.models_dir,
                                              text_column=args.text_column,
                                              add_to_history=args.add_to_history, progress=True)
    for name, reason in failures:
        print(f"error: {name}: {reason}", file=sys.stderr)
    if len(frame):
        write_table(frame, args.output, output_format(args))
        print(f"{len(frame)} findings from {frame['source_file'].nunique()} file(s) -> "
              f"{args.output}", file=sys.stderr)
    if args.add_to_history:
        print(f"history: {added.added} findings added, {added.skipped} file(s) already there",
              file=sys.stderr)
    if failures:
        return 1
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    _add_classify(sub)
    _add_similar(sub)
    _add_report(sub)
