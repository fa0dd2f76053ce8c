"""Save and load the trained model with a manifest that says what made it.

``models/`` holds::

    classifier.skops    the fitted ThemeClassifier, in skops format (no pickle)
    head.npz            the same classifier's arithmetic as plain arrays, checked equal to
                        it at train time (classifier.model.head): inference loads this and
                        needs neither scikit-learn nor skops; absent when the classifier
                        is of a kind classifier.model.head cannot copy
    encoder/            the embedding model exported to ONNX for inference without
                        torch (model.onnx, tokenizer.json, encoder.json; see
                        classifier.model.export and classifier.model.onnx_encoder)
    manifest.json       codebook and training-data hashes, embedding model name,
                        fingerprint and dimension, the encoder export (its exporter
                        versions: torch, onnx, onnxruntime; fusions; its check against
                        torch), library versions, thresholds, metrics, creation time,
                        and the SHA-256 of every file (the encoder's files included)
    findings.db         the findings database (SQLite default; see classifier.store)

skops stores the estimator without pickle and, on load, builds only the types
we name as trusted; :func:`load_model` also checks the file's SHA-256 against
the manifest before reading it at all, and refuses a model made with
another codebook, other training data, another embedding model, another
scikit-learn version, a missing or altered encoder export or another onnxruntime
version than the one that optimised it, each with a one-line message saying how to
rebuild. Loading never imports torch: the model's embedder is the ONNX export.
"""
from __future__ import annotations

import json
import platform
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from classifier import __version__, paths
from classifier.codebook import Codebook, default_codebook
from classifier.ingest.datasets import training_data_hash
from classifier.model.embed import Embedder
from classifier.errors import ArtefactError
from classifier.fileio import atomic_path, sha256_file, write_text
from classifier.model.head import HEAD_FILE, MAX_DIFF, LinearHead, compile_head
from classifier.model.onnx_encoder import file_digest
from classifier.model.pipeline import ThemeModel
from classifier.model.review import ReviewRule

MODEL_FILE = "classifier.skops"
# the only non-default types a model file may contain; anything else is refused unread
TRUSTED_TYPES = {
    "classifier.model.estimator.ThemeClassifier",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.dummy.DummyClassifier",
}
MANIFEST_FILE = "manifest.json"
ENCODER_DIR = "encoder"
MODEL_PARAMS = ("C", "use_codebook", "codebook_weight", "review_margin", "random_state",
                "codebook_negatives", "keyword_weight", "actor_weight", "threshold_repeats",
                "sentence_max")
REBUILD = "rebuild it with `python -m classifier train` (or `make run`)"


def _skops_io():
    """``skops.io``, imported without crawling all of scikit-learn.

    On import, skops lists every scikit-learn estimator as trusted by default, with
    ``sklearn.utils.all_estimators()``, which imports every public scikit-learn module —
    among them ``sklearn.externals.array_api_compat.torch``, i.e. torch: 8 s and 600 MB
    before a finding is classified. Here that list is left empty while skops is imported,
    and :func:`load_model` applies the same rule to only the types the model file
    names (:func:`_is_public_sklearn_estimator`).
    """
    import sys

    if "skops.io" not in sys.modules:
        import sklearn.utils

        real = sklearn.utils.all_estimators
        sklearn.utils.all_estimators = lambda *args, **kwargs: []
        try:
            import skops.io  # noqa: F401
        finally:
            sklearn.utils.all_estimators = real
    return sys.modules["skops.io"]


def _is_public_sklearn_estimator(name: str) -> bool:
    """skops's default rule, for one type name: a non-abstract scikit-learn estimator class
    exposed under its own name by a public scikit-learn module (e.g.
    ``sklearn.linear_model._logistic.LogisticRegression``, public as
    ``sklearn.linear_model.LogisticRegression``)."""
    import inspect
    from importlib import import_module

    module_name, _, cls_name = name.rpartition(".")
    if not module_name.startswith("sklearn.") or cls_name.startswith("_"):
        return False
    try:
        from sklearn.base import BaseEstimator

        cls = getattr(import_module(module_name), cls_name, None)
        public = module_name.split("._")[0]
        exposed = getattr(import_module(public), cls_name, None)
    except ImportError:
        return False
    return (inspect.isclass(cls) and exposed is cls and issubclass(cls, BaseEstimator)
            and not inspect.isabstract(cls) and cls is not BaseEstimator)


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "inspection-themes": __version__}
    for name in ("scikit-learn", "sentence-transformers", "torch", "numpy", "pandas", "joblib",
                 "onnx", "onnxruntime", "tokenizers"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "missing"
    return out


def _minor(v: str) -> str:
    return ".".join(v.split(".")[:2])


def encoder_files(models_dir: Path, encoder: dict) -> dict[str, str]:
    """The export's files as manifest entries (``encoder/model.onnx`` → SHA-256)."""
    return {f"{ENCODER_DIR}/{name}": digest for name, digest in encoder["files"].items()} | {
        f"{ENCODER_DIR}/encoder.json": sha256_file(models_dir / ENCODER_DIR / "encoder.json")}


def encoder_entry(encoder: dict) -> dict:
    """The manifest's ``encoder`` section, from the export's encoder.json."""
    keep = ("fingerprint", "dimension", "max_seq_length", "pooling", "precision", "opset",
            "fusions", "check", "onnx_file")
    return {"path": ENCODER_DIR, "format": "onnx", **{k: encoder.get(k) for k in keep},
            "sha256": encoder["files"][encoder.get("onnx_file", "model.onnx")],
            "exporter_versions": encoder["versions"]}


def save_model(model: ThemeModel, *, metrics: dict, models_dir: Path | None = None,
               extra_files: dict[str, str] | None = None, encoder: dict | None = None,
               head_check: np.ndarray | None = None, extra: dict | None = None) -> Path:
    """Write the classifier and its manifest; the manifest is written last.

    ``encoder`` is the encoder.json of the ONNX export in ``models_dir/encoder``
    (see :func:`classifier.model.export.export_encoder`); its files join the manifest's.
    ``head_check``: feature rows (e.g. the training set's) on which a compiled numpy
    copy of the classifier must agree with it to be written (:mod:`classifier.model.head`).
    ``extra`` adds top-level manifest entries (e.g. the database corrections a model was
    trained with).
    """
    models_dir = Path(models_dir or paths.models_dir())
    models_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(models_dir / MODEL_FILE) as tmp:
        _skops_io().dump(model.classifier_, tmp)
    emb = model.embedder
    manifest = {
        "format": 1,
        "model_version": None,  # filled below from the file hash
        "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "themes": model.codebook.ids,
        "codebook": {"version": model.codebook.version, "sha256": model.codebook.sha256},
        "training_data": {"sha256": training_data_hash()},
        "embedding_model": {"name": emb.model_name,
                            "path": str(emb.source_path or emb.model_path),
                            "fingerprint": emb.fingerprint, "dimension": emb.dimension},
        "params": {k: getattr(model, k) for k in MODEL_PARAMS},
        "thresholds": {t: float(v) for t, v in zip(model.codebook.ids, model.thresholds_)},
        "versions": library_versions(),
        "metrics": metrics,
        "files": {MODEL_FILE: sha256_file(models_dir / MODEL_FILE), **(extra_files or {})},
    }
    if encoder is not None:
        manifest["encoder"] = encoder_entry(encoder)
        manifest["files"].update(encoder_files(models_dir, encoder))
    (models_dir / HEAD_FILE).unlink(missing_ok=True)
    head = compile_head(model.classifier_, head_check) if head_check is not None else None
    if head is not None:
        with atomic_path(models_dir / HEAD_FILE) as tmp:
            head.save(tmp)
        manifest["head"] = {"file": HEAD_FILE, "checked_rows": int(len(head_check)),
                            "max_abs_diff": MAX_DIFF}
        manifest["files"][HEAD_FILE] = sha256_file(models_dir / HEAD_FILE)
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
        if file_digest(path) != digest:
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
    try:
        sk_now = version("scikit-learn")
    except PackageNotFoundError:
        sk_now = "missing"
    if _minor(sk_then) != _minor(sk_now):
        raise ArtefactError(f"model was built with scikit-learn {sk_then}, this is {sk_now}; "
                            f"{REBUILD}")
    check_encoder(manifest, models_dir)
    if embedder is not None:
        check_embedder(manifest, embedder)


def check_embedder(manifest: dict, embedder: Embedder) -> None:
    """The embedder gives the vectors the classifier was trained on (dimension, fingerprint)."""
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


def check_encoder(manifest: dict, models_dir: Path) -> None:
    """The ONNX export is there, vouched for, and runnable by the installed onnxruntime.

    (Its files' SHA-256 were checked with the others'.)
    """
    from importlib.metadata import PackageNotFoundError, version

    encoder = manifest.get("encoder")
    if not encoder:
        raise ArtefactError(f"{models_dir}: the model has no ONNX encoder (built by an older "
                            f"version); {REBUILD}")
    folder = models_dir / encoder.get("path", ENCODER_DIR)
    for name in (encoder.get("onnx_file") or "model.onnx", "tokenizer.json", "encoder.json"):
        if f"{folder.name}/{name}" not in manifest.get("files", {}):
            raise ArtefactError(f"{models_dir / MANIFEST_FILE} does not vouch for "
                                f"{folder.name}/{name}; {REBUILD}")
    if encoder.get("fingerprint") != manifest.get("embedding_model", {}).get("fingerprint"):
        raise ArtefactError(f"{folder} was exported from another embedding model than the one "
                            f"the classifier was trained with; {REBUILD}")
    then = encoder.get("exporter_versions", {}).get("onnxruntime", "?")
    try:
        now = version("onnxruntime")
    except PackageNotFoundError:
        raise ArtefactError("onnxruntime is not installed; `pip install -e .` installs it") from None
    if _minor(then) != _minor(now):
        raise ArtefactError(f"{folder / 'model.onnx'} was optimised with onnxruntime {then}, this "
                            f"is {now}; {REBUILD}")


def inference_embedder(manifest: dict, models_dir: Path) -> Embedder:
    """The model's ONNX encoder (torch is not imported)."""
    if not manifest.get("encoder"):
        raise ArtefactError(f"{models_dir}: the model has no ONNX encoder (built by an older "
                            f"version); {REBUILD}")
    return Embedder(models_dir / manifest["encoder"].get("path", ENCODER_DIR))


def _load_skops(models_dir: Path):
    """The scikit-learn classifier from classifier.skops, building only trusted types."""
    try:
        sio = _skops_io()
        untrusted = sio.get_untrusted_types(file=models_dir / MODEL_FILE)
        unexpected = sorted({t for t in untrusted if not _is_public_sklearn_estimator(t)}
                            - TRUSTED_TYPES)
        if unexpected:
            raise ArtefactError(f"{models_dir / MODEL_FILE} contains types that are not trusted "
                                f"({', '.join(unexpected)}); {REBUILD}")
        return sio.load(models_dir / MODEL_FILE, trusted=untrusted)
    except ArtefactError:
        raise
    except Exception as exc:  # hash matched, so this is an environment problem
        raise ArtefactError(f"{models_dir / MODEL_FILE} could not be loaded ({exc}); "
                            f"{REBUILD}") from None


def load_model(models_dir: Path | None = None, *, embedder: Embedder | None = None,
               codebook: Codebook | None = None, check_data: bool = True) -> ThemeModel:
    """Verify the manifest, then load the classifier into a ready ThemeModel.

    Its embedder is the ONNX export in ``models_dir/encoder`` unless ``embedder`` is given.
    """
    models_dir = Path(models_dir or paths.models_dir())
    codebook = codebook or default_codebook()
    manifest = read_manifest(models_dir)
    if MODEL_FILE not in manifest.get("files", {}):
        raise ArtefactError(f"{models_dir / MANIFEST_FILE} does not vouch for {MODEL_FILE}; "
                            f"{REBUILD}")
    check_manifest(manifest, models_dir, codebook=codebook, check_data=check_data)
    embedder = embedder or inference_embedder(manifest, models_dir)
    check_embedder(manifest, embedder)
    try:
        if manifest.get("head", {}).get("file") == HEAD_FILE and HEAD_FILE in manifest["files"]:
            classifier = LinearHead.load(models_dir / HEAD_FILE)  # no scikit-learn needed
        else:
            classifier = _load_skops(models_dir)
    except ArtefactError:
        raise
    except Exception as exc:  # hash matched, so this is an environment problem
        raise ArtefactError(f"{models_dir / HEAD_FILE} could not be loaded ({exc}); "
                            f"{REBUILD}") from None
    params = manifest.get("params", {})
    missing = [k for k in MODEL_PARAMS if k not in params]
    if missing:  # built by an older version: its features would not line up
        raise ArtefactError(f"model manifest lacks the parameter(s) {', '.join(missing)} "
                            f"(built by an older version); {REBUILD}")
    model = ThemeModel(embedder, codebook=codebook, **{k: params[k] for k in MODEL_PARAMS})
    model.classifier_ = classifier
    model.thresholds_ = np.array([manifest["thresholds"][t] for t in codebook.ids])
    if "review_rule" in manifest:  # else needs_review falls back to the threshold margin
        model.review_rule_ = ReviewRule.from_dict(manifest["review_rule"])
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
