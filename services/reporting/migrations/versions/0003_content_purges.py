"""what the retention purge removed of each signal's content

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_purges",
        sa.Column("signal_id", sa.Uuid(), nullable=False),
        sa.Column("data_class", sa.String(length=16), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["signal_id"], ["signal_facts.signal_id"]),
        sa.PrimaryKeyConstraint("signal_id", "data_class"),
    )


def downgrade() -> None:
    op.drop_table("content_purges")
