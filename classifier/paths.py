"""Where the project's data and artefacts live; every path can be overridden.

Defaults are relative to the repository root (the package is installed in
editable mode). ``CLASSIFIER_MODELS_DIR`` and ``CLASSIFIER_DATA_DIR`` move them,
which is how tests train into a temporary folder.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    return Path(os.environ.get("CLASSIFIER_DATA_DIR", ROOT / "training_data"))


def models_dir() -> Path:
    return Path(os.environ.get("CLASSIFIER_MODELS_DIR", ROOT / "models"))


def cache_dir() -> Path:
    return Path(os.environ.get("CLASSIFIER_CACHE_DIR", ROOT / ".cache"))


def training_report() -> Path:
    return data_dir() / "sources" / "001_aap_composite_2019.txt"


def findings_csv() -> Path:
    return data_dir() / "findings.csv"


def labels_csv() -> Path:
    return data_dir() / "labels.csv"


def ratings_csv() -> Path:
    return data_dir() / "area_ratings.csv"

