"""Serving the Streamlit app: ``serve`` (``python -m classifier app``, what ``make run`` runs)
and ``running_app`` (the same server on a free local port, for the browser test and the app
benchmark).

``serve`` reads the findings database before Streamlit starts listening. A page script
cannot run before its first visitor, so without this the first person to open the Overview
waits for the database (100k findings) to be read; with it, the server is ready when it
answers.
"""
from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

from classifier.paths import ROOT

# The served app's settings, given on the command line so they hold from any working folder.
# No file watcher: its thread competes with page scripts for the GIL (it tripled the
# Overview's database read at 100k findings); developers editing pages can run
# `streamlit run app.py` instead.
STREAMLIT_FLAGS = ["--server.headless", "true", "--server.fileWatcherType", "none",
                   "--server.maxUploadSize", "50", "--browser.gatherUsageStats", "false"]

# Headless Chromium on a machine with no network: no background connections, no sandbox (root).
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def warm() -> dict:
    """Open the findings database (migrated, report 001 loaded), load the model and embed any
    finding stored without a vector (both writes come first: a write after the reads below
    would make them stale), then read what the pages show (:func:`read_views`)."""
    from classifier.jobs.classify import ensure_embeddings, get_model
    from classifier.errors import ClassifierError
    from classifier.store import open_store

    start = time.perf_counter()
    store = open_store()
    try:
        model = get_model()
    except ClassifierError as exc:  # no model yet: the Overview works, the Check page says so
        fingerprint, search = None, f"no model loaded ({exc})"
    else:
        ensure_embeddings(store, model)
        fingerprint = model.embedder.fingerprint
        search = f"model {model.manifest_['model_version']}"
    generation = store.generation()
    findings = read_views(store, fingerprint)
    return {"store": store, "fingerprint": fingerprint, "generation": generation,
            "findings": findings, "database": store.url, "search": search,
            "seconds": time.perf_counter() - start}


def read_views(store, fingerprint: str | None) -> int:
    """Read into the store's cache, which the app's pages share, what they show: the findings
    frame and recurrence groups (the Overview) and, given the model's embedding fingerprint,
    the search index (the Check page; at 100k findings its HNSW graph is built once, ~20 s,
    and read from the cache folder after that). Returns the number of findings."""
    findings = store.findings_frame()
    store.recurrence_groups()
    if fingerprint:
        index, _ = store.vectors(fingerprint)
        index.prepare()
    return len(findings)


def keep_warm(store, fingerprint: str | None, generation: int, stop: threading.Event,
              every: float = 2.0, on_refresh=None) -> None:
    """While the server runs: when the database changes (another process added a report, a
    reviewer decided), read the views again at once, so the next visitor finds them ready
    instead of waiting for 100k findings to be read."""
    while not stop.wait(every):
        try:
            now = store.generation()
            if now == generation:
                continue
            read_views(store, fingerprint)
            generation = now  # a write during the read shows at the next check
            if on_refresh is not None:
                on_refresh(now)
        except Exception as exc:  # noqa: BLE001 - the pages read for themselves; go on
            print(f"warning: background refresh failed: {exc}", file=sys.stderr, flush=True)


def serve(port: int = 8501, address: str = "127.0.0.1", app: Path = ROOT / "app.py") -> int:
    """Warm the caches, keep them warm in a background thread, and run Streamlit in this
    process (so the pages find the caches). Listening wider than this machine without users
    (no sign-in) is allowed, with a one-line warning."""
    from streamlit.web import cli as streamlit_cli

    from classifier.access import is_loopback, single_user_warning

    ready = warm()
    users = ready["store"].has_users()
    print(f"ready in {ready['seconds']:.1f} s: {ready['findings']:,} findings from "
          f"{ready['database']}; {ready['search']}; "
          + ("sign-in required" if users else "single-user (no sign-in)"),
          file=sys.stderr, flush=True)
    if not users and not is_loopback(address):
        print(single_user_warning(address, port), file=sys.stderr, flush=True)
    stop = threading.Event()
    threading.Thread(target=keep_warm, name="keep-warm", daemon=True,
                     args=(ready["store"], ready["fingerprint"], ready["generation"], stop)
                     ).start()
    args = ["run", str(app), *STREAMLIT_FLAGS, "--server.port", str(port),
            "--server.address", address]
    try:
        return streamlit_cli.main(args=args, prog_name="streamlit", standalone_mode=False) or 0
    finally:
        stop.set()


@contextlib.contextmanager
def running_app(app: Path = ROOT / "app.py", timeout: float = 60,
                env: dict[str, str] | None = None) -> Iterator[str]:
    """Yield the URL of the app served on 127.0.0.1 (with ``env`` as its environment, else
    this process's); the server is stopped afterwards."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "classifier", "app", "--port", str(port), "--address",
         "127.0.0.1", "--app", str(app)], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError("the app server did not start") from None
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)
