"""Load the restated publications into an existing findings database, vectors included.

A new database gets them when it is first opened (:mod:`classifier.store.seed`); a database
made before they were history gets them here, on request (``history seed``), so nobody's
database changes under them unasked.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass
class HistorySeeded:
    """What ``history seed`` did."""

    reports: int
    findings: int
    skipped: int  # publications already stored
    embedded: int  # findings given a vector
    vectors_note: str  # why none were embedded, if none were


def seed_history(models_dir: Path | None = None, *, embed: bool = True) -> HistorySeeded:
    """Store every restated publication not stored yet, then embed what lacks a vector
    (when a model is there: without one the app or ``train`` embeds them later)."""
    from classifier.errors import ClassifierError
    from classifier.jobs.classify import ensure_embeddings, get_model, get_store
    from classifier.store.seed import seed_history as store_history

    store = get_store(models_dir)
    outcome = store_history(store)
    embedded, note = 0, ""
    if embed:
        try:
            model = get_model(models_dir)
        except ClassifierError as exc:
            note = f"no vectors yet ({exc}); the app or `train` adds them"
        else:
            embedded = ensure_embeddings(store, model)
    return HistorySeeded(outcome.reports, outcome.findings, outcome.skipped, embedded, note)
