"""Nearest-neighbour query latency of the history store at 1k, 10k and 100k findings.

Usage: python scripts/benchmark_history.py [--output scripts/results/history.json]

Grows the store synthetically (real history vectors plus small random
perturbations, re-normalised) and times ``HistoryStore.search`` (top 5) for
single queries, excluding encoding. Prints and saves median and p95 in ms.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from _results import save

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "scripts/results/history.json")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    from classifier.history import HistoryStore

    base = HistoryStore.load()
    rng = np.random.default_rng(0)
    results = {}
    for size in (1_000, 10_000, 100_000):
        idx = rng.integers(0, len(base.vectors), size)
        vecs = base.vectors[idx] + rng.normal(scale=0.02, size=(size, base.vectors.shape[1]))
        vecs = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)
        frame = base.frame.iloc[idx].reset_index(drop=True)
        store = HistoryStore(frame, vecs, base.fingerprint, {})
        queries = vecs[rng.integers(0, size, args.queries)]
        store.search(queries[0], top_k=5)
        times = []
        for q in queries:
            t = time.perf_counter()
            store.search(q, top_k=5)
            times.append((time.perf_counter() - t) * 1000)
        exact = np.argsort(-(queries @ vecs.T), axis=1)[:, :5]
        approx = np.argsort(-store._similarities(queries), axis=1)[:, :5]
        hits = [len(set(a) & set(e)) / 5 for a, e in zip(approx, exact)]
        results[size] = {"median_ms": round(float(np.median(times)), 3),
                         "p95_ms": round(float(np.percentile(times, 95)), 3),
                         "recall_at_5_vs_exact": round(float(np.mean(hits)), 4)}
        print(f"{size:>7} findings: median {results[size]['median_ms']:.3f} ms, "
              f"p95 {results[size]['p95_ms']:.3f} ms per query (top 5), "
              f"recall@5 vs exact {results[size]['recall_at_5_vs_exact']:.3f}")
    save(results, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
