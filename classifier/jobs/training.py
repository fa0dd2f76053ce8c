"""Fit the production model on all labelled data and write it, with the embedding model
exported to ONNX (``models/encoder/``) for inference without torch."""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from classifier.ingest import datasets as d
from classifier import paths
from classifier.model.artefacts import ENCODER_DIR, save_model
from classifier.codebook import default_codebook
from classifier.model.embed import Embedder
from classifier.evaluation.evaluate import (grouped_splits, load_eval_data, predictions,
                                            score_predictions)
from classifier.model.export import export_encoder
from classifier.model.pipeline import ThemeModel
from classifier.model.review import fit_review_rule, review_features

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
    source = embedder  # the sentence-transformers folder to export
    if embedder.backend != "torch":  # e.g. a loaded model's: train on it, export its source
        from classifier.errors import ArtefactError

        path = embedder.source_path
        source = Embedder(path, cache_dir=None) if path and path.exists() else None
        if source is None or source.fingerprint != embedder.fingerprint:
            raise ArtefactError(f"{embedder.model_path} is an ONNX export and the model it was "
                                f"exported from ({path}) is not there unchanged; train needs "
                                "that sentence-transformers folder (--model PATH)")
    train, corrections = with_corrections(d.training_set(), database_corrections(models_dir))
    model = ThemeModel(embedder, codebook=codebook, n_jobs=2).fit(train["text"].tolist(),
                                                        d.label_matrix(train["themes"], codebook))
    metrics, extra = {}, {"corrections": corrections}
    if with_metrics:
        log.info("cross-validating the model by publication group for its manifest")
        data = load_eval_data(codebook)
        pred = predictions(lambda: ThemeModel(embedder, codebook=codebook, n_jobs=2), data,
                           grouped_splits(data))
        held_out = [data.texts[i] for i in pred["index"]]
        metrics = {"grouped_cv": score_predictions(pred, codebook.ids, texts=held_out)}
        # needs_review learns from the mistakes the model made on publications it had not seen
        model.review_rule_ = fit_review_rule(
            review_features(pred["proba"], pred["thresholds"], held_out),
            ~(pred["Y"] == pred["P"]).all(axis=1))
        extra["review_rule"] = model.review_rule_.to_dict()
    encoder = export_encoder(source.model_path, models_dir / ENCODER_DIR,
                             fingerprint=source.fingerprint, name=source.model_name,
                             check_texts=train["text"].tolist()[::8])
    texts = train["text"].tolist()
    head_check = model.features(embedder.encode(texts), texts)  # cached vectors: no re-encoding
    save_model(model, metrics=metrics, models_dir=models_dir, encoder=encoder,
               head_check=head_check, extra=extra)
    return model
