"""Throughput, cold start and memory of classification; prints and saves its figures.

Usage: python scripts/benchmark.py [--n 2000] [--output scripts/results/benchmark.json]

On N findings (report 001's findings and the development set, repeated with a
numbered suffix so every text is new to the embedding cache) it measures, in one
run: raw ``SentenceTransformer.encode`` throughput, end-to-end ``classify``
throughput (embedding with the cache off, features, model, formatting), their
ratio, the CLI's cold start (``classify --text`` in a new process), and peak RSS.
Not a test: timings depend on the machine.
"""
from __future__ import annotations

import argparse
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

from _results import save

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def texts(n: int) -> list[str]:
    base = pd.concat([pd.read_csv(ROOT / "training_data/findings.csv")["text"],
                      pd.read_csv(ROOT / "training_data/devset.csv")["text"]]).tolist()
    return [f"{base[i % len(base)]} ({i})" for i in range(n)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--output", type=Path, default=ROOT / "scripts/results/benchmark.json")
    args = parser.parse_args()

    from classifier.classify import get_model
    from classifier.embed import Embedder

    model = get_model()
    items = texts(args.n)
    raw = Embedder(model.embedder.model_path, cache_dir=None)
    raw.encode_uncached(items[:64])  # warm-up: weights loaded, kernels ready
    t = time.perf_counter()
    raw.encode_uncached(items)
    encode_s = time.perf_counter() - t

    model.embedder = Embedder(model.embedder.model_path, cache_dir=None)
    model.embedder._model = raw._model
    t = time.perf_counter()
    out = model.classify(items)
    classify_s = time.perf_counter() - t
    assert len(out) == len(items)

    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "classifier", "classify", "--text",
                    "Disclosure record sheets are incomplete."], check=True,
                   capture_output=True, cwd=ROOT)
    cold_s = time.perf_counter() - t

    figures = {
        "n_findings": args.n,
        "encode_per_s": round(args.n / encode_s, 1),
        "classify_per_s": round(args.n / classify_s, 1),
        "ratio_classify_to_encode": round(encode_s / classify_s, 3),
        "cli_cold_start_s": round(cold_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "machine": f"{platform.machine()}, {platform.python_version()}",
    }
    for k, v in figures.items():
        print(f"{k:28} {v}")
    save(figures, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
