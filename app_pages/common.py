"""Cached loaders shared by the pages (tables with cache_data, the model with cache_resource).

Every table comes from the findings database and is cached under the database's generation
number, which every write bumps: a change made by the app or by the CLI shows at the next
rerun, and an unchanged database is read once.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from classifier import paths


@st.cache_resource(show_spinner=False)
def _store(url: str):
    from classifier.store import open_store

    return open_store()


def store():
    """The findings database for the current settings (no model, no torch)."""
    from classifier.store import database_url

    return _store(database_url())


def generation() -> str:
    """Which database, at which change: the cache key of every table below."""
    db = store()
    return f"{db.url}#{db.generation()}"


@st.cache_data(show_spinner=False, max_entries=4)
def findings_table(gen: str, probabilities: bool = False) -> pd.DataFrame:
    return store().findings_frame(probabilities=probabilities)


@st.cache_data(show_spinner=False, max_entries=4)
def reports_table(gen: str) -> pd.DataFrame:
    return store().reports()


@st.cache_data(show_spinner=False, max_entries=4)
def recurrence_groups(gen: str) -> pd.DataFrame:
    return store().recurrence_groups()


@st.cache_data
def ratings_table() -> pd.DataFrame:
    return pd.read_csv(paths.ratings_csv(), dtype=str)


@st.cache_resource(show_spinner="Loading the model…")
def model():
    """The trained model; imported lazily so torch loads only on pages that classify."""
    from classifier.classify import get_model

    return get_model()


def csv_download(frame: pd.DataFrame, name: str, label: str = "Download CSV", key: str | None = None):
    from classifier.fileio import neutralise_formulas

    st.download_button(label, neutralise_formulas(frame).to_csv(index=False).encode("utf-8"),
                       file_name=name, mime="text/csv", key=key or f"dl-{name}")


def escape_markdown(text: str) -> str:
    """User text shown inside a Markdown element is shown as text, never as markup."""
    import re

    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", str(text))
