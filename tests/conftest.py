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
