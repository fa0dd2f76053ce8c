"""`api`: serve the HTTP API (FastAPI on uvicorn).

Examples::

    python -m classifier tokens create --role viewer --name notebook   # token on the last line
    python -m classifier api --port 8000                               # http://127.0.0.1:8000/docs
    curl -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\
         -d '{"texts": ["Disclosure schedules were late"]}' http://127.0.0.1:8000/v1/classify
"""
from __future__ import annotations

import argparse
from pathlib import Path


def _add_api(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("api", help="serve the HTTP API (docs at /docs)",
                       description="Loads the model and reads the findings database, then "
                                   "serves /v1/classify, /v1/reports, /v1/findings, /v1/similar "
                                   "and decisions; every request needs a bearer token "
                                   "(`tokens create`).")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--address", default="127.0.0.1",
                   help="interface to listen on (default: 127.0.0.1, this machine only; "
                        "0.0.0.0 for every interface, behind TLS)")
    p.add_argument("--models-dir", type=Path, default=None)
    p.set_defaults(func=_run_api)


def _run_api(args: argparse.Namespace) -> int:
    from classifier.api.server import serve

    return serve(args.port, args.address, args.models_dir)


def register(sub: argparse._SubParsersAction) -> None:
    _add_api(sub)
