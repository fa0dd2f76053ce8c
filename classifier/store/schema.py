"""The findings database's tables (SQLAlchemy Core), the one definition migrations follow.

- ``reports``         one per stored publication (unique by content hash)
- ``findings``        the findings segmented from a report, in report order
- ``classifications`` the current label of each finding: by the model (with its version
                      and probabilities) or by a human (report 001's labelled Annex B)
- ``embeddings``      one vector per finding and embedding fingerprint, with the finding's
                      recurrence group (see :mod:`classifier.store.recurrence`)
- ``decisions``       human decisions on a finding, append-only: the latest one wins
- ``store_state``     one row: a generation counter every write bumps (readers' caches key
                      on it; writers serialise on its row lock), the one-off import flags
                      (``seeded``: the first open's loading is done; ``history_seeded``: the
                      restated publications are in) and the database's random instance id
- ``users``           who may sign in to the app: name, role, argon2 password hash
- ``api_tokens``      bearer tokens of the HTTP API: name, role, SHA-256 of the token, revoked
- ``sign_in_throttle`` failed sign-ins per user name (known or not) and until when it is paused
"""
from __future__ import annotations

from sqlalchemy import (Boolean, Column, Date, DateTime, ForeignKey, Index, Integer,
                        LargeBinary, MetaData, String, Table, Text, UniqueConstraint, false)

metadata = MetaData()

reports = Table(
    "reports", metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("publisher", Text, nullable=False, server_default=""),
    Column("published", Date, nullable=True),
    Column("kind", String(40), nullable=False, server_default="report"),
    Column("file_name", Text, nullable=False, server_default=""),
    Column("content_hash", String(64), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("source_url", Text, nullable=False, server_default=""),  # where it was published
    Column("area", Text, nullable=False, server_default=""),  # the CPS Area it is about, if one
    Column("description", Text, nullable=False, server_default=""),  # the kind, in full
    Column("date_precision", String(5), nullable=False, server_default=""),  # day|month|year
    Column("held_out", Boolean, nullable=False, server_default=false()),  # sealed test split
    Column("inspection", Text, nullable=False, server_default=""),  # publication group, if known
    UniqueConstraint("content_hash", name="uq_reports_content_hash"),
    sqlite_autoincrement=True,  # ids are never reused (caches and audit trails key on them)
)

findings = Table(
    "findings", metadata,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("area", Text, nullable=False, server_default=""),
    Column("part", String(8), nullable=False, server_default=""),
    Column("kind", String(40), nullable=False, server_default=""),
    Column("number", String(20), nullable=False, server_default=""),
    Column("section", Text, nullable=False, server_default=""),
    Column("location", Text, nullable=False, server_default=""),
    Column("text", Text, nullable=False),
    Index("ix_findings_report", "report_id"),
    sqlite_autoincrement=True,
)

classifications = Table(
    "classifications", metadata,
    Column("finding_id", Integer, ForeignKey("findings.id", ondelete="CASCADE"),
           primary_key=True),
    Column("model_version", String(40), nullable=False, server_default=""),
    Column("themes", Text, nullable=False),
    Column("probabilities", Text, nullable=False, server_default="{}"),  # JSON {theme: p}
    Column("needs_review", Boolean, nullable=False, server_default=false()),
    Column("label_source", String(10), nullable=False),  # 'model' | 'human'
    Column("classified_at", DateTime(timezone=True), nullable=False),
)

embeddings = Table(
    "embeddings", metadata,
    Column("finding_id", Integer, ForeignKey("findings.id", ondelete="CASCADE"),
           primary_key=True),
    Column("fingerprint", String(80), primary_key=True),
    Column("vector", LargeBinary, nullable=False),  # float32, L2-normalised
    Column("recurrence_group", Integer, nullable=True),
    Index("ix_embeddings_fingerprint", "fingerprint"),
    # covering index: recurrence groups are read without touching the vectors
    Index("ix_embeddings_groups", "fingerprint", "finding_id", "recurrence_group"),
)

decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("finding_id", Integer, ForeignKey("findings.id", ondelete="CASCADE"), nullable=False),
    Column("themes", Text, nullable=False),
    Column("decided_by", Text, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("previous_themes", Text, nullable=False),
    Column("previous_source", String(10), nullable=False),
    Column("model_version", String(40), nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),
    Index("ix_decisions_finding", "finding_id"),
    sqlite_autoincrement=True,
)

store_state = Table(
    "store_state", metadata,
    Column("id", Integer, primary_key=True),
    Column("generation", Integer, nullable=False),
    Column("seeded", Boolean, nullable=False, server_default=false()),
    Column("legacy_imported", Boolean, nullable=False, server_default=false()),
    Column("instance", String(32), nullable=False, server_default=""),  # random, per database
    Column("history_seeded", Boolean, nullable=False, server_default=false()),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(80), nullable=False),
    Column("role", String(10), nullable=False),  # viewer | reviewer | admin
    Column("password_hash", Text, nullable=False),  # argon2id, PHC string
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False, server_default=""),
    UniqueConstraint("name", name="uq_users_name"),
    sqlite_autoincrement=True,
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(80), nullable=False),
    Column("role", String(10), nullable=False),
    Column("token_hash", String(64), nullable=False),  # SHA-256 hex of the token
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False, server_default=""),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("revoked_by", Text, nullable=False, server_default=""),
    UniqueConstraint("name", name="uq_api_tokens_name"),
    UniqueConstraint("token_hash", name="uq_api_tokens_hash"),
    sqlite_autoincrement=True,
)

sign_in_throttle = Table(
    "sign_in_throttle", metadata,
    Column("name", String(80), primary_key=True),  # as typed, case-folded
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("last_failure_at", DateTime(timezone=True), nullable=True),
    Column("locked_until", DateTime(timezone=True), nullable=True),
)

__all__ = ["metadata", "reports", "findings", "classifications", "embeddings", "decisions",
           "store_state", "users", "api_tokens", "sign_in_throttle"]
