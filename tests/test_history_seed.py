"""The restated publications as history (issue 22), on SQLite and PostgreSQL: what a new
database holds, what an existing one gets and when, the sealed split kept from training,
bad headers, and the briefing and workbook made from it.

Expected values come from the repository's own files, read here with plain string
handling (not through the code under test): the corpus files' header lines, corpus.csv,
sealed_groups.txt.
"""
from __future__ import annotations

import csv
import logging
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from classifier.store import forget_stores, open_store
from tests.conftest import ROOT, run_cli

DATA = ROOT / "training_data"
CORPUS = DATA / "sources" / "corpus"
SEED_ENV = "CLASSIFIER_SEED_HISTORY"


def _header(path: Path) -> dict[str, str]:
    head = path.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in head.splitlines())}


def _corpus_rows() -> list[dict]:
    with open(DATA / "corpus.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _sealed() -> set[str]:
    lines = (DATA / "sealed_groups.txt").read_text().splitlines()
    return {x.strip() for x in lines if x.strip() and not x.startswith("#")}


@pytest.fixture
def history(database, monkeypatch):
    """A new database opened with the default setting: the whole history."""
    monkeypatch.setenv(SEED_ENV, "1")
    forget_stores()
    return open_store()


def test_new_database_holds_every_publication_with_its_header_and_labels(history):
    reports = history.reports()
    files = sorted(CORPUS.glob("[0-9]*.txt"))
    corpus = reports[reports["file_name"].str.startswith("corpus/")].set_index("file_name")
    assert len(corpus) == len(files)  # every restated publication, labelled or not yet
    assert reports.loc[reports["id"] == 1, "title"].item().startswith("Area Assurance Programme")
    for path in files:
        header, row = _header(path), corpus.loc[f"corpus/{path.name}"]
        assert row["source_url"] == header["source"] and row["title"] == header["title"]
        publisher = header["publisher"]
        assert row["publisher"] == (publisher.split(":", 1)[1].strip()
                                    if publisher.startswith("other:") else publisher)
        stated = header["date"]
        if not stated:
            assert pd.isna(row["date"]) and row["date_precision"] == ""
        else:
            assert row["date"].year == int(stated[:4]), path.name
            assert row["date_precision"] == {10: "day", 7: "month", 4: "year"}[len(stated)]
            if len(stated) == 10:
                assert row["date"] == date.fromisoformat(stated)
        assert row["description"] == header["kind"]
    # every labelled finding, with its reconciled label as a human label
    frame = history.findings_frame()
    corpus_rows = _corpus_rows()
    stored = frame[frame["number"].str.startswith("c")].set_index("number")
    assert len(stored) == len(corpus_rows)
    for rec in corpus_rows:
        assert stored.loc[rec["id"], "text"] == rec["text"]
        assert stored.loc[rec["id"], "themes"] == rec["themes"]
    assert set(frame["label_source"]) == {"human"}
    # the Area of an Area inspection is on its findings, so the heatmaps count them
    east_midlands = corpus.loc["corpus/201.txt"]
    assert east_midlands["area"] == "East Midlands"
    assert set(frame.loc[frame["report_id"] == east_midlands["id"], "area"]) <= {"East Midlands"}
    # dated publications span well over ten years
    assert frame["year"].dropna().nunique() >= 10


def test_history_is_loaded_once_and_sealed_publications_are_marked(history):
    before = len(history.reports())
    forget_stores()
    again = open_store()
    assert len(again.reports()) == before and again.state()["history_seeded"]
    groups = pd.read_csv(DATA / "corpus_groups.csv", dtype=str, keep_default_na=False)
    sealed_files = {f"corpus/{p}.txt" for p, g in zip(groups["publication"], groups["group"])
                    if g in _sealed()}
    reports = again.reports()
    assert set(reports.loc[reports["held_out"], "file_name"]) == sealed_files
    assert len(sealed_files) > 0


def test_sealed_split_never_reaches_training_through_corrections(database, monkeypatch,
                                                                 tmp_path):
    """A reviewer's decision on a finding of a sealed publication is kept (it wins in every
    view) but is not a training correction; one on any other publication is. (The sealed
    list gets one more labelled group in a copy of the data, so there is always a sealed
    finding to decide on, whatever corpus.csv holds yet.)"""
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("labelling", "*.md"))
    extra = _corpus_rows()[0]["group"]
    with open(data / "sealed_groups.txt", "a", encoding="utf-8") as fh:
        fh.write(f"\n{extra}\n")
    monkeypatch.setenv("CLASSIFIER_DATA_DIR", str(data))
    monkeypatch.setenv(SEED_ENV, "1")
    forget_stores()
    history = open_store()
    from classifier.ingest.datasets import training_set
    from classifier.jobs.training import database_corrections, with_corrections

    frame = history.findings_frame()
    sealed = frame[frame["held_out"] & (frame["themes"] != "engagement")].iloc[0]
    open_ = frame[~frame["held_out"] & frame["number"].str.startswith("c") &
                  (frame["themes"] != "engagement")].iloc[0]
    for row in (sealed, open_):
        history.record_decision(int(row["finding_id"]), "engagement", by="A. Reviewer")
    assert history.finding(int(sealed["finding_id"]))["themes"] == "engagement"  # shown
    fixes = database_corrections(None)
    assert set(fixes["finding_id"]) == {int(open_["finding_id"])}
    train, summary = with_corrections(training_set(), fixes)
    assert summary["count"] == 1
    assert sealed["text"] not in set(train.loc[train["id"].str.startswith("db-"), "text"])
    assert (train.loc[train["text"] == open_["text"], "themes"] == "engagement").all()
    assert (train.loc[train["text"] == sealed["text"], "themes"] != "engagement").all()


def test_existing_database_gets_history_only_when_asked(database, monkeypatch):
    """A database from before (schema 0002, report 001 loaded) is migrated and keeps what it
    had; `history seed` adds the publications, once."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from classifier.store.db import _alembic_config

    engine = create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0002")
    engine.dispose()
    forget_stores()
    open_store()  # as before issue 22: report 001 only
    monkeypatch.setenv(SEED_ENV, "1")
    forget_stores()
    store = open_store()
    assert store.reports()["id"].tolist() == [1] and not store.state()["history_seeded"]
    result = run_cli("history", "seed", "--no-embed")
    assert result.returncode == 0, result.stderr
    n_files = len(list(CORPUS.glob("[0-9]*.txt")))
    added = int(re.match(r"(\d+) publication", result.stdout).group(1))
    assert added >= n_files  # the corpus and the seed documents
    assert len(store.reports()) == 1 + added and store.state()["history_seeded"]
    again = run_cli("history", "seed", "--no-embed")
    assert again.returncode == 0 and again.stdout.startswith("0 publication(s) added"), again.stdout
    assert f"{added} already stored" in again.stdout


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_empty_setting_and_a_bad_value(database, monkeypatch):
    monkeypatch.setenv(SEED_ENV, "0")
    forget_stores()
    assert len(open_store().reports()) == 0
    monkeypatch.setenv(SEED_ENV, "1")
    forget_stores()
    assert len(open_store().reports()) == 0  # asked empty once: stays empty
    result = run_cli("history", "list", env={SEED_ENV: "maybe",
                                             "CLASSIFIER_DATABASE_URL": database + "-other"})
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert SEED_ENV in result.stderr


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_bad_headers_are_stored_with_what_they_have_and_named_in_one_line(
        database, monkeypatch, tmp_path, caplog):
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("labelling", "*.md"))
    corpus = data / "sources" / "corpus"
    broken = sorted(corpus.glob("[0-9]*.txt"))[:3]
    text = [p.read_text(encoding="utf-8") for p in broken]
    broken[0].write_text(text[0].replace("\n---\n", "\n\n"), encoding="utf-8")  # no header end
    broken[1].write_text(re.sub(r"(?m)^date:.*$", "date: 2019-13-45", text[1]), encoding="utf-8")
    broken[2].write_text(re.sub(r"(?m)^publisher:.*$", "publisher:", text[2]), encoding="utf-8")
    monkeypatch.setenv("CLASSIFIER_DATA_DIR", str(data))
    monkeypatch.setenv(SEED_ENV, "1")
    forget_stores()
    with caplog.at_level(logging.WARNING, logger="classifier.store.seed"):
        store = open_store()
    lines = [r.getMessage() for r in caplog.records if r.name == "classifier.store.seed"]
    assert len(lines) == 1 and "\n" not in lines[0]
    for path in broken:
        assert path.stem in lines[0]
    reports = store.reports().set_index("file_name")
    stored = reports[reports.index.str.startswith("corpus/")]
    assert len(stored) == len(list(corpus.glob("[0-9]*.txt")))
    first = reports.loc[f"corpus/{broken[0].name}"]
    assert first["title"] == broken[0].stem and first["source_url"] == ""
    assert pd.isna(reports.loc[f"corpus/{broken[1].name}", "date"])
    assert reports.loc[f"corpus/{broken[1].name}", "title"] == _header(broken[1])["title"]
    assert reports.loc[f"corpus/{broken[2].name}", "publisher"] == ""
    n_rows = sum(1 for r in _corpus_rows() if r["publication"] == broken[0].stem)
    assert reports.loc[f"corpus/{broken[0].name}", "findings"] == n_rows  # findings kept


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_unreadable_training_data_never_stops_the_first_open(database, monkeypatch, tmp_path,
                                                            caplog):
    """Without the sealed list nobody can tell which publications to hold out: none is
    stored, report 001 is, one line says what to do, and `history seed` works once fixed."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("labelling", "*.md"))
    (data / "sealed_groups.txt").unlink()
    monkeypatch.setenv("CLASSIFIER_DATA_DIR", str(data))
    monkeypatch.setenv(SEED_ENV, "1")
    forget_stores()
    with caplog.at_level(logging.WARNING, logger="classifier.store.seed"):
        store = open_store()
    assert store.reports()["id"].tolist() == [1] and not store.state()["history_seeded"]
    lines = [r.getMessage() for r in caplog.records if r.name == "classifier.store.seed"]
    assert len(lines) == 1 and "history seed" in lines[0]
    shutil.copy(DATA / "sealed_groups.txt", data / "sealed_groups.txt")
    result = run_cli("history", "seed", "--no-embed")
    assert result.returncode == 0 and store.state()["history_seeded"], result.stderr
    assert len(store.reports()) > len(list(CORPUS.glob("[0-9]*.txt")))
