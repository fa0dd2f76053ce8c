"""Fit the production model on all labelled data and write it, with the embedding model
exported to ONNX (``models/encoder/``) for inference without torch."""
from __future__ import annotations

import logging
from pathlib import Path

from classifier import data as d
from classifier import paths
from classifier.artefacts import ENCODER_DIR, save_model
from classifier.codebook import default_codebook
from classifier.embed import Embedder
from classifier.evaluate import evaluate_system, load_eval_data
from classifier.export import export_encoder
from classifier.pipeline import ThemeModel

log = logging.getLogger(__name__)


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
    train = d.training_set()
    model = ThemeModel(embedder, codebook=codebook, n_jobs=2).fit(train["text"].tolist(),
                                                        d.label_matrix(train["themes"], codebook))
    metrics = {}
    if with_metrics:
        log.info("cross-validating the model by publication group for its manifest")
        metrics = evaluate_system(lambda: ThemeModel(embedder, codebook=codebook, n_jobs=2),
                                  load_eval_data(codebook), codebook, schemes=("grouped_cv",))
    encoder = export_encoder(source.model_path, models_dir / ENCODER_DIR,
                             fingerprint=source.fingerprint, name=source.model_name,
                             check_texts=train["text"].tolist()[::8])
    texts = train["text"].tolist()
    head_check = model.features(embedder.encode(texts), texts)  # cached vectors: no re-encoding
    save_model(model, metrics=metrics, models_dir=models_dir, encoder=encoder,
               head_check=head_check)
    return model
