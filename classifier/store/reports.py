"""Reports in and out of the findings database: add (one, or many in one transaction),
remove, list.

A mixin of :class:`~classifier.store.store.FindingsStore` (which supplies ``_write`` and
``_insert_vectors``), kept apart so the store module stays one screenful per job.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from classifier.errors import NotFound
from classifier.store import schema as s
from classifier.store.records import MODEL, AddResult, ReportMeta, clean_text, utc_now

REPORT_COLUMNS = ["id", "title", "publisher", "date", "date_precision", "kind", "description",
                  "area", "source_url", "held_out", "inspection", "file_name", "added_at", "findings"]


class ReportsMixin:
    def add_report(self, meta: ReportMeta, findings: pd.DataFrame, labels: pd.DataFrame,
                   *, vectors: np.ndarray | None = None, fingerprint: str = "",
                   label_source: str = MODEL) -> AddResult:
        """Store a report with its findings, labels and (optionally) vectors, all or nothing.

        ``findings`` has text and any of area, part, kind, number, section, location;
        ``labels`` has themes and optionally model_version, needs_review, p_<theme>.
        """
        if len(findings) != len(labels) or (vectors is not None and len(vectors) != len(findings)):
            raise ValueError("findings, labels and vectors must have one row per finding")
        with self._write("add_report") as conn:
            result = self._add_one(conn, meta, findings, labels, label_source)
            if vectors is not None and result.findings:
                self._insert_vectors(conn, result.ids, vectors, fingerprint)
        return result

    def add_reports(self, items: list[tuple[ReportMeta, pd.DataFrame]], *,
                    label_source: str, unless: str | None = None,
                    flags: dict[str, bool] | None = None) -> list[AddResult] | None:
        """Store many reports (each ``findings`` frame carries its labels' ``themes``) in one
        transaction, so a crash leaves all or none of them; reports stored before are skipped.

        ``unless`` names a ``store_state`` flag: when it is already set (checked under the
        write lock), nothing is added and None is returned — two processes opening a new
        database at once load the history once. ``flags`` are set in the same transaction.
        """
        with self._write("add_report") as conn:
            if unless and conn.execute(select(getattr(s.store_state.c, unless))).scalar():
                return None
            out = [self._add_one(conn, meta, frame, frame, label_source) for meta, frame in items]
            if flags:
                conn.execute(update(s.store_state).where(s.store_state.c.id == 1).values(**flags))
        return out

    def _add_one(self, conn: Connection, meta: ReportMeta, findings: pd.DataFrame,
                 labels: pd.DataFrame, label_source: str) -> AddResult:
        existing = conn.execute(select(s.reports.c.id).where(
            s.reports.c.content_hash == meta.content_hash)).scalar()
        if existing is not None:
            return AddResult(int(existing), 0, True)
        report_id = conn.execute(insert(s.reports).values(
            title=clean_text(meta.title), publisher=clean_text(meta.publisher),
            published=meta.published, kind=clean_text(meta.kind),
            file_name=clean_text(meta.file_name), content_hash=meta.content_hash,
            source_url=clean_text(meta.source_url), area=clean_text(meta.area),
            description=clean_text(meta.description),
            date_precision=clean_text(meta.date_precision), held_out=bool(meta.held_out),
            inspection=clean_text(meta.inspection),
            added_at=utc_now()).returning(s.reports.c.id)).scalar_one()
        ids = self._insert_findings(conn, report_id, findings)
        self._insert_labels(conn, ids, labels, label_source)
        return AddResult(int(report_id), len(ids), False, ids)

    def _insert_findings(self, conn: Connection, report_id: int, frame: pd.DataFrame) -> list[int]:
        cols = ["area", "part", "kind", "number", "section", "location"]
        rows = []
        for pos, rec in enumerate(frame.to_dict("records")):
            row = {c: clean_text(rec.get(c, "")) for c in cols}
            row.update(report_id=report_id, position=pos, text=clean_text(rec["text"]))
            rows.append(row)
        if not rows:
            return []
        result = conn.execute(insert(s.findings).returning(s.findings.c.id,
                                                           sort_by_parameter_order=True), rows)
        return [int(r[0]) for r in result]

    def _insert_labels(self, conn: Connection, ids: list[int], labels: pd.DataFrame,
                       source: str) -> None:
        pcols = [f"p_{t}" for t in self.codebook.ids]
        now, rows = utc_now(), []
        for fid, rec in zip(ids, labels.to_dict("records")):
            probs = {c[2:]: float(rec[c]) for c in pcols if c in rec and not pd.isna(rec[c])}
            rows.append({"finding_id": fid, "themes": str(rec["themes"]) or "other",
                         "model_version": str(rec.get("model_version", "") or ""),
                         "probabilities": json.dumps(probs),
                         "needs_review": bool(rec.get("needs_review", False)),
                         "label_source": source, "classified_at": now})
        if rows:
            conn.execute(insert(s.classifications), rows)

    def remove_report(self, report_id: int) -> dict:
        """Delete a report with its findings, labels, vectors and decisions; says what went."""
        with self._write("remove_report") as conn:
            row = conn.execute(select(s.reports.c.title, s.reports.c.file_name).where(
                s.reports.c.id == report_id)).first()
            if row is None:
                raise NotFound(f"no report with id {report_id}; see `history list`")
            n = conn.execute(select(func.count()).select_from(s.findings).where(
                s.findings.c.report_id == report_id)).scalar_one()
            conn.info["removed_vectors"] = True
            sub = select(s.findings.c.id).where(s.findings.c.report_id == report_id)
            for table in (s.decisions, s.embeddings, s.classifications):  # SQLite FKs may be off
                conn.execute(delete(table).where(table.c.finding_id.in_(sub)))
            conn.execute(delete(s.findings).where(s.findings.c.report_id == report_id))
            conn.execute(delete(s.reports).where(s.reports.c.id == report_id))
        return {"id": report_id, "title": row.title, "file_name": row.file_name, "findings": int(n)}

    def reports(self) -> pd.DataFrame:
        """One row per report (REPORT_COLUMNS), in id order."""
        counts = select(s.findings.c.report_id, func.count().label("findings")).group_by(
            s.findings.c.report_id).subquery()
        r = s.reports
        q = (select(r.c.id, r.c.title, r.c.publisher, r.c.published.label("date"),
                    r.c.date_precision, r.c.kind, r.c.description, r.c.area, r.c.source_url,
                    r.c.held_out, r.c.inspection, r.c.file_name, r.c.added_at,
                    func.coalesce(counts.c.findings, 0).label("findings"))
             .select_from(r.outerjoin(counts, counts.c.report_id == r.c.id))
             .order_by(r.c.id))
        with self.engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
        return pd.DataFrame([dict(row) for row in rows], columns=REPORT_COLUMNS)
