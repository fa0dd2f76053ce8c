"""The findings database behind every view: the one seam the app, CLI and search call.

``open_store()`` gives the :class:`FindingsStore` for ``CLASSIFIER_DATABASE_URL`` (PostgreSQL)
or the SQLite file ``<models>/findings.db``, migrated; a new one gets its history (report
001 and the restated publications; ``CLASSIFIER_SEED_HISTORY``), any old history store is
imported. Nothing outside this package writes SQL.
"""
from __future__ import annotations

import threading
from pathlib import Path

from classifier.store.db import DatabaseError, database_url, engine_for
from classifier.store.records import HUMAN, MODEL, AddResult, ReportMeta
from classifier.store.store import RECURRENCE_THRESHOLD, FindingsStore

_stores: dict[str, FindingsStore] = {}
_lock = threading.Lock()


def open_store(models_dir: Path | None = None, *, seed: bool = True) -> FindingsStore:
    """The store for this configuration (one per URL per process)."""
    url = database_url(models_dir)
    with _lock:
        store = _stores.get(url)
        if store is None:
            store = FindingsStore(engine_for(url))
            if seed:
                from classifier.store.seed import first_open

                first_open(store, models_dir)
            _stores[url] = store
    return store


def forget_stores() -> None:
    """Drop cached stores and engines (tests that switch databases)."""
    with _lock:
        for store in _stores.values():
            store.engine.dispose()
        _stores.clear()
    engine_for.cache_clear()


__all__ = ["open_store", "forget_stores", "database_url", "FindingsStore", "ReportMeta", "AddResult",
           "DatabaseError", "HUMAN", "MODEL", "RECURRENCE_THRESHOLD"]
