"""The ONNX encoder: torch-free inference, equal vectors, a verified export."""
from __future__ import annotations

import ast
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from classifier import paths
from classifier.model.artefacts import load_model, model_is_valid
from classifier.model.embed import Embedder
from classifier.errors import ArtefactError
from tests.conftest import ROOT, edited_manifest, run_cli

HEAVY = ("torch", "sentence_transformers", "transformers")


def evaluation_texts() -> list[str]:
    """Every text of training_data/*.csv (training, written and development sets)."""
    texts = []
    for csv in sorted(paths.data_dir().glob("*.csv")):
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        if "text" in frame.columns:
            texts += [t for t in frame["text"] if t.strip()]
    return list(dict.fromkeys(texts))


def uncached_env(tmp_path) -> dict:
    """The environment with an empty embedding cache: every text really goes through the model."""
    import os

    return {**os.environ, "CLASSIFIER_CACHE_DIR": str(tmp_path / "empty-cache")}


def test_inference_never_imports_torch(fresh_models, tmp_path):
    """classify, similar, report + history add in a fresh process: no torch, no
    sentence-transformers, no transformers; with the compiled head, no scikit-learn."""
    report = tmp_path / "report.txt"
    report.write_text("1. Disclosure record sheets were not completed in most files examined.\n\n"
                      "2. Letters to victims were late and poorly written in a third of cases.\n")
    code = f"""
import json, sys
from pathlib import Path
import pandas as pd
from classifier.jobs.classify import check_finding, classify_frame, classify_reports
models = Path({str(fresh_models)!r})
out = classify_frame(pd.DataFrame({{"text": ["Disclosure is poor."]}}), "text", models_dir=models)
similar = check_finding("Victim letters are late.", models_dir=models)
frame, failures, added = classify_reports([Path({str(report)!r})], models_dir=models,
                                          add_to_history=True)
print(json.dumps({{"themes": out["themes"].tolist(), "similar": len(similar["similar"]),
                  "findings": len(frame), "added": added.added,
                  "modules": sorted(m for m in sys.modules)}}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=300, env=uncached_env(tmp_path))
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got["themes"] == ["disclosure"] and got["similar"] == 5
    assert got["findings"] == 2 and got["added"] == 2
    loaded = {m.split(".")[0] for m in got["modules"]}
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
    assert "onnxruntime" in loaded and "tokenizers" in loaded
    manifest = json.loads((fresh_models / "manifest.json").read_text())
    if "head" in manifest:  # the compiled classifier needs neither scikit-learn nor skops
        assert not loaded & {"sklearn", "skops"}


def test_cli_classify_text_never_imports_torch(models_dir, tmp_path):
    code = ("import sys; from classifier.cli import main; main(['classify', '--text', "
            "'Disclosure record sheets are incomplete.']); "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY) | {'onnxruntime'}!r}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=300, env=uncached_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "disclosure" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "['onnxruntime']"  # and nothing heavier


@pytest.fixture(scope="module")
def both_vectors(models_dir):
    """(texts, torch vectors, ONNX vectors) on every evaluation text, no cache."""
    texts = evaluation_texts()
    onnx = Embedder(models_dir / "encoder", cache_dir=None)
    torch = Embedder(json.loads((models_dir / "manifest.json").read_text())
                     ["embedding_model"]["path"], cache_dir=None)
    return texts, torch.encode(texts), onnx.encode(texts)


def test_onnx_vectors_match_torch_on_the_evaluation_texts(both_vectors):
    texts, torch_vectors, onnx_vectors = both_vectors
    assert len(texts) > 500
    assert onnx_vectors.dtype == np.float32 and onnx_vectors.shape == torch_vectors.shape
    assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1, atol=1e-5)
    cosine = np.sum(torch_vectors * onnx_vectors, axis=1)
    assert cosine.min() >= 0.9999, (cosine.min(), texts[int(cosine.argmin())])


def test_predictions_agree_with_torch(both_vectors, model):
    texts, torch_vectors, onnx_vectors = both_vectors
    a = model.predict_proba_vectors(torch_vectors, texts) >= model.thresholds_
    b = model.predict_proba_vectors(onnx_vectors, texts) >= model.thresholds_
    agreement = np.mean(np.all(a == b, axis=1))
    assert agreement >= 0.995, agreement


def test_embedder_picks_onnx_for_the_export_with_the_same_identity(models_dir, model):
    onnx = Embedder(models_dir / "encoder", cache_dir=None)
    torch = Embedder(cache_dir=None)
    assert model.embedder.backend == "onnx" and torch.backend == "torch"
    assert onnx.fingerprint == torch.fingerprint  # equal vectors share cache and history
    assert onnx.dimension == torch.dimension == 384
    assert onnx.model_name == torch.model_name == "sentence-transformers/all-MiniLM-L6-v2"
    single = onnx.encode("Victim letters are late.")
    assert single.shape == (384,) and single.dtype == np.float32


def test_length_batching_keeps_the_callers_order(models_dir):
    encoder = Embedder(models_dir / "encoder", cache_dir=None)._load()
    texts = ["Grip.", "Disclosure record sheets are not completed in every case. " * 30,
             "Letters to victims are late.", "", "Engagement with partners is good and " * 5]
    batched = encoder.encode(texts, batch_size=2)
    alone = np.vstack([encoder.encode([t], batch_size=1) for t in texts])
    assert np.allclose(batched, alone, atol=1e-5)
    lengths = [len(ids) for ids in encoder.tokenize(texts)]
    assert max(lengths) == 256  # truncated at the model's max_seq_length


def test_manifest_records_the_export(models_dir):
    manifest = json.loads((models_dir / "manifest.json").read_text())
    enc = manifest["encoder"]
    assert enc["format"] == "onnx" and enc["precision"] == "fp32" and enc["pooling"] == "mean"
    assert enc["max_seq_length"] == 256 and enc["dimension"] == 384
    assert {"torch", "onnx", "onnxruntime"} <= set(enc["exporter_versions"])
    assert enc["fingerprint"] == manifest["embedding_model"]["fingerprint"]
    assert enc["fusions"].get("Attention") == 6 and enc["fusions"].get("SkipLayerNormalization")
    assert enc["check"]["cosine_min"] >= 0.9999
    assert manifest["files"]["encoder/model.onnx"] == enc["sha256"]
    assert {"encoder/tokenizer.json", "encoder/encoder.json"} <= set(manifest["files"])


def test_tampered_onnx_model_is_refused(fresh_models):
    path = fresh_models / "encoder" / "model.onnx"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(ArtefactError, match="model.onnx does not match its manifest.*classifier train"):
        load_model(fresh_models)


def test_tampered_export_is_refused_by_the_encoder_itself(fresh_models):
    (fresh_models / "encoder" / "tokenizer.json").write_text("{}")
    with pytest.raises(ArtefactError, match="tokenizer.json does not match"):
        Embedder(fresh_models / "encoder", cache_dir=None).encode(["x"])


def test_other_onnxruntime_version_is_refused(fresh_models):
    with edited_manifest(fresh_models) as manifest:
        manifest["encoder"]["exporter_versions"]["onnxruntime"] = "1.0.0"
    with pytest.raises(ArtefactError, match="optimised with onnxruntime 1.0.0.*classifier train"):
        load_model(fresh_models)


def test_model_without_an_encoder_is_refused_and_rebuilt_by_make_run(fresh_models):
    with edited_manifest(fresh_models) as manifest:
        del manifest["encoder"]
    with pytest.raises(ArtefactError, match="no ONNX encoder.*classifier train"):
        load_model(fresh_models)
    ok, why = model_is_valid(fresh_models)
    assert not ok and "no ONNX encoder" in why
    result = run_cli("classify", "--text", "Disclosure is poor", "--models-dir", str(fresh_models))
    assert result.returncode == 2 and "no ONNX encoder" in result.stderr


def test_compiled_head_equals_the_scikit_learn_classifier(models_dir, both_vectors, model):
    from classifier.model.artefacts import _load_skops
    from classifier.model.head import LinearHead

    texts, _, vectors = both_vectors
    assert isinstance(model.classifier_, LinearHead)
    X = model.features(vectors, texts)
    sk = _load_skops(models_dir)
    assert np.abs(sk.predict_proba(X) - model.classifier_.predict_proba(X)).max() < 1e-9


def test_fine_tuned_folder_is_exported_with_its_own_identity(tmp_path):
    """A fine-tuned copy of MiniLM saved by sentence-transformers exports and matches itself."""
    import torch
    from sentence_transformers import SentenceTransformer

    from classifier.model.export import export_encoder

    stock = Embedder(cache_dir=None)
    st = SentenceTransformer(str(stock.model_path), device="cpu")
    with torch.no_grad():  # stands for a fine-tuning step
        gen = torch.Generator().manual_seed(0)
        for p in st[0].auto_model.encoder.layer[-1].parameters():
            p.add_(0.02 * torch.randn(p.shape, generator=gen))
    tuned_dir = tmp_path / "finetuned"
    st.save(str(tuned_dir))
    tuned = Embedder(tuned_dir, cache_dir=None)
    assert tuned.fingerprint != stock.fingerprint
    config = export_encoder(tuned_dir, tmp_path / "encoder", fingerprint=tuned.fingerprint,
                            name=tuned.model_name)
    assert config["check"]["cosine_min"] >= 0.9999 and config["max_seq_length"] == 256
    onnx = Embedder(tmp_path / "encoder", cache_dir=None)
    assert onnx.fingerprint == tuned.fingerprint
    texts = ["Disclosure record sheets are incomplete.", "Victim letters are late."]
    want = tuned.encode(texts)
    assert np.sum(want * onnx.encode(texts), axis=1).min() >= 0.9999
    assert np.sum(stock.encode(texts) * onnx.encode(texts), axis=1).min() < 0.9999


def test_app_overview_imports_no_model():
    """The overview page renders without loading any model code or runtime."""
    code = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=180).run()
assert not at.exception, at.exception
print(sorted({m.split(".")[0] for m in sys.modules} | {m for m in sys.modules if m.startswith("classifier")}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = set(ast.literal_eval(result.stdout.strip().splitlines()[-1]))
    assert not loaded & {"torch", "sentence_transformers", "transformers", "onnxruntime",
                         "tokenizers", "skops", "classifier.model.artefacts", "classifier.model.embed"}
