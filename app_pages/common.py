"""Cached loaders shared by the pages (tables with cache_data, the model with cache_resource)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from classifier import paths
from classifier.data import labelled_findings


@st.cache_data
def findings_table() -> pd.DataFrame:
    return labelled_findings()


@st.cache_data
def ratings_table() -> pd.DataFrame:
    return pd.read_csv(paths.ratings_csv(), dtype=str)


@st.cache_resource(show_spinner="Loading the model…")
def model():
    """The trained model; imported lazily so torch loads only on pages that classify."""
    from classifier.classify import get_model

    return get_model()


def history():
    from classifier.classify import get_history

    return get_history()


def csv_download(frame: pd.DataFrame, name: str, label: str = "Download CSV", key: str | None = None):
    from classifier.fileio import neutralise_formulas

    st.download_button(label, neutralise_formulas(frame).to_csv(index=False).encode("utf-8"),
                       file_name=name, mime="text/csv", key=key or f"dl-{name}")


def escape_markdown(text: str) -> str:
    """User text shown inside a Markdown element is shown as text, never as markup."""
    import re

    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", str(text))
