"""`users add|list|remove`: who may sign in to the app, with which role.

Examples::

    python -m classifier users add alice --role reviewer   # asks for the password twice
    python -m classifier users list
    python -m classifier users remove alice

The password is never taken from the command line (it would sit in the shell's history and
in the process list): it is asked for, or read from standard input when that is not a
terminal (``printf '%s\\n' "$PW" | python -m classifier users add bob --role viewer``).
With no users at all the app is a single-user tool with no sign-in.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _add_users(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help="app users and their roles (viewer, reviewer, admin)",
                       description="Users who sign in to the app. Roles: viewer (read, check, "
                                   "classify without storing), reviewer (+ decisions), admin "
                                   "(+ reports, models, users, tokens).")
    usub = p.add_subparsers(dest="users_command", metavar="ACTION")
    add = usub.add_parser("add", help="add a user (the password is asked for)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, help="viewer, reviewer or admin")
    add.add_argument("--replace", action="store_true",
                     help="change an existing user's role and password")
    add.add_argument("--models-dir", type=Path, default=None)
    add.set_defaults(func=_run_add)
    lst = usub.add_parser("list", help="every user with role and who added them")
    lst.add_argument("--models-dir", type=Path, default=None)
    lst.set_defaults(func=_run_list)
    rm = usub.add_parser("remove", help="remove a user (their decisions stay, under their name)")
    rm.add_argument("name", metavar="NAME")
    rm.add_argument("--allow-no-users", action="store_true",
                    help="remove the last user too (the app goes back to no sign-in)")
    rm.add_argument("--models-dir", type=Path, default=None)
    rm.set_defaults(func=_run_remove)
    p.set_defaults(func=lambda args: (p.print_help(sys.stderr), 2)[1])


def read_password() -> str:
    """Asked twice on a terminal; one line of standard input otherwise (scripts, tests)."""
    import getpass

    from classifier.errors import InputError

    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Again: "):
            raise InputError("the two passwords differ; nothing changed")
        return first
    line = sys.stdin.readline()
    if not line:
        raise InputError("no password on standard input; type it at a terminal or pipe it in")
    return line.rstrip("\r\n")


def _run_add(args: argparse.Namespace) -> int:
    from classifier.access import parse_role
    from classifier.jobs.classify import get_store

    role = parse_role(args.role)  # a bad role fails before the password is asked for
    row = get_store(args.models_dir).add_user(args.name, role, read_password(),
                                              replace=args.replace)
    print(f"user {row['name']} ({row['role']}) {'updated' if args.replace else 'added'}; "
          "the app now asks everyone to sign in")
    return 0


def _run_list(args: argparse.Namespace) -> int:
    from classifier.jobs.classify import get_store

    rows = get_store(args.models_dir).users()
    for row in rows:
        print(f"{row['name']:<24} {row['role']:<9} added {row['created_at']:%Y-%m-%d %H:%M} "
              f"by {row['created_by']}")
    print(f"{len(rows)} user(s)" + ("; no sign-in: the app is single-user" if not rows else ""),
          file=sys.stderr)
    return 0


def _run_remove(args: argparse.Namespace) -> int:
    from classifier.jobs.classify import get_store

    get_store(args.models_dir).remove_user(args.name, allow_no_users=args.allow_no_users)
    print(f"user {args.name} removed")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    _add_users(sub)
