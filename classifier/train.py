"""Fit the production model on all labelled data and write it."""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from classifier import data as d
from classifier import paths
from classifier.artefacts import save_model
from classifier.codebook import default_codebook
from classifier.embed import Embedder
from classifier.evaluate import evaluate_system, load_eval_data
from classifier.pipeline import ThemeModel

log = logging.getLogger(__name__)


def with_corrections(train: pd.DataFrame, fixes: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The training set with the database's human decisions: a decision on a training
    finding (same text) replaces its label, any other is added. Returns (set, summary)."""
    if fixes.empty:
        return train, {"count": 0, "reports": {}}
    fixes = fixes.drop_duplicates("text", keep="last")
    train = train.copy()
    by_text = dict(zip(fixes["text"], fixes["themes"]))
    known = train["text"].isin(by_text)
    train.loc[known, "themes"] = train.loc[known, "text"].map(by_text)
    new = fixes[~fixes["text"].isin(train["text"])]
    added = pd.DataFrame({"id": "db-" + new["finding_id"].astype(str), "text": new["text"],
                          "themes": new["themes"],
                          "source": "database report " + new["report_id"].astype(str)})
    summary = {"count": int(len(fixes)), "replaced": int(known.sum()), "added": int(len(new)),
               "reports": {f"{rid}: {title}": int(n) for (rid, title), n in
                           fixes.groupby(["report_id", "report"]).size().items()}}
    return pd.concat([train, added], ignore_index=True), summary


def database_corrections(models_dir: Path) -> pd.DataFrame:
    """Human decisions stored in the findings database (empty if it cannot be opened)."""
    from classifier.errors import ClassifierError
    from classifier.store import open_store

    try:
        return open_store(models_dir).human_labels()
    except ClassifierError as exc:
        log.warning("training without database corrections: %s", exc)
        return pd.DataFrame(columns=["finding_id", "report_id", "report", "text", "themes"])


def train_and_save(models_dir: Path | None = None, embedder: Embedder | None = None,
                   *, with_metrics: bool = True) -> ThemeModel:
    models_dir = Path(models_dir or paths.models_dir())
    codebook = default_codebook()
    embedder = embedder or Embedder()
    train, corrections = with_corrections(d.training_set(), database_corrections(models_dir))
    model = ThemeModel(embedder, codebook=codebook).fit(train["text"].tolist(),
                                                        d.label_matrix(train["themes"], codebook))
    metrics = {}
    if with_metrics:
        log.info("cross-validating the model for its manifest")
        metrics = evaluate_system(lambda: ThemeModel(embedder, codebook=codebook),
                                  load_eval_data(codebook), codebook,
                                  schemes=("random_cv", "out_of_report"), n_repeats=1)
    save_model(model, metrics=metrics, models_dir=models_dir,
               extra={"corrections": corrections})
    return model
