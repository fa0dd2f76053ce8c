"""Fit the production model on all labelled data and write it."""
from __future__ import annotations

import logging
from pathlib import Path

from classifier import data as d
from classifier import paths
from classifier.artefacts import save_model
from classifier.codebook import default_codebook
from classifier.embed import Embedder
from classifier.evaluate import evaluate_system, load_eval_data
from classifier.pipeline import ThemeModel

log = logging.getLogger(__name__)


def train_and_save(models_dir: Path | None = None, embedder: Embedder | None = None,
                   *, with_metrics: bool = True) -> ThemeModel:
    models_dir = Path(models_dir or paths.models_dir())
    codebook = default_codebook()
    embedder = embedder or Embedder()
    train = d.training_set()
    model = ThemeModel(embedder, codebook=codebook).fit(train["text"].tolist(),
                                                        d.label_matrix(train["themes"], codebook))
    metrics = {}
    if with_metrics:
        log.info("cross-validating the model for its manifest")
        metrics = evaluate_system(lambda: ThemeModel(embedder, codebook=codebook),
                                  load_eval_data(codebook), codebook,
                                  schemes=("random_cv", "out_of_report"), n_repeats=1)
    save_model(model, metrics=metrics, models_dir=models_dir)
    return model
