"""Peak memory and time of classifying big CSVs with the CLI (streamed in chunks).

Usage: python scripts/benchmark_batch.py [--sizes 10000 100000] [--output scripts/results/batch.json]

For each size, writes a CSV of that many distinct findings (real texts with a
numbered suffix), runs ``python -m classifier classify IN --output OUT`` in a new
process, and records its wall time and peak RSS (the child's ru_maxrss). Memory
should not grow with the input: rows are read, classified and written 1,000 at a time.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import save

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def run_one(n: int, folder: Path) -> dict:
    base = pd.read_csv(ROOT / "training_data/corpus.csv")["text"].tolist()
    src, out = folder / f"in_{n}.csv", folder / f"out_{n}.csv"
    pd.DataFrame({"id": range(n), "text": [f"{base[i % len(base)]} ({i})" for i in range(n)]}
                 ).to_csv(src, index=False)
    script = ("import resource, subprocess, sys\n"
              f"r = subprocess.run([sys.executable, '-m', 'classifier', 'classify', {str(src)!r}, "
              f"'--output', {str(out)!r}], capture_output=True)\n"
              "assert r.returncode == 0, r.stderr[-500:]\n"
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    seconds = time.perf_counter() - t
    rows = sum(1 for _ in open(out, encoding="utf-8")) - 1
    return {"rows": n, "rows_written": rows, "seconds": round(seconds, 1),
            "rows_per_s": round(n / seconds, 1),
            "peak_rss_mb": round(int(done.stdout.split()[-1]) / 1024, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--output", type=Path, default=ROOT / "scripts/results/batch.json")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            r = run_one(n, Path(tmp))
            results.append(r)
            print(f"{n:>7} rows: {r['seconds']} s ({r['rows_per_s']} rows/s), "
                  f"peak RSS {r['peak_rss_mb']} MB, {r['rows_written']} rows written")
    save(results, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
