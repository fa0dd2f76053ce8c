"""Sign-in for the app: nobody sees data before signing in, once any user is configured.

Users and their argon2 password hashes live in the findings database (``python -m classifier
users add``), so every app server on one database shares them and an admin's change (a new
role, a removed user) holds from the next click. A session is this browser tab's: it ends
after ``CLASSIFIER_SESSION_HOURS`` (default 8) or ``CLASSIFIER_SESSION_IDLE_MINUTES`` (60)
without a click, on sign-out, or when the tab closes. Without users the app is a single-user
tool: the visitor is the local operator (admin) and names who decides on the Review page.
"""
from __future__ import annotations

import os
import time

import streamlit as st

from classifier.access import Actor, operator

_KEY = "auth"


def _limits() -> tuple[float, float]:
    hours = float(os.environ.get("CLASSIFIER_SESSION_HOURS", "8"))
    idle = float(os.environ.get("CLASSIFIER_SESSION_IDLE_MINUTES", "60"))
    return hours * 3600, idle * 60


def current_actor() -> Actor | None:
    """Who this session acts as (set by :func:`gate` on every run), or None."""
    return st.session_state.get("actor")


def gate(store) -> Actor:
    """The session's actor; shows the sign-in form and stops the page when there is none."""
    if not store.has_users():
        actor = operator(via="app")
        st.session_state["actor"] = actor
        return actor
    now, (lifetime, idle) = time.time(), _limits()
    session = st.session_state.get(_KEY)
    if session is not None:
        actor = store.user_actor(session["name"])
        if now - session["since"] > lifetime or now - session["seen"] > idle:
            _end("Your session expired; sign in again.")
        elif actor is None:
            _end("Your user was removed; ask an admin.")
        else:
            session["seen"] = now
            st.session_state["actor"] = actor
            with st.sidebar:
                st.caption(f"Signed in as **{actor.name}** ({actor.role})")
                if st.button("Sign out", key="sign_out"):
                    _end("Signed out.")
                    st.rerun()
            return actor
    _sign_in_form(store)
    st.stop()


def _end(message: str) -> None:
    st.session_state.pop(_KEY, None)
    st.session_state.pop("actor", None)
    st.session_state["auth_message"] = message


def _sign_in_form(store) -> None:
    from classifier.errors import NotSignedIn, TooManyAttempts

    st.session_state.pop("actor", None)
    st.title("Sign in")
    if "auth_message" in st.session_state:
        st.info(st.session_state.pop("auth_message"))
    with st.form("sign_in_form"):
        name = st.text_input("User name", key="sign_in_name")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            actor = store.sign_in(name, password)
        except (NotSignedIn, TooManyAttempts) as exc:
            st.error(str(exc))
            return
        st.session_state[_KEY] = {"name": actor.name, "since": time.time(), "seen": time.time()}
        st.session_state["actor"] = actor
        st.rerun()
