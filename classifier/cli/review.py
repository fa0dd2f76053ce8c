"""`review list|set`: the review queue and human decisions."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import os


def _add_review(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="the review queue and human corrections",
                       description="Findings the model is least sure of first; a decision is "
                                   "stored with who, when and the label it replaces, never "
                                   "overwritten, and wins over the model everywhere.")
    rsub = p.add_subparsers(dest="review_command", metavar="ACTION")
    lst = rsub.add_parser("list", help="the next findings to review")
    lst.add_argument("--limit", type=int, default=20)
    lst.add_argument("--report", type=int, default=None, metavar="ID")
    lst.add_argument("--theme", default=None, help="only findings the model gave this theme")
    lst.add_argument("--area", default=None)
    lst.add_argument("--format", choices=["table", "json"], default="table")
    lst.add_argument("--models-dir", type=Path, default=None)
    lst.set_defaults(func=_run_review_list)
    st = rsub.add_parser("set", help="record a human decision on a finding")
    st.add_argument("finding_id", metavar="FINDING_ID")
    st.add_argument("--themes", required=True, help='e.g. "grip;disclosure", or "other"')
    st.add_argument("--by", default=None, help="who decides (default: your user name)")
    st.add_argument("--note", default="")
    st.add_argument("--models-dir", type=Path, default=None)
    st.set_defaults(func=_run_review_set)
    p.set_defaults(func=lambda args: (p.print_help(sys.stderr), 2)[1])


def _run_review_list(args: argparse.Namespace) -> int:
    import json

    from classifier.model.artefacts import read_manifest
    from classifier.jobs.classify import get_store
    from classifier.errors import InputError
    from classifier.insight.review import review_queue

    if args.limit < 1:
        raise InputError("--limit must be at least 1")
    store = get_store(args.models_dir)
    if args.theme:
        store.codebook.parse(args.theme)  # unknown theme -> one-line error
    thresholds = read_manifest(args.models_dir).get("thresholds", {})
    queue = review_queue(store.findings_frame(probabilities=True), thresholds,
                         report_id=args.report, theme=args.theme, area=args.area,
                         codebook=store.codebook).head(args.limit)
    pcols = [f"p_{t}" for t in store.codebook.ids]
    for rec in queue.to_dict("records"):
        if args.format == "json":
            out = {k: rec[k] for k in ("finding_id", "report_id", "report", "area", "part",
                                       "kind", "text", "themes", "needs_review", "margin",
                                       "model_version")}
            out["date"] = str(rec["date"]) if rec["date"] is not None else None
            out["probabilities"] = {c[2:]: rec[c] for c in pcols}
            print(json.dumps(out, ensure_ascii=False, default=str))
        else:
            flag = "!" if rec["needs_review"] else " "
            print(f"{rec['finding_id']:>7} {flag} [{rec['themes']}] (margin {rec['margin']:.2f}) "
                  f"report {rec['report_id']}: {rec['text'][:100]}")
    if args.format != "json":
        print(f"{len(queue)} finding(s); ! = needs review", file=sys.stderr)
    return 0


def _run_review_set(args: argparse.Namespace) -> int:
    import getpass

    from classifier.jobs.classify import get_store
    from classifier.errors import InputError

    try:
        finding_id = int(args.finding_id)
    except ValueError:
        raise InputError(f"FINDING_ID must be a number from `review list`, not "
                         f"{args.finding_id!r}") from None
    by = args.by if args.by is not None else (os.environ.get("USER") or getpass.getuser())
    row = get_store(args.models_dir).record_decision(finding_id, args.themes, by=by,
                                                     note=args.note)
    print(f"finding {finding_id}: {row['themes']} (by {row['decided_by']}; was "
          f"{row['previous_themes']} by the {row['previous_source'] or 'model'})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    _add_review(sub)
