"""Shared fixtures. Tests run on the project's own copies of the real documents."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "training_data" / "sources"


@pytest.fixture(scope="session")
def report_001() -> Path:
    return SOURCES / "001_aap_composite_2019.txt"


@pytest.fixture(scope="session")
def extraction(report_001):
    from classifier.extract import extract_report

    return extract_report(report_001)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    """A model trained from the repository's real labelled data, into a temporary folder."""
    from classifier.train import train_and_save

    folder = tmp_path_factory.mktemp("models")
    train_and_save(folder)
    os.environ["CLASSIFIER_MODELS_DIR"] = str(folder)  # subprocesses and the app use it too
    return folder


@pytest.fixture
def fresh_models(models_dir, tmp_path) -> Path:
    """A private copy of the trained model, for tests that change or break it."""
    import shutil

    copy = tmp_path / "models"
    shutil.copytree(models_dir, copy)
    return copy


@pytest.fixture(scope="session")
def model(models_dir):
    from classifier.classify import get_model

    return get_model(models_dir)


def run_cli(*args: str, stdin: str | None = None, env: dict | None = None):
    """Run `python -m classifier ...` in a subprocess, as a user would."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "classifier", *args], capture_output=True,
                          text=True, input=stdin, env={**os.environ, **(env or {})}, timeout=600)
