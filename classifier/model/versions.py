"""Model versions: every trained model is kept, and any kept one can be put back in use.

``models/versions/<model_version>/`` holds a copy of every file the model's manifest lists
(the classifier, its numpy head, the ONNX encoder export) and the manifest, as ``train`` wrote
them; ``models/`` itself holds the one in use, which is what every command loads (and verifies
against its manifest as always). Putting a version back copies it in with the same atomic
writes, the manifest last. Unchanged files are hard-linked where the file system allows, so
the 90 MB encoder is not stored once per version.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from classifier import paths
from classifier.access import Actor, operator, require
from classifier.model.artefacts import MANIFEST_FILE, MODEL_FILE, read_manifest
from classifier.errors import ClassifierError, InputError
from classifier.fileio import atomic_path

VERSIONS = "versions"


def archive(models_dir: Path | None = None) -> str:
    """Keep a copy of the model in use under versions/<its version>; returns the version."""
    models_dir = Path(models_dir or paths.models_dir())
    version = read_manifest(models_dir)["model_version"]
    _copy_model(models_dir, models_dir / VERSIONS / version)
    return version


def _copy_model(source: Path, target: Path) -> None:
    """Every file the manifest in ``source`` lists, then the manifest, into ``target``."""
    manifest = json.loads((source / MANIFEST_FILE).read_text())
    for name in [*sorted(manifest.get("files", {MODEL_FILE: ""})), MANIFEST_FILE]:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target / name) as tmp:
            tmp.unlink()  # atomic_path made it; a link needs the name free
            try:
                os.link(source / name, tmp)
            except OSError:  # another file system, or links not allowed: copy
                shutil.copy2(source / name, tmp)


def list_versions(models_dir: Path | None = None) -> list[dict]:
    """Each kept version, oldest first: version, created, metrics, corrections, in use."""
    models_dir = Path(models_dir or paths.models_dir())
    try:
        current = read_manifest(models_dir)["model_version"]
    except ClassifierError:  # no model in use is a state here, not an error
        current = None
    out = []
    for manifest_path in sorted((models_dir / VERSIONS).glob(f"*/{MANIFEST_FILE}")):
        try:
            manifest = json.loads(manifest_path.read_text())
        except ValueError:
            continue
        metrics = manifest.get("metrics", {})
        out.append({
            "version": manifest.get("model_version"), "created_at": manifest.get("created_at"),
            "macro_f1": {k: round(v.get("macro_f1", float("nan")), 3)
                         for k, v in metrics.items() if isinstance(v, dict)},
            "corrections": manifest.get("corrections", {}).get("count", 0),
            "in_use": manifest.get("model_version") == current})
    return sorted(out, key=lambda r: r["created_at"] or "")


def use_version(version: str, models_dir: Path | None = None, *,
                actor: Actor | None = None) -> dict:
    """Put a kept version in use (it is verified when next loaded, like any model);
    ``actor`` (default: the local operator) must be allowed to switch models."""
    require(actor or operator(), "switch_model")
    models_dir = Path(models_dir or paths.models_dir())
    source = models_dir / VERSIONS / version
    if not version or "/" in version or not (source / MANIFEST_FILE).exists():
        known = ", ".join(r["version"] for r in list_versions(models_dir)) or "none"
        raise InputError(f"no model version {version!r}; kept versions: {known} "
                         "(see `models list`)")
    _copy_model(source, models_dir)  # the manifest last: it vouches for the files
    return json.loads((models_dir / MANIFEST_FILE).read_text())
