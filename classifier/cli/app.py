"""`app`: serve the Streamlit app."""
from __future__ import annotations

import argparse
from pathlib import Path


def _add_app(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("app", help="serve the Streamlit app (what `make run` runs)",
                       description="Reads the findings database first, then serves the app, "
                                   "so the first visitor does not wait for it.")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1",
                   help="interface to listen on (default: 127.0.0.1, this machine only; a team "
                        "server with users gives 0.0.0.0)")
    p.add_argument("--empty", action="store_true",
                   help="if the findings database is new, leave it empty (no report 001, no "
                        "restated publications; same as CLASSIFIER_SEED_HISTORY=0)")
    p.add_argument("--app", type=Path, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=_run_app)


def _run_app(args: argparse.Namespace) -> int:
    import os

    from classifier.app.server import serve
    from classifier.store.seed import SEED_ENV

    if args.empty:
        os.environ[SEED_ENV] = "0"  # read when the database is first opened

    return serve(args.port, args.address, **({"app": args.app} if args.app else {}))


def register(sub: argparse._SubParsersAction) -> None:
    _add_app(sub)
