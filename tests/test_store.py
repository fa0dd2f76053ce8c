"""The findings database, on SQLite and on PostgreSQL (every test runs on both).

Real data throughout: report 001's labelled Annex B (seeded on first open), the seed
reports 000 and 002 segmented and classified by the trained model.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from classifier.errors import ClassifierError
from classifier.store import DatabaseError, ReportMeta, forget_stores, open_store
from tests.conftest import SOURCES, run_cli

REPORT_000 = SOURCES / "000_west_midlands_aai_summary.txt"
REPORT_002 = SOURCES / "002_london_followup_press_release_2012.txt"
HOSTILE = ["Robert'); DROP TABLE reports;--", "\" OR 1=1 --", "%' OR '%'='", "x\x00y",
           "🚓 Report ' \\ ; -- /* */", "$$; SELECT pg_sleep(10); $$"]


@pytest.fixture(scope="module")
def classified(model):
    """Report 000 and 002 segmented and classified by the real model, with their vectors."""
    from classifier.ingest.segment import segment_file

    out = {}
    for path in (REPORT_000, REPORT_002):
        seg = segment_file(path)
        vectors = model.embedder.encode(seg["text"].tolist())
        labels = model.describe(model.predict_proba_vectors(vectors, seg["text"].tolist()))
        labels["model_version"] = model.manifest_["model_version"]
        out[path.name] = (seg, labels, vectors)
    return out


def _meta(name: str, **kw) -> ReportMeta:
    return ReportMeta(title=kw.pop("title", name), content_hash=kw.pop("content_hash", name),
                      file_name=name, **kw)


def _counts(store) -> tuple[int, int]:
    return len(store.reports()), len(store.findings_frame())


def test_first_open_loads_report_001_as_human_labelled_once(database):
    store = open_store()
    labels = pd.read_csv(SOURCES.parent / "labels.csv", dtype=str)
    frame = store.findings_frame()
    assert len(frame) == len(labels) == 216
    assert set(frame["label_source"]) == {"human"}
    by_text = dict(zip(frame["text"], frame["themes"]))
    findings = pd.read_csv(SOURCES.parent / "findings.csv", dtype=str).merge(labels, on="id")
    assert all(by_text[t] == th for t, th in zip(findings["text"], findings["themes"]))
    reports = store.reports()
    assert reports.iloc[0]["publisher"] == "HMCPSI" and reports.iloc[0]["date"] == date(2019, 10, 1)
    forget_stores()
    assert _counts(open_store()) == (1, 216)  # a second open seeds nothing


def test_add_is_all_or_nothing_and_idempotent(database, classified, model):
    store = open_store()
    seg, labels, vectors = classified[REPORT_000.name]
    fp = model.embedder.fingerprint
    first = store.add_report(_meta("a", published=date(2017, 5, 1)), seg, labels,
                             vectors=vectors, fingerprint=fp)
    assert not first.existed and first.findings == len(seg) > 5
    again = store.add_report(_meta("a"), seg, labels, vectors=vectors, fingerprint=fp)
    assert again.existed and again.report_id == first.report_id and again.findings == 0
    before = _counts(store)
    original = store._insert_vectors

    def fail_half_way(*args, **kwargs):  # findings and labels are in; then the write fails
        raise RuntimeError("disk full")

    store._insert_vectors = fail_half_way
    with pytest.raises(RuntimeError):
        store.add_report(_meta("b"), seg, labels, vectors=vectors, fingerprint=fp)
    store._insert_vectors = original
    assert _counts(store) == before
    assert "b" not in set(store.reports()["title"])


def test_remove_says_what_went_and_cascades(database, classified, model):
    store = open_store()
    seg, labels, vectors = classified[REPORT_002.name]
    added = store.add_report(_meta("press release"), seg, labels, vectors=vectors,
                             fingerprint=model.embedder.fingerprint)
    fid = int(store.findings_frame(report_id=added.report_id)["finding_id"].iloc[0])
    store.record_decision(fid, "grip", by="tester")
    gone = store.remove_report(added.report_id)
    assert gone == {"id": added.report_id, "title": "press release", "file_name": "press release",
                    "findings": len(seg)}
    assert _counts(store) == (1, 216)
    assert store.decisions().empty
    index, _ = store.vectors(model.embedder.fingerprint)
    assert fid not in set(index.ids.tolist())
    with pytest.raises(ClassifierError, match="no report with id"):
        store.remove_report(added.report_id)


def test_hostile_titles_are_stored_verbatim_and_harm_nothing(database, classified, model):
    store = open_store()
    seg, labels, vectors = classified[REPORT_000.name]
    for i, title in enumerate(HOSTILE):
        store.add_report(_meta(f"f{i}", title=title, publisher=title), seg.head(2),
                         labels.head(2))
    reports = store.reports()
    assert len(reports) == 1 + len(HOSTILE)
    assert reports["title"].tolist()[1:] == [t.replace("\x00", "") for t in HOSTILE]
    from classifier.insight import analytics

    frame = store.findings_frame()
    ids = reports["id"].tolist()[1:]
    hits = analytics.filter_findings(frame, publishers=[HOSTILE[0]])
    assert len(hits) == 2 and set(hits["report_id"]) == {ids[0]}
    assert len(store.findings_frame()) == 216 + 2 * len(HOSTILE)


def test_newer_schema_is_refused_with_what_to_do(database, models_dir):
    from sqlalchemy import create_engine, text

    open_store()
    forget_stores()
    engine = create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    with pytest.raises(DatabaseError, match="newer than this version.*upgrade the classifier"):
        open_store()
    result = run_cli("history", "list")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "newer than this version" in result.stderr


def test_reclassify_rescores_model_labels_and_leaves_humans(database, classified, model):
    from classifier.jobs.classify import reclassify_store

    store = open_store()
    seg, labels, vectors = classified[REPORT_000.name]
    stale = labels.assign(themes="disclosure", model_version="old-model")
    added = store.add_report(_meta("a"), seg, stale, vectors=vectors,
                             fingerprint=model.embedder.fingerprint)
    fid = int(store.findings_frame(report_id=added.report_id)["finding_id"].iloc[0])
    store.record_decision(fid, "engagement", by="analyst")
    human_before = store.findings_frame().query("report_id == 1")[["finding_id", "themes"]]
    n, version = reclassify_store()
    assert n == len(seg) and version == model.manifest_["model_version"]
    after = store.findings_frame(probabilities=True)
    mine = after[after["report_id"] == added.report_id].set_index("finding_id")
    assert set(mine["model_version"]) == {version}
    model_rows = mine.drop(index=fid)
    assert model_rows["themes"].tolist() == labels["themes"].iloc[1:].tolist()
    assert mine.loc[fid, "themes"] == "engagement" and mine.loc[fid, "label_source"] == "human"
    pd.testing.assert_frame_equal(after.query("report_id == 1")[["finding_id", "themes"]],
                                  human_before)


def test_decisions_are_append_only_and_win(database):
    store = open_store()
    frame = store.findings_frame()
    fid = int(frame["finding_id"].iloc[0])
    original = frame["themes"].iloc[0]
    store.record_decision(fid, "grip;disclosure", by="ann", note="first look")
    store.record_decision(fid, "victim_letters", by="bob")
    trail = store.decisions(fid)
    assert trail["themes"].tolist() == ["disclosure;grip", "victim_letters"]
    assert trail["previous_themes"].tolist() == [original, "disclosure;grip"]
    assert trail["decided_by"].tolist() == ["ann", "bob"]
    row = store.findings_frame().set_index("finding_id").loc[fid]
    assert row["themes"] == "victim_letters" and row["decided_by"] == "bob"
    for bad in (lambda: store.record_decision(fid, "grip;nonsense", by="x"),
                lambda: store.record_decision(10 ** 9, "grip", by="x")):
        with pytest.raises(ClassifierError):
            bad()
    assert len(store.decisions()) == 2


def _writer(url: str, worker: int, seg: pd.DataFrame, labels: pd.DataFrame,
            vectors: np.ndarray, fp: str, cache: str) -> None:
    os.environ["CLASSIFIER_DATABASE_URL"] = url
    os.environ["CLASSIFIER_CACHE_DIR"] = cache
    store = open_store()
    for n in range(3):
        store.add_report(_meta(f"w{worker}-{n}"), seg, labels, vectors=vectors, fingerprint=fp)


def test_concurrent_writers_lose_nothing(database, classified, model, tmp_path):
    open_store()  # seeded once, before the writers start
    seg, labels, vectors = classified[REPORT_002.name]
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(database, w, seg, labels, vectors,
                                               model.embedder.fingerprint, str(tmp_path)))
             for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    store = open_store()
    titles = store.reports()["title"].tolist()
    assert sorted(titles[1:]) == sorted(f"w{w}-{n}" for w in range(4) for n in range(3))
    assert len(store.findings_frame()) == 216 + 12 * len(seg)
    index, groups = store.vectors(model.embedder.fingerprint)
    assert len(index) == 12 * len(seg) and len(groups) == len(index)


def _slow_writer(url: str, seg, labels, vectors, fp: str, marker: str) -> None:
    import classifier.store.store as st

    os.environ["CLASSIFIER_DATABASE_URL"] = url
    original = st.FindingsStore._insert_labels

    def slow(self, *args, **kwargs):  # findings are written, the transaction is open
        original(self, *args, **kwargs)
        Path(marker).write_text("in")
        time.sleep(60)

    st.FindingsStore._insert_labels = slow
    open_store().add_report(_meta("killed"), seg, labels, vectors=vectors, fingerprint=fp)


def test_writer_killed_mid_transaction_leaves_database_consistent(database, classified, model,
                                                                  tmp_path):
    store = open_store()
    before = _counts(store)
    seg, labels, vectors = classified[REPORT_000.name]
    marker = tmp_path / "marker"
    ctx = multiprocessing.get_context("spawn")
    p = ctx.Process(target=_slow_writer, args=(database, seg, labels, vectors,
                                               model.embedder.fingerprint, str(marker)))
    p.start()
    deadline = time.time() + 120
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert marker.exists()
    os.kill(p.pid, signal.SIGKILL)
    p.join()
    forget_stores()
    store = open_store()
    assert _counts(store) == before
    added = store.add_report(_meta("after"), seg, labels)  # and writing still works
    assert _counts(store) == (before[0] + 1, before[1] + added.findings)


def test_old_history_store_is_imported_once_then_retired(database, tmp_path, classified, model):
    folder = tmp_path / "models" / "history"
    folder.mkdir(parents=True)
    seg, labels, vectors = classified[REPORT_002.name]
    rows = pd.DataFrame({"hid": [f"h{i}" for i in range(len(seg))], "area": "", "part": "",
                         "kind": seg["kind"], "number": "", "text": seg["text"],
                         "themes": labels["themes"], "source": REPORT_002.name,
                         "source_title": "CPS London follow-up", "location": seg["location"],
                         "origin": "added"})
    labelled = rows.head(3).assign(origin="labelled", source="001_aap_composite_2019.txt")
    pd.concat([labelled, rows]).to_parquet(folder / "findings-x.parquet", index=False)
    np.save(folder / "vectors-x.npy", np.vstack([vectors[:3], vectors]).astype(np.float32))
    (folder / "index.json").write_text(json.dumps({
        "findings": "findings-x.parquet", "vectors": "vectors-x.npy",
        "fingerprint": model.embedder.fingerprint, "dimension": vectors.shape[1],
        "sources": {"abc123": REPORT_002.name}}))
    store = open_store(tmp_path / "models")
    reports = store.reports()
    assert reports["title"].tolist() == [reports["title"].iloc[0], "CPS London follow-up"]
    assert int(reports["findings"].iloc[1]) == len(seg)
    assert not folder.exists() and (folder.parent / "history.imported" / "index.json").exists()
    index, _ = store.vectors(model.embedder.fingerprint)
    assert len(index) == len(seg)
    forget_stores()
    assert len(open_store(tmp_path / "models").reports()) == 2


def test_search_exact_and_ann_agree_on_real_vectors(database, classified, model):
    from classifier.jobs.classify import ensure_embeddings
    from classifier.store.search import VectorIndex

    store = open_store()
    assert ensure_embeddings(store, model) == 216
    index, _ = store.vectors(model.embedder.fingerprint)
    queries = index.vectors[:30]
    exact_ids, exact_sims = index.search(queries, 5)
    assert np.allclose(exact_sims[:, 0], 1, atol=1e-4)  # each finds itself (or its duplicate)
    brute = -np.sort(-(queries @ index.vectors.T), axis=1)[:, :5]
    assert np.allclose(exact_sims, brute, atol=1e-5)
    assert exact_sims.shape == (30, 5) and (np.diff(exact_sims, axis=1) <= 1e-6).all()
    ann = VectorIndex(index.ids, index.vectors, cache_key="test", exact_limit=0)
    ann_ids, _ = ann.search(queries, 5)
    recall = np.mean([len(set(a) & set(e)) / 5 for a, e in zip(ann_ids, exact_ids)])
    assert recall >= 0.95
    # the saved graph is reconciled with the database: removed findings never come back
    keep = np.arange(len(index)) % 2 == 0
    smaller = VectorIndex(index.ids[keep], index.vectors[keep], cache_key="test", exact_limit=0)
    got, _ = smaller.search(index.vectors[~keep][:10], 5)
    assert set(got.ravel()) <= set(index.ids[keep].tolist())


def test_snapshot_matches_the_database_and_follows_every_write(database, classified, model,
                                                              monkeypatch):
    """The Overview's Parquet snapshot gives back exactly what the database holds, at every
    generation; a damaged snapshot is re-read, and a re-created database never reuses one."""
    from classifier.store import snapshot
    from classifier.store.store import FindingsStore

    store = open_store()
    from_db = store.findings_frame()  # read from the database, snapshot written
    files = lambda: sorted(p.name for p in (snapshot.snapshot_path("x", "y", 0).parent
                                            ).glob(f"{store.instance}-labels-*.parquet"))
    assert files() == [snapshot.snapshot_path(store.instance, "labels",
                                              store.generation()).name]
    forget_stores()
    with monkeypatch.context() as patch:  # a new process: the frame comes from the snapshot
        patch.setattr(FindingsStore, "_read_findings",
                      lambda *a: pytest.fail("read the database, not the snapshot"))
        pd.testing.assert_frame_equal(open_store().findings_frame(), from_db)

    store = open_store()
    seg, labels, vectors = classified[REPORT_000.name]
    added = store.add_report(_meta("a", published=date(2017, 5, 1)), seg, labels,
                             vectors=vectors, fingerprint=model.embedder.fingerprint)
    fid = int(store.findings_frame(report_id=added.report_id)["finding_id"].iloc[0])
    store.record_decision(fid, "grip;engagement", by="analyst")
    after = store.findings_frame()
    assert len(after) == 216 + len(seg)
    assert after.set_index("finding_id").loc[fid, ["themes", "label_source"]].tolist() == \
        ["grip;engagement", "human"]
    assert len(files()) == 1  # the older snapshots went
    forget_stores()
    pd.testing.assert_frame_equal(open_store().findings_frame(), after)  # from the snapshot

    path = snapshot.snapshot_path(store.instance, "labels", store.generation())
    path.write_bytes(b"not parquet")
    forget_stores()
    pd.testing.assert_frame_equal(open_store().findings_frame(), after)  # re-read, rewritten
    assert pd.read_parquet(path).shape == after.shape

    if database.startswith("sqlite"):  # a new database at the same place: a new instance
        old = store.instance
        forget_stores()
        Path(database.removeprefix("sqlite:///")).unlink()
        fresh = open_store()
        assert fresh.instance != old and len(fresh.findings_frame()) == 216


def test_recurring_weaknesses_are_found_across_reports(database, classified, model):
    """A later report restating report 000's findings: each restated weakness is grouped
    with its original and shown as found in 2 reports over the years between them."""
    from classifier.store.recurrence import recurring_across_reports

    store = open_store()
    seg, labels, vectors = classified[REPORT_000.name]
    fp = model.embedder.fingerprint
    store.add_report(_meta("first", published=date(2015, 3, 1)), seg, labels, vectors=vectors,
                     fingerprint=fp)
    store.add_report(_meta("again", published=date(2018, 9, 1)), seg, labels, vectors=vectors,
                     fingerprint=fp)
    findings = store.findings_frame()
    across = recurring_across_reports(findings, store.recurrence_groups())
    issues = seg[~seg["kind"].isin(["strength", "good_practice"])]
    assert len(across) >= 1 and across["findings"].sum() >= 2 * len(issues) - len(across)
    assert set(across["reports"]) == {2}
    assert set(across["first"]) == {2015} and set(across["last"]) == {2018}
    assert set(across["years"]) == {4}
    assert set(across["report_titles"]) == {"first; again"}  # by date
    assert set(across["weakness"]) <= {t[:200] for t in issues["text"]}


def test_database_from_before_the_instance_id_is_migrated(database):
    """A database made by the first schema (no instance id) is upgraded on open and keeps
    its contents."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from classifier.store.db import _alembic_config, head_revision

    engine = create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.execute(text("UPDATE store_state SET generation = 41"))
    engine.dispose()
    store = open_store()
    assert len(store.instance) == 32 and int(store.instance, 16) >= 0
    assert store.generation() > 41
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == \
            head_revision() == "0004"
