"""Nearest-neighbour search over stored finding vectors: exact, or usearch's HNSW above a size.

Below ``EXACT_LIMIT`` vectors a query is one matrix-vector product (exact cosine: the
vectors are L2-normalised). Above it a full pass costs more than the 10 ms a query may take
here (29 ms at 100k × 384 float32 on this project's 2-core machine), so an HNSW graph from
usearch is used (recall@5 ≥ 0.99 measured by ``scripts/benchmark_history.py``). The graph
is a cache of the database, saved under the cache folder and reconciled with the stored
keys on load (new findings added, removed ones dropped), so it is built once.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from classifier import paths

log = logging.getLogger(__name__)
EXACT_LIMIT = 20_000
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 256
SAVE_EVERY = 1_000  # a grown graph is saved after this many additions (a fresh process
                    # then reconciles at most that many)


def ann_path(key: str) -> Path:
    """Where the graph for one (database, fingerprint) lives."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    return paths.cache_dir() / "ann" / f"{digest}.usearch"


@dataclass
class VectorIndex:
    """Finding ids with their vectors (row i of ``vectors`` is finding ``ids[i]``)."""

    ids: np.ndarray
    vectors: np.ndarray
    cache_key: str = ""
    exact_limit: int = EXACT_LIMIT
    _ann: object = field(default=None, repr=False)
    _unsaved: int = 0

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def exact(self) -> bool:
        return len(self.ids) <= self.exact_limit

    def search(self, query: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
        """(finding ids, similarities), each (q, k'), best first; k' = min(k, size)."""
        query = np.atleast_2d(np.asarray(query, dtype=np.float32))
        k = min(k, len(self.ids))
        if k == 0:
            return np.zeros((len(query), 0), dtype=np.int64), np.zeros((len(query), 0))
        if self.exact:
            return self.search_exact(query, k)
        index = self._graph()
        found = index.search(query, k)
        keys = np.atleast_2d(np.asarray(found.keys, dtype=np.int64))
        dist = np.atleast_2d(np.asarray(found.distances, dtype=np.float32))
        return keys, 1.0 - dist

    def prepare(self) -> None:
        """Load (or, the first time, build) the HNSW graph of a large index now, so the first
        search does not wait for it."""
        if not self.exact:
            self._graph()

    def search_exact(self, query: np.ndarray, k: int = 5, chunk: int = 256
                     ) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-k for many queries at once (one matrix product per chunk of queries:
        cheap per query even at 100k, unlike a single matrix-vector product)."""
        query = np.atleast_2d(np.asarray(query, dtype=np.float32))
        k = min(k, len(self.ids))
        ids, sims_out = [], []
        for start in range(0, len(query), chunk):
            sims = query[start:start + chunk] @ self.vectors.T
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            rows = np.take_along_axis(sims, top, axis=1)
            top = np.take_along_axis(top, np.argsort(-rows, axis=1, kind="stable"), axis=1)
            ids.append(self.ids[top])
            sims_out.append(np.take_along_axis(sims, top, axis=1))
        return np.vstack(ids), np.vstack(sims_out)

    def extended(self, ids: np.ndarray, vectors: np.ndarray) -> "VectorIndex":
        """A new index with these vectors added; a graph already built is grown, not rebuilt."""
        grown = VectorIndex(np.concatenate([self.ids, ids]),
                            np.vstack([self.vectors, vectors]).astype(np.float32, copy=False)
                            if len(self.vectors) else np.asarray(vectors, np.float32),
                            cache_key=self.cache_key, exact_limit=self.exact_limit)
        if self._ann is not None and len(ids):
            self._ann.add(np.asarray(ids, dtype=np.int64), np.asarray(vectors, np.float32),
                          threads=0)
            grown._ann, grown._unsaved = self._ann, self._unsaved + len(ids)
            self._ann = None  # the graph now belongs to the grown index
            if grown._unsaved >= SAVE_EVERY:
                grown._save(grown._ann)
        return grown

    def _save(self, index) -> None:
        if not self.cache_key:
            return
        from classifier.fileio import atomic_path

        path = ann_path(self.cache_key)
        with atomic_path(path) as tmp:
            index.save(str(tmp))
        self._unsaved = 0

    def similarities(self, query: np.ndarray) -> np.ndarray:
        """Exact cosine of one query to every stored vector (for recurrence counts)."""
        return self.vectors @ np.asarray(query, dtype=np.float32).ravel()

    # -- the HNSW graph ---------------------------------------------------------------------
    def _graph(self):
        if self._ann is not None:
            return self._ann
        from usearch.index import Index

        path = ann_path(self.cache_key) if self.cache_key else None
        index = Index(ndim=self.vectors.shape[1], metric="cos", dtype="f32",
                      connectivity=CONNECTIVITY, expansion_add=EXPANSION_ADD,
                      expansion_search=EXPANSION_SEARCH)
        if path is not None and path.exists():
            try:
                index.load(str(path))
            except (RuntimeError, ValueError) as exc:
                log.warning("ANN cache %s unreadable (%s); rebuilding", path, exc)
                index.reset()
        index.expansion_search = EXPANSION_SEARCH
        if self._reconcile(index):
            self._save(index)
        self._ann = index
        return index

    def _reconcile(self, index) -> bool:
        """Make the graph hold exactly ``ids``; True when it changed."""
        have = np.asarray(index.keys, dtype=np.int64) if len(index) else np.zeros(0, np.int64)
        stale = np.setdiff1d(have, self.ids)
        missing = ~np.isin(self.ids, have)
        if len(stale):
            index.remove(stale)
        if missing.any():
            index.add(self.ids[missing], self.vectors[missing], threads=0)
        return bool(len(stale) or missing.any())
