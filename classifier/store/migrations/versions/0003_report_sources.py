"""Reports carry where they came from: the source address (the attribution the Open Government
Licence asks for), the CPS Area a publication is about, a longer description of its kind, and
how precise its date is (a corpus header may give only YYYY or YYYY-MM), and whether it is
held out (a publication of the sealed test split: stored and shown, never a training
correction), and which inspection it belongs to (its report, press release and responses
share one, so a weakness recurs across inspections, not across one inspection's papers); ``history_seeded`` records that the restated publications were loaded.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("source_url", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("area", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("description", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("date_precision", sa.String(5), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("held_out", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("inspection", sa.Text, nullable=False, server_default=""))
    with op.batch_alter_table("store_state") as batch:
        batch.add_column(sa.Column("history_seeded", sa.Boolean, nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("store_state") as batch:
        batch.drop_column("history_seeded")
    with op.batch_alter_table("reports") as batch:
        for name in ("inspection", "held_out", "date_precision", "description", "area", "source_url"):
            batch.drop_column(name)
