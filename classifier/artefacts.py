"""Save and load the trained model with a manifest that says what made it.

``models/`` holds::

    classifier.skops    the fitted ThemeClassifier, in skops format (no pickle)
    manifest.json       codebook and training-data hashes, embedding model name,
                        fingerprint and dimension, library versions, thresholds,
                        metrics, creation time, and the SHA-256 of every file
    findings.db         the findings database (SQLite default; see classifier.store)

skops stores the estimator without pickle and, on load, builds only the types
we name as trusted; :func:`load_model` also checks the file's SHA-256 against
the manifest before reading it at all, and refuses a model made with
another codebook, other training data, another embedding model or another
scikit-learn version, each with a one-line message saying how to rebuild.
"""
from __future__ import annotations

import json
import platform
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import skops.io as sio

from classifier import __version__, paths
from classifier.codebook import Codebook, default_codebook
from classifier.data import training_data_hash
from classifier.embed import Embedder
from classifier.errors import ArtefactError
from classifier.fileio import atomic_path, sha256_file, write_text
from classifier.pipeline import ThemeModel

MODEL_FILE = "classifier.skops"
# the only non-default types a model file may contain; anything else is refused unread
TRUSTED_TYPES = {
    "classifier.model.ThemeClassifier",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.dummy.DummyClassifier",
}
MANIFEST_FILE = "manifest.json"
MODEL_PARAMS = ("C", "use_codebook", "codebook_weight", "review_margin", "random_state",
                "codebook_negatives", "keyword_weight", "actor_weight", "threshold_repeats")
REBUILD = "rebuild it with `python -m classifier train` (or `make run`)"


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "inspection-themes": __version__}
    for name in ("scikit-learn", "sentence-transformers", "torch", "numpy", "pandas", "joblib"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "missing"
    return out


def _minor(v: str) -> str:
    return ".".join(v.split(".")[:2])


def save_model(model: ThemeModel, *, metrics: dict, models_dir: Path | None = None,
               extra_files: dict[str, str] | None = None, extra: dict | None = None) -> Path:
    """Write the classifier and its manifest; the manifest is written last. ``extra`` adds
    top-level manifest entries (e.g. the database corrections a model was trained with)."""
    models_dir = Path(models_dir or paths.models_dir())
    models_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(models_dir / MODEL_FILE) as tmp:
        sio.dump(model.classifier_, tmp)
    emb = model.embedder
    manifest = {
        "format": 1,
        "model_version": None,  # filled below from the file hash
        "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "themes": model.codebook.ids,
        "codebook": {"version": model.codebook.version, "sha256": model.codebook.sha256},
        "training_data": {"sha256": training_data_hash()},
        "embedding_model": {"name": emb.model_name, "path": str(emb.model_path),
                            "fingerprint": emb.fingerprint, "dimension": emb.dimension},
        "params": {k: getattr(model, k) for k in MODEL_PARAMS},
        "thresholds": {t: float(v) for t, v in zip(model.codebook.ids, model.thresholds_)},
        "versions": library_versions(),
        "metrics": metrics,
        "files": {MODEL_FILE: sha256_file(models_dir / MODEL_FILE), **(extra_files or {})},
    }
    manifest.update(extra or {})
    manifest["model_version"] = manifest["files"][MODEL_FILE][:12]
    write_text(models_dir / MANIFEST_FILE, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return models_dir


def read_manifest(models_dir: Path | None = None) -> dict:
    """The manifest as a dict (no model file is opened); for the app's About page."""
    path = Path(models_dir or paths.models_dir()) / MANIFEST_FILE
    if not path.exists():
        raise ArtefactError(f"no trained model in {path.parent}: {REBUILD}")
    try:
        return json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError):
        raise ArtefactError(f"{path}: manifest is not valid JSON; {REBUILD}") from None


def check_manifest(manifest: dict, models_dir: Path, *, codebook: Codebook,
                   embedder: Embedder | None = None, check_data: bool = True) -> None:
    """Raise ArtefactError naming the first thing that does not match."""
    for name, digest in sorted(manifest.get("files", {}).items()):
        path = models_dir / name
        if not path.exists():
            raise ArtefactError(f"{path} is missing; {REBUILD}")
        if sha256_file(path) != digest:
            raise ArtefactError(f"{path} does not match its manifest (corrupt or tampered); "
                                f"{REBUILD}")
    if manifest.get("codebook", {}).get("sha256") != codebook.sha256:
        raise ArtefactError(
            f"model was trained with codebook v{manifest.get('codebook', {}).get('version')} "
            f"but classifier/codebook.json has changed (v{codebook.version}); {REBUILD}")
    if manifest.get("themes") != codebook.ids:
        raise ArtefactError(f"model themes {manifest.get('themes')} differ from the codebook's; "
                            f"{REBUILD}")
    if check_data and manifest.get("training_data", {}).get("sha256") != training_data_hash():
        raise ArtefactError(f"training data changed since the model was built; {REBUILD}")
    sk_then = manifest.get("versions", {}).get("scikit-learn", "?")
    sk_now = library_versions()["scikit-learn"]
    if _minor(sk_then) != _minor(sk_now):
        raise ArtefactError(f"model was built with scikit-learn {sk_then}, this is {sk_now}; "
                            f"{REBUILD}")
    if embedder is not None:
        want = manifest.get("embedding_model", {})
        if want.get("dimension") != embedder.dimension:
            raise ArtefactError(
                f"model expects {want.get('dimension')}-dimensional embeddings but "
                f"{embedder.model_path} gives {embedder.dimension}; use the model it was "
                f"trained with ({want.get('name')}) or {REBUILD}")
        if want.get("fingerprint") != embedder.fingerprint:
            raise ArtefactError(
                f"model was trained with embedding model {want.get('name')} "
                f"({want.get('fingerprint')}), not {embedder.model_path}; {REBUILD}")


def load_model(models_dir: Path | None = None, *, embedder: Embedder | None = None,
               codebook: Codebook | None = None, check_data: bool = True) -> ThemeModel:
    """Verify the manifest, then unpickle the classifier into a ready ThemeModel."""
    models_dir = Path(models_dir or paths.models_dir())
    codebook = codebook or default_codebook()
    manifest = read_manifest(models_dir)
    if MODEL_FILE not in manifest.get("files", {}):
        raise ArtefactError(f"{models_dir / MANIFEST_FILE} does not vouch for {MODEL_FILE}; "
                            f"{REBUILD}")
    embedder = embedder or Embedder(manifest.get("embedding_model", {}).get("path") or None)
    check_manifest(manifest, models_dir, codebook=codebook, embedder=embedder,
                   check_data=check_data)
    try:
        untrusted = sio.get_untrusted_types(file=models_dir / MODEL_FILE)
        unexpected = sorted(set(untrusted) - TRUSTED_TYPES)
        if unexpected:
            raise ArtefactError(f"{models_dir / MODEL_FILE} contains types that are not trusted "
                                f"({', '.join(unexpected)}); {REBUILD}")
        classifier = sio.load(models_dir / MODEL_FILE, trusted=untrusted)
    except ArtefactError:
        raise
    except Exception as exc:  # hash matched, so this is an environment problem
        raise ArtefactError(f"{models_dir / MODEL_FILE} could not be loaded ({exc}); "
                            f"{REBUILD}") from None
    params = manifest.get("params", {})
    missing = [k for k in MODEL_PARAMS if k not in params]
    if missing:  # built by an older version: its features would not line up
        raise ArtefactError(f"model manifest lacks the parameter(s) {', '.join(missing)} "
                            f"(built by an older version); {REBUILD}")
    model = ThemeModel(embedder, codebook=codebook, **{k: params[k] for k in MODEL_PARAMS})
    model.classifier_ = classifier
    model.thresholds_ = np.array([manifest["thresholds"][t] for t in codebook.ids])
    model.manifest_ = manifest
    return model


def model_is_valid(models_dir: Path | None = None) -> tuple[bool, str]:
    """(True, '') when a model loads cleanly; else (False, why) — for `train --if-missing`."""
    models_dir = Path(models_dir or paths.models_dir())
    try:
        manifest = read_manifest(models_dir)
        embedder = Embedder(manifest.get("embedding_model", {}).get("path") or None)
        check_manifest(manifest, models_dir, codebook=default_codebook(), embedder=embedder)
    except ArtefactError as exc:
        return False, str(exc)
    return True, ""
