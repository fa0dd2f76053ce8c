"""The store's plain records and row helpers: what a report is told, what adding one gives
back, and how rows become the frames every view reads (a human decision wins over the model)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from classifier.codebook import Codebook

HUMAN, MODEL = "human", "model"


@dataclass
class ReportMeta:
    """What the user tells us about a publication (all optional but the hash)."""

    title: str
    content_hash: str
    publisher: str = ""
    published: date | None = None
    kind: str = "report"
    file_name: str = ""
    source_url: str = ""  # where it was published (the attribution the OGL asks for)
    area: str = ""  # the CPS Area it is about, if one
    description: str = ""  # its kind in full
    date_precision: str = ""  # day | month | year; "" = as given (or undated)
    held_out: bool = False  # sealed test split: never a training correction
    inspection: str = ""  # publications about one inspection share it ("": its own)


@dataclass
class AddResult:
    report_id: int
    findings: int
    existed: bool  # the same content was stored before: nothing added
    ids: list[int] = field(default_factory=list, repr=False)  # the findings' ids


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def clean_text(value: object) -> str:
    """Text as stored: PostgreSQL refuses NUL characters, so no backend gets them."""
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) \
        else str(value).replace("\x00", "")


def vector_bytes(v: np.ndarray) -> bytes:
    return np.ascontiguousarray(v, dtype=np.float32).tobytes()


def raw_rows(conn: Connection, query) -> list[tuple]:
    """Rows of a large read as the driver returns them, skipping SQLAlchemy's per-value
    result processing (5x the cost of the query at 100k rows). Parameters stay bound."""
    compiled = query.compile(dialect=conn.dialect)
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = conn.exec_driver_sql(str(compiled), params)
    return [tuple(row) for row in cursor.cursor.fetchall()] if hasattr(cursor, "cursor") \
        and cursor.cursor is not None else [tuple(row) for row in cursor.fetchall()]


def effective_labels(frame: pd.DataFrame, codebook: Codebook, probabilities: bool) -> pd.DataFrame:
    """Add themes / label_source (a human decision wins), year, p_<theme> columns."""
    decided = frame["decided_themes"].notna()
    frame["themes"] = frame["decided_themes"].where(decided, frame["model_themes"]) \
        .fillna("other").astype(str)
    frame["label_source"] = np.where(decided, HUMAN, frame["classified_by"].fillna(MODEL))
    frame["decided_by"] = frame["decided_by"].fillna("").astype(str)
    frame["needs_review"] = frame["needs_review"].fillna(False).astype(bool) & ~decided
    codes, published = pd.factorize(frame["date"])  # a few distinct dates: parse each once
    parsed = pd.to_datetime(pd.Series(published, dtype="string"), errors="coerce")
    days = np.array([None if pd.isna(d) else d.date() for d in parsed] + [None], dtype=object)
    years = pd.array(list(parsed.dt.year) + [pd.NA], dtype="Int64")
    frame["date"], frame["year"] = days[codes], years[codes]
    frame["model_version"] = frame["model_version"].fillna("")
    frame["held_out"] = frame["held_out"].fillna(False).astype(bool)
    if probabilities:
        probs = [json.loads(p) if isinstance(p, str) else {} for p in frame.pop("probabilities")]
        for t in codebook.ids:
            frame[f"p_{t}"] = [p.get(t, np.nan) for p in probs]
    return frame.drop(columns=["decided_themes", "classified_by"])
