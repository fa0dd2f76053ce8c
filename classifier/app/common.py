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


def database():
    """The findings database for the current settings, as the local operator (for sign-in)."""
    from classifier.store import database_url

    return _store(database_url())


def store():
    """The findings database (no model, no torch), acting for this session's signed-in user:
    the store itself refuses what their role does not allow, whatever a page offers."""
    from classifier.app.auth import current_actor

    actor = current_actor()
    if actor is None:
        from classifier.errors import NotSignedIn

        raise NotSignedIn("sign in first")
    return database().acting_as(actor)


def actor():
    from classifier.app.auth import current_actor

    return current_actor()


def generation() -> str:
    """Which database, at which change: the cache key of every table below."""
    db = store()
    return f"{db.url}#{db.generation()}"


@st.cache_resource(show_spinner=False, max_entries=4)
def findings_table(gen: str, probabilities: bool = False) -> pd.DataFrame:
    """Shared, not copied (cache_data would unpickle 100k rows on every rerun): pages
    only filter it, never change it in place."""
    return store().findings_frame(probabilities=probabilities)


@st.cache_data(show_spinner=False, max_entries=4)
def reports_table(gen: str) -> pd.DataFrame:
    return store().reports()


@st.cache_resource(show_spinner=False, max_entries=4)
def recurrence_groups(gen: str) -> pd.DataFrame:
    return store().recurrence_groups()


@st.cache_data(show_spinner=False, max_entries=4)
def history_seeded(gen: str) -> bool:
    """Whether the restated publications are in (a database older than them may lack them)."""
    return bool(store().state()["history_seeded"])


@st.cache_data
def ratings_table() -> pd.DataFrame:
    return pd.read_csv(paths.ratings_csv(), dtype=str)


@st.cache_resource(show_spinner="Loading the model…")
def model():
    """The trained model; imported lazily so torch loads only on pages that classify."""
    from classifier.jobs.classify import get_model

    return get_model()


SHOWN_ROWS = 1000  # a table longer than this shows its first rows; the CSV has them all


def show_table(frame: pd.DataFrame, key: str, **kwargs) -> None:
    if len(frame) > SHOWN_ROWS:
        st.caption(f"First {SHOWN_ROWS:,} of {len(frame):,} rows; the CSV has them all.")
    st.dataframe(frame.head(SHOWN_ROWS), key=key, **kwargs)


def csv_download(frame: pd.DataFrame, name: str, label: str = "Download CSV", key: str | None = None):
    """A CSV of ``frame``, made when the button is clicked (not on every rerun: the CSV of a
    drill-down over 100k findings is tens of megabytes)."""
    from classifier.fileio import neutralise_formulas

    def data() -> bytes:
        return neutralise_formulas(frame).to_csv(index=False).encode("utf-8")

    st.download_button(label, data, file_name=name, mime="text/csv", key=key or f"dl-{name}",
                       on_click="ignore")


def takeaway_downloads(selected: pd.DataFrame, groups: pd.DataFrame, filters: dict[str, str]
                      ) -> None:
    """The selection as the analyst's briefing (one HTML page), made when clicked."""
    from classifier.insight.briefing import briefing_html
    from classifier.insight.selection import Selection

    def data() -> bytes:
        rows = [(name, value or "all") for name, value in filters.items()]
        return briefing_html(selected, groups if len(groups) else None, Selection(),
                             filters=rows).encode("utf-8")

    def workbook() -> bytes:
        from classifier.insight.workbook import workbook_bytes

        rows = [(name, value or "all") for name, value in filters.items()]
        return workbook_bytes(selected, groups if len(groups) else None, Selection(),
                              filters=rows)

    left, right = st.columns(2)
    left.download_button("Download briefing (HTML)", data, file_name="briefing.html",
                         mime="text/html", key="dl-briefing", on_click="ignore",
                         help="One page to take to a meeting: trend, recurring weaknesses, "
                              "Areas most affected, the findings behind them and their "
                              "sources; opens offline, prints on A4.")
    right.download_button("Download workbook (xlsx)", workbook, file_name="overview.xlsx",
                          mime="application/vnd.openxmlformats-officedocument."
                               "spreadsheetml.sheet", key="dl-workbook", on_click="ignore",
                          help="The Overview's tables, one sheet each, filters first.")


def escape_markdown(text: str) -> str:
    """User text shown inside a Markdown element is shown as text, never as markup."""
    import re

    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", str(text))
