"""`tokens create|list|revoke`: bearer tokens for the HTTP API.

Examples::

    python -m classifier tokens create --role viewer --name dms-import
    python -m classifier tokens list
    python -m classifier tokens revoke dms-import

A token is shown once, alone on the last line of `create`'s output (so a script can take it
with ``tail -n 1``); the database keeps only its SHA-256.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _add_tokens(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tokens", help="HTTP API tokens: create, list, revoke",
                       description="Bearer tokens for `python -m classifier api`, with the "
                                   "same roles as app users.")
    tsub = p.add_subparsers(dest="tokens_command", metavar="ACTION")
    new = tsub.add_parser("create", help="make a token (printed once, on the last line)")
    new.add_argument("--role", required=True, help="viewer, reviewer or admin")
    new.add_argument("--name", required=True, help="what uses it, e.g. dms-import")
    new.add_argument("--models-dir", type=Path, default=None)
    new.set_defaults(func=_run_create)
    lst = tsub.add_parser("list", help="every token's name, role and state (never the token)")
    lst.add_argument("--models-dir", type=Path, default=None)
    lst.set_defaults(func=_run_list)
    rv = tsub.add_parser("revoke", help="revoke a token at once")
    rv.add_argument("name", metavar="NAME")
    rv.add_argument("--models-dir", type=Path, default=None)
    rv.set_defaults(func=_run_revoke)
    p.set_defaults(func=lambda args: (p.print_help(sys.stderr), 2)[1])


def _run_create(args: argparse.Namespace) -> int:
    from classifier.access import parse_role
    from classifier.jobs.classify import get_store

    role = parse_role(args.role)
    token = get_store(args.models_dir).create_token(args.name, role)
    print(f"token {args.name.strip()} ({role}) created; it is shown once, below:",
          file=sys.stderr)
    print(token)
    return 0


def _run_list(args: argparse.Namespace) -> int:
    from classifier.jobs.classify import get_store

    rows = get_store(args.models_dir).tokens()
    for row in rows:
        state = "active" if row["revoked_at"] is None else \
            f"revoked {row['revoked_at']:%Y-%m-%d %H:%M}"
        print(f"{row['name']:<24} {row['role']:<9} created {row['created_at']:%Y-%m-%d %H:%M} "
              f"by {row['created_by']}; {state}")
    print(f"{len(rows)} token(s)", file=sys.stderr)
    return 0


def _run_revoke(args: argparse.Namespace) -> int:
    from classifier.jobs.classify import get_store

    get_store(args.models_dir).revoke_token(args.name)
    print(f"token {args.name} revoked")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    _add_tokens(sub)
