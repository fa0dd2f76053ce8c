"""Human decisions on findings: appended, never overwritten; the latest wins over the model.

A mixin of :class:`~classifier.store.store.FindingsStore`, kept apart so the audit trail's
rules read in one place.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from classifier.access import require
from classifier.errors import Forbidden, InputError, NotFound
from classifier.store import schema as s
from classifier.store.records import HUMAN, clean_text, utc_now


class DecisionsMixin:
    def record_decision(self, finding_id: int, themes: str, *, by: str | None = None,
                        note: str = "") -> dict:
        """Append a human decision (never overwrites); returns what was stored.

        It is recorded under the store's actor; only the local operator may name someone
        else (``by``: the CLI's ``--by``), a signed-in user or a token never can.
        """
        require(self.actor, "decide")
        parsed = self.codebook.parse(themes)  # unknown theme -> ClassifierError, nothing stored
        canonical = self.codebook.format(parsed)
        if by is not None and by != self.actor.name and not self.actor.local:
            raise Forbidden(f"{self.actor} records decisions under their own name only")
        by = self.actor.name if by is None else by
        if not by.strip():
            raise InputError("say who decided (--by NAME)")
        with self._write("decide") as conn:
            current = self._current_label(conn, finding_id)
            if current is None:
                raise NotFound(f"no finding with id {finding_id}; see `review list`")
            row = {"finding_id": finding_id, "themes": canonical,
                   "decided_by": clean_text(by.strip()), "decided_at": utc_now(),
                   "previous_themes": current["themes"], "previous_source": current["source"],
                   "model_version": current["model_version"], "note": clean_text(note)}
            row["id"] = conn.execute(insert(s.decisions).values(**row)
                                     .returning(s.decisions.c.id)).scalar_one()
        return row

    def _current_label(self, conn: Connection, finding_id: int) -> dict | None:
        exists = conn.execute(select(s.findings.c.id).where(
            s.findings.c.id == finding_id)).scalar()
        if exists is None:
            return None
        dec = conn.execute(select(s.decisions.c.themes).where(
            s.decisions.c.finding_id == finding_id).order_by(s.decisions.c.id.desc())
            .limit(1)).scalar()
        cls = conn.execute(select(s.classifications.c.themes, s.classifications.c.label_source,
                                  s.classifications.c.model_version).where(
            s.classifications.c.finding_id == finding_id)).first()
        version = cls.model_version if cls else ""
        if dec is not None:
            return {"themes": dec, "source": HUMAN, "model_version": version}
        if cls is None:
            return {"themes": "", "source": "", "model_version": ""}
        return {"themes": cls.themes, "source": cls.label_source, "model_version": version}

    def decisions(self, finding_id: int | None = None) -> pd.DataFrame:
        """The audit trail, oldest first."""
        q = select(s.decisions).order_by(s.decisions.c.id)
        if finding_id is not None:
            q = q.where(s.decisions.c.finding_id == finding_id)
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).mappings().all(),
                                columns=[c.name for c in s.decisions.columns])

    def human_labels(self) -> pd.DataFrame:
        """finding_id, report_id, report, text, themes of every finding a human decided
        (latest decision), for training. Held-out reports (the sealed test split) are left
        out: a decision on one of their findings must never reach the model."""
        frame = self.findings_frame()
        decided = frame["decided_by"].notna() & (frame["decided_by"] != "")
        return frame[decided & ~frame["held_out"]][
            ["finding_id", "report_id", "report", "text", "themes"]].reset_index(drop=True)
