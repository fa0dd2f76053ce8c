"""Shared fixtures. Tests run on the project's own copies of the real documents."""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# A new database holds report 001 only, as before the restated publications became history:
# the whole history costs every test that embeds the database ~30 s with a cold cache. Tests
# of the history set CLASSIFIER_SEED_HISTORY=1 themselves (tests/test_history_seed.py).
os.environ.setdefault("CLASSIFIER_SEED_HISTORY", "report-001")

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "training_data" / "sources"


@pytest.fixture(scope="session")
def report_001() -> Path:
    return SOURCES / "001_aap_composite_2019.txt"


@pytest.fixture(scope="session")
def extraction(report_001):
    from classifier.ingest.extract import extract_report

    return extract_report(report_001)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    """A model trained from the repository's real labelled data, into a temporary folder."""
    import shutil

    from classifier.jobs.training import train_and_save

    folder = tmp_path_factory.mktemp("models")
    prebuilt = os.environ.get("CLASSIFIER_TEST_PREBUILT_MODEL")  # a developer's shortcut
    if prebuilt:  # every file the manifest lists (the head, the ONNX export), then itself
        manifest = json.loads((Path(prebuilt) / "manifest.json").read_text())
        for name in [*manifest.get("files", {"classifier.skops": ""}), "manifest.json"]:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(prebuilt) / name, folder / name)
    else:
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


@contextmanager
def edited_manifest(models: Path) -> Iterator[dict]:
    """A models folder's manifest to change in place, as someone tampering with the folder
    would; written back when the block ends."""
    path = models / "manifest.json"
    manifest = json.loads(path.read_text())
    yield manifest
    path.write_text(json.dumps(manifest))


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of the headless Chromium the browser tests drive. Off CI a machine without one
    skips them; with CI=true that is a failure (.ci/run installs Debian's chromium)."""
    from classifier.app.server import chromium_path

    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("no chromium on this machine")
    return path


@pytest.fixture(scope="session")
def model(models_dir):
    from classifier.jobs.classify import get_model

    return get_model(models_dir)


def run_cli(*args: str, stdin: str | None = None, env: dict | None = None):
    """Run `python -m classifier ...` in a subprocess, as a user would."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "classifier", *args], capture_output=True,
                          text=True, input=stdin, env={**os.environ, **(env or {})}, timeout=600)


POSTGRES_ENV = "CLASSIFIER_TEST_POSTGRES_URL"


def _scratch_postgres(base_url: str, name: str) -> str:
    """Create database ``name`` on the server of ``base_url``; returns its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False),
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres(base_url: str, name: str) -> None:
    """Drop a scratch database; an autovacuum worker still on it (after a killed writer's
    big transaction) can block the drop for a moment, so try a few times."""
    import time
    import warnings

    import psycopg

    for attempt in range(10):
        try:
            with psycopg.connect(base_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.errors.InsufficientPrivilege as exc:
            last = exc
            time.sleep(1)
    warnings.warn(f"scratch database {name} left behind: {last}")


def scratch_database(kind: str, folder: Path) -> tuple[str, str | None]:
    """(URL, PostgreSQL database name or None) of a new, empty database of ``kind`` ("sqlite"
    in ``folder``, or "postgresql" on the test server). Off CI a machine without a PostgreSQL
    server skips; with CI=true that is a failure (.ci/run starts one)."""
    import uuid

    if kind == "sqlite":
        return f"sqlite:///{folder / 'findings.db'}", None
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_ENV} is not set; .ci/run starts PostgreSQL and sets it")
        pytest.skip(f"no PostgreSQL server ({POSTGRES_ENV} not set)")
    name = f"classifier_test_{uuid.uuid4().hex[:12]}"
    return _scratch_postgres(base, name), name


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, monkeypatch) -> str:
    """A fresh, empty findings database on SQLite and on PostgreSQL, set as
    CLASSIFIER_DATABASE_URL (so CLI subprocesses and the app use it too).

    Off CI a machine without a PostgreSQL server skips the PostgreSQL half; with CI=true
    nothing skips (.ci/run starts a server and exports CLASSIFIER_TEST_POSTGRES_URL)."""
    from classifier.store import forget_stores

    url, name = scratch_database(request.param, tmp_path)
    monkeypatch.setenv("CLASSIFIER_DATABASE_URL", url)
    monkeypatch.setenv("CLASSIFIER_CACHE_DIR", str(tmp_path / "cache"))
    forget_stores()
    yield url
    forget_stores()
    if name:
        _drop_postgres(os.environ[POSTGRES_ENV], name)
