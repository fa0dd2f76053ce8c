"""The model's manifest vouches for what made it; loading refuses anything else."""
from __future__ import annotations

import json

import pytest

from classifier.model.artefacts import load_model, model_is_valid
from classifier.codebook import load_codebook
from classifier.errors import ArtefactError
from tests.conftest import edited_manifest, run_cli


def test_manifest_records_provenance(models_dir):
    manifest = json.loads((models_dir / "manifest.json").read_text())
    assert manifest["embedding_model"]["name"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert manifest["embedding_model"]["dimension"] == 384
    assert len(manifest["codebook"]["sha256"]) == 64
    assert len(manifest["training_data"]["sha256"]) == 64
    assert set(manifest["thresholds"]) == set(manifest["themes"])
    assert {"scikit-learn", "sentence-transformers", "torch"} <= set(manifest["versions"])
    assert 0 < manifest["metrics"]["grouped_cv"]["macro_f1"] <= 1
    assert "classifier.skops" in manifest["files"]


def test_valid_model_loads(models_dir):
    assert model_is_valid(models_dir) == (True, "")


def test_model_loads_from_the_scikit_learn_file_without_a_compiled_head(fresh_models, model):
    import numpy as np

    with edited_manifest(fresh_models) as manifest:
        assert "head" in manifest  # the model of this project compiles
        manifest.pop("head")
        manifest["files"].pop("head.npz")
    slow = load_model(fresh_models)
    assert type(slow.classifier_).__name__ == "ThemeClassifier"
    texts = ["Disclosure is poor.", "Letters to victims are late.", "The weather was fine."]
    assert np.allclose(slow.predict_proba(texts), model.predict_proba(texts), atol=1e-9)


def test_tampered_model_is_refused_before_reading(fresh_models):
    path = fresh_models / "classifier.skops"
    path.write_bytes(path.read_bytes() + b"tampered")
    with pytest.raises(ArtefactError, match="does not match its manifest.*classifier train"):
        load_model(fresh_models)


def test_truncated_model_is_refused(fresh_models):
    path = fresh_models / "classifier.skops"
    path.write_bytes(path.read_bytes()[:100])
    ok, why = model_is_valid(fresh_models)
    assert not ok and "corrupt or tampered" in why


def test_changed_codebook_is_refused(fresh_models, tmp_path):
    from classifier.codebook import CODEBOOK_PATH

    data = json.loads(CODEBOOK_PATH.read_text())
    data["themes"][0]["definition"] += " (edited)"
    edited = tmp_path / "codebook.json"
    edited.write_text(json.dumps(data))
    with pytest.raises(ArtefactError, match="codebook"):
        load_model(fresh_models, codebook=load_codebook(edited))


def test_wrong_embedding_dimension_is_refused(fresh_models):
    with edited_manifest(fresh_models) as manifest:
        manifest["embedding_model"]["dimension"] = 768
    with pytest.raises(ArtefactError, match="768-dimensional"):
        load_model(fresh_models)


def test_manifest_from_an_older_version_is_refused(fresh_models):
    with edited_manifest(fresh_models) as manifest:
        del manifest["params"]["actor_weight"]  # written before the whose-work flags existed
    with pytest.raises(ArtefactError, match="lacks the parameter.*actor_weight.*classifier train"):
        load_model(fresh_models)


def test_missing_model_says_how_to_build(tmp_path):
    with pytest.raises(ArtefactError, match="no trained model.*classifier train"):
        load_model(tmp_path)


def test_cli_reports_tampering_in_one_line(fresh_models):
    (fresh_models / "classifier.skops").write_bytes(b"not a pickle")
    result = run_cli("classify", "--text", "Disclosure is poor", "--models-dir", str(fresh_models))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "classifier train" in result.stderr


def test_train_if_missing_is_a_no_op_on_a_valid_model(fresh_models):
    before = (fresh_models / "manifest.json").read_bytes()
    result = run_cli("train", "--if-missing", "--models-dir", str(fresh_models))
    assert result.returncode == 0 and "nothing to do" in result.stdout
    assert (fresh_models / "manifest.json").read_bytes() == before


class Smuggled:
    """Stands for any type a model file should not contain."""


def test_untrusted_types_are_refused_even_with_a_matching_hash(fresh_models):
    import skops.io as sio

    from classifier.fileio import sha256_file

    path = fresh_models / "classifier.skops"
    sio.dump({"payload": Smuggled()}, path)
    with edited_manifest(fresh_models) as manifest:
        manifest["files"]["classifier.skops"] = sha256_file(path)  # the attacker fixed the hash
        manifest.pop("head", None)  # so the scikit-learn file is the one loaded
        manifest["files"].pop("head.npz", None)
    with pytest.raises(ArtefactError, match="not trusted.*Smuggled"):
        load_model(fresh_models)
