"""Sentence embeddings with ONNX Runtime and ``tokenizers``: no torch at inference.

An exported encoder is a folder (``models/encoder/``, written by
:mod:`classifier.model.export` during ``train``) holding::

    model.onnx      the transformer, fp32, fused for CPU by onnxruntime's optimiser;
                    input ids / attention mask (/ token type ids) -> last hidden state
    tokenizer.json  the model's own fast tokenizer
    encoder.json    what the sentence-transformers model does after the transformer
                    (pooling mode, max_seq_length, normalisation), its dimension, the
                    fingerprint of the model it was exported from, the SHA-256 of the
                    two files above and the exporter versions (torch, onnx, onnxruntime)

:class:`OnnxEncoder` reproduces ``SentenceTransformer.encode(normalize_embeddings=True)``:
tokenise with truncation at ``max_seq_length``, run the graph, pool over the attention
mask in numpy, L2-normalise. Texts are sorted by token length and batched, so a batch
pads only to its own longest text; results come back in the caller's order.
"""
from __future__ import annotations

import json
import logging
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from classifier.errors import ArtefactError

log = logging.getLogger(__name__)

ENCODER_FILE = "encoder.json"
ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
FORMAT = 1
POOLING_MODES = ("mean", "cls", "max")
THREADS_ENV = "CLASSIFIER_ONNX_THREADS"
# padded tokens per forward pass: about 15 findings of average length. Measured on 2 cores,
# 8 texts a pass ran 1.3x faster than 64 (working set, not padding: batches are length-sorted)
MAX_BATCH_TOKENS = 512
REBUILD = "rebuild it with `python -m classifier train` (or `make run`)"


@lru_cache(maxsize=32)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    from classifier.fileio import sha256_file

    return sha256_file(Path(path))


def file_digest(path: Path) -> str:
    """SHA-256 of a file, computed once per process for each version (path, size, mtime)
    of it: the manifest check and the encoder's own check share it."""
    stat = Path(path).stat()
    return _digest(str(path), stat.st_size, stat.st_mtime_ns)


def is_export_folder(path: Path) -> bool:
    return (Path(path) / ENCODER_FILE).exists()


def read_encoder_config(folder: Path) -> dict:
    path = Path(folder) / ENCODER_FILE
    try:
        config = json.loads(path.read_text())
    except FileNotFoundError:
        raise ArtefactError(f"{path} is missing; {REBUILD}") from None
    except (ValueError, UnicodeDecodeError):
        raise ArtefactError(f"{path} is not valid JSON; {REBUILD}") from None
    if config.get("format") != FORMAT:
        raise ArtefactError(f"{path} has format {config.get('format')!r}, this version reads "
                            f"{FORMAT}; {REBUILD}")
    for key in ("fingerprint", "dimension", "max_seq_length", "pooling", "input_names",
                "files", "versions"):
        if key not in config:
            raise ArtefactError(f"{path} lacks {key!r} (written by another version); {REBUILD}")
    onnx_file = config.setdefault("onnx_file", ONNX_FILE)
    if Path(onnx_file).name != onnx_file or onnx_file not in config["files"]:
        raise ArtefactError(f"{path}: onnx_file {onnx_file!r} is not one of its files; {REBUILD}")
    if config["pooling"] not in POOLING_MODES:
        raise ArtefactError(f"{path}: pooling {config['pooling']!r} is not supported")
    return config


def default_threads() -> int:
    """Threads for one session: the cores this process may use (2 here), at most 8.

    ``CLASSIFIER_ONNX_THREADS`` overrides it (e.g. 1 in a server running several workers).
    """
    if os.environ.get(THREADS_ENV):
        return max(1, int(os.environ[THREADS_ENV]))
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def check_runtime(config: dict, folder: Path) -> None:
    """Refuse an export the installed onnxruntime may not run as it was measured."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        now = version("onnxruntime")
    except PackageNotFoundError:
        raise ArtefactError("onnxruntime is not installed (pip install -e . installs it)") from None
    then = config["versions"].get("onnxruntime", "?")
    if then.split(".")[:2] != now.split(".")[:2]:
        raise ArtefactError(f"{folder / ONNX_FILE} was optimised with onnxruntime {then}, this is "
                            f"{now} (its fused operators may differ); {REBUILD}")


class OnnxEncoder:
    """The exported encoder in ``folder``; ``encode`` matches SentenceTransformer's.

    Parameters
    ----------
    folder : an export folder (see the module docstring).
    threads : intra-op threads of the session (default :func:`default_threads`).
    verify : check the files' SHA-256 against ``encoder.json`` before loading.
    """

    def __init__(self, folder: Path | str, *, threads: int | None = None, verify: bool = True):
        self.folder = Path(folder)
        self.config = read_encoder_config(self.folder)
        check_runtime(self.config, self.folder)
        if verify:
            for name, digest in sorted(self.config["files"].items()):
                path = self.folder / name
                if not path.exists():
                    raise ArtefactError(f"{path} is missing; {REBUILD}")
                if file_digest(path) != digest:
                    raise ArtefactError(f"{path} does not match {self.folder / ENCODER_FILE} "
                                        f"(corrupt or tampered); {REBUILD}")
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.max_seq_length = int(self.config["max_seq_length"])
        self.max_batch_tokens = MAX_BATCH_TOKENS
        self.tokenizer = Tokenizer.from_file(str(self.folder / TOKENIZER_FILE))
        self.tokenizer.no_padding()  # padding is done per length-sorted batch below
        self.tokenizer.enable_truncation(max_length=self.max_seq_length)
        self.pad_id = int(self.config.get("pad_token_id", 0))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(self.folder / self.config["onnx_file"]),
                                                options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # hash matched, so this is an environment problem
            raise ArtefactError(f"{self.folder / ONNX_FILE} could not be loaded by onnxruntime "
                                f"({str(exc).splitlines()[0][:200]}); {REBUILD}") from None
        self.input_names = list(self.config["input_names"])
        self.pooling = self.config["pooling"]

    @property
    def dimension(self) -> int:
        return int(self.config["dimension"])

    def tokenize(self, texts: list[str]) -> list[list[int]]:
        """Token ids of each text (special tokens added, truncated at max_seq_length)."""
        return [e.ids for e in self.tokenizer.encode_batch(list(texts))]

    def _forward(self, ids: list[list[int]]) -> np.ndarray:
        """Pooled, unnormalised vectors of one batch of token-id lists."""
        width = max(len(x) for x in ids)
        input_ids = np.full((len(ids), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for i, row in enumerate(ids):
            input_ids[i, :len(row)] = row
            mask[i, :len(row)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask,
                 "token_type_ids": np.zeros_like(input_ids)}
        hidden = self.session.run(None, {k: feeds[k] for k in self.input_names})[0]
        if self.pooling == "cls":
            return hidden[:, 0]
        m = mask[:, :, None].astype(hidden.dtype)
        if self.pooling == "max":
            return np.where(m > 0, hidden, -1e9).max(axis=1)
        return (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)

    def batches(self, lengths: list[int], batch_size: int) -> list[np.ndarray]:
        """Indices per forward pass: longest first (like sentence-transformers), at most
        ``batch_size`` texts and at most :attr:`max_batch_tokens` padded tokens each, so a
        batch pads only to its own longest text and large batches of long texts stay in cache.
        """
        order = np.argsort([-n for n in lengths], kind="stable")
        out, start = [], 0
        while start < len(order):
            width = max(1, lengths[order[start]])
            rows = max(1, min(batch_size, self.max_batch_tokens // width))
            out.append(order[start:start + rows])
            start += rows
        return out

    def encode(self, texts: list[str], *, batch_size: int = 64, normalize_embeddings: bool = True,
               show_progress_bar: bool = False, **_ignored) -> np.ndarray:
        """float32 ``(n, dimension)`` vectors in the order of ``texts``."""
        texts = [str(t) for t in texts]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        ids = self.tokenize(texts)
        batches = self.batches([len(x) for x in ids], batch_size)
        if show_progress_bar:
            from tqdm import tqdm

            batches = tqdm(batches, desc="embedding", unit="batch")
        for idx in batches:
            out[idx] = self._forward([ids[i] for i in idx])
        if normalize_embeddings:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out
