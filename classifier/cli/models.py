"""`extract`, `train`, `models list|use`: the training data from report 001, fitting a model, and the kept versions."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from classifier import paths
from classifier.cli.common import add_model_option


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
    from classifier.ingest.extract import extract_report
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


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="fit the model on all labelled data and write models/",
                       description="Fit the theme model on every labelled finding (training_data/), "
                                   "cross-validate it by publication group for the manifest; the "
                                   "findings database gets vectors for any finding that lacks them.")
    add_model_option(p)
    p.add_argument("--if-missing", action="store_true",
                   help="do nothing when models/ already holds a valid model")
    p.add_argument("--models-dir", type=Path, default=None, help="default: models/")
    p.set_defaults(func=_run_train)


def _run_train(args: argparse.Namespace) -> int:
    from classifier.model.artefacts import model_is_valid
    from classifier.model.embed import Embedder
    from classifier.jobs.training import train_and_save

    models_dir = args.models_dir or paths.models_dir()
    if args.if_missing:
        ok, why = model_is_valid(models_dir)
        if ok:
            from classifier.model.versions import archive

            print(f"model in {models_dir} is valid; nothing to do")
            archive(models_dir)  # a model from before versions were kept becomes one
            _embed_store(models_dir)
            return 0
        print(f"building the model: {why.split(';')[0]}")
    from classifier.model.versions import archive

    model = train_and_save(models_dir, Embedder(args.model))
    version = archive(models_dir)
    _embed_store(models_dir)
    thresholds = ", ".join(f"{t} {v:.2f}" for t, v in zip(model.codebook.ids, model.thresholds_))
    from classifier.model.artefacts import read_manifest

    used = read_manifest(models_dir).get("corrections", {}).get("count", 0)
    print(f"model {version} written to {models_dir} (thresholds: {thresholds})"
          + (f"; {used} database correction(s) used" if used else ""))
    return 0


def _embed_store(models_dir: Path) -> None:
    """Open the database (loading report 001 on first run) and embed what lacks a vector."""
    from classifier.jobs.classify import ensure_embeddings, get_model, get_store

    store = get_store(models_dir)
    if not store.missing_embeddings(get_model(models_dir).embedder.fingerprint).empty:
        n = ensure_embeddings(store, get_model(models_dir))
        print(f"findings database: {n} findings embedded")


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

    from classifier.model.versions import list_versions

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
    from classifier.model.versions import use_version

    manifest = use_version(args.version, args.models_dir)
    print(f"model {manifest['model_version']} is in use; run `history reclassify` to re-score "
          "stored findings with it")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    _add_extract(sub)
    _add_train(sub)
    _add_models(sub)
