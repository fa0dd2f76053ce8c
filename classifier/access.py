"""Who may do what: the one place roles and actions are named.

Roles are ordered (viewer < reviewer < admin); every action names the least role that may do
it. The store refuses a write by an actor without that role, and the app, the API and the CLI
ask :func:`allowed` / :func:`require` before they offer or attempt an action, so the rules are
the same wherever a request comes from.
"""
from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from enum import IntEnum

from classifier.errors import Forbidden, InputError


class Role(IntEnum):
    VIEWER = 1
    REVIEWER = 2
    ADMIN = 3

    def __str__(self) -> str:
        return self.name.lower()


# action -> the least role that may do it
ACTIONS: dict[str, Role] = {
    "read": Role.VIEWER,             # every read view, the review queue, search
    "classify": Role.VIEWER,         # check a finding, batch classification without storing
    "decide": Role.REVIEWER,         # a human decision on a finding
    "add_report": Role.ADMIN,        # store reports (and their vectors)
    "remove_report": Role.ADMIN,
    "reclassify": Role.ADMIN,        # re-score stored findings with the model in use
    "switch_model": Role.ADMIN,
    "manage_users": Role.ADMIN,
    "manage_tokens": Role.ADMIN,
}

# how an action reads in a refusal: "<name> (viewer) may not <phrase>"
_PHRASES = {"read": "read the findings", "classify": "classify findings",
            "decide": "record decisions on findings", "add_report": "add reports",
            "remove_report": "remove reports", "reclassify": "re-score stored findings",
            "switch_model": "switch models", "manage_users": "manage users",
            "manage_tokens": "manage API tokens"}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a name (recorded with what they do), a role, and how they came in.

    ``local`` is the operator at this machine (the CLI, or the app when no sign-in is
    configured): they may name who decided (``--by``); a signed-in user or a token may not.
    """

    name: str
    role: Role
    via: str = "cli"  # cli | app | api
    local: bool = False

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


def parse_role(text: str) -> Role:
    try:
        return Role[str(text).strip().upper()]
    except KeyError:
        raise InputError(f"unknown role {text!r}; roles are: "
                         f"{', '.join(str(r) for r in Role)}") from None


def allowed(actor: Actor | None, action: str) -> bool:
    """May ``actor`` do ``action``? (An unknown action is a programming error.)"""
    need = ACTIONS[action]
    return actor is not None and actor.role >= need


def require(actor: Actor | None, action: str) -> None:
    """Raise :class:`Forbidden` with one line saying who may, unless ``actor`` may."""
    if not allowed(actor, action):
        who = "nobody signed in" if actor is None else str(actor)
        raise Forbidden(f"{who} may not {_PHRASES[action]}; that needs the "
                        f"{ACTIONS[action]} role (ask an admin)")


def os_user() -> str:
    return os.environ.get("USER") or getpass.getuser()


def operator(name: str | None = None, via: str = "cli") -> Actor:
    """The local operator: acts as admin, recorded as ``name`` or the OS user."""
    return Actor(name=(name or "").strip() or os_user(), role=Role.ADMIN, via=via, local=True)


def is_loopback(address: str) -> bool:
    """Does listening on ``address`` keep a server to this machine?"""
    import ipaddress

    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip()).is_loopback
    except ValueError:
        return False


def single_user_warning(address: str, port: int) -> str:
    return (f"warning: no users are configured, so anyone who can reach {address}:{port} can "
            "read and change the findings database; add users with `python -m classifier "
            "users add NAME --role ROLE`")


__all__ = ["is_loopback", "single_user_warning", "Role", "ACTIONS", "Actor", "allowed", "require", "operator", "parse_role", "os_user"]
