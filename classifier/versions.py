"""Model versions: every trained model is kept, and any kept one can be put back in use.

``models/versions/<model_version>/`` holds a copy of the model file and its manifest as
``train`` wrote them; ``models/`` itself holds the one in use, which is what every command
loads (and verifies against its manifest as always). Putting a version back copies it in
with the same atomic writes, model file first and manifest last.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from classifier import paths
from classifier.artefacts import MANIFEST_FILE, MODEL_FILE, read_manifest
from classifier.errors import ClassifierError, InputError
from classifier.fileio import atomic_path

VERSIONS = "versions"


def archive(models_dir: Path | None = None) -> str:
    """Keep a copy of the model in use under versions/<its version>; returns the version."""
    models_dir = Path(models_dir or paths.models_dir())
    version = read_manifest(models_dir)["model_version"]
    target = models_dir / VERSIONS / version
    target.mkdir(parents=True, exist_ok=True)
    for name in (MODEL_FILE, MANIFEST_FILE):
        with atomic_path(target / name) as tmp:
            shutil.copy2(models_dir / name, tmp)
    return version


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


def use_version(version: str, models_dir: Path | None = None) -> dict:
    """Put a kept version in use (it is verified when next loaded, like any model)."""
    models_dir = Path(models_dir or paths.models_dir())
    source = models_dir / VERSIONS / version
    if not version or "/" in version or not (source / MANIFEST_FILE).exists():
        known = ", ".join(r["version"] for r in list_versions(models_dir)) or "none"
        raise InputError(f"no model version {version!r}; kept versions: {known} "
                         "(see `models list`)")
    for name in (MODEL_FILE, MANIFEST_FILE):  # the manifest last: it vouches for the file
        with atomic_path(models_dir / name) as tmp:
            shutil.copy2(source / name, tmp)
    return json.loads((models_dir / MANIFEST_FILE).read_text())
