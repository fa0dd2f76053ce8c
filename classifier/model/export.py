"""Export the sentence-transformers encoder to ONNX for inference without torch.

Used by ``train`` (which has torch). For any local sentence-transformers folder
(the stock MiniLM or a fine-tuned copy saved under ``models/``) it writes an export
folder read by :class:`classifier.model.onnx_encoder.OnnxEncoder`:

1. ``torch.onnx.export`` (TorchScript exporter, opset 17) of the transformer with
   dynamic batch and sequence axes, eager attention so the graph has the plain
   MatMul/Softmax pattern the optimiser recognises;
2. onnxruntime's transformer optimiser (``model_type="bert"``): Attention,
   SkipLayerNormalization/EmbedLayerNormalization and (Bias)GELU fusions, fp32;
3. the model's own fast tokenizer as ``tokenizer.json`` and, in ``encoder.json``,
   the pooling mode and ``max_seq_length`` read from the folder's config, the source
   fingerprint, the files' SHA-256 and the exporter versions;
4. a check: the ONNX vectors of a set of texts against the torch model's; an export
   whose worst cosine is under :data:`MIN_COSINE` is refused.

Optionally (``quantize=True``) a dynamic int8 copy of the optimised graph is made too,
for measurement (see ``scripts/onnx_accuracy.py``); it is never used unless chosen.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from classifier.errors import ArtefactError
from classifier.model.onnx_encoder import (ENCODER_FILE, FORMAT, ONNX_FILE, TOKENIZER_FILE,
                                     OnnxEncoder)

log = logging.getLogger(__name__)

MIN_COSINE = 0.9999
OPSET = 17
CHECK_TEXTS = [
    "Disclosure record sheets are not completed in every case.",
    "The Area must ensure that letters to victims are sent on time and are of good quality.",
    "Grip",
    "Engagement with the police is strong, with regular joint performance meetings, a shared "
    "understanding of the file quality issues and a clear plan to improve the timeliness and "
    "quality of the files submitted by the police for charging decisions. " * 4,  # > 256 tokens
    "Les lettres aux victimes sont envoyées en retard — 20% of cases (n=14).",
]


def exporter_versions() -> dict[str, str]:
    out = {}
    for name in ("torch", "onnx", "onnxruntime", "transformers", "sentence-transformers",
                 "tokenizers"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "missing"
    return out


def _pooling_mode(pooling) -> str:
    cfg = pooling.get_config_dict() if hasattr(pooling, "get_config_dict") else {}
    mode = cfg.get("pooling_mode")
    if mode is None:  # older sentence-transformers: one boolean per mode
        modes = [m for m in ("cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens",
                             "weightedmean_tokens", "lasttoken")
                 if cfg.get(f"pooling_mode_{m}")]
        mode = modes[0] if len(modes) == 1 else "+".join(modes)
    mode = {"cls_token": "cls", "mean_tokens": "mean", "max_tokens": "max"}.get(mode, mode)
    if mode not in ("mean", "cls", "max"):
        raise ArtefactError(f"pooling mode {mode!r} of this model cannot be exported to ONNX yet "
                            "(mean, cls and max can)")
    if cfg.get("include_prompt") is False:
        raise ArtefactError("pooling that excludes the prompt cannot be exported to ONNX yet")
    return mode


def _modules(st) -> tuple:
    """The Transformer and Pooling modules; anything beyond them but Normalize is refused."""
    mods = list(st._modules.values())
    names = [type(m).__name__ for m in mods]
    if len(mods) < 2 or names[0] != "Transformer" or names[1] != "Pooling" or any(
            n != "Normalize" for n in names[2:]):
        raise ArtefactError(f"model modules {names} cannot be exported to ONNX yet "
                            "(Transformer, Pooling and Normalize can)")
    return mods[0], mods[1]


def export_encoder(model_path: Path, out_dir: Path, *, fingerprint: str, name: str,
                   check_texts: list[str] | None = None, quantize: bool = False) -> dict:
    """Write the export folder ``out_dir`` for ``model_path``; returns its encoder.json."""
    import torch
    from sentence_transformers import SentenceTransformer

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    t0 = time.perf_counter()
    st = SentenceTransformer(str(model_path), device="cpu",
                             model_kwargs={"attn_implementation": "eager"})
    st.eval()
    transformer, pooling = _modules(st)
    mode = _pooling_mode(pooling)
    hf = transformer.auto_model
    tokenizer = transformer.tokenizer
    input_names = [n for n in ("input_ids", "attention_mask", "token_type_ids")
                   if n in tokenizer.model_input_names or n == "input_ids"]
    if "attention_mask" not in input_names:
        input_names.append("attention_mask")
    dimension = int((getattr(st, "get_embedding_dimension", None)
                     or st.get_sentence_embedding_dimension)())
    max_seq_length = int(st.max_seq_length)

    class LastHidden(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            return self.model(**dict(zip(input_names, inputs))).last_hidden_state

    sample = tokenizer(["a short text", "a somewhat longer text for the sample batch"],
                       padding=True, return_tensors="pt")
    args = tuple(sample[n] for n in input_names)
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=out_dir.parent))
    os.chmod(tmp, 0o755)
    try:
        raw = tmp / "raw.onnx"
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about Python control flow
            torch.onnx.export(LastHidden(hf).eval(), args, str(raw), input_names=input_names,
                              output_names=["last_hidden_state"], opset_version=OPSET,
                              dynamic_axes={**{n: {0: "batch", 1: "sequence"} for n in input_names},
                                            "last_hidden_state": {0: "batch", 1: "sequence"}},
                              do_constant_folding=True, dynamo=False)
        fused = _optimise(raw, tmp / ONNX_FILE, hf.config)
        tokenizer.backend_tokenizer.save(str(tmp / TOKENIZER_FILE))
        from classifier.fileio import sha256_file

        files = [ONNX_FILE, TOKENIZER_FILE]
        if quantize:
            _quantize(tmp / ONNX_FILE, tmp / "model_int8.onnx")
            files.append("model_int8.onnx")
        raw.unlink()
        config = {
            "format": FORMAT,
            "source": {"name": name, "path": str(model_path)},
            "fingerprint": fingerprint,
            "dimension": dimension,
            "max_seq_length": max_seq_length,
            "pooling": mode,
            "normalize": True,
            "input_names": input_names,
            "pad_token_id": int(tokenizer.pad_token_id or 0),
            "onnx_file": ONNX_FILE,
            "precision": "fp32",
            "opset": OPSET,
            "fusions": fused,
            "versions": exporter_versions(),
            "files": {f: sha256_file(tmp / f) for f in files},
        }
        (tmp / ENCODER_FILE).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
        # the check: ONNX vectors against torch's on texts short, long (truncated) and odd
        texts = list(check_texts or []) + CHECK_TEXTS
        want = st.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True,
                         show_progress_bar=False)
        got = OnnxEncoder(tmp, verify=False).encode(texts, batch_size=8)
        cosines = np.sum(want * got, axis=1)
        config["check"] = {"texts": len(texts), "cosine_min": round(float(cosines.min()), 7),
                           "cosine_mean": round(float(cosines.mean()), 7)}
        if cosines.min() < MIN_COSINE:
            raise ArtefactError(f"ONNX export of {model_path} differs from the torch model (worst "
                                f"cosine {cosines.min():.5f} < {MIN_COSINE}); not written")
        (tmp / ENCODER_FILE).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    log.info("exported %s to %s in %.0f s (cosine min %.6f)", model_path, out_dir,
             time.perf_counter() - t0, config["check"]["cosine_min"])
    return config


def _optimise(raw: Path, out: Path, hf_config) -> dict:
    """onnxruntime's transformer optimiser (fp32, CPU); returns the fusion counts."""
    from onnxruntime.transformers import optimizer
    from onnxruntime.transformers.fusion_options import FusionOptions

    options = FusionOptions("bert")
    model = optimizer.optimize_model(str(raw), model_type="bert",
                                     num_heads=int(hf_config.num_attention_heads),
                                     hidden_size=int(hf_config.hidden_size),
                                     optimization_options=options, opt_level=0, use_gpu=False)
    model.save_model_to_file(str(out))
    stats = model.get_fused_operator_statistics()
    return {k: int(v) for k, v in sorted(stats.items()) if v}


def _quantize(src: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    import onnx

    quantize_dynamic(str(src), str(out), weight_type=QuantType.QInt8,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
