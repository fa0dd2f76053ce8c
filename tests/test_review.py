"""Corrections: the review queue, `review list/set`, and training with the database's labels."""
from __future__ import annotations

import json

import numpy as np
import pytest

from classifier.store import open_store
from tests.conftest import SOURCES, run_cli

REPORT_000 = SOURCES / "000_west_midlands_aai_summary.txt"
REPORT_002 = SOURCES / "002_london_followup_press_release_2012.txt"


@pytest.fixture
def with_reports(models_dir, database):
    from classifier.jobs.classify import classify_reports

    frame, failures, _ = classify_reports([REPORT_000, REPORT_002], add_to_history=True)
    assert not failures
    return frame


def test_queue_puts_uncertain_model_labels_first(with_reports, models_dir):
    from classifier.model.artefacts import read_manifest
    from classifier.insight.review import review_queue

    store = open_store()
    thresholds = read_manifest(models_dir)["thresholds"]
    queue = review_queue(store.findings_frame(probabilities=True), thresholds)
    assert len(queue) == len(with_reports)  # report 001's human labels are not queued
    assert set(queue["label_source"]) == {"model"}
    flags = queue["needs_review"].tolist()
    assert flags == sorted(flags, reverse=True)
    for flag in (True, False):
        margins = queue.loc[queue["needs_review"] == flag, "margin"].tolist()
        assert margins == sorted(margins)
    only = review_queue(store.findings_frame(probabilities=True), thresholds, report_id=3,
                        theme="other")
    assert set(only["report_id"]) <= {3} and (only["themes"] == "other").all()
    first = int(queue["finding_id"].iloc[0])
    store.record_decision(first, "grip", by="ann")
    again = review_queue(store.findings_frame(probabilities=True), thresholds)
    assert first not in set(again["finding_id"]) and len(again) == len(queue) - 1


SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # CLI and training
# are slow; the store they call is tested on both backends in test_store.py


@SQLITE_ONLY
def test_review_cli_lists_sets_and_refuses_bad_input(with_reports, database):
    listed = run_cli("review", "list", "--limit", "3", "--report", "2", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == 3 and {r["report_id"] for r in rows} == {2}
    assert set(rows[0]["probabilities"]) >= {"grip", "disclosure"}
    fid = rows[0]["finding_id"]
    ok = run_cli("review", "set", str(fid), "--themes", "grip;disclosure", "--by", "ann",
                 "--note", "clear grip point")
    assert ok.returncode == 0, ok.stderr
    assert f"finding {fid}: disclosure;grip (by ann; was {rows[0]['themes']}" in ok.stdout
    for args, message in ((["review", "set", str(fid), "--themes", "grip;bogus"],
                           "unknown theme"),
                          (["review", "set", "99999", "--themes", "grip"], "no finding"),
                          (["review", "set", "x", "--themes", "grip"], "must be a number")):
        bad = run_cli(*args)
        assert bad.returncode == 2 and message in bad.stderr
        assert bad.stderr.count("\n") == 1
    trail = open_store().decisions()
    assert len(trail) == 1
    assert trail.iloc[0][["finding_id", "themes", "decided_by", "note"]].tolist() == \
        [fid, "disclosure;grip", "ann", "clear grip point"]
    shown = open_store().findings_frame().set_index("finding_id").loc[fid]
    assert shown["themes"] == "disclosure;grip" and shown["label_source"] == "human"


def test_training_set_takes_database_corrections(with_reports):
    from classifier.ingest import datasets as d
    from classifier.jobs.training import database_corrections, with_corrections

    store = open_store()
    annex = store.findings_frame(report_id=1)
    known = annex.iloc[0]
    new_theme = "victim_letters" if "victim_letters" not in known["themes"] else "grip"
    store.record_decision(int(known["finding_id"]), new_theme, by="ann")
    added = store.findings_frame(report_id=2).iloc[0]
    store.record_decision(int(added["finding_id"]), "engagement", by="bob")
    base = d.training_set()
    train, summary = with_corrections(base, database_corrections(None))
    assert summary["count"] == 2 and summary["replaced"] == 1 and summary["added"] == 1
    assert len(train) == len(base) + 1
    assert train.loc[train["text"] == known["text"], "themes"].tolist() == [new_theme]
    assert train.loc[train["text"] == added["text"], "themes"].tolist() == ["engagement"]
    assert set(summary["reports"]) == {f"1: {known['report']}", f"2: {added['report']}"}
    labels = d.label_matrix(train["themes"])
    assert labels.shape == (len(train), 5) and np.isin(labels, [0, 1]).all()


@SQLITE_ONLY
def test_correction_trains_a_new_version_and_models_use_goes_back(with_reports, models_dir,
                                                                   fresh_models):
    """`review set` then `train`: a new version whose manifest counts the correction;
    `models use` the old version gives back the old predictions."""
    from classifier.model.artefacts import load_model, read_manifest
    from classifier.jobs.training import train_and_save
    from classifier.model.versions import archive

    old = archive(fresh_models)
    probe = ["Letters to bereaved families are late.", "The Area must improve case reviews.",
             with_reports["text"].iloc[0]]
    before = load_model(fresh_models).predict_proba(probe)
    store = open_store()
    fid = int(store.findings_frame(report_id=2)["finding_id"].iloc[0])
    assert run_cli("review", "set", str(fid), "--themes", "victim_letters", "--by",
                   "ann").returncode == 0
    train_and_save(fresh_models, with_metrics=False)
    manifest = read_manifest(fresh_models)
    assert manifest["corrections"]["count"] == 1
    assert list(manifest["corrections"]["reports"]) == [f"2: {store.reports()['title'][1]}"]
    new = archive(fresh_models)
    assert new != old
    listed = run_cli("models", "list", "--format", "json", "--models-dir", str(fresh_models))
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert {r["version"]: (r["corrections"], r["in_use"]) for r in rows} == \
        {old: (0, False), new: (1, True)}
    back = run_cli("models", "use", old, "--models-dir", str(fresh_models))
    assert back.returncode == 0 and old in back.stdout
    assert np.allclose(load_model(fresh_models).predict_proba(probe), before)
    assert run_cli("models", "use", "nope", "--models-dir", str(fresh_models)).returncode == 2
