"""The findings database: reports, findings, classifications, embeddings, decisions.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("publisher", sa.Text, nullable=False, server_default=""),
        sa.Column("published", sa.Date, nullable=True),
        sa.Column("kind", sa.String(40), nullable=False, server_default="report"),
        sa.Column("file_name", sa.Text, nullable=False, server_default=""),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("content_hash", name="uq_reports_content_hash"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("area", sa.Text, nullable=False, server_default=""),
        sa.Column("part", sa.String(8), nullable=False, server_default=""),
        sa.Column("kind", sa.String(40), nullable=False, server_default=""),
        sa.Column("number", sa.String(20), nullable=False, server_default=""),
        sa.Column("section", sa.Text, nullable=False, server_default=""),
        sa.Column("location", sa.Text, nullable=False, server_default=""),
        sa.Column("text", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_findings_report", "findings", ["report_id"])
    op.create_table(
        "classifications",
        sa.Column("finding_id", sa.Integer, sa.ForeignKey("findings.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("model_version", sa.String(40), nullable=False, server_default=""),
        sa.Column("themes", sa.Text, nullable=False),
        sa.Column("probabilities", sa.Text, nullable=False, server_default="{}"),
        sa.Column("needs_review", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("label_source", sa.String(10), nullable=False),
        sa.Column("classified_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "embeddings",
        sa.Column("finding_id", sa.Integer, sa.ForeignKey("findings.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("fingerprint", sa.String(80), primary_key=True),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.Column("recurrence_group", sa.Integer, nullable=True),
    )
    op.create_index("ix_embeddings_fingerprint", "embeddings", ["fingerprint"])
    op.create_index("ix_embeddings_groups", "embeddings",
                    ["fingerprint", "finding_id", "recurrence_group"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("finding_id", sa.Integer, sa.ForeignKey("findings.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("themes", sa.Text, nullable=False),
        sa.Column("decided_by", sa.Text, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("previous_themes", sa.Text, nullable=False),
        sa.Column("previous_source", sa.String(10), nullable=False),
        sa.Column("model_version", sa.String(40), nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_decisions_finding", "decisions", ["finding_id"])
    state = op.create_table(
        "store_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("seeded", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("legacy_imported", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.bulk_insert(state, [{"id": 1, "generation": 0, "seeded": False, "legacy_imported": False}])


def downgrade() -> None:
    for name in ("store_state", "decisions", "embeddings", "classifications", "findings",
                 "reports"):
        op.drop_table(name)
