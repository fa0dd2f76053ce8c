"""Users, API tokens and sign-in throttling: who may act on the findings database.

A mixin of :class:`~classifier.store.store.FindingsStore`. Passwords are hashed with argon2id
(argon2-cffi's defaults, RFC 9106's second recommendation); a user name that does not exist
costs the same hash, so timing does not tell which names exist. API tokens are 256-bit random
strings stored as their SHA-256: a slow hash protects guessable passwords, and a token is not
guessable, so a fast hash is enough and keeps every request cheap. Failed sign-ins are counted
per user name, known or not; after ``FREE_FAILURES`` the name is paused, for longer each time.
None of these writes moves the store's generation: no cached view depends on them.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from classifier.access import Actor, Role, parse_role, require
from classifier.errors import InputError, NotFound, NotSignedIn, TooManyAttempts
from classifier.store import schema as s
from classifier.store.records import clean_text, utc_now

TOKEN_PREFIX = "cls_"
FREE_FAILURES = 5                   # failed sign-ins before a name is paused
FIRST_PAUSE = timedelta(seconds=30)  # doubled with every further failure
MAX_PAUSE = timedelta(minutes=30)
FORGET_AFTER = timedelta(hours=1)   # a quiet hour clears the count


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_name(name: str, what: str = "user") -> str:
    name = str(name).strip()
    if not name or len(name) > 80 or not name.isprintable():
        raise InputError(f"a {what} name needs 1-80 printable characters")
    return name


def _aware(when: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; they were stored as UTC."""
    return when.replace(tzinfo=timezone.utc) if when and when.tzinfo is None else when


class AccountsMixin:
    # -- users -------------------------------------------------------------------------------
    def has_users(self) -> bool:
        """Is sign-in configured (any user at all)? Without users the app is single-user."""
        with self.engine.connect() as conn:
            return conn.execute(select(s.users.c.id).limit(1)).first() is not None

    def add_user(self, name: str, role: Role | str, password: str, *,
                 replace: bool = False) -> dict:
        """Add a user (or, with ``replace``, set an existing user's role and password)."""
        require(self.actor, "manage_users")
        name, role = check_name(name), parse_role(str(role))
        if len(password) < 8:
            raise InputError("the password needs at least 8 characters")
        row = {"name": name, "role": str(role), "password_hash": _hasher().hash(password),
               "created_at": utc_now(), "created_by": clean_text(self.actor.name)}
        with self.engine.begin() as conn:
            exists = conn.execute(select(s.users.c.id).where(s.users.c.name == name)).scalar()
            if exists is not None and not replace:
                raise InputError(f"user {name!r} exists; `users remove {name}` first, or "
                                 "`users add NAME --role ROLE --replace` to change them")
            if exists is None:
                conn.execute(insert(s.users).values(**row))
            else:
                conn.execute(update(s.users).where(s.users.c.id == exists).values(**row))
            conn.execute(delete(s.sign_in_throttle).where(
                s.sign_in_throttle.c.name == name.casefold()[:80]))
        return {k: row[k] for k in ("name", "role", "created_at", "created_by")}

    def remove_user(self, name: str, *, allow_no_users: bool = False) -> None:
        """Remove a user; the last one only when asked to, because without users the app
        has no sign-in and whoever reaches it acts as admin."""
        require(self.actor, "manage_users")
        with self.engine.begin() as conn:
            others = conn.execute(select(s.users.c.id).where(s.users.c.name != name)
                                  .limit(1)).first()
            gone = conn.execute(delete(s.users).where(s.users.c.name == name)).rowcount
            if gone and others is None and not allow_no_users:
                conn.rollback()
                raise InputError(f"{name} is the last user: without users the app has no "
                                 "sign-in and anyone who reaches it acts as admin; add another "
                                 "user first, or pass --allow-no-users")
        if not gone:
            raise NotFound(f"no user {name!r}; see `users list`")

    def users(self) -> list[dict]:
        """name, role, created_at, created_by of every user, by name (no hashes)."""
        q = select(s.users.c.name, s.users.c.role, s.users.c.created_at,
                   s.users.c.created_by).order_by(s.users.c.name)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def user_actor(self, name: str, via: str = "app") -> Actor | None:
        """The user as an actor with their current role, or None if they are gone."""
        with self.engine.connect() as conn:
            role = conn.execute(select(s.users.c.role).where(s.users.c.name == name)).scalar()
        return None if role is None else Actor(name, parse_role(role), via=via)

    def sign_in(self, name: str, password: str, *, now: datetime | None = None) -> Actor:
        """The user as an actor if the password is theirs; raises NotSignedIn or, after
        repeated failures for this name, TooManyAttempts (without checking the password)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        now = now or utc_now()
        key = str(name).strip().casefold()[:80]
        self._check_paused(key, now)
        with self.engine.connect() as conn:
            row = conn.execute(select(s.users.c.name, s.users.c.role, s.users.c.password_hash)
                               .where(s.users.c.name == str(name).strip())).first()
        hasher = _hasher()
        try:
            if row is None:
                hasher.hash(password)  # the same cost as a wrong password: no name oracle
                raise VerificationError
            hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            self._failed(key, now)
            raise NotSignedIn("wrong user name or password") from None
        with self.engine.begin() as conn:
            conn.execute(delete(s.sign_in_throttle).where(s.sign_in_throttle.c.name == key))
        return Actor(row.name, parse_role(row.role), via="app")

    def _check_paused(self, key: str, now: datetime) -> None:
        with self.engine.connect() as conn:
            until = conn.execute(select(s.sign_in_throttle.c.locked_until).where(
                s.sign_in_throttle.c.name == key)).scalar()
        until = _aware(until)
        if until is not None and until > now:
            wait = int((until - now).total_seconds()) + 1
            raise TooManyAttempts(f"too many failed sign-ins for this name; try again in "
                                  f"{wait} s (or ask an admin to reset the password)")

    def _failed(self, key: str, now: datetime) -> None:
        """Count a failure for ``key`` and pause it once past FREE_FAILURES."""
        t = s.sign_in_throttle
        for _ in range(3):  # two first failures at once: one insert wins, the other updates
            try:
                with self.engine.begin() as conn:
                    row = conn.execute(select(t.c.failures, t.c.last_failure_at)
                                       .where(t.c.name == key)).first()
                    if row is None:
                        conn.execute(insert(t).values(name=key, failures=1, last_failure_at=now))
                        return
                    last = _aware(row.last_failure_at)
                    fresh = last is not None and now - last < FORGET_AFTER
                    failures = (row.failures if fresh else 0) + 1
                    pause = None
                    if failures > FREE_FAILURES:
                        pause = now + min(MAX_PAUSE,
                                          FIRST_PAUSE * 2 ** (failures - FREE_FAILURES - 1))
                    conn.execute(update(t).where(t.c.name == key).values(
                        failures=failures, last_failure_at=now, locked_until=pause))
                    return
            except IntegrityError:
                continue

    # -- API tokens --------------------------------------------------------------------------
    def create_token(self, name: str, role: Role | str) -> str:
        """A new token for ``name``: returned once, stored only as its SHA-256."""
        require(self.actor, "manage_tokens")
        name, role = check_name(name, "token"), parse_role(str(role))
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(s.api_tokens).values(
                    name=name, role=str(role), token_hash=hash_token(token),
                    created_at=utc_now(), created_by=clean_text(self.actor.name)))
        except IntegrityError:
            raise InputError(f"a token named {name!r} exists (revoked ones keep their "
                             "name); pick another name (see `tokens list`)") from None
        return token

    def revoke_token(self, name: str) -> None:
        require(self.actor, "manage_tokens")
        t = s.api_tokens
        with self.engine.begin() as conn:
            n = conn.execute(update(t).where(t.c.name == name, t.c.revoked_at.is_(None))
                             .values(revoked_at=utc_now(),
                                     revoked_by=clean_text(self.actor.name))).rowcount
        if not n:
            raise NotFound(f"no active token named {name!r}; see `tokens list`")

    def tokens(self) -> list[dict]:
        """name, role, created_at, created_by, revoked_at of every token (never the token)."""
        t = s.api_tokens
        q = select(t.c.name, t.c.role, t.c.created_at, t.c.created_by,
                   t.c.revoked_at).order_by(t.c.name)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def token_actor(self, token: str) -> Actor | None:
        """The actor a bearer token stands for, or None (unknown or revoked)."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        t = s.api_tokens
        with self.engine.connect() as conn:
            row = conn.execute(select(t.c.name, t.c.role).where(
                t.c.token_hash == hash_token(token), t.c.revoked_at.is_(None))).first()
        return None if row is None else Actor(row.name, parse_role(row.role), via="api")
