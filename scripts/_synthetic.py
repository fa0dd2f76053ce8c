"""A large findings database for the benchmarks, grown from report 001's real findings.

Each synthetic report holds 100 findings drawn from report 001's Annex B (text, Area, Part,
kind, theme), with their real MiniLM vectors plus a small random perturbation
(re-normalised), dated over 2010-2024. They are stored through FindingsStore.add_report,
the path users take, one transaction per report.
"""
from __future__ import annotations

import time
from datetime import date

import numpy as np
import pandas as pd


def real_findings():
    """Report 001's findings with their vectors under the default embedder."""
    from classifier.ingest.datasets import labelled_findings
    from classifier.model.embed import Embedder

    frame = labelled_findings()
    embedder = Embedder()
    return frame, embedder.encode(frame["text"].tolist()), embedder.fingerprint


def sample(frame: pd.DataFrame, vectors: np.ndarray, size: int, rng: np.random.Generator
           ) -> tuple[pd.DataFrame, np.ndarray]:
    """``size`` findings of report 001 with their vectors perturbed and re-normalised."""
    idx = rng.integers(0, len(frame), size)
    vecs = vectors[idx] + rng.normal(scale=0.02, size=(size, vectors.shape[1]))
    vecs = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)
    return frame.iloc[idx].reset_index(drop=True), vecs


def grow(store, total: int, *, per_report: int = 100, seed: int = 0, progress: bool = True
         ) -> float:
    """Add synthetic reports until the database holds ``total`` findings; returns seconds."""
    from classifier.store import ReportMeta

    frame, vectors, fingerprint = real_findings()
    have = len(store.findings_frame())
    rng = np.random.default_rng([seed, have])
    start, n = time.perf_counter(), 0
    while have < total:
        size = min(per_report, total - have)
        part, vecs = sample(frame, vectors, size, rng)
        labels = pd.DataFrame({"themes": part["themes"], "model_version": "synthetic"})
        meta = ReportMeta(title=f"Synthetic inspection {seed}-{n}", publisher=["HMCPSI",
                          "HMICFRS", "HMI Probation"][n % 3],
                          published=date(2010 + n % 15, 1 + n % 12, 1),
                          content_hash=f"synthetic-{seed}-{have}", file_name=f"synthetic-{n}.txt")
        store.add_report(meta, part, labels, vectors=vecs, fingerprint=fingerprint)
        have += size
        n += 1
        if progress and n % 100 == 0:
            print(f"  {have} findings stored ({time.perf_counter() - start:.0f} s)", flush=True)
    return time.perf_counter() - start
