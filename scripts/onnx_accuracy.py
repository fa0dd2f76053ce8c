"""Does the ONNX encoder classify like torch? fp32 export and a dynamic int8 variant.

Usage: python scripts/onnx_accuracy.py [--output scripts/results/onnx_accuracy.json]
                                       [--schemes grouped_cv]

On every text of training_data/*.csv (the evaluation texts):

- cosine between torch's vectors and the fp32 export's, and the int8 variant's (min, mean);
- share of findings whose predicted themes (the trained model in models/) are identical
  with torch's vectors and with each variant's;
- macro-F1 under the evaluation schemes (``classifier.evaluation.evaluate``: grouped CV by
  publication by default; never the sealed split) of the model built on fp32 vectors and on
  int8 vectors. The int8 variant would be offered
  only if its macro-F1 is within 0.005 of fp32's (either way) under every scheme.

The int8 variant is ``onnxruntime.quantization.quantize_dynamic`` (QInt8 weights) of the
fused fp32 graph, written to a temporary folder; nothing in models/ changes.
Takes about 12 minutes on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from _results import save

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
MAX_F1 = 0.005


def verdict(f32: dict, i8: dict) -> dict:
    """int8 is offered only if its macro-F1 is within ±MAX_F1 of fp32's under every scheme.

    Both ways: a model that scores higher on int8 vectors is a different model, not the
    same one faster (and on 190 development items a gain of 0.02 is noise).
    """
    diff = {s: round(i8[s] - f32[s], 4) for s in f32}
    return {"int8_macro_f1_minus_fp32": diff,
            "int8_offered": all(abs(d) <= MAX_F1 for d in diff.values())}


def evaluation_texts() -> list[str]:
    texts = []
    for csv in sorted((ROOT / "training_data").glob("*.csv")):
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        if "text" in frame.columns:
            texts += [t for t in frame["text"] if t.strip()]
    return list(dict.fromkeys(texts))


def int8_export(encoder_dir: Path, out: Path) -> Path:
    """A copy of the export whose graph is dynamically quantised to int8."""
    from classifier.model.export import _quantize
    from classifier.fileio import sha256_file

    out.mkdir(parents=True)
    _quantize(encoder_dir / "model.onnx", out / "model.onnx")
    shutil.copy(encoder_dir / "tokenizer.json", out / "tokenizer.json")
    config = json.loads((encoder_dir / "encoder.json").read_text())
    config["precision"] = "int8"  # gives it a fingerprint of its own (classifier.model.embed)
    config["files"] = {f: sha256_file(out / f) for f in ("model.onnx", "tokenizer.json")}
    (out / "encoder.json").write_text(json.dumps(config, indent=2))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path,
                        default=ROOT / "scripts/results/onnx_accuracy.json")
    parser.add_argument("--schemes", nargs="+", default=["grouped_cv"])
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    from classifier.model.artefacts import read_manifest
    from classifier.jobs.classify import get_model
    from classifier.codebook import default_codebook
    from classifier.model.embed import Embedder
    from classifier.evaluation.evaluate import evaluate_system, load_eval_data
    from classifier.model.pipeline import ThemeModel

    model = get_model()
    manifest = read_manifest()
    encoder_dir = Path(model.embedder.model_path)
    texts = evaluation_texts()
    with tempfile.TemporaryDirectory() as tmp:
        embedders = {
            "torch": Embedder(manifest["embedding_model"]["path"], cache_dir=None),
            "onnx_fp32": Embedder(encoder_dir, cache_dir=Path(tmp) / "cache"),
            "onnx_int8": Embedder(int8_export(encoder_dir, Path(tmp) / "int8"),
                                  cache_dir=Path(tmp) / "cache"),
        }
        vectors, seconds = {}, {}
        for name, emb in embedders.items():
            t = time.perf_counter()
            vectors[name] = emb.encode(texts)
            seconds[name] = round(time.perf_counter() - t, 1)
        predicted = {name: model.predict_proba_vectors(v, texts) >= model.thresholds_
                     for name, v in vectors.items()}
        figures: dict = {"texts": len(texts), "encode_seconds": seconds, "variants": {}}
        for name in ("onnx_fp32", "onnx_int8"):
            cosine = np.sum(vectors["torch"] * vectors[name], axis=1)
            figures["variants"][name] = {
                "fingerprint": embedders[name].fingerprint,
                "cosine_to_torch_min": round(float(cosine.min()), 7),
                "cosine_to_torch_mean": round(float(cosine.mean()), 7),
                "prediction_agreement_with_torch": round(float(np.mean(np.all(
                    predicted["torch"] == predicted[name], axis=1))), 4),
            }
            print(name, figures["variants"][name], flush=True)
        codebook = default_codebook()
        data = load_eval_data(codebook)
        for name in ("onnx_fp32", "onnx_int8"):
            emb = embedders[name]
            result = evaluate_system(lambda: ThemeModel(emb, codebook=codebook), data, codebook,
                                     schemes=tuple(args.schemes), bootstrap=False)
            figures["variants"][name]["macro_f1"] = {
                s: round(float(result[s]["macro_f1"]), 4) for s in args.schemes if s in result}
            print(name, "macro-F1", figures["variants"][name]["macro_f1"], flush=True)
    f32 = figures["variants"]["onnx_fp32"]["macro_f1"]
    i8 = figures["variants"]["onnx_int8"]["macro_f1"]
    figures.update(verdict(f32, i8))
    print(f"int8 macro-F1 minus fp32's by scheme: {figures['int8_macro_f1_minus_fp32']}; "
          f"offered: {figures['int8_offered']} (needs every difference within ±{MAX_F1})")
    save(figures, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
