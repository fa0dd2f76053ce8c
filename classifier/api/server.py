"""Serving the API: ``serve`` (``python -m classifier api``) and ``running_api`` (the same
server in a subprocess on a free local port, for the tests and the benchmark).

Like the app, the server opens the database and loads the model before it listens, so the
first request does not pay for them.
"""
from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

from classifier.paths import ROOT

REPORT_LIMIT = 50 * 2**20 + 2**20  # one report (segment.MAX_BYTES) and its form fields
DEFAULT_LIMIT = 2**20              # every other body: 1 MB of JSON


def build(models_dir: Path | None = None):
    """The FastAPI app with its body limits."""
    from classifier.api.problems import BodyLimit
    from classifier.api.routes import create_app

    app = create_app(models_dir)
    app.add_middleware(BodyLimit, default=DEFAULT_LIMIT, limits={"/v1/reports": REPORT_LIMIT})
    return app


def warm(models_dir: Path | None = None) -> str:
    """Open the database, load the model, embed what lacks a vector, read the findings."""
    from classifier.errors import ClassifierError
    from classifier.jobs.classify import ensure_embeddings, get_model, get_store

    store = get_store(models_dir)
    try:
        model = get_model(models_dir)
    except ClassifierError as exc:
        return f"{len(store.findings_frame()):,} findings; no model ({exc})"
    ensure_embeddings(store, model)
    index, _ = store.vectors(model.embedder.fingerprint)
    index.prepare()
    model.classify(["warm-up: disclosure schedules were late"])
    tokens = sum(1 for t in store.tokens() if t["revoked_at"] is None)
    return (f"{len(store.findings_frame()):,} findings from {store.url}; model "
            f"{model.manifest_['model_version']}; {tokens} active API token(s)"
            + ("" if tokens else " (make one: python -m classifier tokens create)"))


def serve(port: int = 8000, address: str = "127.0.0.1", models_dir: Path | None = None) -> int:
    import uvicorn

    started = time.perf_counter()
    said = warm(models_dir)
    print(f"ready in {time.perf_counter() - started:.1f} s: {said}; "
          f"http://{address}:{port}/docs", file=sys.stderr, flush=True)
    uvicorn.run(build(models_dir), host=address, port=port, log_level="warning",
                access_log=False)
    return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_api(timeout: float = 180, env: dict[str, str] | None = None) -> Iterator[str]:
    """Yield the base URL of the API served by a real uvicorn process on 127.0.0.1 (with
    ``env`` as its environment, else this process's); stopped afterwards."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "classifier", "api", "--port", str(port), "--address",
         "127.0.0.1"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(url + "/v1/health", timeout=2) as r:
                    if json.load(r)["status"] == "ok":
                        break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    server.kill()
                    err = server.stderr.read().decode(errors="replace")[-2000:]
                    raise RuntimeError(f"the API server did not start: {err}") from None
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        server.stderr.close()
