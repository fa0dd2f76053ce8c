"""Latency and throughput of the HTTP API's ``POST /v1/classify``, beside the CLI's; prints and
saves.

Usage: python scripts/benchmark_api.py [--requests 200] [--output scripts/results/api.json]

A real uvicorn process (``python -m classifier api``) on a free port of 127.0.0.1, over a
scratch SQLite database, with the model in ``models/`` (or ``CLASSIFIER_MODELS_DIR``). Every
request carries one finding (report 001's and the corpus's findings with a numbered suffix, so
every text is new to the embedding cache) and a viewer token; clients keep their connection
open, as a script or a document-management system would. Measured, after 30 warm-up requests:

- p50 / p95 latency and findings per second at 1, 8 and 32 concurrent clients;
- findings per second of batches of 50 texts per request (one client);
- the CLI beside them: ``python -m classifier classify IN.csv`` on the same number of findings
  in a new process (start-up included) and the shared job ``classify_frame`` in-process.

Not a test: timings depend on the machine and on what else runs on it (the load average is
saved with the figures).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
from _results import save

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CLIENTS = (1, 8, 32)


def texts(n: int, offset: int = 0) -> list[str]:
    base = pd.concat([pd.read_csv(ROOT / "training_data/findings.csv")["text"],
                      pd.read_csv(ROOT / "training_data/corpus.csv")["text"]]).tolist()
    return [f"{base[i % len(base)]} ({i})" for i in range(offset, offset + n)]


class Client:
    """One keep-alive connection posting to /v1/classify."""

    def __init__(self, url: str, token: str):
        host, port = url.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=300)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def classify(self, batch: list[str]) -> float:
        start = time.perf_counter()
        self.conn.request("POST", "/v1/classify", json.dumps({"texts": batch}), self.headers)
        response = self.conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - start
        if response.status != 200:
            raise SystemExit(f"/v1/classify answered {response.status}: {body[:300]!r}")
        return elapsed


def run_clients(url: str, token: str, work: list[str], clients: int, per_request: int = 1
                ) -> dict:
    """Send ``work`` (``per_request`` texts a request) from ``clients`` threads at once."""
    batches = [work[i:i + per_request] for i in range(0, len(work), per_request)]
    latencies: list[float] = []
    lock = threading.Lock()
    queue = iter(batches)

    def worker():
        client = Client(url, token)
        while True:
            with lock:
                batch = next(queue, None)
            if batch is None:
                return
            elapsed = client.classify(batch)
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ms = sorted(x * 1000 for x in latencies)
    return {"clients": clients, "requests": len(ms), "texts_per_request": per_request,
            "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1),
            "findings_per_s": round(len(work) / wall, 1), "wall_s": round(wall, 2)}


def cli_throughput(work: list[str], env: dict) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        pd.DataFrame({"text": work}).to_csv(source, index=False)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "classifier", "classify", str(source),
                        "--text-column", "text", "--output", str(out)], check=True, env=env,
                       cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - start
    return {"findings": len(work), "wall_s": round(wall, 2),
            "findings_per_s": round(len(work) / wall, 1)}


def in_process(work: list[str]) -> dict:
    from classifier.jobs.classify import classify_frame, get_model

    model = get_model()
    model.classify(["warm-up"])
    start = time.perf_counter()
    classify_frame(pd.DataFrame({"text": work}), "text", model=model)
    wall = time.perf_counter() - start
    return {"findings": len(work), "wall_s": round(wall, 2),
            "findings_per_s": round(len(work) / wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="findings per measurement")
    parser.add_argument("--output", type=Path, default=ROOT / "scripts/results/api.json")
    args = parser.parse_args()
    from classifier.access import Actor, Role
    from classifier.api.server import running_api
    from classifier.store import forget_stores, open_store

    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CLASSIFIER_DATABASE_URL": f"sqlite:///{tmp}/findings.db",
               "CLASSIFIER_CACHE_DIR": f"{tmp}/cache", "PYTHONPATH": str(ROOT)}
        os.environ.update({k: env[k] for k in ("CLASSIFIER_DATABASE_URL",
                                               "CLASSIFIER_CACHE_DIR")})
        forget_stores()
        token = open_store().acting_as(Actor("benchmark", Role.ADMIN)).create_token(
            "benchmark", "viewer")
        offset, rows = 0, []
        with running_api(env=env) as url:
            run_clients(url, token, texts(30, 10**6), 1)  # warm-up
            for clients in CLIENTS:
                work = texts(args.requests, offset)
                offset += len(work)
                row = run_clients(url, token, work, clients)
                rows.append(row)
                print(f"{clients:>2} client(s): p50 {row['p50_ms']:7.1f} ms, p95 "
                      f"{row['p95_ms']:7.1f} ms, {row['findings_per_s']:6.1f} findings/s",
                      flush=True)
            batch = run_clients(url, token, texts(args.requests * 2, offset), 1, 50)
            offset += args.requests * 2
            print(f"batches of 50, 1 client: {batch['findings_per_s']:.1f} findings/s "
                  f"(p50 {batch['p50_ms']:.0f} ms a request)", flush=True)
        cli = cli_throughput(texts(args.requests * 2, offset), env)
        offset += args.requests * 2
        print(f"CLI classify IN.csv ({cli['findings']} findings, new process): "
              f"{cli['findings_per_s']:.1f} findings/s", flush=True)
        job = in_process(texts(args.requests * 2, offset))
        print(f"classify_frame in-process: {job['findings_per_s']:.1f} findings/s", flush=True)
    save({"single_finding": rows, "batch_of_50": batch, "cli_classify_csv": cli,
          "classify_frame_in_process": job,
          "load_average_at_start": load_at_start,
          "load_average_at_end": os.getloadavg(), "cpus": os.cpu_count()}, args.output)


if __name__ == "__main__":
    main()
