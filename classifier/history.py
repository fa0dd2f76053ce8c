"""The history store: past findings with their embeddings, searched by cosine similarity.

Layout of ``models/history/``::

    index.json              which data files are current, their SHA-256, the embedding
                            fingerprint and dimension, and the sources already added
    findings-<hash>.parquet one row per finding (columns in HISTORY_COLUMNS)
    vectors-<hash>.npy      float32 (n, dimension), L2-normalised, same row order

Writers take a file lock, write new data files under new names, then replace
``index.json`` atomically and remove the old files: a reader, or a writer killed
half-way, always finds a complete store. Nothing here unpickles (parquet and
``np.load(allow_pickle=False)``).
"""
from __future__ import annotations

import hashlib
import io
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from filelock import FileLock

from classifier import paths
from classifier.errors import ArtefactError
from classifier.fileio import atomic_path, sha256_file, write_text

HISTORY_COLUMNS = ["hid", "area", "part", "kind", "number", "text", "themes", "source",
                   "source_title", "location", "origin"]
# Cosine similarity above which two findings count as "the same weakness" for the
# recurrence summary. Chosen by reading pairs in report 001: at 0.6 and above the pairs are
# restatements of one point (e.g. file-quality feedback to the police); below ~0.5 they only
# share a topic word.
RECURRENCE_THRESHOLD = 0.6
REBUILD = "rebuild it with `python -m classifier train`"
EXACT_LIMIT = 10_000   # stores larger than this search in two stages (see _similarities)
REDUCED_DIM = 64
CANDIDATES = 512


def history_dir(models_dir: Path | None = None) -> Path:
    """The history store's folder inside a models folder (default: models/)."""
    return Path(models_dir or paths.models_dir()) / "history"


@dataclass
class HistoryStore:
    frame: pd.DataFrame
    vectors: np.ndarray
    fingerprint: str
    sources: dict[str, str]  # source content hash -> file name

    # -- persistence ----------------------------------------------------------------------
    @classmethod
    def load(cls, folder: Path | None = None, *, attempts: int = 5) -> "HistoryStore":
        """Read the store the index points at; if a writer replaced it meanwhile, read again."""
        folder = Path(folder or history_dir())
        for attempt in range(attempts):
            try:
                return cls._load_once(folder)
            except FileNotFoundError:
                if attempt == attempts - 1:
                    raise ArtefactError(f"{folder}: history files keep changing under the "
                                        "reader; try again") from None
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    @classmethod
    def _load_once(cls, folder: Path) -> "HistoryStore":
        index_path = folder / "index.json"
        if not index_path.exists():
            raise ArtefactError(f"no history store in {folder}; {REBUILD}")
        try:
            index = json.loads(index_path.read_text())
            files = index["files"]
        except (ValueError, KeyError):
            raise ArtefactError(f"{index_path} is not a valid history index; {REBUILD}") from None
        data = {}
        for name, digest in files.items():
            content = (folder / name).read_bytes()  # FileNotFoundError: replaced; load retries
            if hashlib.sha256(content).hexdigest() != digest:
                raise ArtefactError(f"{folder / name} does not match index.json; {REBUILD}")
            data[name] = content
        frame = pd.read_parquet(io.BytesIO(data[index["findings"]]))
        vectors = np.load(io.BytesIO(data[index["vectors"]]), allow_pickle=False)
        if len(frame) != len(vectors) or vectors.shape[1] != index["dimension"]:
            raise ArtefactError(f"{folder}: findings and vectors disagree; {REBUILD}")
        return cls(frame, vectors, index["fingerprint"], dict(index.get("sources", {})))

    def save(self, folder: Path | None = None) -> dict[str, str]:
        """Write atomically (see module doc); returns {relative file name: sha256}."""
        folder = Path(folder or history_dir())
        folder.mkdir(parents=True, exist_ok=True)
        frame = self.frame[HISTORY_COLUMNS].reset_index(drop=True)
        vectors = np.ascontiguousarray(self.vectors, dtype=np.float32)
        tag = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).values.tobytes()
                             + vectors.tobytes()).hexdigest()[:16]
        names = {"findings": f"findings-{tag}.parquet", "vectors": f"vectors-{tag}.npy"}
        with atomic_path(folder / names["findings"]) as tmp:
            frame.to_parquet(tmp, index=False)
        with atomic_path(folder / names["vectors"]) as tmp:
            with open(tmp, "wb") as fh:
                np.save(fh, vectors, allow_pickle=False)
        files = {n: sha256_file(folder / n) for n in names.values()}
        index = {**names, "files": files, "fingerprint": self.fingerprint,
                 "dimension": int(vectors.shape[1]), "count": len(frame),
                 "sources": dict(sorted(self.sources.items()))}
        write_text(folder / "index.json", json.dumps(index, indent=2, sort_keys=True) + "\n")
        for old in folder.glob("findings-*.parquet"):
            if old.name not in files:
                old.unlink(missing_ok=True)
        for old in folder.glob("vectors-*.npy"):
            if old.name not in files:
                old.unlink(missing_ok=True)
        return {f"history/{k}": v for k, v in files.items()}

    # -- search ---------------------------------------------------------------------------
    def _similarities(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of each query row to every stored finding, shape (q, n).

        Exact below EXACT_LIMIT findings. Above it, a matrix-vector product over
        100k x 384 float32 is bound by memory bandwidth (~15 ms here), so a first
        pass over a 64-dimensional PCA projection picks candidates and only those
        are scored exactly; findings outside the candidates get -inf.
        """
        if len(self.vectors) <= EXACT_LIMIT:
            return (self.vectors @ query.T).T
        if getattr(self, "_reduced", None) is None:
            sample = self.vectors[:: max(1, len(self.vectors) // 5000)]
            _, _, vt = np.linalg.svd(sample - sample.mean(0), full_matrices=False)
            self._basis = np.ascontiguousarray(vt[:REDUCED_DIM].T)
            self._reduced = np.ascontiguousarray(self.vectors @ self._basis)
        rough = (query @ self._basis) @ self._reduced.T
        n_cand = min(CANDIDATES, rough.shape[1])
        out = np.full(rough.shape, -np.inf, dtype=np.float32)
        for i, row in enumerate(rough):
            cand = np.argpartition(-row, n_cand - 1)[:n_cand]
            out[i, cand] = self.vectors[cand] @ query[i]
        return out

    def search(self, query: np.ndarray, top_k: int = 5) -> list[pd.DataFrame]:
        """For each query vector, the top_k most similar findings with a ``similarity`` column."""
        query = np.atleast_2d(query).astype(np.float32)
        if len(self.frame) == 0:
            return [self.frame.assign(similarity=[]) for _ in query]
        sims = self._similarities(query)
        k = min(top_k, sims.shape[1])
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        results = []
        for row, idx in zip(sims, top):
            idx = idx[np.lexsort((idx, -row[idx]))]  # by similarity, ties by position
            results.append(self.frame.iloc[idx].assign(similarity=np.round(row[idx], 4))
                           .reset_index(drop=True))
        return results

    def nearest(self, query: np.ndarray) -> pd.DataFrame:
        """The single nearest finding per query row (for batch output)."""
        query = np.atleast_2d(query).astype(np.float32)
        sims = self._similarities(query)
        best = sims.argmax(axis=1)
        out = self.frame.iloc[best][["hid", "area", "part", "kind", "text"]].reset_index(drop=True)
        out["similarity"] = np.round(sims[np.arange(len(best)), best], 4)
        return out

    def recurrence(self, query: np.ndarray, threshold: float = RECURRENCE_THRESHOLD) -> dict:
        """In how many Areas and Parts a finding similar to ``query`` was made before."""
        sims = self.vectors @ np.asarray(query, dtype=np.float32).ravel()
        hits = self.frame[sims >= threshold]
        areas = sorted(a for a in hits["area"].unique() if a)
        parts = sorted(p for p in hits["part"].unique() if p)
        return {"threshold": threshold, "findings": int(len(hits)), "areas": areas,
                "n_areas": len(areas), "parts": parts, "n_parts": len(parts),
                "sources": sorted(hits["source"].unique().tolist())}

    # -- growth ---------------------------------------------------------------------------
    def extended(self, frame: pd.DataFrame, vectors: np.ndarray, source_hash: str,
                 source_name: str) -> "HistoryStore | None":
        """A new store with ``frame`` added, or None if that source was added before."""
        if source_hash in self.sources:
            return None
        frame = frame.reindex(columns=HISTORY_COLUMNS).fillna("")
        frame["number"] = frame["number"].astype(str)
        merged = pd.concat([self.frame, frame], ignore_index=True)
        return HistoryStore(merged, np.vstack([self.vectors, vectors]).astype(np.float32),
                            self.fingerprint, {**self.sources, source_hash: source_name})


def add_to_history(additions: list[tuple[pd.DataFrame, np.ndarray, str, str]],
                   folder: Path | None = None) -> tuple[int, int]:
    """Add (frame, vectors, source_hash, source_name) items under the store's lock.

    Returns (findings added, sources skipped because they were added before).
    """
    folder = Path(folder or history_dir())
    added = skipped = 0
    with FileLock(str(folder / ".lock"), timeout=120):
        store = HistoryStore.load(folder)
        for frame, vectors, source_hash, source_name in additions:
            if vectors.shape[1] != store.vectors.shape[1]:
                raise ArtefactError("new findings were embedded with another model than the "
                                    f"history store; {REBUILD}")
            grown = store.extended(frame, vectors, source_hash, source_name)
            if grown is None:
                skipped += 1
                continue
            store, added = grown, added + len(frame)
        if added:
            store.save(folder)
    return added, skipped
