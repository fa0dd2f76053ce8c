"""The inspectors' history check, and growing the history store safely."""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time

import numpy as np
import pandas as pd
import pytest

from classifier.history import HistoryStore, add_to_history
from tests.conftest import SOURCES, run_cli


def test_similar_shows_themes_evidence_and_recurrence(models_dir):
    result = run_cli("similar", "Reviews in Crown Court cases are not timely and lack a trial "
                     "strategy", "--top-k", "4", "--format", "json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["themes"] == "grip"
    assert len(out["similar"]) == 4
    sims = [s["similarity"] for s in out["similar"]]
    assert sims == sorted(sims, reverse=True) and sims[0] > 0.6
    assert all(s["themes"] == "grip" for s in out["similar"][:3])  # evidence agrees
    rec = out["recurrence"]
    assert rec["n_areas"] >= 3 and "C" in rec["parts"]


def test_similar_table_output_and_bad_input(models_dir):
    result = run_cli("similar", "The Victim Liaison Unit letters are late")
    assert result.returncode == 0 and "most similar past findings" in result.stdout
    assert run_cli("similar", "   ").returncode == 2
    assert run_cli("similar", "x", "--top-k", "0").returncode == 2


def test_history_has_every_labelled_finding(models_dir):
    store = HistoryStore.load(models_dir / "history")
    labels = pd.read_csv(SOURCES.parent / "labels.csv")
    extra = pd.read_csv(SOURCES.parent / "corpus.csv")
    assert len(store.frame) == len(labels) + len(extra)
    assert np.allclose(np.linalg.norm(store.vectors, axis=1), 1, atol=1e-4)


def test_report_add_to_history_is_idempotent(fresh_models, tmp_path):
    report = SOURCES / "000_west_midlands_aai_summary.txt"
    out = tmp_path / "out.csv"
    before = len(HistoryStore.load(fresh_models / "history").frame)
    first = run_cli("report", str(report), "--output", str(out), "--add-to-history",
                    "--models-dir", str(fresh_models))
    assert first.returncode == 0, first.stderr
    grown = HistoryStore.load(fresh_models / "history")
    added = len(grown.frame) - before
    assert added == len(pd.read_csv(out)) > 5
    assert (grown.frame["source"] == report.name).sum() == added
    again = run_cli("history", "add", str(report), "--models-dir", str(fresh_models))
    assert again.returncode == 0 and "0 findings added, 1 file(s) already there" in again.stdout
    assert len(HistoryStore.load(fresh_models / "history").frame) == before + added


def _add_worker(folder: str, n: int) -> None:
    store = HistoryStore.load(folder)
    dim = store.vectors.shape[1]
    rng = np.random.default_rng(n)
    vec = rng.normal(size=(2, dim)).astype(np.float32)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    frame = pd.DataFrame({"hid": [f"w{n}-a", f"w{n}-b"], "text": [f"worker {n} a", f"worker {n} b"],
                          "themes": "other", "source": f"worker-{n}", "origin": "added"})
    add_to_history([(frame, vec, f"hash-{n}", f"worker-{n}")], folder)


def test_concurrent_writers_lose_nothing(fresh_models):
    folder = str(fresh_models / "history")
    before = len(HistoryStore.load(folder).frame)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_add_worker, args=(folder, n)) for n in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    store = HistoryStore.load(folder)
    assert len(store.frame) == before + 12
    hids = store.frame["hid"].tolist()
    for n in range(6):
        assert hids.count(f"w{n}-a") == 1 and hids.count(f"w{n}-b") == 1


def _slow_writer(folder: str) -> None:
    import classifier.history as h

    original = h.sha256_file

    def slow(path):  # slow down the write so the parent can kill it mid-way
        time.sleep(0.5)
        return original(path)

    h.sha256_file = slow
    _add_worker(folder, 99)


def test_writer_killed_mid_write_leaves_store_intact(fresh_models):
    folder = fresh_models / "history"
    before = HistoryStore.load(folder)
    ctx = multiprocessing.get_context("spawn")
    p = ctx.Process(target=_slow_writer, args=(str(folder),))
    p.start()
    deadline = time.time() + 60
    while time.time() < deadline and not list(folder.glob(".findings-*.tmp")) and \
            len(list(folder.glob("findings-*.parquet"))) < 2:
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL)
    p.join()
    after = HistoryStore.load(folder)  # index still points at a complete store
    assert len(after.frame) in (len(before.frame), len(before.frame) + 2)
    assert len(after.frame) == len(after.vectors)


def test_nearest_neighbour_search_is_exact():
    rng = np.random.default_rng(1)
    vecs = rng.normal(size=(50, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    frame = pd.DataFrame({"hid": [str(i) for i in range(50)], "text": "t", "area": "",
                          "part": "", "kind": "", "number": "", "themes": "other", "source": "s",
                          "source_title": "", "location": "", "origin": "labelled"})
    store = HistoryStore(frame, vecs, "fp", {})
    got = store.search(vecs[7], top_k=3)[0]
    assert got.loc[0, "hid"] == "7" and got.loc[0, "similarity"] == pytest.approx(1.0, abs=1e-4)
    brute = np.argsort(-(vecs @ vecs[7]))[:3]
    assert got["hid"].tolist() == [str(i) for i in brute]


def test_two_stage_search_matches_exact_on_real_vectors(models_dir, monkeypatch):
    import classifier.history as h

    store = HistoryStore.load(models_dir / "history")
    queries = store.vectors[:20]
    exact = [r["hid"].tolist() for r in store.search(queries, top_k=5)]
    monkeypatch.setattr(h, "EXACT_LIMIT", 10)
    monkeypatch.setattr(h, "CANDIDATES", 60)
    fresh = HistoryStore(store.frame, store.vectors, store.fingerprint, {})
    two_stage = [r["hid"].tolist() for r in fresh.search(queries, top_k=5)]
    overlap = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(exact, two_stage)])
    assert overlap >= 0.95
    assert [e[0] for e in exact] == [t[0] for t in two_stage]  # each finding finds itself
