"""`evaluate`: the model against its baselines, grouped by publication and on the sealed split."""
from __future__ import annotations

import argparse
from pathlib import Path

from classifier import paths
from classifier.cli.common import add_model_option


def _add_evaluate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="compare the model with its baselines",
                       description="Grouped CV by publication (10 folds, bootstrap 95%% intervals) "
                                   "and the sealed split, for the model, keyword rules and "
                                   "TF-IDF+LR.")
    add_model_option(p)
    p.add_argument("--output", type=Path, default=None, help="default: models/metrics.json")
    p.set_defaults(func=_run_evaluate)


def _run_evaluate(args: argparse.Namespace) -> int:
    import json
    import warnings

    import pandas as pd

    from classifier.evaluation.baselines import KeywordBaseline, TfidfBaseline
    from classifier.codebook import default_codebook
    from classifier.model.embed import Embedder
    from classifier.evaluation.evaluate import SCHEMES, evaluate_system, load_eval_data, summary_table
    from classifier.fileio import write_text
    from classifier.model.pipeline import ThemeModel

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
              f"{review['exact_match_all']:.1%} on all (threshold-margin rule)")
        learned = results[model_name][scheme].get("review_learned")
        if learned:
            print(f"{scheme}: needs_review (learnt rule) flags {learned['share_flagged']:.1%} and "
                  f"catches {learned['wrong_caught']:.1%} of the wrong findings; exact match "
                  f"{learned['exact_match_unflagged']:.1%} on the rest")
    out = args.output or paths.models_dir() / "metrics.json"
    counts = {role: int((data.role == role).sum()) for role in ("base", "cv", "sealed")}
    write_text(out, json.dumps({"systems": results, "items": counts},
                               indent=2, sort_keys=True) + "\n")
    print(f"saved {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    _add_evaluate(sub)
