"""`history add|list|show|remove|seed|reclassify`: the reports in the findings database."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _add_history(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("history", help="the findings database: add, list, remove, reclassify",
                       description="Every stored report and its findings (SQLite in models/, "
                                   "or PostgreSQL with CLASSIFIER_DATABASE_URL).")
    hsub = p.add_subparsers(dest="history_command", metavar="ACTION")
    add = hsub.add_parser("add", help="segment, classify and store reports (one each)",
                          description="Each FILE becomes one report, stored whole or not at "
                                      "all; a file stored before is left as it is.")
    add.add_argument("files", type=Path, nargs="+")
    add.add_argument("--title", default=None, help="report title (default: from the file)")
    add.add_argument("--publisher", default=None, help="e.g. HMCPSI (default: from the file)")
    add.add_argument("--date", default=None, metavar="YYYY-MM-DD",
                     help="publication date (default: from the file, if it names one)")
    add.add_argument("--text-column", default="text")
    add.add_argument("--models-dir", type=Path, default=None)
    add.set_defaults(func=_run_history_add)
    lst = hsub.add_parser("list", help="one line (or JSON object) per stored report")
    lst.add_argument("--format", choices=["table", "json"], default="table")
    lst.add_argument("--models-dir", type=Path, default=None)
    lst.set_defaults(func=_run_history_list)
    show = hsub.add_parser("show", help="the reports, and findings by label source")
    show.add_argument("--models-dir", type=Path, default=None)
    show.set_defaults(func=_run_history_show)
    rm = hsub.add_parser("remove", help="remove a report and its findings")
    rm.add_argument("report_id", metavar="REPORT_ID", help="from `history list`")
    rm.add_argument("--models-dir", type=Path, default=None)
    rm.set_defaults(func=_run_history_remove)
    re_ = hsub.add_parser("reclassify", help="re-score model-labelled findings with the "
                                             "model in use (human labels untouched)")
    re_.add_argument("--models-dir", type=Path, default=None)
    re_.set_defaults(func=_run_history_reclassify)
    seed = hsub.add_parser("seed", help="load every restated publication under training_data/ "
                                        "(a new database has them already)",
                           description="Store each restated publication and seed document "
                                       "not stored yet, with its reconciled labels as human "
                                       "labels, and embed them. Publications of the sealed "
                                       "split are stored but never used as training "
                                       "corrections.")
    seed.add_argument("--no-embed", action="store_true",
                      help="store only; the app or `train` embeds them later")
    seed.add_argument("--models-dir", type=Path, default=None)
    seed.set_defaults(func=_run_history_seed)
    p.set_defaults(func=lambda args: (p.print_help(sys.stderr), 2)[1])


def _run_history_add(args: argparse.Namespace) -> int:
    from classifier.jobs.classify import classify_reports
    from classifier.errors import InputError
    from classifier.ingest.reportmeta import parse_date

    if args.title is not None and len(args.files) > 1:
        raise InputError("--title names one report: give one FILE with it")
    if args.title is not None and not args.title.strip():
        raise InputError("--title is empty")
    given = {"title": args.title, "publisher": args.publisher, "date": parse_date(args.date)}
    for path in args.files:
        if not path.is_file():
            raise InputError(f"{path}: file not found; check the path")
    frame, failures, outcome = classify_reports(
        args.files, models_dir=args.models_dir, text_column=args.text_column,
        add_to_history=True, progress=True, meta=given)
    for name, reason in failures:
        print(f"error: {name}: {reason}", file=sys.stderr)
    for name, result in outcome.reports:
        if result.existed:
            print(f"{name}: already stored as report {result.report_id}; nothing added")
        else:
            print(f"{name}: report {result.report_id}, {result.findings} findings added")
    return 1 if failures else 0


def _reports_records(models_dir) -> list[dict]:
    from classifier.jobs.classify import get_store

    reports = get_store(models_dir).reports()
    cut = {"year": 4, "month": 7}  # a date as precise as its source gave it
    return [{"id": int(r.id), "title": r.title, "publisher": r.publisher,
             "date": r.date.isoformat()[:cut.get(r.date_precision, 10)]
             if r.date is not None and not isinstance(r.date, float) else None,
             "findings": int(r.findings), "file_name": r.file_name, "kind": r.kind,
             "area": r.area, "source_url": r.source_url, "held_out": bool(r.held_out)}
            for r in reports.itertuples()]


def _run_history_list(args: argparse.Namespace) -> int:
    import json

    records = _reports_records(args.models_dir)
    if args.format == "json":
        for rec in records:
            print(json.dumps(rec, ensure_ascii=False))
        return 0
    for rec in records:
        print(f"{rec['id']:>5}  {rec['date'] or '----------':<10}  {rec['findings']:>5} findings  "
              f"{rec['publisher'] or '-':<10}  {rec['title'][:70]}")
    print(f"{len(records)} report(s)", file=sys.stderr)
    return 0


def _run_history_show(args: argparse.Namespace) -> int:
    from classifier.jobs.classify import get_store

    args.format = "table"
    _run_history_list(args)
    frame = get_store(args.models_dir).findings_frame()
    print(f"\n{len(frame)} findings; by label source:")
    print(frame.groupby("label_source").size().to_string())
    return 0


def _run_history_remove(args: argparse.Namespace) -> int:
    from classifier.jobs.classify import get_store
    from classifier.errors import InputError

    try:
        report_id = int(args.report_id)
    except ValueError:
        raise InputError(f"REPORT_ID must be a number from `history list`, not "
                         f"{args.report_id!r}") from None
    gone = get_store(args.models_dir).remove_report(report_id)
    print(f"removed report {gone['id']} ({gone['title'][:80]}) and its {gone['findings']} "
          f"findings")
    return 0


def _run_history_seed(args: argparse.Namespace) -> int:
    from classifier.jobs.history import seed_history

    done = seed_history(args.models_dir, embed=not args.no_embed)
    print(f"{done.reports} publication(s) added with {done.findings} findings; "
          f"{done.skipped} already stored; {done.embedded} findings embedded"
          + (f" ({done.vectors_note})" if done.vectors_note else ""))
    return 0


def _run_history_reclassify(args: argparse.Namespace) -> int:
    from classifier.jobs.classify import reclassify_store

    n, version = reclassify_store(args.models_dir)
    print(f"{n} model-labelled findings re-scored with model {version}; human labels untouched")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    _add_history(sub)
