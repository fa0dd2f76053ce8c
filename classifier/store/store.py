"""FindingsStore: every read and write of the findings database (the only place with SQL).

Writes are one transaction each and begin by bumping ``store_state.generation``: that
takes the write lock first (SQLite's RESERVED lock, PostgreSQL's row lock), so concurrent
writers queue instead of interleaving, and it tells every reader's cache (vectors, tables,
the app's ``st.cache_data``) that the database changed. Every value goes through bound
parameters.

Each store handle acts for one :class:`~classifier.access.Actor` (the local operator unless
made with :meth:`FindingsStore.acting_as`); every write names its action and is refused, before
anything is read or written, to an actor whose role does not allow it.
"""
from __future__ import annotations

import copy
import json
import threading
from contextlib import contextmanager
from functools import cached_property
from typing import Callable, Iterator

import numpy as np
import pandas as pd
from sqlalchemy import String, and_, func, insert, select, type_coerce, update
from sqlalchemy.engine import Connection, Engine

from classifier.access import Actor, operator, require
from classifier.codebook import Codebook, default_codebook
from classifier.store import schema as s
from classifier.store import snapshot
from classifier.store.accounts import AccountsMixin
from classifier.store.decisions import DecisionsMixin
from classifier.store.reports import ReportsMixin
from classifier.store.records import (MODEL, effective_labels, raw_rows, utc_now, vector_bytes)
from classifier.store.search import VectorIndex

RECURRENCE_THRESHOLD = 0.6  # cosine at which two findings state the same weakness
_BATCH = 2000


class FindingsStore(ReportsMixin, DecisionsMixin, AccountsMixin):
    """One database (SQLite file or PostgreSQL), with in-memory caches keyed on its generation."""

    def __init__(self, engine: Engine, codebook: Codebook | None = None,
                 actor: Actor | None = None):
        self.engine = engine
        self.codebook = codebook or default_codebook()
        self.actor = actor or operator()
        self._lock = threading.Lock()
        self._vectors: dict[str, tuple[int, VectorIndex, np.ndarray]] = {}
        self._frames: dict[tuple, tuple[int, pd.DataFrame]] = {}
        self._loading: dict[tuple, threading.Lock] = {}  # one reader per cached table

    def acting_as(self, actor: Actor) -> "FindingsStore":
        """The same database and caches, acting for ``actor`` (whose role every write checks)."""
        handle = copy.copy(self)
        handle.actor = actor
        return handle

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    # -- transactions ------------------------------------------------------------------------
    @contextmanager
    def _write(self, action: str) -> Iterator[Connection]:
        require(self.actor, action)  # refused before anything is read or written
        with self.engine.begin() as conn:
            conn.info["generation"] = int(conn.execute(
                update(s.store_state).where(s.store_state.c.id == 1)
                .values(generation=s.store_state.c.generation + 1)
                .returning(s.store_state.c.generation)).scalar_one())
            conn.info["added_vectors"] = None
            conn.info["removed_vectors"] = False
            yield conn
            done = (conn.info["generation"], conn.info.pop("added_vectors", None),
                    conn.info.pop("removed_vectors", False))
        self._after_write(*done)  # committed

    def _after_write(self, generation: int, added: tuple | None, removed: bool) -> None:
        """Carry the vector cache over our own write (others' writes make it reload): a
        report added to a large database must not re-read every vector."""
        with self._lock:
            for fp, (gen, index, groups) in list(self._vectors.items()):
                if gen != generation - 1 or removed:
                    continue  # stale: the next read reloads it
                if added is not None and added[0] == fp:
                    _, ids, vectors, new_groups = added
                    index = index.extended(ids, vectors)
                    groups = np.concatenate([groups, new_groups])
                self._vectors[fp] = (generation, index, groups)

    def generation(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(s.store_state.c.generation)).scalar_one())

    @cached_property
    def instance(self) -> str:
        """The database's random id (set when it was created or migrated; never changes)."""
        with self.engine.connect() as conn:
            return str(conn.execute(select(s.store_state.c.instance)).scalar_one())

    def state(self) -> dict:
        with self.engine.connect() as conn:
            row = conn.execute(select(s.store_state)).mappings().one()
        return dict(row)

    # -- vectors written with a report -------------------------------------------------------
    def _insert_vectors(self, conn: Connection, ids: list[int], vectors: np.ndarray,
                        fingerprint: str) -> None:
        """Store vectors with their recurrence groups (joined to the most similar earlier
        finding at cosine >= RECURRENCE_THRESHOLD, else a new group named by the finding)."""
        from classifier.store.recurrence import assign_groups

        index, groups = self._load_vectors(conn, fingerprint, writing=True)
        new_groups = assign_groups(index, groups, ids, np.asarray(vectors, np.float32),
                                   RECURRENCE_THRESHOLD)
        rows = [{"finding_id": fid, "fingerprint": fingerprint, "vector": vector_bytes(v),
                 "recurrence_group": int(g)} for fid, v, g in zip(ids, vectors, new_groups)]
        for start in range(0, len(rows), _BATCH):
            conn.execute(insert(s.embeddings), rows[start:start + _BATCH])
        conn.info["added_vectors"] = (fingerprint, np.asarray(ids, dtype=np.int64),
                                      np.asarray(vectors, np.float32),
                                      np.asarray(new_groups, dtype=np.int64))

    # -- findings ----------------------------------------------------------------------------
    def findings_frame(self, *, probabilities: bool = False,
                       report_id: int | None = None) -> pd.DataFrame:
        """Every finding with its report and effective label (a copy). The whole database's
        frame is also kept as a Parquet snapshot, so a new process reads 100k findings in a
        tenth of the time."""
        variant = None if report_id is not None else \
            "probabilities" if probabilities else "labels"
        return self._cached((probabilities, report_id),
                            lambda: self._read_findings(probabilities, report_id), variant)

    def _cached(self, key: tuple, read: Callable[[], pd.DataFrame],
                variant: str | None = None) -> pd.DataFrame:
        """``read()``, cached in memory per generation and, with ``variant``, on disk
        (:mod:`classifier.store.snapshot`). One reader reads while the others wait for it
        (the app's keep-warm thread and a visitor's page would otherwise both read 100k
        rows). A write committed during the read leaves the result uncached, never stale.
        Callers get a copy."""
        with self._lock:
            loading = self._loading.setdefault(key, threading.Lock())
        with loading:
            gen = self.generation()
            with self._lock:
                hit = self._frames.get(key)
            if hit is None or hit[0] != gen:
                frame = snapshot.load(self.instance, variant, gen) if variant else None
                if frame is None:
                    frame = read()
                    if self.generation() != gen:
                        return frame
                    if variant:
                        snapshot.save(frame, self.instance, variant, gen)
                hit = (gen, frame)
                with self._lock:
                    self._frames[key] = hit
        return hit[1].copy()

    def _read_findings(self, probabilities: bool, report_id: int | None) -> pd.DataFrame:
        """Every finding with its report and its effective label (a human decision wins).

        Columns: finding_id, report_id, report, publisher, date, year, area, part, kind,
        number, section, location, text, report_kind, source_url, date_precision, held_out,
        inspection, themes, label_source, model_themes, model_version, needs_review,
        decided_by, and with ``probabilities`` one p_<theme> column per theme.
        """
        latest = select(s.decisions.c.finding_id, func.max(s.decisions.c.id).label("id")) \
            .group_by(s.decisions.c.finding_id).subquery()
        d = s.decisions.alias("d")
        f, r, c = s.findings, s.reports, s.classifications
        cols = [f.c.id.label("finding_id"), f.c.report_id, r.c.title.label("report"),
                r.c.publisher, type_coerce(r.c.published, String).label("date"),  # parsed
                f.c.area, f.c.part, f.c.kind,                    # once, by pandas, below
                f.c.number, f.c.section, f.c.location, f.c.text,
                r.c.kind.label("report_kind"), r.c.source_url, r.c.date_precision, r.c.held_out,
                r.c.inspection,
                c.c.themes.label("model_themes"), c.c.label_source.label("classified_by"),
                c.c.model_version, c.c.needs_review, d.c.themes.label("decided_themes"),
                d.c.decided_by]
        if probabilities:
            cols.append(c.c.probabilities)
        q = (select(*cols)
             .select_from(f.join(r, r.c.id == f.c.report_id)
                          .outerjoin(c, c.c.finding_id == f.c.id)
                          .outerjoin(latest, latest.c.finding_id == f.c.id)
                          .outerjoin(d, d.c.id == latest.c.id))
             .order_by(f.c.report_id, f.c.position))
        if report_id is not None:
            q = q.where(f.c.report_id == report_id)
        with self.engine.connect() as conn:
            frame = pd.DataFrame.from_records(raw_rows(conn, q),
                                              columns=[col.name for col in cols])
        return effective_labels(frame, self.codebook, probabilities)

    def finding(self, finding_id: int) -> dict | None:
        """One finding with report and effective label, or None."""
        latest = self.findings_frame(probabilities=True)
        row = latest[latest["finding_id"] == finding_id]
        return None if row.empty else row.iloc[0].to_dict()

    # -- vectors and search ------------------------------------------------------------------
    def _load_vectors(self, conn: Connection, fingerprint: str, *, writing: bool = False
                      ) -> tuple[VectorIndex, np.ndarray]:
        """(index, recurrence groups) for ``fingerprint``, cached until the generation moves.

        Inside a write transaction the generation was just bumped: the cache is valid when
        it was taken one generation earlier.
        """
        gen = int(conn.execute(select(s.store_state.c.generation)).scalar_one())
        gen -= 1 if writing else 0  # what this connection sees is the state before the write
        with self._lock:
            hit = self._vectors.get(fingerprint)
        if hit is not None and hit[0] == gen:
            return hit[1], hit[2]
        q = (select(s.embeddings.c.finding_id, s.embeddings.c.vector,
                    s.embeddings.c.recurrence_group)
             .where(s.embeddings.c.fingerprint == fingerprint)
             .order_by(s.embeddings.c.finding_id))
        rows = raw_rows(conn, q)  # 100k rows: the driver's tuples, no per-value processing
        ids = [r[0] for r in rows]
        blobs = [r[1] for r in rows]  # bytes, or memoryview: b"".join takes either
        groups = [r[2] if r[2] is not None else r[0] for r in rows]
        dim = len(blobs[0]) // 4 if blobs else 0
        vectors = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), dim) \
            if blobs else np.zeros((0, 0), dtype=np.float32)
        index = VectorIndex(np.asarray(ids, dtype=np.int64), vectors,
                            cache_key=f"{self.instance}|{fingerprint}")
        groups_arr = np.asarray(groups, dtype=np.int64)
        with self._lock:
            self._vectors[fingerprint] = (gen, index, groups_arr)
        return index, groups_arr

    def vectors(self, fingerprint: str) -> tuple[VectorIndex, np.ndarray]:
        """The vector index for ``fingerprint`` and each vector's recurrence group."""
        with self.engine.connect() as conn:
            return self._load_vectors(conn, fingerprint)

    def recurrence_groups(self, fingerprint: str | None = None) -> pd.DataFrame:
        """finding_id, recurrence_group for the newest fingerprint (no vectors read)."""
        def read() -> pd.DataFrame:
            fp = fingerprint or self.latest_fingerprint()
            q = select(s.embeddings.c.finding_id, s.embeddings.c.recurrence_group).where(
                s.embeddings.c.fingerprint == fp)
            with self.engine.connect() as conn:
                return pd.DataFrame.from_records(raw_rows(conn, q),
                                                 columns=["finding_id", "recurrence_group"])

        return self._cached(("groups", fingerprint), read)

    def latest_fingerprint(self) -> str:
        q = (select(s.embeddings.c.fingerprint, func.count().label("n"))
             .group_by(s.embeddings.c.fingerprint).order_by(func.count().desc()))
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        return row[0] if row else ""

    def missing_embeddings(self, fingerprint: str) -> pd.DataFrame:
        """finding_id, text of findings with no vector for ``fingerprint``, in id order."""
        have = select(s.embeddings.c.finding_id).where(s.embeddings.c.fingerprint == fingerprint)
        q = (select(s.findings.c.id.label("finding_id"), s.findings.c.text)
             .where(s.findings.c.id.not_in(have)).order_by(s.findings.c.id))
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).all(), columns=["finding_id", "text"])

    def add_embeddings(self, finding_ids: list[int], vectors: np.ndarray,
                       fingerprint: str) -> int:
        """Store vectors for findings that lack them (findings removed meanwhile are skipped):
        derived data any reader may fill in, like a cache."""
        with self._write("classify") as conn:
            alive = set(conn.execute(select(s.findings.c.id).where(
                s.findings.c.id.in_([int(i) for i in finding_ids]))).scalars())
            have = set(conn.execute(select(s.embeddings.c.finding_id).where(and_(
                s.embeddings.c.fingerprint == fingerprint,
                s.embeddings.c.finding_id.in_([int(i) for i in finding_ids])))).scalars())
            keep = [i for i, fid in enumerate(finding_ids) if fid in alive and fid not in have]
            if keep:
                self._insert_vectors(conn, [int(finding_ids[i]) for i in keep],
                                     np.asarray(vectors)[keep], fingerprint)
        return len(keep)

    def search(self, query: np.ndarray, fingerprint: str, k: int = 5) -> list[pd.DataFrame]:
        """For each query vector, the k most similar stored findings with a similarity column."""
        index, _ = self.vectors(fingerprint)
        ids, sims = index.search(query, k)
        frame = self.findings_frame().set_index("finding_id", drop=False)
        out = []
        for row_ids, row_sims in zip(ids, sims):
            keep = [i for i, fid in enumerate(row_ids) if fid in frame.index]
            hits = frame.loc[[int(row_ids[i]) for i in keep]].reset_index(drop=True)
            out.append(hits.assign(similarity=np.round(np.asarray(row_sims)[keep], 4)))
        return out

    # -- labels ------------------------------------------------------------------------------
    def reclassify(self, score: Callable[[list[str], np.ndarray | None], pd.DataFrame],
                   fingerprint: str) -> int:
        """Re-score every model-labelled finding with ``score(texts, vectors)``; humans untouched.

        ``score`` returns themes, p_<theme>, needs_review and model_version per text.
        """
        require(self.actor, "reclassify")  # before the scoring, not after it
        q = (select(s.findings.c.id, s.findings.c.text)
             .select_from(s.findings.join(s.classifications,
                                          s.classifications.c.finding_id == s.findings.c.id))
             .where(s.classifications.c.label_source == MODEL).order_by(s.findings.c.id))
        with self.engine.connect() as conn:
            todo = pd.DataFrame(conn.execute(q).all(), columns=["id", "text"])
        if todo.empty:
            return 0
        index, _ = self.vectors(fingerprint)
        pos = {int(fid): i for i, fid in enumerate(index.ids)}
        vecs = None
        if all(int(i) in pos for i in todo["id"]):
            vecs = index.vectors[[pos[int(i)] for i in todo["id"]]]
        labels = score(todo["text"].tolist(), vecs)
        pcols = [f"p_{t}" for t in self.codebook.ids]
        now = utc_now()
        rows = [{"fid": int(fid), "themes": rec["themes"] or "other",
                 "model_version": str(rec["model_version"]),
                 "probabilities": json.dumps({c[2:]: float(rec[c]) for c in pcols if c in rec}),
                 "needs_review": bool(rec["needs_review"]), "classified_at": now}
                for fid, rec in zip(todo["id"], labels.to_dict("records"))]
        from sqlalchemy import bindparam

        stmt = (update(s.classifications)
                .where(and_(s.classifications.c.finding_id == bindparam("fid"),
                            s.classifications.c.label_source == MODEL))
                .values(themes=bindparam("themes"), model_version=bindparam("model_version"),
                        probabilities=bindparam("probabilities"),
                        needs_review=bindparam("needs_review"),
                        classified_at=bindparam("classified_at")))
        with self._write("reclassify") as conn:
            for start in range(0, len(rows), _BATCH):
                conn.execute(stmt, rows[start:start + _BATCH])
        return len(rows)

    # -- one-off loading ---------------------------------------------------------------------
    def mark(self, **flags: bool) -> None:
        with self._write("add_report") as conn:
            conn.execute(update(s.store_state).where(s.store_state.c.id == 1).values(**flags))

