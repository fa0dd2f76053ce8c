"""Search latency and recall, and adding a report, over a findings database of 1k-100k.

Usage: python scripts/benchmark_history.py [--sizes 1000 10000 100000] [--queries 200]
                                           [--output scripts/results/history.json]

Grows a scratch SQLite database (or the one in CLASSIFIER_DATABASE_URL, which must be
empty) with synthetic reports made of report 001's real findings and perturbed real
vectors (scripts/_synthetic.py), then at each size times a top-5 query excluding encoding
(exact below classifier.store.search.EXACT_LIMIT, usearch HNSW above), recall@5 against
exact search, and adding one 100-finding report (excluding encoding) both in this process
and in a fresh one (which has to read the vectors and the graph first).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import save

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

COLD_ADD = """
import sys, time
sys.path.insert(0, {scripts!r})
from _synthetic import real_findings, sample
import numpy as np, pandas as pd
from classifier.store import open_store, ReportMeta
frame, vectors, fp = real_findings()
part, vecs = sample(frame, vectors, 100, np.random.default_rng({n}))
labels = pd.DataFrame({{"themes": part["themes"], "model_version": "synthetic"}})
store = open_store(seed=False)
t = time.perf_counter()
store.add_report(ReportMeta(title="cold add", content_hash="cold-add-{n}"), part, labels,
                 vectors=vecs, fingerprint=fp)
print(time.perf_counter() - t)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--output", type=Path, default=ROOT / "scripts/results/history.json")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-history-")
    os.environ.setdefault("CLASSIFIER_DATABASE_URL", f"sqlite:///{tmp}/findings.db")
    os.environ.setdefault("CLASSIFIER_CACHE_DIR", f"{tmp}/cache")

    from _synthetic import grow, real_findings, sample

    import pandas as pd

    from classifier.store import ReportMeta, open_store
    from classifier.store.search import EXACT_LIMIT

    store = open_store(seed=False)
    print(f"database: {store.url}")
    frame, base_vectors, fingerprint = real_findings()
    rng = np.random.default_rng(1)
    results = {"database": store.url.split("://")[0], "exact_limit": EXACT_LIMIT}
    for size in args.sizes:
        grown = grow(store, size)
        index, _ = store.vectors(fingerprint)
        t = time.perf_counter()
        index.search(base_vectors[:1], 5)  # builds or loads the graph above EXACT_LIMIT
        first = time.perf_counter() - t
        queries = index.vectors[rng.integers(0, len(index), args.queries)]
        queries = queries + rng.normal(scale=0.02, size=queries.shape).astype(np.float32)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        times = []
        for q in queries:
            t = time.perf_counter()
            index.search(q, 5)
            times.append((time.perf_counter() - t) * 1000)
        got = np.vstack([index.search(q, 5)[0] for q in queries])
        exact, exact_sims = index.search_exact(queries, 5)
        recall = float(np.mean([len(set(a) & set(e)) / 5 for a, e in zip(got, exact)]))
        part, vecs = sample(frame, base_vectors, 100, rng)
        labels = pd.DataFrame({"themes": part["themes"], "model_version": "synthetic"})
        t = time.perf_counter()
        store.add_report(ReportMeta(title="warm add", content_hash=f"warm-add-{size}"), part,
                         labels, vectors=vecs, fingerprint=fingerprint)
        warm_add = time.perf_counter() - t
        cold = subprocess.run([sys.executable, "-c", COLD_ADD.format(
            scripts=str(ROOT / "scripts"), n=size)], capture_output=True, text=True, check=True)
        cold_add = float(cold.stdout.strip().splitlines()[-1])
        results[size] = {"findings": len(index), "method": "exact" if index.exact else "usearch",
                         "median_ms": round(float(np.median(times)), 3),
                         "p95_ms": round(float(np.percentile(times, 95)), 3),
                         "recall_at_5_vs_exact": round(recall, 4),
                         "first_query_s": round(first, 2), "grow_s": round(grown, 1),
                         "add_100_warm_s": round(warm_add, 3),
                         "add_100_cold_process_s": round(cold_add, 3)}
        r = results[size]
        print(f"{size:>7} findings ({r['method']}): median {r['median_ms']:.3f} ms, p95 "
              f"{r['p95_ms']:.3f} ms per query (top 5), recall@5 {recall:.3f}; first query "
              f"{first:.1f} s; add 100 findings {warm_add:.2f} s (fresh process "
              f"{cold_add:.2f} s)", flush=True)
    save(results, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
