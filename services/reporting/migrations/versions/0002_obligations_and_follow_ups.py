"""Mandatory reports are delivered through lookups of their own; written follow-ups of calls.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lookups") as batch:
        batch.add_column(sa.Column("obligation_id", sa.String(length=64), nullable=True))
    with op.batch_alter_table("steps") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), server_default="chain", nullable=False))
    with op.batch_alter_table("obligations") as batch:
        batch.add_column(sa.Column("lookup_index", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("obligations") as batch:
        batch.drop_column("lookup_index")
    with op.batch_alter_table("steps") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("lookups") as batch:
        batch.drop_column("obligation_id")
