"""store_state.instance: a random id per database, so caches outside it (the Overview's
findings snapshot, the HNSW graph) never mistake a re-created database for the old one.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("store_state") as batch:
        batch.add_column(sa.Column("instance", sa.String(32), nullable=False, server_default=""))
    op.execute(sa.text("UPDATE store_state SET instance = :instance")
               .bindparams(instance=uuid.uuid4().hex))


def downgrade() -> None:
    with op.batch_alter_table("store_state") as batch:
        batch.drop_column("instance")
