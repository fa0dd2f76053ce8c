"""Embeddings: the real MiniLM from the package, normalised, cached by model and text."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from classifier.model.embed import Embedder
from classifier.errors import ArtefactError

TEXTS = ["Disclosure record sheets are incomplete.", "Victim letters are late.",
         "Disclosure record sheets are incomplete."]


@pytest.fixture(scope="module")
def embedder(tmp_path_factory):
    return Embedder(cache_dir=tmp_path_factory.mktemp("cache"))


def test_encode_shapes_order_and_norm(embedder):
    vectors = embedder.encode(TEXTS)
    assert vectors.shape == (3, 384) and embedder.dimension == 384
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert np.array_equal(vectors[0], vectors[2])
    assert embedder.encode(TEXTS[1]).shape == (384,)
    assert np.allclose(embedder.encode(TEXTS[1]), vectors[1])
    assert float(vectors[0] @ vectors[1]) < 0.9


def test_cache_means_a_text_is_encoded_once(embedder, monkeypatch):
    embedder.encode(TEXTS)
    fresh = Embedder(cache_dir=embedder.cache_dir)  # a new process would read the disk cache
    fresh._model = embedder._load()
    calls = []
    real = fresh._model.encode
    monkeypatch.setattr(fresh._model, "encode", lambda items, **kw: calls.append(list(items)) or real(items, **kw))
    fresh.encode(TEXTS + ["A new finding about grip."])
    assert calls == [["A new finding about grip."]]


def test_another_model_never_gets_cached_vectors(embedder, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(embedder.model_path, copy)
    weights = copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 1  # same size, same config: a "fine-tuned" copy
    weights.write_bytes(bytes(data))
    other = Embedder(copy, cache_dir=embedder.cache_dir)
    assert other.fingerprint != embedder.fingerprint
    assert other._cache_folder != embedder._cache_folder


def test_not_a_model_folder(tmp_path):
    with pytest.raises(ArtefactError, match="not a sentence-transformers model folder"):
        Embedder(tmp_path)


def test_model_path_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CLASSIFIER_EMBEDDING_MODEL", str(tmp_path))
    with pytest.raises(ArtefactError, match=str(tmp_path)):
        Embedder()
