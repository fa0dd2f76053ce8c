"""Throughput, cold start and memory of classification, torch next to ONNX; prints and saves.

Usage: python scripts/benchmark.py [--n 1000] [--output scripts/results/benchmark.json]

On N findings (report 001's findings and the development set, repeated with a
numbered suffix so every text is new to the embedding cache) it measures, in one
run and one process:

- raw encoding throughput of the torch model (``SentenceTransformer.encode``) and of
  the ONNX export (onnxruntime + tokenizers, length-sorted batches), side by side
  for batch sizes 1, 8 and 64 (batch size 1 on the first N/5 texts), with their ratio;
- how closely they agree on those texts: cosine of the two vectors (min, mean) and the
  share of findings whose predicted themes are identical;
- end-to-end ``classify`` throughput (ONNX embedding with the cache off, features,
  classifier, formatting);
- cold start: ``python -m classifier classify --text`` in a new process next to
  ``python -c "import numpy"`` (median of 3 each, alternating), and that process's
  peak RSS.

Not a test: timings depend on the machine and on what else runs on it.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _results import save

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
BATCH_SIZES = (1, 8, 64)


def texts(n: int) -> list[str]:
    base = pd.concat([pd.read_csv(ROOT / "training_data/findings.csv")["text"],
                      pd.read_csv(ROOT / "training_data/corpus.csv")["text"]]).tolist()
    return [f"{base[i % len(base)]} ({i})" for i in range(n)]


def run_child(args: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one new process."""
    t = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.read().decode()[-500:]}")
    return wall, usage.ru_maxrss / 1024


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--output", type=Path, default=ROOT / "scripts/results/benchmark.json")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    from classifier.model.artefacts import read_manifest
    from classifier.jobs.classify import get_model
    from classifier.model.embed import Embedder

    # cold start first, before this process has anything loaded that could warm the page cache
    # more for one side than the other; alternate so drifting load hits both alike
    cold, numpy_s, rss = [], [], []
    for _ in range(3):
        numpy_s.append(run_child([sys.executable, "-c", "import numpy"])[0])
        wall, peak = run_child([sys.executable, "-m", "classifier", "classify", "--text",
                                "Disclosure record sheets are incomplete."])
        cold.append(wall)
        rss.append(peak)

    model = get_model()
    manifest = read_manifest()
    items = texts(args.n)
    torch_e = Embedder(manifest["embedding_model"]["path"], cache_dir=None)
    onnx_e = Embedder(model.embedder.model_path, cache_dir=None)
    torch_e.encode_uncached(items[:64])  # warm-up: weights loaded, kernels ready
    onnx_e.encode_uncached(items[:64])
    throughput, vectors = {}, {}
    for bs in BATCH_SIZES:
        subset = items[:max(64, args.n // 5)] if bs == 1 else items
        torch_e.batch_size = onnx_e.batch_size = bs
        t_torch, v_torch = timed(torch_e.encode_uncached, subset)
        t_onnx, v_onnx = timed(onnx_e.encode_uncached, subset)
        throughput[bs] = {"texts": len(subset), "torch_per_s": round(len(subset) / t_torch, 1),
                          "onnx_per_s": round(len(subset) / t_onnx, 1),
                          "ratio_onnx_to_torch": round(t_torch / t_onnx, 2)}
        vectors[bs] = (v_torch, v_onnx)
        print(f"batch {bs:>2}: torch {throughput[bs]['torch_per_s']:6.1f}/s   "
              f"onnx {throughput[bs]['onnx_per_s']:6.1f}/s   "
              f"ratio {throughput[bs]['ratio_onnx_to_torch']:.2f}", flush=True)

    v_torch, v_onnx = vectors[64]
    cosine = np.sum(np.asarray(v_torch) * np.asarray(v_onnx), axis=1)
    pred_torch = model.predict_proba_vectors(v_torch, items) >= model.thresholds_
    pred_onnx = model.predict_proba_vectors(v_onnx, items) >= model.thresholds_

    onnx_e.batch_size = 64
    model.embedder = onnx_e
    classify_s, out = timed(model.classify, items)
    assert len(out) == len(items)

    figures = {
        "n_findings": args.n,
        "throughput_by_batch_size": throughput,
        "cosine_onnx_vs_torch": {"min": round(float(cosine.min()), 7),
                                 "mean": round(float(cosine.mean()), 7)},
        "prediction_agreement": round(float(np.mean(np.all(pred_torch == pred_onnx, axis=1))), 4),
        "classify_per_s_onnx": round(args.n / classify_s, 1),
        "cli_cold_start_s": round(statistics.median(cold), 2),
        "import_numpy_s": round(statistics.median(numpy_s), 2),
        "cli_cold_start_runs_s": [round(x, 2) for x in cold],
        "import_numpy_runs_s": [round(x, 2) for x in numpy_s],
        "cli_peak_rss_mb": round(max(rss), 1),
        "encoder": {k: manifest["encoder"].get(k) for k in ("precision", "fusions", "opset")},
        "onnx_threads": onnx_e._load().session.get_session_options().intra_op_num_threads,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
    }
    print(json.dumps({k: v for k, v in figures.items() if k != "throughput_by_batch_size"},
                     indent=1))
    save(figures, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
